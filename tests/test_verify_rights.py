"""`veche verify` holds every cast into a counted poll against the voting rights the journal
gave its voter: a weight, a proxy, a substitution or a check-in written into the database
for a vote and taken out after it makes it exit 1 naming the poll; rights given, changed and
taken back through veche hold. On both databases."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.assembly import client_key
from tests.helpers import ADMIN, count_queries, general_council_term, term_members, voter
from tests.prepared import prepared
from tests.verifying import Verified, rehash_from
from veche.actions.attendance import do_check_in, do_check_out
from veche.actions.ballots import SentBallot, do_cast_ballot
from veche.actions.closing import do_close_poll
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import do_create_meeting
from veche.actions.participants import do_invite, do_update_participant
from veche.actions.polls import do_create_poll, do_open_poll
from veche.actions.stand_ins import do_grant_proxy, do_revoke_proxy, do_substitute
from veche.actions.verify_rights import RACE, _Account, verify_rights
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import (
    Attendance,
    JournalEntry,
    Meeting,
    Membership,
    Participant,
    Person,
    Poll,
    Proxy,
    Substitution,
)
from veche.models.base import utcnow
from veche.models.meetings import ParticipantRole
from veche.models.org import MembershipRole
from veche.models.polls import PollKind, Secrecy

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()


@dataclass(frozen=True)
class Hall:
    """A General Council plenary today, with a secret decision not yet open: most members
    and two alternates checked in, four members never checked in."""

    meeting_id: int
    poll_id: int
    present: list[int]
    absent: list[int]
    alternates: list[int]
    #: A person of the organization who takes no part in the meeting.
    outsider: int
    options: dict[str, int]


def _make_hall(url: str) -> Hall:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            return _hall_in(session)
    finally:
        engine.dispose()


def _hall_in(session: Session) -> Hall:
    today = date.today()
    term = general_council_term(session)
    meeting = do_create_meeting(session, ADMIN, term, "Plenary", starts_on=today)
    members = term_members(session, term)
    present, absent = members[:-4], members[-4:]
    alternates = sorted(
        session.scalars(
            select(Membership.person_id).where(
                Membership.term_id == term.id, Membership.role == MembershipRole.ALTERNATE
            )
        )
    )[:2]
    for person_id in [*present, *alternates]:
        do_check_in(session, ADMIN, meeting, person_id, today)
    poll = do_create_poll(
        session, ADMIN, meeting, title="Budget", kind=PollKind.DECISION, secrecy=Secrecy.SECRET
    )
    session.flush()
    session.refresh(poll)
    outsider = session.scalar(
        select(Person.id)
        .where(Person.id.not_in(select(Participant.person_id)))
        .order_by(Person.id)
        .limit(1)
    )
    assert outsider is not None
    return Hall(
        meeting.id,
        poll.id,
        present,
        absent,
        alternates,
        outsider,
        {o.label: o.id for o in poll.options},
    )


verify_rights_hall = prepared("verify_rights_hall", _make_hall)


@dataclass(frozen=True)
class Rights(Hall, Verified):
    url: str
    sessions: sessionmaker[Session]

    def meeting(self, session: Session) -> Meeting:
        meeting = session.get(Meeting, self.meeting_id)
        assert meeting is not None
        return meeting

    def seat(self, session: Session, person_id: int) -> int:
        """The participant id of a person in the meeting."""
        found = session.scalar(
            select(Participant.id).where(
                Participant.meeting_id == self.meeting_id, Participant.person_id == person_id
            )
        )
        assert found is not None
        return found

    def slip_in_proxy(self, grantor: int, holder: int) -> None:
        """A proxy from ``grantor`` to ``holder`` written into the database, not through veche."""
        with transaction(self.sessions) as session:
            session.add(
                Proxy(
                    meeting_id=self.meeting_id,
                    grantor_id=self.seat(session, grantor),
                    holder_id=self.seat(session, holder),
                )
            )

    def open(self) -> None:
        with transaction(self.sessions) as session:
            do_open_poll(session, ADMIN, self.poll_id, date.today())

    def cast(self, person_id: int, vote: str, right: int | None = None) -> None:
        with transaction(self.sessions) as session:
            sent = SentBallot(self.poll_id, {"option": self.options[vote]}, client_key(), right)
            do_cast_ballot(session, voter(person_id), sent)

    def close(self) -> None:
        with transaction(self.sessions) as session:
            do_close_poll(session, ADMIN, self.poll_id)

    def cast_entry(self, right: int) -> int:
        """The journal entry of the cast with ``right``."""
        with self.sessions() as session:
            entries = session.execute(
                select(JournalEntry.seq, JournalEntry.payload).where(
                    JournalEntry.action == JournalAction.CAST_BALLOT.value
                )
            ).all()
        (seq,) = [seq for seq, payload in entries if payload["right_person_id"] == right]
        return int(seq)

    @property
    def named(self) -> str:
        return f"poll {self.poll_id} (Budget)"


@pytest.fixture
def hall(database_url: str, sessions: sessionmaker[Session], verify_rights_hall: Hall) -> Rights:
    return Rights(**asdict(verify_rights_hall), url=database_url, sessions=sessions)


def test_rights_given_changed_and_taken_back_through_veche_hold(hall: Rights) -> None:
    """A proxy, a substitution, a weight changed, a proxy taken back, a member checked out
    and in again, a member invited by name, and a voter checked out after voting."""
    today = date.today()
    proxy_holder, weighty, returning, revoker, leaver, *others = hall.present
    with transaction(hall.sessions) as session:
        meeting = hall.meeting(session)
        do_grant_proxy(
            session, ADMIN, meeting, grantor_person_id=hall.absent[0], holder_person_id=proxy_holder
        )
        do_substitute(
            session,
            ADMIN,
            meeting,
            member_person_id=hall.absent[1],
            alternate_person_id=hall.alternates[0],
            day=today,
        )
        do_grant_proxy(
            session, ADMIN, meeting, grantor_person_id=hall.absent[2], holder_person_id=revoker
        )
        do_revoke_proxy(session, ADMIN, meeting, grantor_person_id=hall.absent[2])
        do_update_participant(session, ADMIN, meeting, weighty, weight=3)
        do_check_out(session, ADMIN, meeting, returning, today)
        do_check_in(session, ADMIN, meeting, returning, today)
        do_invite(session, ADMIN, meeting, hall.outsider, role=ParticipantRole.MEMBER, weight=2)
        do_check_in(session, ADMIN, meeting, hall.outsider, today)
    hall.open()
    hall.cast(proxy_holder, "yes")
    hall.cast(proxy_holder, "yes", right=hall.absent[0])
    hall.cast(hall.alternates[0], "no", right=hall.absent[1])
    for person in (weighty, returning, revoker, leaver, hall.outsider, *others[:3]):
        hall.cast(person, "yes")
    with transaction(hall.sessions) as session:
        do_check_out(session, ADMIN, hall.meeting(session), leaver, today)
    hall.close()
    result = hall.verify()
    assert result.exit_code == 0, result.output
    # Every weight checked: the one invited by name too, which its invitation journals.
    assert (
        "Held 11 casts into counted polls against the rights the journal gave their voters "
        "(check-ins, proxies, substitutions, weights): each had its right.\n"
    ) in result.output


def test_a_weight_raised_for_the_vote_and_set_back_is_found(hall: Rights) -> None:
    """The attack: one delegate's weight set to 50, their "yes" beats five "no", and the
    weight is set back to 1 after the close. The cast journals 50; no entry gave it."""
    delegate, *others = hall.present
    with transaction(hall.sessions) as session:
        session.execute(
            update(Participant)
            .where(Participant.id == hall.seat(session, delegate))
            .values(weight=50)
        )
    hall.open()
    hall.cast(delegate, "yes")
    for person in others[:5]:
        hall.cast(person, "no")
    hall.close()
    with transaction(hall.sessions) as session:
        poll = session.get(Poll, hall.poll_id)
        assert poll is not None and poll.outcome == "adopted", poll and poll.outcome
        session.execute(
            update(Participant)
            .where(Participant.id == hall.seat(session, delegate))
            .values(weight=1)
        )
    assert hall.problems() == [
        f"{hall.named}: the right of person {delegate} was cast with a weight the journal does "
        f"not give: person {delegate} with 50 where it gives 1 (entry "
        f"{hall.cast_entry(delegate)}): a weight was changed outside veche"
    ]


def test_a_proxy_inserted_for_the_vote_and_deleted_is_found(hall: Rights) -> None:
    holder, grantor = hall.present[0], hall.absent[0]
    hall.slip_in_proxy(grantor, holder)
    hall.open()
    hall.cast(holder, "yes")
    hall.cast(holder, "yes", right=grantor)
    hall.close()
    with transaction(hall.sessions) as session:
        session.execute(delete(Proxy).where(Proxy.meeting_id == hall.meeting_id))
    assert hall.problems() == [
        f"{hall.named}: the right of person {grantor} was used by proxy (entries "
        f"{hall.cast_entry(grantor)}) but the journal records no proxy from them to the caster "
        "in force then: a proxy was added outside veche"
    ]


def test_a_substitution_inserted_for_the_vote_and_deleted_is_found(hall: Rights) -> None:
    alternate, member = hall.alternates[1], hall.absent[0]
    with transaction(hall.sessions) as session:
        session.add(
            Substitution(
                meeting_id=hall.meeting_id,
                day=date.today(),
                member_id=hall.seat(session, member),
                alternate_id=hall.seat(session, alternate),
            )
        )
    hall.open()
    hall.cast(alternate, "no", right=member)
    hall.close()
    with transaction(hall.sessions) as session:
        session.execute(delete(Substitution).where(Substitution.meeting_id == hall.meeting_id))
    assert hall.problems() == [
        f"{hall.named}: the right of person {member} was used by a substitute (entries "
        f"{hall.cast_entry(member)}) but the journal records no substitution of the caster for "
        f"them on {date.today().isoformat()}: a substitution was added outside veche"
    ]


def test_check_ins_inserted_for_the_vote_and_deleted_are_found(hall: Rights) -> None:
    first, second = hall.absent[:2]
    with transaction(hall.sessions) as session:
        session.add_all(
            Attendance(
                participant_id=hall.seat(session, person),
                day=date.today(),
                checked_in_at=datetime.now(UTC),
            )
            for person in (first, second)
        )
    hall.open()
    hall.cast(first, "yes")
    hall.cast(second, "yes")
    hall.cast(hall.present[0], "no")
    hall.close()
    with transaction(hall.sessions) as session:
        session.execute(
            delete(Attendance).where(
                Attendance.participant_id.in_(
                    [hall.seat(session, first), hall.seat(session, second)]
                )
            )
        )
    assert hall.problems() == [
        f"{hall.named}: persons {first}, {second} cast a ballot (entries "
        f"{hall.cast_entry(first)}, {hall.cast_entry(second)}) but the journal does not check "
        f"them in on {date.today().isoformat()} before it: a check-in was added outside veche"
    ]


@pytest.mark.parametrize("minutes_before", [60, 0], ids=["long-before", "racing"])
def test_a_check_out_undone_for_the_vote_is_found_unless_it_raced(
    hall: Rights, minutes_before: int
) -> None:
    """A member checked out through veche (an hour before the vote), checked in again in the
    database for it, and out again after: found. A check-out journalled just before the cast
    may have raced it (nothing locks the two), and is not held against it."""
    leaver = hall.present[0]
    with transaction(hall.sessions) as session:
        do_check_out(session, ADMIN, hall.meeting(session), leaver, date.today())
        session.flush()
        entry = session.scalars(
            select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)
        ).one()
        assert entry.action == JournalAction.CHECK_OUT.value
        entry.at -= timedelta(minutes=minutes_before)
        rehash_from(session, entry.seq)
    hall.open()
    with transaction(hall.sessions) as session:
        session.execute(
            update(Attendance)
            .where(Attendance.participant_id == hall.seat(session, leaver))
            .values(checked_out_at=None)
        )
    hall.cast(leaver, "yes")
    hall.close()
    with transaction(hall.sessions) as session:
        session.execute(
            update(Attendance)
            .where(Attendance.participant_id == hall.seat(session, leaver))
            .values(checked_out_at=utcnow())
        )
    if minutes_before < RACE.total_seconds() / 60:
        assert hall.verify().exit_code == 0
        return
    assert hall.problems() == [
        f"{hall.named}: person {leaver} cast a ballot (entries {hall.cast_entry(leaver)}) but "
        f"the journal does not check that person in on {date.today().isoformat()} before it: a "
        "check-in was added outside veche"
    ]


def test_a_proxy_taken_back_and_put_back_for_the_vote_is_found(hall: Rights) -> None:
    """A proxy granted and taken back through veche an hour before the vote, then put back
    in the database for it: the journal's proxy was no longer in force."""
    holder, grantor = hall.present[0], hall.absent[0]
    with transaction(hall.sessions) as session:
        meeting = hall.meeting(session)
        do_grant_proxy(session, ADMIN, meeting, grantor_person_id=grantor, holder_person_id=holder)
        do_revoke_proxy(session, ADMIN, meeting, grantor_person_id=grantor)
        session.flush()
        revoked = session.scalars(
            select(JournalEntry).order_by(JournalEntry.seq.desc()).limit(1)
        ).one()
        assert revoked.action == JournalAction.REVOKE_PROXY.value
        revoked.at -= timedelta(hours=1)
        rehash_from(session, revoked.seq)
    hall.slip_in_proxy(grantor, holder)
    hall.open()
    hall.cast(holder, "no", right=grantor)
    hall.close()
    with transaction(hall.sessions) as session:
        session.execute(delete(Proxy).where(Proxy.meeting_id == hall.meeting_id))
    (problem,) = hall.problems()
    assert problem.startswith(f"{hall.named}: the right of person {grantor} was used by proxy")


def test_casts_journalled_before_their_kind_and_weight_hold(hall: Rights) -> None:
    """Older casts named neither the kind of right nor its weight: a proxy's cast is held
    against the proxy and its caster's check-in alone, and the weights are counted as not
    checked."""
    holder, grantor = hall.present[0], hall.absent[0]
    with transaction(hall.sessions) as session:
        do_grant_proxy(
            session,
            ADMIN,
            hall.meeting(session),
            grantor_person_id=grantor,
            holder_person_id=holder,
        )
    hall.open()
    hall.cast(holder, "yes")
    hall.cast(holder, "no", right=grantor)
    hall.close()
    with transaction(hall.sessions) as session:
        casts = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.action == JournalAction.CAST_BALLOT.value)
            .order_by(JournalEntry.seq)
        ).all()
        for entry in casts:
            entry.payload = {k: v for k, v in entry.payload.items() if k not in ("right", "weight")}
        rehash_from(session, casts[0].seq)
    result = hall.verify()
    assert result.exit_code == 0, result.output
    assert "each had its right; not checked: the weight of 2, " in result.output


def test_the_check_reads_the_polls_and_the_journal_once(hall: Rights, engine: Engine) -> None:
    hall.open()
    for person in hall.present[:5]:
        hall.cast(person, "yes")
    hall.close()
    with hall.sessions() as session, session.begin(), count_queries(engine) as statements:
        check = verify_rights(session)
    assert check.holds and check.casts == 5 and check.unweighed == 0, check.problems
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 2, selects


def _moments() -> Iterator[datetime]:
    start = datetime(2026, 5, 1, 9, tzinfo=UTC)
    while True:
        yield start
        start += RACE


def test_a_right_is_held_as_it_stood_before_a_change_the_cast_may_have_raced() -> None:
    moments = _moments()
    proxies: _Account[int, int | None] = _Account(None)
    granted, revoked, raced, later = (next(moments) for _ in range(4))
    proxies.set(7, 3, granted)
    proxies.set(7, None, revoked)
    assert proxies.allows(7, raced, lambda holder: holder == 3)
    assert not proxies.allows(7, later + timedelta(seconds=1), lambda holder: holder == 3)
    assert not proxies.allows(8, raced, lambda holder: holder == 3)


def test_proxies_and_substitutions_left_in_the_database_are_found(hall: Rights) -> None:
    """No vote needed: a proxy and a substitution written in and left, and a proxy the
    journal took back put back, change whose rights are present (`verify_attendance`)."""
    holder, grantor, other = hall.present[0], hall.absent[0], hall.absent[1]
    alternate, member = hall.alternates[0], hall.absent[2]
    with transaction(hall.sessions) as session:
        meeting = hall.meeting(session)
        do_grant_proxy(session, ADMIN, meeting, grantor_person_id=other, holder_person_id=holder)
        do_revoke_proxy(session, ADMIN, meeting, grantor_person_id=other)
        session.flush()
        revoked = session.scalars(
            select(JournalEntry.seq).order_by(JournalEntry.seq.desc()).limit(1)
        ).one()
    assert hall.verify().exit_code == 0
    hall.slip_in_proxy(grantor, holder)
    hall.slip_in_proxy(other, holder)
    with transaction(hall.sessions) as session:
        session.add(
            Substitution(
                meeting_id=hall.meeting_id,
                day=date.today(),
                member_id=hall.seat(session, member),
                alternate_id=hall.seat(session, alternate),
            )
        )
    plenary = f"meeting {hall.meeting_id} (Plenary)"
    assert sorted(hall.problems()) == sorted(
        [
            f"{plenary}: person {grantor}'s proxy is held by person {holder} but the journal "
            "records no proxy of theirs: a proxy was changed outside veche",
            f"{plenary}: person {other}'s proxy is held by person {holder} but the journal took "
            f"it back (entry {revoked}): a proxy was changed outside veche",
            f"{plenary}: person {member} is stood in for on {date.today().isoformat()} by person "
            f"{alternate} but the journal records no substitution for them: a substitution was "
            "changed outside veche",
        ]
    )


def test_a_proxy_and_a_substitution_deleted_are_found(hall: Rights) -> None:
    holder, grantor = hall.present[0], hall.absent[0]
    alternate, member = hall.alternates[0], hall.absent[2]
    today = date.today()
    with transaction(hall.sessions) as session:
        meeting = hall.meeting(session)
        do_grant_proxy(session, ADMIN, meeting, grantor_person_id=grantor, holder_person_id=holder)
        session.flush()
        granted = session.scalars(
            select(JournalEntry.seq).order_by(JournalEntry.seq.desc()).limit(1)
        ).one()
        do_substitute(
            session,
            ADMIN,
            meeting,
            member_person_id=member,
            alternate_person_id=alternate,
            day=today,
        )
    assert hall.verify().exit_code == 0
    with transaction(hall.sessions) as session:
        session.execute(delete(Proxy).where(Proxy.meeting_id == hall.meeting_id))
        session.execute(delete(Substitution).where(Substitution.meeting_id == hall.meeting_id))
    plenary = f"meeting {hall.meeting_id} (Plenary)"
    assert hall.problems() == [
        f"{plenary}: person {grantor}'s proxy is held by no one but the journal last gave it to "
        f"person {holder} (entry {granted}): a proxy was changed outside veche",
        f"{plenary}: person {member} is stood in for on {today.isoformat()} by no one but the "
        f"journal records person {alternate} standing in (entry {granted + 1}): a substitution "
        "was changed outside veche",
    ]
