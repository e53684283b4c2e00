"""The attacks of issue #15 on a secret poll, carried out against a real server's own files.

Twenty-four members vote through a real HTTP server, in a shuffled order; the attacker then
holds what an operator holds without the server key (veche.sealing): the database's files
or tables at any moment (copied while the poll is open, and again after the count), its
dead rows, its write-ahead log, the journal, and the receipts the bulletin board publishes.
Each attack tries to link voters to their ballots and must do no better than chance: a
guess that pairs the k-th voter with the k-th ballot of some order links one voter on
average, and six or more about once in two thousand tries (a random permutation has six or
more fixed points with probability about 1/6! ≈ 0.0014, times 1/e, summed).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, convene
from tests.web.live_server import serve
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Participation
from veche.web.app import create_app

pytestmark = pytest.mark.demo

VOTERS = 24
#: More links than a guess makes by chance about once in two thousand tries (see above).
CHANCE = 6


@dataclass(frozen=True)
class Vote:
    person_id: int
    receipt: str


@dataclass
class Poll:
    id: int
    votes: list[Vote]  # in the order they were cast
    open_files: dict[str, bytes]  # the database's files as copied while the poll was open

    @property
    def receipts(self) -> dict[str, int]:
        return {vote.receipt: vote.person_id for vote in self.votes}


@pytest.fixture
def voted(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Poll]:
    """A secret decision that 24 members voted in, in a random order, through a real server;
    closed after the attacker copied the database's files."""
    with serve(create_app(engine)) as url, httpx2.Client(base_url=url, timeout=30) as client:
        meeting: Assembly = convene(cast(TestClient, client), sessions)
        voters = random.sample(meeting.members, VOTERS)
        meeting.check_in(meeting.members)
        poll = meeting.create_poll(title="Strike fund", kind="decision", secrecy="secret")
        meeting.open(poll["id"])
        options = {option["label"]: option["id"] for option in poll["options"]}
        votes = []
        for person_id in voters:
            choice = {"option": options[random.choice(["yes", "no", "abstain"])]}
            response = meeting.vote(poll["id"], person_id, choice)
            assert response.status_code == 201, response.text
            votes.append(Vote(person_id, response.json()["receipt"]))
        copied = _copy_files(engine)
        meeting.close(poll["id"])
        yield Poll(poll["id"], votes, copied)


def _copy_files(engine: Engine) -> dict[str, bytes]:
    """Every byte of the database as it stands: SQLite's main file and write-ahead log, or
    the raw pages of PostgreSQL's tables of rights and ballots (dead rows included)."""
    if engine.dialect.name == "sqlite":
        database = Path(str(make_url(str(engine.url)).database))
        return {
            suffix: Path(f"{database}{suffix}").read_bytes()
            for suffix in ("", "-wal")
            if Path(f"{database}{suffix}").exists()
        }
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        return {
            table: b"".join(
                connection.execute(
                    text(f"SELECT get_raw_page('{table}', n) FROM generate_series(0, :last) n"),
                    {"last": _pages(connection, table) - 1},
                ).scalars()
            )
            for table in ("participation", "ballot")
        }


def _pages(connection: Any, table: str) -> int:
    pages: int = connection.execute(
        text(f"SELECT pg_relation_size('{table}') / current_setting('block_size')::int")
    ).scalar_one()
    return pages


def _linked(guessed_order: list[str], poll: Poll) -> int:
    """How many voters a guess links: the k-th voter to cast, paired with the k-th receipt of
    ``guessed_order``, who really cast that ballot."""
    return sum(
        1
        for vote, receipt in zip(poll.votes, guessed_order, strict=False)
        if vote.receipt == receipt
    )


def _best_guess(order: list[str], poll: Poll) -> int:
    """The attacker may read an order either way round; their better reading counts."""
    return max(_linked(order, poll), _linked(order[::-1], poll))


def test_the_journal_orders_the_voters_but_names_no_ballot(
    voted: Poll, sessions: sessionmaker[Session]
) -> None:
    """The journal's order of participation is the attacker's key to every order attack."""
    with sessions() as session:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.action == JournalAction.CAST_BALLOT.value)
            .order_by(JournalEntry.seq)
        ).all()
        mine = [e for e in entries if e.payload["poll_id"] == voted.id]
    assert [e.payload["right_person_id"] for e in mine] == [v.person_id for v in voted.votes]
    journal = repr([e.payload for e in mine])
    assert not any(vote.receipt in journal for vote in voted.votes)
    assert "choice" not in journal and "option" not in journal


def test_while_the_poll_is_open_no_receipt_or_choice_is_readable(
    voted: Poll, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """Whatever was copied while the poll was open holds the receipts nowhere in the clear,
    so nothing in it can be matched with the ballots the board publishes later."""
    with sessions() as session:
        sealed = session.scalars(
            select(Participation.sealed).where(Participation.poll_id == voted.id)
        ).all()
    assert sealed == [None] * VOTERS  # emptied by the count
    for name, content in voted.open_files.items():
        found = [v.receipt for v in voted.votes if v.receipt.encode() in content]
        assert found == [], (
            f"receipts readable in {name or 'the main file'} while the poll was open"
        )
    assert voted.open_files, "the database was copied while the poll was open"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_cells_and_wal_frames_keep_no_casting_order(voted: Poll, engine: Engine) -> None:
    """SQLite keeps a table without rowid in key order, but allocates each page's cells in
    the order rows arrived; the write-ahead log holds frames in commit order. Both are read
    for the order in which the published receipts arrived."""
    files = _copy_files(engine)
    database, wal = files[""], files.get("-wal", b"")
    page_size = int.from_bytes(database[16:18], "big")
    frame = 24 + page_size  # a frame's header, then the page
    # Where each receipt lies in the newest copy of its page (the log's last frame holding
    # it, else the main file): by page, then by offset within the page, cells being
    # allocated from the page's end towards its start.
    placed = []
    for receipt in voted.receipts:
        in_log = wal.rfind(receipt.encode())
        if in_log >= 32:
            number = (in_log - 32) // frame
            start = 32 + number * frame
            page = int.from_bytes(wal[start : start + 4], "big")
            placed.append((page, -(in_log - start - 24), receipt))
        elif (position := database.find(receipt.encode())) >= 0:
            placed.append((position // page_size + 1, -(position % page_size), receipt))
    assert len(placed) == VOTERS, "every counted ballot is in the files"
    assert _best_guess([receipt for *_, receipt in sorted(placed)], voted) < CHANCE
    # The log's frames, in order: the frame in which each receipt first appears.
    first_frames = sorted(
        ((wal.find(receipt.encode(), 32) - 32) // frame, receipt)
        for receipt in voted.receipts
        if wal.find(receipt.encode(), 32) >= 0
    )
    if first_frames:
        assert _best_guess([receipt for _, receipt in first_frames], voted) < CHANCE


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_postgresql_xmin_and_dead_tuples_link_no_voter(
    voted: Poll, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """Rows written in one transaction share its id (xmin), and a table's heap keeps rows in
    the order they were written, dead versions included until a vacuum: read with
    pageinspect, live and dead tuples alike, for links between rights and ballots."""
    with engine.connect() as connection:
        connection.execute(text("CREATE EXTENSION IF NOT EXISTS pageinspect"))
        connection.commit()
        participations = _tuples(connection, "participation")
        ballots = _tuples(connection, "ballot")
    receipts = voted.receipts
    carrying = [
        (xmin, receipt) for xmin, data in ballots for receipt in _receipts_in(data, receipts)
    ]
    assert {receipt for _, receipt in carrying} == set(receipts), "every ballot is in the heap"
    # xmin: who wrote a right's tuple in the transaction that wrote each ballot's tuple. A
    # guess among them links a voter with the chance of one in their number.
    writers: dict[int, set[int]] = {}
    for xmin, data in participations:
        poll_id, person_id = (int.from_bytes(data[i : i + 4], "little") for i in (0, 4))
        if poll_id == voted.id:
            writers.setdefault(xmin, set()).add(person_id)
    expected_links = sum(
        1 / len(writers[xmin])
        for xmin, receipt in carrying
        if receipts[receipt] in writers.get(xmin, set())
    )
    assert expected_links < CHANCE, writers
    # Heap order: the order the ballots' tuples were written in.
    assert _best_guess([receipt for _, receipt in carrying], voted) < CHANCE
    # The sealed copies kept in the rights' tuples (dead ones too) hold no receipt.
    assert not [r for _, data in participations for r in _receipts_in(data, receipts)]


def _tuples(connection: Any, table: str) -> list[tuple[int, bytes]]:
    """Every tuple of ``table``'s heap, live or dead, in the order of its pages and line
    pointers: (the id of the transaction that wrote it, its raw bytes)."""
    found: list[tuple[int, bytes]] = []
    for page in range(_pages(connection, table)):
        rows = connection.execute(
            text(
                f"SELECT t_xmin, t_data FROM heap_page_items(get_raw_page('{table}', :page)) "
                "WHERE t_data IS NOT NULL ORDER BY lp"
            ),
            {"page": page},
        )
        found += [(int(xmin), bytes(data)) for xmin, data in rows]
    return found


def _receipts_in(data: bytes, receipts: dict[str, int]) -> list[str]:
    return [receipt for receipt in receipts if receipt.encode() in data]
