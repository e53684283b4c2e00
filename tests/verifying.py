"""What the tests of ``veche verify`` share: the command run on a test's database as an
operator runs it, the problems it names, and the journal re-hashed after a forgery, as an
attacker who knows how the chain is made would."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from veche.actions.journal import entry_hash
from veche.cli import app
from veche.models import JournalEntry, JournalHead

runner = CliRunner()


class Verified:
    """A test's database (at ``url``), verified by the command line."""

    url: str

    def verify(self, *arguments: str) -> Result:
        return runner.invoke(app, ["verify", "--db", self.url, *arguments])

    def problems(self) -> list[str]:
        """What verify names wrong, a line each; it must fail."""
        result = self.verify()
        assert result.exit_code == 1, result.output
        return [line[2:] for line in result.output.splitlines() if line.startswith("- ")]


def rehash_from(session: Session, seq: int) -> None:
    """What a forger with the database does: hash every entry from ``seq`` on again, each
    chained to the one before, and move the head, so that the chain holds once more."""
    session.flush()
    previous = session.scalar(select(JournalEntry.hash).where(JournalEntry.seq == seq - 1))
    assert previous is not None
    entries = session.scalars(
        select(JournalEntry).where(JournalEntry.seq >= seq).order_by(JournalEntry.seq)
    ).all()
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = previous = entry_hash(entry)
    session.execute(
        update(JournalHead).where(JournalHead.id == 1).values(seq=entries[-1].seq, hash=previous)
    )
