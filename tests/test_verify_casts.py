"""`veche verify` holds every counted poll's ballots and rights used against the journal
entries that took them: a ballot or a right used added to the database before the close,
a paper lot slipped in, or a roll-call's voters swapped, each makes it exit 1 naming the
poll. On both databases."""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.assembly import client_key
from tests.helpers import ADMIN, count_queries, plenary_with_members_present, voter
from tests.prepared import prepared
from tests.verifying import Verified, rehash_from
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.actions.journal_actions import JournalAction
from veche.actions.polls import PaperLot, do_create_poll, do_enter_paper_ballots, do_open_poll
from veche.actions.verify_casts import verify_casts
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import Ballot, JournalEntry, Participation, Poll
from veche.models.polls import BallotSource, PollKind, RevotePolicy, RightKind, Secrecy
from veche.sealing import padded_size, seal

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()


@dataclass(frozen=True)
class OpenPolls:
    """Two open decisions of a plenary where every member is present, re-votes allowed: a
    secret one with six ballots (one of them cast again) and a paper lot of two, and a named
    one with four ballots (one cast again)."""

    secret_id: int
    named_id: int
    #: Who voted in the named poll, and how (the label of their choice as it counts).
    roll_call: dict[int, str]
    #: A member who voted in neither poll.
    absent_voter: int
    #: The secret poll's options by label.
    options: dict[str, int]


def _open_polls(url: str) -> OpenPolls:
    engine = make_engine(url)
    try:
        return _opened_in(make_sessionmaker(engine))
    finally:
        engine.dispose()


def _opened_in(sessions: sessionmaker[Session]) -> OpenPolls:
    today = date.today()
    with transaction(sessions) as session:
        meeting, members = plenary_with_members_present(session, today)
        polls = [
            do_create_poll(
                session,
                ADMIN,
                meeting,
                title=title,
                kind=PollKind.DECISION,
                secrecy=secrecy,
                revote=RevotePolicy.LAST_COUNTS,
            )
            for title, secrecy in (("Dues", Secrecy.SECRET), ("Roll-call", Secrecy.NAMED))
        ]
        session.flush()
        for poll in polls:
            session.refresh(poll)
            do_open_poll(session, ADMIN, poll.id, today)
        secret, named = polls
        secret_id, named_id = secret.id, named.id
        options = {o.label: o.id for o in secret.options}
        named_options = {o.label: o.id for o in named.options}
        do_enter_paper_ballots(session, ADMIN, secret, [PaperLot({"option": options["yes"]}, 2)])
    keys = {person: client_key() for person in members[:6]}
    votes = ["yes", "yes", "no", "no", "abstain", "yes"]
    for person, vote in zip(members[:6], votes, strict=True):
        with transaction(sessions) as session:
            do_cast_ballot(
                session,
                voter(person),
                SentBallot(secret_id, {"option": options[vote]}, keys[person]),
            )
    roll_call = dict(zip(members[:4], ["yes", "yes", "no", "abstain"], strict=True))
    for person, vote in roll_call.items():
        with transaction(sessions) as session:
            choice = {"option": named_options[vote]}
            do_cast_ballot(session, voter(person), SentBallot(named_id, choice, client_key()))
    first = members[0]
    with transaction(sessions) as session:  # each poll's first voter changes their mind
        again = SentBallot(
            secret_id, {"option": options["no"]}, client_key(), replaces_client_key=keys[first]
        )
        do_cast_ballot(session, voter(first), again)
        choice = {"option": named_options["no"]}
        do_cast_ballot(session, voter(first), SentBallot(named_id, choice, client_key()))
    roll_call[first] = "no"
    return OpenPolls(secret_id, named_id, roll_call, members[6], options)


verify_open_polls = prepared("verify_open_polls", _open_polls)


@dataclass(frozen=True)
class Polls(OpenPolls, Verified):
    url: str
    sessions: sessionmaker[Session]

    def close(self, *poll_ids: int) -> None:
        with transaction(self.sessions) as session:
            for poll_id in poll_ids or (self.secret_id, self.named_id):
                do_close_poll(session, ADMIN, poll_id)


@pytest.fixture
def polls(
    database_url: str, sessions: sessionmaker[Session], verify_open_polls: OpenPolls
) -> Polls:
    return Polls(**asdict(verify_open_polls), url=database_url, sessions=sessions)


def test_ballots_cast_replaced_and_entered_through_veche_hold(polls: Polls) -> None:
    polls.close()
    result = polls.verify()
    assert result.exit_code == 0, result.output
    assert (
        "Held the ballots and rights used of 2 polls against the journal entries that cast or "
        "entered them: each matches."
    ) in result.output


def test_a_ballot_and_a_right_added_before_the_close_are_found(polls: Polls) -> None:
    """The attack: a ballot written into `ballot`, and a right used by a member who never
    voted with a ballot sealed to the poll's public key, both counted by the close."""
    with transaction(polls.sessions) as session:
        poll = session.get(Poll, polls.secret_id)
        assert poll is not None and poll.seal_key is not None
        yes = {"option": polls.options["yes"]}
        session.add(
            Ballot(
                poll_id=poll.id,
                receipt=secrets.token_hex(16),
                choice=yes,
                weight=10,
                source=BallotSource.ELECTRONIC,
            )
        )
        sealed = seal(
            poll.seal_key,
            {"receipt": secrets.token_hex(16), "choice": yes},
            padded_size(len(poll.options)),
        )
        session.add(
            Participation(
                poll_id=poll.id,
                right_person_id=polls.absent_voter,
                cast_by_person_id=polls.absent_voter,
                kind=RightKind.OWN,
                weight=1,
                sealed=sealed,
            )
        )
    polls.close()
    name = f"poll {polls.secret_id} (Dues)"
    assert polls.problems() == [
        f"{name}: the right of person {polls.absent_voter} was used but the journal records "
        "no ballot cast with it: a ballot was added outside veche",
        f"{name}: 8 electronic ballots are stored but the journal records 6 cast: a ballot "
        "was added or removed outside veche",
    ]


def test_a_paper_ballot_added_before_the_close_is_found(polls: Polls) -> None:
    with transaction(polls.sessions) as session:
        session.add(
            Ballot(
                poll_id=polls.secret_id,
                receipt="p" + secrets.token_hex(15),
                choice={"option": polls.options["no"]},
                weight=3,
                source=BallotSource.PAPER,
            )
        )
    polls.close()
    (problem,) = polls.problems()
    assert problem.startswith(
        f"poll {polls.secret_id} (Dues): its paper ballots or counted votes are not those the "
        "tellers entered (journal entries "
    )
    assert problem.endswith("one was added, changed or removed outside veche")


def test_a_roll_calls_voters_swapped_after_the_close_are_found(polls: Polls) -> None:
    polls.close(polls.named_id)
    yes_voter = next(p for p, vote in polls.roll_call.items() if vote == "yes")
    abstainer = next(p for p, vote in polls.roll_call.items() if vote == "abstain")
    with transaction(polls.sessions) as session:
        receipts = {
            person: receipt
            for person, receipt in session.execute(
                select(Ballot.voter_person_id, Ballot.receipt).where(
                    Ballot.poll_id == polls.named_id,
                    Ballot.voter_person_id.in_((yes_voter, abstainer)),
                )
            )
        }
        for person, becomes in ((yes_voter, abstainer), (abstainer, yes_voter)):
            session.execute(
                update(Ballot)
                .where(Ballot.poll_id == polls.named_id, Ballot.receipt == receipts[person])
                .values(voter_person_id=becomes, cast_by_person_id=becomes)
            )
    low, high = sorted((yes_voter, abstainer))
    (problem,) = polls.problems()
    assert problem.startswith(
        f"poll {polls.named_id} (Roll-call): the roll-call differs from the journal: the "
        f"ballots of persons {low}, {high} do not hold the choice, or name the caster, that "
        "their entries record (entries "
    )


def test_a_roll_call_ballot_given_to_another_caster_is_found(polls: Polls) -> None:
    polls.close(polls.named_id)
    person = next(iter(polls.roll_call))
    with transaction(polls.sessions) as session:
        session.execute(
            update(Ballot)
            .where(Ballot.poll_id == polls.named_id, Ballot.voter_person_id == person)
            .values(cast_by_person_id=polls.absent_voter)
        )
        session.execute(
            update(Participation)
            .where(Participation.poll_id == polls.named_id, Participation.right_person_id == person)
            .values(cast_by_person_id=polls.absent_voter)
        )
    problems = polls.problems()
    assert len(problems) == 2, problems
    assert problems[0].startswith(
        f"poll {polls.named_id} (Roll-call): the use of the right of person {person} is not "
        "what the journal records (entries "
    )
    assert f"the ballots of person {person} do not hold the choice" in problems[1]


def test_a_rights_weight_changed_before_the_close_is_found(polls: Polls) -> None:
    """A right's weight changed in the database before the close (here halved away: raised,
    it would soon pass the rights present, which the close refuses) gives its sealed ballot
    that weight when it is opened: the ballots and the rights agree, and only the weight each
    cast journals tells."""
    person = next(iter(polls.roll_call))
    with transaction(polls.sessions) as session:
        session.execute(
            update(Participation).where(Participation.right_person_id == person).values(weight=0)
        )
    polls.close()
    problems = polls.problems()
    for poll in (f"poll {polls.secret_id} (Dues)", f"poll {polls.named_id} (Roll-call)"):
        assert (
            f"{poll}: the use of the right of person {person} is not what the journal records "
        ) in "\n".join(problems)
    rights = [p for p in problems if "is not what the journal records" in p]
    assert len(rights) == 2, problems
    assert all(
        p.endswith("who cast the ballot, the kind of right or its weight was changed")
        for p in rights
    )


def test_casts_journalled_without_their_weight_are_held_as_they_are(polls: Polls) -> None:
    """Casts journalled before the weight was: their rights are held against the rest."""
    with transaction(polls.sessions) as session:
        casts = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.action == JournalAction.CAST_BALLOT.value)
            .order_by(JournalEntry.seq)
        ).all()
        assert all("weight" in entry.payload for entry in casts)
        for entry in casts:
            entry.payload = {k: v for k, v in entry.payload.items() if k != "weight"}
            rehash_from(session, casts[0].seq)
    polls.close()
    result = polls.verify()
    assert result.exit_code == 0, result.output


def test_the_check_reads_each_table_once(polls: Polls, engine: Engine) -> None:
    polls.close()
    with polls.sessions() as session, session.begin(), count_queries(engine) as statements:
        check = verify_casts(session)
    assert check.holds and check.checked == 2, check.problems
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    # The counted polls, the journal's entries of casting, the rights used, the ballots.
    assert len(selects) == 4, selects
