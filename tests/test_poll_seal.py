"""Someone who can write to the database but does not hold the server key file changes an
open secret poll so as to read the ballots cast afterwards: they put a public key of their
own in ``poll.seal_key``, empty it, or mark the poll as named. Every such poll takes no more
ballots, and nothing is sealed with the attacker's key (veche.actions.poll_seal)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from nacl.public import PrivateKey
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.actions.test_poll_guarantees import _open_decision
from tests.assembly import Assembly, client_key
from tests.helpers import ADMIN, voter
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.actions.poll_seal import check_poll_seal
from veche.db import make_reader, make_sessionmaker, transaction
from veche.errors import Conflict
from veche.models import Participation, Poll, PollSecret
from veche.models.polls import PollState, Secrecy

#: The tests on a database start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: The attacker's own key pair: what they would open the ballots with.
ATTACKERS = PrivateKey.generate()


def _cast(sessions: sessionmaker[Session], poll_id: int, person_id: int, option: int) -> str:
    with transaction(sessions) as session:
        sent = SentBallot(poll_id, {"option": option}, client_key())
        return do_cast_ballot(session, voter(person_id), sent).receipt


def _sealed(sessions: sessionmaker[Session], poll_id: int) -> list[bytes | None]:
    with sessions() as session:
        return list(
            session.scalars(select(Participation.sealed).where(Participation.poll_id == poll_id))
        )


def _own_key(session: Session, poll_id: int) -> None:
    key = bytes(ATTACKERS.public_key).hex()
    session.execute(update(Poll).where(Poll.id == poll_id).values(seal_key=key))


def _no_key(session: Session, poll_id: int) -> None:
    session.execute(update(Poll).where(Poll.id == poll_id).values(seal_key=None))
    session.execute(delete(PollSecret).where(PollSecret.poll_id == poll_id))


def _named(session: Session, poll_id: int) -> None:
    session.execute(update(Poll).where(Poll.id == poll_id).values(secrecy=Secrecy.NAMED))


def _named_without_its_key(session: Session, poll_id: int) -> None:
    """Named, and the wrapped key deleted too: the journal still says it was created secret."""
    _named(session, poll_id)
    _no_key(session, poll_id)


def _named_without_a_trace(session: Session, poll_id: int) -> None:
    """Named, the key deleted and the sealed ballot cast before taken out: the journal's
    entry of its creation still says secret."""
    _named_without_its_key(session, poll_id)
    session.execute(
        update(Participation).where(Participation.poll_id == poll_id).values(sealed=None)
    )


@pytest.mark.parametrize(
    "change", [_own_key, _no_key, _named, _named_without_its_key, _named_without_a_trace]
)
def test_a_poll_whose_secrecy_was_changed_in_the_database_takes_no_ballot(
    sessions: sessionmaker[Session], change: Callable[[Session, int], None]
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    _cast(sessions, poll_id, members[0], yes)  # as the poll was opened: taken
    with transaction(sessions) as session:
        change(session, poll_id)
    before = _sealed(sessions, poll_id)
    with pytest.raises(Conflict, match="its secrecy is not as it was opened"):
        _cast(sessions, poll_id, members[1], yes)
    assert _sealed(sessions, poll_id) == before


def test_a_ballot_cast_through_the_api_to_a_changed_poll_is_refused_with_409(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    assembly.check_in(assembly.members)
    poll = assembly.create_poll(title="Adopt the budget", kind="decision", secrecy="secret")
    assembly.open(int(poll["id"]))
    with transaction(sessions) as session:
        _own_key(session, poll["id"])
    yes = next(option["id"] for option in poll["options"] if option["label"] == "yes")
    answer = assembly.vote(poll["id"], assembly.members[0], {"option": yes})
    assert answer.status_code == 409, answer.text
    assert "its secrecy is not as it was opened" in answer.json()["detail"]
    assert _sealed(sessions, poll["id"]) == []


def test_a_poll_opened_under_another_server_key_says_so(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    poll_id, members, yes = _open_decision(sessions)
    monkeypatch.setenv("VECHE_KEY_FILE", str(tmp_path / "another.key"))
    with pytest.raises(Conflict, match="opened under another server key") as refusal:
        _cast(sessions, poll_id, members[0], yes)
    assert "another.key" in refusal.value.message
    monkeypatch.undo()
    assert _cast(sessions, poll_id, members[0], yes)  # with its own key back, it takes ballots


def test_a_close_committed_while_a_ballot_is_checked_is_no_change_of_secrecy(
    sessions: sessionmaker[Session],
) -> None:
    """On PostgreSQL each statement reads what is committed when it runs: a close committed
    between reading the poll (open) and reading its key (deleted by the close) must read as a
    close, which the ballot is then refused for, not as a key taken out of the database."""
    poll_id, _members, _yes = _open_decision(sessions)
    engine = sessions.kw["bind"]
    reader = make_reader(engine)  # on SQLite, a snapshot that holds no lock
    try:
        with make_sessionmaker(reader)() as reading, reading.begin():
            poll = reading.get_one(Poll, poll_id)
            assert poll.state is PollState.OPEN
            with transaction(sessions) as closing:
                do_close_poll(closing, ADMIN, poll_id)
            check_poll_seal(reading, poll)  # no Conflict: the poll closed, nothing changed
    finally:
        if reader is not engine:
            reader.dispose()
