"""One who may not do a thing is refused (403) before anything else is said: not told that the
row they name is missing or another meeting's (404), nor that they take no part (422). Those
who may do it are told what is wrong with what they asked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import demo_organization, general_council_term
from veche.actions._text import Target
from veche.actions.access import Caller, access_meeting_row
from veche.actions.actor import Actor
from veche.actions.agenda import ItemSpec, check_agenda_item, do_add_item
from veche.actions.meetings import do_create_meeting
from veche.actions.motions import AmendmentSpec, MotionSpec, do_propose_amendment, do_submit_motion
from veche.actions.org import do_create_person
from veche.actions.paper_entry import check_paper_poll, check_totals_poll, check_typed_poll
from veche.actions.participants import do_update_participant
from veche.actions.polls import do_create_poll
from veche.actions.roles import do_define_role, do_grant_role
from veche.actions.speakers import do_request_floor
from veche.db import transaction
from veche.errors import Forbidden, InvalidInput, NotFound, VecheError
from veche.models import AgendaItem, Meeting, Motion, Poll
from veche.models.meetings import Office
from veche.models.polls import PollKind
from veche.permissions import Permission, Scope

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

TODAY = date.today()
#: Ids no row has.
MISSING = 999_999


@dataclass
class Hall:
    """Two meetings of the General Council and the callers the checks are asked for."""

    meeting: Meeting
    other: Meeting
    item: AgendaItem
    others_item: AgendaItem
    single: Poll
    ranked: Poll
    others_poll: Poll
    motion: Motion
    #: The operator: may do everything.
    system: Caller
    #: A member: takes part, asks for the floor, proposes amendments; runs nothing.
    member: Caller
    #: The meeting's teller: enters paper ballots.
    teller: Caller
    #: Sees the meeting by a grant, takes no part, may do nothing in it.
    onlooker: Caller
    #: Takes no part, but holds by a grant what a member holds.
    guest: Caller


def _caller(person_id: int, organization_id: int) -> Caller:
    return Caller(Actor(None, f"person {person_id}"), person_id, False, organization_id)


def _hall(session: Session) -> Hall:
    organization = demo_organization(session)
    system = Caller(Actor.system("tests"), None, True, organization.id)
    term = general_council_term(session)
    meeting, other = (
        do_create_meeting(session, system, term, title, starts_on=TODAY, notice="Notice.")
        for title in ("Plenary Meeting", "Other Meeting")
    )
    item, others_item = (
        do_add_item(session, system, m, ItemSpec("On the budget")) for m in (meeting, other)
    )
    single, ranked, others_poll = (
        do_create_poll(session, system, m, title=title, kind=kind, method=method, options=options)
        for m, title, kind, method, options in (
            (meeting, "Adopt", PollKind.DECISION, "majority", []),
            (meeting, "Elect", PollKind.CHOICE, "irv", ["Ada", "Boris"]),
            (other, "Elsewhere", PollKind.DECISION, "majority", []),
        )
    )
    member, teller = sorted(p.person_id for p in meeting.participants)[:2]
    do_update_participant(session, system, meeting, teller, office=Office.TELLER)
    motion = do_submit_motion(
        session,
        system,
        meeting,
        MotionSpec(
            "On the budget", "The Council adopts the budget.", submitter_person_ids=(member,)
        ),
    )
    do_define_role(session, system, "onlooker", [Permission.MEETING_SEE])
    do_define_role(
        session,
        system,
        "guest-speaker",
        [Permission.MEETING_SEE, Permission.FLOOR_REQUEST, Permission.AMENDMENT_PROPOSE],
    )
    outsiders = []
    for role in ("onlooker", "guest-speaker"):
        person = do_create_person(session, system, organization, f"An {role}")
        do_grant_role(
            session, system, role, scope=Scope.MEETING, scope_id=meeting.id, person_id=person.id
        )
        outsiders.append(_caller(person.id, organization.id))
    return Hall(
        meeting=meeting,
        other=other,
        item=item,
        others_item=others_item,
        single=single,
        ranked=ranked,
        others_poll=others_poll,
        motion=motion,
        system=system,
        member=_caller(member, organization.id),
        teller=_caller(teller, organization.id),
        onlooker=outsiders[0],
        guest=outsiders[1],
    )


def _refusal(attempt: Callable[[], object]) -> type[VecheError] | None:
    try:
        attempt()
    except VecheError as error:
        return type(error)
    return None


#: A check of an action: who asks, in which meeting, for which row.
Check = Callable[[Session, Caller, Meeting, int], object]


def _told(check: Check, session: Session, caller: Caller, meeting: Meeting, row: int) -> object:
    return _refusal(lambda: check(session, caller, meeting, row))


def test_one_who_may_not_act_on_a_row_is_refused_whatever_row_they_name(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        hall = _hall(session)
        member, teller, system = hall.member, hall.teller, hall.system
        # The check, who asks, the row they name, and what they are told.
        cases: list[tuple[Check, Caller, int, type[VecheError] | None]] = [
            # The agenda: only those who may change it learn which items there are.
            (check_agenda_item, member, MISSING, Forbidden),
            (check_agenda_item, member, hall.item.id, Forbidden),
            (check_agenda_item, system, MISSING, NotFound),
            (check_agenda_item, system, hall.others_item.id, NotFound),
            (check_agenda_item, system, hall.item.id, None),
            # Paper ballots: only those who enter them learn which polls there are, and how
            # each poll's ballots are entered.
            (check_paper_poll, member, MISSING, Forbidden),
            (check_paper_poll, member, hall.others_poll.id, Forbidden),
            (check_typed_poll, member, hall.single.id, Forbidden),
            (check_totals_poll, member, hall.ranked.id, Forbidden),
            (check_paper_poll, teller, MISSING, NotFound),
            (check_paper_poll, teller, hall.others_poll.id, NotFound),
            (check_typed_poll, teller, hall.single.id, InvalidInput),
            (check_totals_poll, teller, hall.ranked.id, InvalidInput),
            (check_typed_poll, teller, hall.ranked.id, None),
            (check_totals_poll, teller, hall.single.id, None),
        ]
        wrong = [
            (check.__name__, caller.actor.name, row, told)
            for check, caller, row, expected in cases
            if (told := _told(check, session, caller, hall.meeting, row)) is not expected
        ]

        # A row of a meeting one may not see: refused, whether or not it exists.
        def unseen(row: int) -> object:
            return access_meeting_row(session, hall.onlooker, Poll, row, hall.other.id, "poll")

        told_unseen = {
            _refusal(lambda: unseen(MISSING)),
            _refusal(lambda: unseen(hall.others_poll.id)),
        }
    assert wrong == []
    assert told_unseen == {Forbidden}


def test_one_who_may_not_speak_or_amend_is_refused_before_being_told_they_take_no_part(
    sessions: sessionmaker[Session],
) -> None:
    """The floor and amendments are asked for in one's own name: one who may not is refused
    (403); one who holds the right by a grant but takes no part is told so (422)."""
    with transaction(sessions) as session:
        hall = _hall(session)

        def floor(caller: Caller) -> Callable[[], object]:
            return lambda: do_request_floor(session, caller, hall.item)

        def amend(caller: Caller) -> Callable[[], object]:
            spec = AmendmentSpec(Target(paragraph=1), "The Council adopts the accounts.")
            return lambda: do_propose_amendment(session, caller, hall.motion, spec)

        found = {
            (who, what): _refusal(attempt(caller))
            for who, caller in (("onlooker", hall.onlooker), ("guest", hall.guest))
            for what, attempt in (("floor", floor), ("amendment", amend))
        }
        found[("member", "floor")] = _refusal(floor(hall.member))
    assert found == {
        ("onlooker", "floor"): Forbidden,
        ("onlooker", "amendment"): Forbidden,
        ("guest", "floor"): InvalidInput,
        ("guest", "amendment"): InvalidInput,
        ("member", "floor"): None,
    }


def test_changing_a_participants_weight_alone_keeps_their_office(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        hall = _hall(session)
        assert hall.teller.person_id is not None
        changed = do_update_participant(
            session, hall.system, hall.meeting, hall.teller.person_id, weight=3
        )
        assert (changed.office, changed.weight) == (Office.TELLER, 3)
        cleared = do_update_participant(
            session, hall.system, hall.meeting, hall.teller.person_id, office=None
        )
        assert (cleared.office, cleared.weight) == (None, 3)
