"""The permission matrix: every page action, tried by every role — refused without the right,
carried out with it — and every page, shown only to those who may see it."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.helpers import general_council_term
from tests.meeting_api import secretary_api
from tests.web.page_client import SYSTEM, Browser, secretary, today
from tests.web.sitting import Sitting, open_sitting
from veche.actions._text import Target
from veche.actions.access import Caller
from veche.actions.access_codes import do_issue_access_codes
from veche.actions.actor import Actor
from veche.actions.agenda import ItemSpec, do_add_item, do_close_item, do_open_item
from veche.actions.agenda_proposals import ProposalSpec, do_propose_agenda_change
from veche.actions.attendance import do_check_in
from veche.actions.closing import do_close_poll
from veche.actions.contributions import do_add_document
from veche.actions.counted_votes import do_enter_counted_votes
from veche.actions.evidence import EvidenceFile, do_add_evidence
from veche.actions.goal_assignments import do_assign_goal
from veche.actions.goals import GoalSpec, do_create_goal
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.meetings import do_change_meeting_state, do_create_meeting, do_update_meeting
from veche.actions.motions import (
    AmendmentSpec,
    MotionSpec,
    do_finalize_motion,
    do_propose_amendment,
    do_submit_motion,
)
from veche.actions.org import do_add_membership, do_create_person, do_create_user
from veche.actions.panels import do_create_panel
from veche.actions.participants import do_invite, do_update_participant
from veche.actions.polls import (
    PaperLot,
    PollSubject,
    do_create_poll,
    do_enter_paper_ballots,
    do_nominate,
    do_open_poll,
    do_publish_poll,
)
from veche.actions.presidium import do_form_presidium
from veche.actions.progress import do_save_report, do_submit_report
from veche.actions.reporting import PeriodSpec, do_add_period, do_close_period, do_create_cycle
from veche.actions.resolutions import do_settle_motion
from veche.actions.roles import do_grant_role
from veche.actions.speakers import do_give_floor, do_request_floor
from veche.actions.stand_ins import do_grant_proxy
from veche.actions.targets import do_set_target
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import (
    AgendaItem,
    Body,
    Goal,
    Indicator,
    Meeting,
    Motion,
    Organization,
    Participant,
    Person,
    Poll,
    Proxy,
    ReportingPeriod,
    Substitution,
    Term,
    Unit,
)
from veche.models.agenda import ItemState
from veche.models.agenda_proposals import ProposalKind
from veche.models.debate import FloorKind
from veche.models.follow_up import Measure
from veche.models.meetings import MeetingState, Office, ParticipantRole
from veche.models.org import MembershipRole
from veche.models.polls import PollKind, VoteBy
from veche.permissions import Scope
from veche.queries.paper_lots import paper_entries
from veche.queries.proceedings import speakers_list
from veche.web.pages import ROUTERS

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

ROLES = ("anonymous", "observer", "delegate", "chair", "admin")
MANAGERS = {"chair", "admin"}
VOTERS = {"delegate", "chair"}
EVERYONE_IN = {"observer", "delegate", "chair", "admin"}
#: Forms anyone may send: they carry their own checks (a password, a code, a login to end).
OPEN_FORMS = {"/login", "/login/code", "/logout", "/setup"}


@pytest.fixture
def database_url(sqlite_demo_template: Path, tmp_path: Path) -> Iterator[str]:
    """Permissions do not depend on the database: this module runs on SQLite only. The
    world is the demo's (see tests/conftest.py): the copy starts with it loaded."""
    path = tmp_path / "veche.sqlite3"
    shutil.copy(sqlite_demo_template, path)
    yield f"sqlite:///{path}"


@dataclass
class World(WithAssembly):
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    browsers: dict[str, Browser]
    observer_id: int
    numbers: Iterator[int]
    #: A second meeting, in session with an item under discussion (made on first use).
    floor_sitting: Sitting | None = None
    #: A resolution adopted in it, that goals come from (made on first use).
    resolution_id: int | None = None

    def meeting_in(self, session: Session) -> Meeting:
        meeting = session.get(Meeting, self.meeting)
        assert meeting is not None
        return meeting

    def poll(self, state: str, *, title: str = "Question", **spec: Any) -> int:
        """A new poll in ``state`` (draft, open or closed): a decision by majority unless
        ``spec`` says otherwise."""
        with transaction(self.sessions) as session:
            poll = do_create_poll(
                session,
                SYSTEM,
                self.meeting_in(session),
                title=f"{title} {next(self.numbers)}",
                **({"kind": PollKind.DECISION} | spec),
            )
            if state in ("open", "closed"):
                do_open_poll(session, SYSTEM, poll.id)
            if state == "closed":
                do_close_poll(session, SYSTEM, poll.id)
            return poll.id

    def yes(self, poll_id: int) -> int:
        with self.sessions() as session:
            poll = session.get(Poll, poll_id)
            assert poll is not None
            return next(o.id for o in poll.options if o.label == "yes")

    def new_account(self, *, active: bool = True) -> int:
        """An account with no role (deactivated unless ``active``)."""
        with transaction(self.sessions) as session:
            org = session.scalars(select(Organization)).first()
            assert org is not None
            user = do_create_user(
                session, SYSTEM, org, f"account-{next(self.numbers)}", "an account's passphrase"
            )
            user.active = active
            return user.id

    def new_grant(self) -> int:
        """The observer's role granted in the organization to a new account."""
        account = self.new_account()
        with transaction(self.sessions) as session:
            org = session.scalars(select(Organization)).first()
            assert org is not None
            operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=org.id)
            return do_grant_role(
                session,
                operator,
                "observer",
                scope=Scope.ORGANIZATION,
                scope_id=org.id,
                user_id=account,
            ).id

    def new_person(self) -> int:
        with transaction(self.sessions) as session:
            org = session.scalars(select(Organization)).first()
            assert org is not None
            return do_create_person(session, SYSTEM, org, f"Newcomer {next(self.numbers)}").id


def _by_password(app: FastAPI, sessions: sessionmaker[Session], person_id: int) -> Browser:
    """A browser logged in with the person's own account: the actions make meetings of their
    own with the same participants, where a card of the world's meeting does not act
    (tests/web/test_card_scope.py)."""
    username = f"person-{person_id}"
    with transaction(sessions) as session:
        org = session.scalars(select(Organization)).first()
        assert org is not None
        person = session.get(Person, person_id)
        do_create_user(session, SYSTEM, org, username, "a participant's passphrase", person=person)
    browser = Browser(app)
    browser.log_in(username, "a participant's passphrase")
    return browser


@pytest.fixture
def world(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[World]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convene(client, sessions)
        delegate_id, chair_id = assembly.members[:2]
        with transaction(sessions) as session:
            meeting = session.get(Meeting, assembly.meeting_id)
            assert meeting is not None
            observer_id = assembly.members[-1] + 15  # person 45: in the demo, without a seat
            do_invite(session, SYSTEM, meeting, observer_id, role=ParticipantRole.OBSERVER)
            do_update_participant(session, SYSTEM, meeting, chair_id, office=Office.CHAIR)
            for person_id in (delegate_id, chair_id, observer_id):
                do_check_in(session, SYSTEM, meeting, person_id, meeting.starts_on)
        browsers = {
            "anonymous": Browser(app),
            "observer": _by_password(app, sessions, observer_id),
            "delegate": _by_password(app, sessions, delegate_id),
            "chair": _by_password(app, sessions, chair_id),
            "admin": secretary(app),
        }
        yield World(app, sessions, assembly, browsers, observer_id, itertools.count(1))


Prepare = Callable[[World], tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Action:
    """A page form: where it posts, what it sends (made fresh for each try), who may send it."""

    path: str
    prepare: Prepare
    allowed: frozenset[str]
    #: Roles the form does not fit (the administrator is no participant to ask for the floor):
    #: answered with a 4xx that says so, not a refusal.
    unfit: frozenset[str] = frozenset()


def _console(step: str, state: str) -> Prepare:
    return lambda w: (f"/meetings/{w.meeting}/console/polls/{w.poll(state)}/{step}", {})


def _vote(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        poll_id = w.poll("open")
        if step == "review":
            return f"/meetings/{w.meeting}/polls/{poll_id}/review", {"option": w.yes(poll_id)}
        data: dict[str, object] = {
            "choice": f'{{"option": {w.yes(poll_id)}}}',
            "client_key": "k" * 24,
        }
        return f"/meetings/{w.meeting}/polls/{poll_id}/ballot", data

    return prepare


def _paper(w: World) -> tuple[str, dict[str, object]]:
    poll_id = w.poll("open")
    return f"/secretary/meetings/{w.meeting}/polls/{poll_id}/paper", {f"count_{w.yes(poll_id)}": 3}


def _paper_counts(w: World) -> tuple[str, dict[str, object]]:
    poll_id = w.poll("open")
    path = f"/secretary/meetings/{w.meeting}/polls/{poll_id}/paper/counts"
    return path, {f"count_{w.yes(poll_id)}": 3}


def _totals(w: World) -> tuple[str, dict[str, object]]:
    poll_id = w.poll("open", title="Show of hands", vote_by=VoteBy.SHOW_OF_HANDS)
    return f"/secretary/meetings/{w.meeting}/polls/{poll_id}/totals", {f"count_{w.yes(poll_id)}": 2}


def _totals_corrected(w: World) -> tuple[str, dict[str, object]]:
    """A show of hands with its totals entered, and the tellers' correction of them."""
    poll_id = w.poll("open", title="Show of hands", vote_by=VoteBy.SHOW_OF_HANDS)
    yes = w.yes(poll_id)
    with transaction(w.sessions) as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        do_enter_counted_votes(session, SYSTEM, poll, {yes: 1})
    path = f"/secretary/meetings/{w.meeting}/polls/{poll_id}/totals/correct"
    return path, {f"count_{yes}": 2, "reason": "a hand was counted twice"}


def _paper_withdrawn(w: World) -> tuple[str, dict[str, object]]:
    """An open poll with a paper lot entered, and the tellers' form withdrawing it."""
    poll_id = w.poll("open")
    yes = w.yes(poll_id)
    with transaction(w.sessions) as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        do_enter_paper_ballots(session, SYSTEM, poll, [PaperLot({"option": yes}, 1)])
        (entry,) = paper_entries(session, poll_id).entries
    path = f"/secretary/meetings/{w.meeting}/polls/{poll_id}/paper/withdraw"
    return path, {"lot": entry.lot, "reason": "the lot was mistyped"}


def _agenda_item(w: World) -> int:
    with transaction(w.sessions) as session:
        spec = ItemSpec(f"Item {next(w.numbers)}")
        return do_add_item(session, SYSTEM, w.meeting_in(session), spec).id


def _summing_up_paper(w: World) -> tuple[str, dict[str, object]]:
    """A new cycle's period, closed and ended before the meeting, to file on a new item."""
    with transaction(w.sessions) as session:
        operator = _operator(session)
        term = general_council_term(session)
        cycle = do_create_cycle(session, operator, term.id, f"Cycle {next(w.numbers)}")
        days = PeriodSpec("Early days", date(2025, 5, 1), date(2025, 6, 30), date(2025, 7, 15))
        period = do_add_period(session, operator, cycle, days)
        do_close_period(session, operator, period)
        ids = {"cycle_id": cycle.id, "period_id": period.id}
    return f"/meetings/{w.meeting}/summing-up", {**ids, "agenda_item_id": _agenda_item(w)}


def _agenda(step: str, data: dict[str, object]) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        if step == "move":
            _agenda_item(w)  # the item moved up has one above it
        path = f"/secretary/meetings/{w.meeting}/agenda/items/{_agenda_item(w)}"
        return (f"{path}/{step}" if step else path), data

    return prepare


def _ranked_paper(step: str, data: dict[str, object]) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        ranking = {"kind": PollKind.CHOICE, "method": "irv", "options": ["North", "South", "East"]}
        poll_id = w.poll("open", title="Ranking", **ranking)
        path = f"/secretary/meetings/{w.meeting}/polls/{poll_id}/paper/ballots"
        return (f"{path}/{step}" if step else path), data

    return prepare


def _door_code(w: World) -> tuple[str, dict[str, object]]:
    with transaction(w.sessions) as session:
        meeting = w.meeting_in(session)
        (card,) = do_issue_access_codes(session, SYSTEM, meeting, [w.assembly.members[8]])
    return f"/secretary/meetings/{w.meeting}/attendance/code", {"code": card.code}


def _check_in_to_undo(w: World) -> tuple[str, dict[str, object]]:
    """A member checked in by mistake (anew for each try), and the desk's form undoing it."""
    member = w.assembly.members[9]
    with transaction(w.sessions) as session:
        meeting = w.meeting_in(session)
        day = meeting.starts_on
        do_check_in(session, SYSTEM, meeting, member, day)
    return f"/secretary/meetings/{w.meeting}/attendance/undo", {"person_id": member, "day": day}


def _stand_in(kind: str) -> Prepare:
    """A proxy or a substitute from the desk, between members no earlier one took: a pair
    for each one made."""

    def prepare(w: World) -> tuple[str, dict[str, object]]:
        with w.sessions() as session:
            made = session.scalar(
                select(func.count()).select_from(Proxy if kind == "proxies" else Substitution)
            )
        n, members = made or 0, w.assembly.members
        path = f"/secretary/meetings/{w.meeting}/{kind}"
        if kind == "proxies":
            return path, {
                "grantor_person_id": members[20 + 2 * n],
                "holder_person_id": members[21 + 2 * n],
            }
        pair = {
            "member_person_id": members[15 + n],
            "alternate_person_id": w.assembly.alternates[n],
        }
        return path, {**pair, "day": today()}

    return prepare


def _proxy_taken_back(w: World) -> tuple[str, dict[str, object]]:
    """A proxy to take back from the desk: the same member's, given again if an earlier
    role took it back already."""
    grantor, holder = w.assembly.members[2], w.assembly.members[3]
    with transaction(w.sessions) as session:
        meeting = w.meeting_in(session)
        given = session.scalar(
            select(Proxy.id)
            .join(Participant, Participant.id == Proxy.grantor_id)
            .where(Proxy.meeting_id == meeting.id, Participant.person_id == grantor)
        )
        if given is None:
            do_grant_proxy(
                session, SYSTEM, meeting, grantor_person_id=grantor, holder_person_id=holder
            )
    return f"/secretary/meetings/{w.meeting}/proxies/{grantor}/revoke", {}


def _agenda_proposal(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        member = w.assembly.members[0]
        delegate = Caller(Actor(None, "delegate"), member, unrestricted=False, organization_id=None)
        with transaction(w.sessions) as session:
            spec = ProposalSpec(ProposalKind.ADD, title=f"Item {next(w.numbers)}")
            proposal = do_propose_agenda_change(session, delegate, w.meeting_in(session), spec)
        path = f"/meetings/{w.meeting}/agenda/proposals/{proposal.id}/{step}"
        return path, {"reason": "Not now."} if step == "reject" else {}

    return prepare


def _meeting_of_its_own(w: World, session: Session, title: str) -> Meeting:
    """A draft meeting of the world's meeting's term, on its day, with the same chair."""
    meeting = w.meeting_in(session)
    other = do_create_meeting(session, SYSTEM, meeting.term, title, starts_on=meeting.starts_on)
    do_update_participant(session, SYSTEM, other, w.assembly.members[1], office=Office.CHAIR)
    return other


def _closed_meeting(w: World) -> tuple[str, dict[str, object]]:
    """A meeting of its own, closed, with the same chair: publishing ends its business."""
    with transaction(w.sessions) as session:
        other = _meeting_of_its_own(w, session, "Closed Meeting")
        do_update_meeting(session, SYSTEM, other, notice="Notice.")
        for state in (MeetingState.CONVENED, MeetingState.IN_SESSION, MeetingState.CLOSED):
            do_change_meeting_state(session, SYSTEM, other, state)
    return f"/secretary/meetings/{other.id}/publish-report", {}


def _draft_meeting(w: World) -> tuple[str, dict[str, object]]:
    """A draft meeting of its own, with the same chair, to convene with its notice."""
    with transaction(w.sessions) as session:
        other = _meeting_of_its_own(w, session, "Draft Meeting")
    return f"/secretary/meetings/{other.id}/stage", {"state": "convened", "notice": "Notice."}


def _presidium_meeting(w: World) -> tuple[str, dict[str, object]]:
    """A meeting of its own, with the same chair, whose presidium the chair seats."""
    with transaction(w.sessions) as session:
        other = _meeting_of_its_own(w, session, "Presidium Meeting")
    return f"/secretary/meetings/{other.id}/presidium", {"person_ids": w.assembly.members[1]}


def _sitting_opened(w: World) -> tuple[str, dict[str, object]]:
    """A meeting of its own with its presidium seated, and its first sitting to open."""
    chair = w.assembly.members[1]
    with transaction(w.sessions) as session:
        other = _meeting_of_its_own(w, session, "Sitting Meeting")
        do_form_presidium(session, SYSTEM, other, [chair])
        day = other.starts_on.isoformat()
    return f"/secretary/meetings/{other.id}/sittings", {"day": day, "chair_person_id": chair}


def _panel(w: World) -> tuple[str, dict[str, object]]:
    """A new panel on a new item, chaired by the chair."""
    data = {
        "name": f"Panel {next(w.numbers)}",
        "agenda_item_ids": _agenda_item(w),
        "chair_person_ids": w.assembly.members[1],
    }
    return f"/secretary/meetings/{w.meeting}/panels", data


def _panel_joined(w: World) -> tuple[str, dict[str, object]]:
    """A panel on a new item, and a member to add to it."""
    item = _agenda_item(w)
    with transaction(w.sessions) as session:
        panel = do_create_panel(
            session,
            SYSTEM,
            w.meeting_in(session),
            name=f"Panel {next(w.numbers)}",
            agenda_item_ids=[item],
            chair_person_ids=[],
            member_person_ids=[],
        )
    path = f"/secretary/meetings/{w.meeting}/panels/{panel.id}/members"
    return path, {"person_ids": w.assembly.members[8]}


def _chaired_panel(w: World) -> tuple[int, int]:
    """A panel on a new item, chaired by the delegate, and a draft on the item: the panel's
    id and the draft's."""
    item = _agenda_item(w)
    spec = MotionSpec(
        f"Motion {next(w.numbers)}", "1. Words.", agenda_item_id=item, submitter_body_id=_body_id(w)
    )
    with transaction(w.sessions) as session:
        meeting = w.meeting_in(session)
        motion = do_submit_motion(session, SYSTEM, meeting, spec)
        panel = do_create_panel(
            session,
            SYSTEM,
            meeting,
            name=f"Panel {next(w.numbers)}",
            agenda_item_ids=[item],
            chair_person_ids=[w.assembly.members[0]],
            member_person_ids=[],
        )
        return panel.id, motion.id


def _recommendation(w: World) -> tuple[str, dict[str, object]]:
    """The advice of a panel the delegate chairs on a draft of its item."""
    panel, motion = _chaired_panel(w)
    path = f"/meetings/{w.meeting}/panels/{panel}/recommendations"
    return path, {"motion_id": motion, "text": "Adopt it."}


def _sitting(w: World) -> Sitting:
    """The floor's meeting: the world's people, its chair in the chair, twelve items."""
    if w.floor_sitting is None:
        api = secretary_api(w.assembly.client, w.assembly.secretary, w.sessions)
        w.floor_sitting = open_sitting(api, items=12, observers=(w.observer_id,))
        with transaction(w.sessions) as session:
            meeting = session.get(Meeting, w.floor_sitting.meeting_id)
            assert meeting is not None
            do_update_participant(
                session, SYSTEM, meeting, w.assembly.members[1], office=Office.CHAIR
            )
    return w.floor_sitting


def _floor_item(w: World, *, under_discussion: bool = True) -> AgendaItem:
    """The item under discussion (taking up the next one if none is), or none at all."""
    sitting = _sitting(w)
    with transaction(w.sessions) as session:
        items = [session.get(AgendaItem, i) for i in sitting.item_ids]
        current = next((i for i in items if i and i.state is ItemState.OPEN), None)
        if current is not None and not under_discussion:
            do_close_item(session, SYSTEM, current)
        if current is None and under_discussion:
            current = next(i for i in items if i and i.state is ItemState.PLANNED)
            do_open_item(session, SYSTEM, current)
        planned = next(i for i in items if i and i.state is ItemState.PLANNED)
        session.expunge_all()
        return current if under_discussion and current is not None else planned


def _ask_floor(w: World, person_id: int, kind: FloorKind = FloorKind.POINT_OF_ORDER) -> int:
    item = _floor_item(w)
    with transaction(w.sessions) as session:
        live = session.get(AgendaItem, item.id)
        assert live is not None
        return do_request_floor(session, SYSTEM, live, person_id=person_id, kind=kind).id


def _floor(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        meeting = _sitting(w).meeting_id
        item = _floor_item(w)
        data: dict[str, object] = {"item_id": item.id}
        if step == "next":
            _ask_floor(w, w.assembly.members[0])
        elif step == "end":
            _ask_floor(w, w.assembly.members[0])
            with transaction(w.sessions) as session:
                live = session.get(AgendaItem, item.id)
                assert live is not None
                do_give_floor(session, SYSTEM, live)
        elif step == "order":
            _ask_floor(w, w.assembly.members[10 + next(w.numbers) % 15], FloorKind.SPEECH)
            with w.sessions() as session:
                data["request_ids"] = [
                    r.id for r in speakers_list(session, item.id) if r.kind is FloorKind.SPEECH
                ]
        elif step == "close":
            data["closed"] = "false"
        return f"/meetings/{meeting}/console/floor/{step}", data

    return prepare


def _withdraw_floor(w: World) -> tuple[str, dict[str, object]]:
    request_id = _ask_floor(w, w.assembly.members[0])
    return f"/meetings/{_sitting(w).meeting_id}/floor/requests/{request_id}/withdraw", {}


def _console_item(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        item = _floor_item(w, under_discussion=step == "close")
        return f"/meetings/{_sitting(w).meeting_id}/console/items/{item.id}/{step}", {}

    return prepare


def _amendment(w: World) -> tuple[str, dict[str, object]]:
    sitting = _sitting(w)
    with transaction(w.sessions) as session:
        motion = session.get(Motion, sitting.motion_id)
        assert motion is not None
        spec = AmendmentSpec(
            Target(paragraph=2),
            f"The Bureau reports in {next(w.numbers)} months.",
            proposer_person_id=w.assembly.members[0],
        )
        amendment = do_propose_amendment(session, SYSTEM, motion, spec)
    path = f"/meetings/{sitting.meeting_id}/motions/{sitting.motion_id}/amendments/{amendment.id}"
    return f"{path}/decision", {"decision": "rejected"}


def _first_id(w: World, model: type[Body | Organization | Unit]) -> int:
    """The id of the first row of ``model`` (the demo has one organization)."""
    with w.sessions() as session:
        found = session.scalars(select(model.id).order_by(model.id)).first()
    assert found is not None
    return found


def _body_id(w: World) -> int:
    return _first_id(w, Body)


def _unit_id(w: World) -> int:
    return _first_id(w, Unit)


def _organization_id(w: World) -> int:
    return _first_id(w, Organization)


def _motion(w: World, *, final: bool = False) -> Motion:
    """A new draft on the floor's meeting (its text frozen if ``final``), by a body."""
    sitting = _sitting(w)
    spec = MotionSpec(f"Motion {next(w.numbers)}", "1. Words.", submitter_body_id=_body_id(w))
    with transaction(w.sessions) as session:
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None
        motion = do_submit_motion(session, SYSTEM, meeting, spec)
        if final:
            do_finalize_motion(session, SYSTEM, motion)
        session.expunge(motion)
        return motion


def _adoption_opened(session: Session, motion: Motion, vote_by: VoteBy = VoteBy.BALLOT) -> Poll:
    """The poll on adopting ``motion``, in its meeting, open."""
    meeting = session.get(Meeting, motion.meeting_id)
    assert meeting is not None
    poll = do_create_poll(
        session,
        SYSTEM,
        meeting,
        title="Adoption",
        kind=PollKind.DECISION,
        subject=PollSubject(motion_id=motion.id),
        vote_by=vote_by,
    )
    do_open_poll(session, SYSTEM, poll.id)
    return poll


def _motion_step(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        motion = _motion(w, final=step in ("vote", "settle"))
        data: dict[str, object] = {"confirmed": "yes"}
        if step == "vote":
            data = {"kind": "decision", "title": f"Adoption {next(w.numbers)}"}
        if step == "settle":
            with transaction(w.sessions) as session:
                # Counted and published: an outcome is recorded once its result is told.
                adoption = _adoption_opened(session, motion).id
                do_close_poll(session, SYSTEM, adoption)
                do_publish_poll(session, SYSTEM, adoption)
        return f"/meetings/{motion.meeting_id}/motions/{motion.id}/{step}", data

    return prepare


def _nomination(answer: str | None) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        election = {"kind": PollKind.ELECTION, "method": "scottish-stv"}
        poll_id = w.poll("draft", title="Election", **election)
        path = f"/meetings/{w.meeting}/polls/{poll_id}/candidates"
        if answer is None:
            return path, {"label": f"Candidate {next(w.numbers)}"}
        with transaction(w.sessions) as session:
            poll = session.get(Poll, poll_id)
            assert poll is not None
            option = do_nominate(session, SYSTEM, poll, person_id=None, label="Candidate")
        return f"{path}/{option.id}/{answer}", {}

    return prepare


def _seat(w: World) -> tuple[str, dict[str, object]]:
    """A new person's seat in the Audit Commission's term, to make an alternate's."""
    person_id = w.new_person()
    with transaction(w.sessions) as session:
        person = session.get(Person, person_id)
        term = session.get(Term, 3)
        assert person is not None and term is not None
        do_add_membership(session, SYSTEM, person, term, MembershipRole.MEMBER)
    return f"/secretary/people/{person_id}/seats/3", {"role": "alternate"}


def _reporting_period(w: World) -> tuple[int, int]:
    """A new period open for reports, of a new cycle of the General Council's term, and a
    unit that files for it."""
    with transaction(w.sessions) as session:
        org = session.scalars(select(Organization)).one()
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=org.id)
        term = general_council_term(session)
        cycle = do_create_cycle(session, operator, term.id, f"Cycle {next(w.numbers)}")
        days = PeriodSpec("A half-year", date(2026, 1, 1), date(2026, 6, 30), date(2026, 7, 15))
        unit = session.scalars(select(Unit).order_by(Unit.id)).first()
        assert unit is not None
        return do_add_period(session, operator, cycle, days).id, unit.id


def _operator(session: Session) -> Caller:
    org = session.scalars(select(Organization)).one()
    return Caller(SYSTEM.actor, None, unrestricted=True, organization_id=org.id)


def _term_id(w: World) -> int:
    with w.sessions() as session:
        return general_council_term(session).id


def _cycle_id(w: World) -> int:
    """A new cycle of the General Council's term, without periods."""
    with transaction(w.sessions) as session:
        term_id = general_council_term(session).id
        return do_create_cycle(session, _operator(session), term_id, f"Cycle {next(w.numbers)}").id


def _resolution(w: World) -> int:
    """A resolution adopted in the floor's meeting: a final draft carried by a show of
    hands."""
    if w.resolution_id is None:
        motion = _motion(w, final=True)
        with transaction(w.sessions) as session:
            poll = _adoption_opened(session, motion, VoteBy.SHOW_OF_HANDS)
            yes = next(option.id for option in poll.options if option.label == "yes")
            do_enter_counted_votes(session, SYSTEM, poll, {yes: 1})
            do_close_poll(session, SYSTEM, poll.id)
            do_publish_poll(session, SYSTEM, poll.id)
            adopted = session.get(Motion, motion.id)
            assert adopted is not None
            resolution = do_settle_motion(session, SYSTEM, adopted)
            assert resolution is not None
            w.resolution_id = resolution.id
    return w.resolution_id


def _goal(w: World) -> int:
    """A new goal of the world's resolution."""
    resolution_id = _resolution(w)
    with transaction(w.sessions) as session:
        spec = GoalSpec(f"Goal {next(w.numbers)}")
        return do_create_goal(session, _operator(session), spec, resolution_id=resolution_id).id


def _indicator(w: World) -> int:
    """A new indicator of a new goal, counting up to 9."""
    goal_id = _goal(w)
    with transaction(w.sessions) as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        spec = IndicatorSpec(f"Indicator {next(w.numbers)}", Measure.COUNT, target_value=Decimal(9))
        return do_create_indicator(session, _operator(session), goal, spec).id


def _target(w: World) -> tuple[str, dict[str, object]]:
    period_id, unit_id = _reporting_period(w)
    path = f"/secretary/follow-up/indicators/{_indicator(w)}/targets"
    return path, {"unit_id": unit_id, "period_id": period_id, "value": "5"}


def _target_set(w: World) -> int:
    """A target a unit has for a new period, of a new indicator."""
    period_id, unit_id = _reporting_period(w)
    indicator_id = _indicator(w)
    with transaction(w.sessions) as session:
        indicator = session.get(Indicator, indicator_id)
        assert indicator is not None
        done = do_set_target(
            session,
            _operator(session),
            indicator,
            unit_id=unit_id,
            period_id=period_id,
            value=Decimal(5),
        )
        return done.target.id


def _assignment(w: World) -> int:
    """A new goal, given to a unit."""
    goal_id, unit_id = _goal(w), _unit_id(w)
    with transaction(w.sessions) as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        return do_assign_goal(session, _operator(session), goal, unit_id).id


def _submitted_report(w: World) -> tuple[str, dict[str, object]]:
    period_id, unit_id = _reporting_period(w)
    with transaction(w.sessions) as session:
        org = session.scalars(select(Organization)).one()
        operator = Caller(SYSTEM.actor, None, unrestricted=True, organization_id=org.id)
        do_save_report(session, operator, period_id, unit_id, narrative="All goes well.")
        report = do_submit_report(session, operator, period_id, unit_id)
        return f"/secretary/follow-up/reports/{report.id}/decision", {"decision": "accepted"}


def _report_to_withdraw(w: World) -> tuple[str, dict[str, object]]:
    """A unit's report submitted, awaiting a decision: its reporter may withdraw it."""
    period_id, unit_id = _reporting_period(w)
    with transaction(w.sessions) as session:
        operator = _operator(session)
        do_save_report(session, operator, period_id, unit_id, narrative="All goes well.")
        do_submit_report(session, operator, period_id, unit_id)
    return f"/reporting/periods/{period_id}/units/{unit_id}/withdraw", {}


def _evidence_to_remove(w: World) -> tuple[str, dict[str, object]]:
    """A file on a unit's draft report: its reporter may take it back."""
    period_id, unit_id = _reporting_period(w)
    with transaction(w.sessions) as session:
        operator = _operator(session)
        do_save_report(session, operator, period_id, unit_id, narrative="All goes well.")
        file = EvidenceFile("minutes.txt", "text/plain", b"Minutes.")
        evidence = do_add_evidence(session, operator, period_id, unit_id, file)
        return f"/reporting/evidence/{evidence.id}/remove", {}


ACTIONS = [
    Action(
        "/secretary/accounts",
        lambda w: (
            "/secretary/accounts",
            {"username": f"login-{next(w.numbers)}", "password": "an account's passphrase"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/accounts/{}/password",
        lambda w: (
            f"/secretary/accounts/{w.new_account()}/password",
            {"new_password": "a fresh passphrase"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/accounts/{}/deactivate",
        lambda w: (f"/secretary/accounts/{w.new_account()}/deactivate", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/accounts/{}/activate",
        lambda w: (f"/secretary/accounts/{w.new_account(active=False)}/activate", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/accounts/grants",
        lambda w: (
            "/secretary/accounts/grants",
            {
                "role": "observer",
                "scope": "organization",
                "scope_id": _organization_id(w),
                "user_id": w.new_account(),
            },
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/accounts/grants/{}/revoke",
        lambda w: (f"/secretary/accounts/grants/{w.new_grant()}/revoke", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/meetings/{}/console/polls",
        lambda w: (
            f"/meetings/{w.meeting}/console/polls",
            {"title": f"Motion {next(w.numbers)}", "kind": "decision"},
        ),
        frozenset(MANAGERS),
    ),
    Action("/meetings/{}/console/polls/{}/{}:open", _console("open", "draft"), frozenset(MANAGERS)),
    Action(
        "/meetings/{}/console/polls/{}/{}:close", _console("close", "open"), frozenset(MANAGERS)
    ),
    Action(
        "/meetings/{}/console/polls/{}/{}:publish",
        _console("publish", "closed"),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/console/polls/{}/{}:cancel", _console("cancel", "draft"), frozenset(MANAGERS)
    ),
    Action("/meetings/{}/polls/{}/review", _vote("review"), frozenset(VOTERS)),
    Action("/meetings/{}/polls/{}/ballot", _vote("ballot"), frozenset(VOTERS)),
    Action(
        "/secretary/organization",
        lambda w: ("/secretary/organization", {"publishes_follow_up": "false"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/bodies",
        lambda w: ("/secretary/bodies", {"name": f"Commission {next(w.numbers)}"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/terms",
        lambda w: ("/secretary/terms", {"body_id": 3, "starts_on": today()}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/people",
        lambda w: ("/secretary/people", {"full_name": f"Person {next(w.numbers)}"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/bodies/{}",
        lambda w: (f"/secretary/bodies/{_body_id(w)}", {"max_proxies_per_member": "1"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/terms/{}",
        lambda w: ("/secretary/terms/3", {"ends_on": "2030-04-30"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/people/{}",
        lambda w: (f"/secretary/people/{w.new_person()}", {"email": ""}),
        frozenset({"admin"}),
    ),
    Action("/secretary/people/{}/seats/{}", _seat, frozenset({"admin"})),
    Action(
        "/secretary/units",
        lambda w: ("/secretary/units", {"name": f"Branch {next(w.numbers)}"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/units/{}",
        lambda w: (f"/secretary/units/{_unit_id(w)}", {"kind": "region"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/memberships",
        lambda w: (
            "/secretary/memberships",
            {"person_id": w.new_person(), "term_id": 3, "role": "member"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/meetings",
        lambda w: (
            "/secretary/meetings",
            {"term_id": 2, "title": "Extraordinary Meeting", "starts_on": today()},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/meetings/{}/participants",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/participants",
            {"person_id": w.new_person(), "role": "observer"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/offices",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/offices",
            {"person_id": w.assembly.members[7], "office": "teller"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/attendance",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/attendance",
            {"person_id": w.assembly.members[5], "present": "yes"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/access-codes",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/access-codes",
            {"person_id": w.assembly.members[6]},
        ),
        frozenset(MANAGERS),
    ),
    Action("/secretary/meetings/{}/polls/{}/paper", _paper, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/polls/{}/paper/counts", _paper_counts, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/polls/{}/totals", _totals, frozenset(MANAGERS)),
    Action(
        "/secretary/meetings/{}/polls/{}/totals/correct", _totals_corrected, frozenset(MANAGERS)
    ),
    Action("/secretary/meetings/{}/polls/{}/paper/withdraw", _paper_withdrawn, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/attendance/code", _door_code, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/attendance/undo", _check_in_to_undo, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/proxies", _stand_in("proxies"), frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/proxies/{}/revoke", _proxy_taken_back, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/substitutions", _stand_in("substitutions"), frozenset(MANAGERS)),
    Action(
        "/meetings/{}/agenda/proposals",
        lambda w: (
            f"/meetings/{w.meeting}/agenda/proposals",
            {"kind": "add", "title": f"Item {next(w.numbers)}"},
        ),
        frozenset(VOTERS),
    ),
    Action(
        "/meetings/{}/agenda/proposals/{}/accept",
        _agenda_proposal("accept"),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/agenda/proposals/{}/reject",
        _agenda_proposal("reject"),
        frozenset(MANAGERS),
    ),
    Action("/secretary/meetings/{}/publish-report", _closed_meeting, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/stage", _draft_meeting, frozenset(MANAGERS)),
    Action(
        "/secretary/meetings/{}/convocation",
        lambda w: (f"/secretary/meetings/{w.meeting}/convocation", {"venue": "Harbour Hall"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/items",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/agenda/items",
            {"title": f"Item {next(w.numbers)}"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/items/{}",
        _agenda("", {"title": "Reworded item"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/items/{}/move",
        _agenda("move", {"direction": "up"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/items/{}/withdraw",
        _agenda("withdraw", {}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/items/{}/documents",
        _agenda("documents", {"title": "Draft", "text": "The draft's text"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/agenda/approval-poll",
        lambda w: (f"/secretary/meetings/{w.meeting}/agenda/approval-poll", {}),
        frozenset(MANAGERS),
    ),
    Action("/secretary/meetings/{}/presidium", _presidium_meeting, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/sittings", _sitting_opened, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/panels", _panel, frozenset(MANAGERS)),
    Action("/secretary/meetings/{}/panels/{}/members", _panel_joined, frozenset(MANAGERS)),
    # A panel's chair (the delegate here) speaks for it, and so do the meeting's chair and
    # secretary (veche.actions.panels.require_panel_chair).
    Action(
        "/meetings/{}/panels/{}/recommendations",
        _recommendation,
        frozenset({"delegate", "chair", "admin"}),
    ),
    Action(
        "/secretary/meetings/{}/polls/{}/paper/ballots/lot",
        _ranked_paper("lot", {"entry": "1 2"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/polls/{}/paper/ballots",
        _ranked_paper("", {"lot": "1 2;3"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/floor/requests",
        lambda w: (
            f"/meetings/{_sitting(w).meeting_id}/floor/requests",
            {"item_id": _floor_item(w).id, "kind": "speech"},
        ),
        frozenset({"delegate", "chair"}),
        unfit=frozenset({"admin"}),
    ),
    Action(
        "/meetings/{}/floor/requests/{}/withdraw",
        _withdraw_floor,
        frozenset({"delegate", "chair", "admin"}),
    ),
    Action("/meetings/{}/console/floor/next", _floor("next"), frozenset(MANAGERS)),
    Action("/meetings/{}/console/floor/end", _floor("end"), frozenset(MANAGERS)),
    Action("/meetings/{}/console/floor/order", _floor("order"), frozenset(MANAGERS)),
    Action("/meetings/{}/console/floor/close", _floor("close"), frozenset(MANAGERS)),
    Action("/meetings/{}/console/items/{}/{}:open", _console_item("open"), frozenset(MANAGERS)),
    Action("/meetings/{}/console/items/{}/{}:close", _console_item("close"), frozenset(MANAGERS)),
    Action(
        "/meetings/{}/console/projector",
        lambda w: (f"/meetings/{w.meeting}/console/projector", {"shows": "speaker"}),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/motions/{}/amendments",
        lambda w: (
            f"/meetings/{_sitting(w).meeting_id}/motions/{_sitting(w).motion_id}/amendments",
            {"paragraph": "1", "new_text": f"The Council adopts budget {next(w.numbers)}."},
        ),
        frozenset({"delegate", "chair"}),
        unfit=frozenset({"admin"}),
    ),
    Action("/meetings/{}/motions/{}/amendments/{}/decision", _amendment, frozenset(MANAGERS)),
    Action(
        "/meetings/{}/motions/{}/amendments/preview",
        lambda w: (
            f"/meetings/{_sitting(w).meeting_id}/motions/{_sitting(w).motion_id}/amendments/preview",
            {"paragraph": "1", "new_text": "The Council adopts another budget."},
        ),
        frozenset({"delegate", "chair"}),
        unfit=frozenset({"admin"}),
    ),
    # Filing needs the follow-up's figures (the organization's) beside papers in the meeting.
    Action("/meetings/{}/summing-up", _summing_up_paper, frozenset({"admin"})),
    Action(
        "/meetings/{}/motions",
        lambda w: (
            f"/meetings/{_sitting(w).meeting_id}/motions",
            {"title": "A draft", "text": "1. Words.", "submitter_body_id": _body_id(w)},
        ),
        frozenset(MANAGERS),
    ),
    Action("/meetings/{}/motions/{}/final", _motion_step("final"), frozenset(MANAGERS)),
    Action("/meetings/{}/motions/{}/vote", _motion_step("vote"), frozenset(MANAGERS)),
    Action("/meetings/{}/motions/{}/settle", _motion_step("settle"), frozenset(MANAGERS)),
    Action("/meetings/{}/motions/{}/withdraw", _motion_step("withdraw"), frozenset(MANAGERS)),
    Action("/meetings/{}/polls/{}/candidates", _nomination(None), frozenset(MANAGERS)),
    Action(
        "/meetings/{}/polls/{}/candidates/{}/{}:accept",
        _nomination("accept"),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/polls/{}/candidates/{}/withdraw",
        _nomination("withdraw"),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/documents",
        lambda w: (
            f"/meetings/{_sitting(w).meeting_id}/documents",
            {"title": f"Paper {next(w.numbers)}", "text": "Words."},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/reporting/periods/{}/units/{}",
        lambda w: (
            "/reporting/periods/{}/units/{}".format(*_reporting_period(w)),
            {"narrative": "All goes well.", "intent": "save"},
        ),
        frozenset({"admin"}),
    ),
    Action("/reporting/periods/{}/units/{}/withdraw", _report_to_withdraw, frozenset({"admin"})),
    # Posted without a file (tests/web/test_reporter_pages.py adds one): refused to all but
    # the reporter (the administrator), who is told to save the report first.
    Action(
        "/reporting/periods/{}/units/{}/evidence",
        lambda w: ("/reporting/periods/{}/units/{}/evidence".format(*_reporting_period(w)), {}),
        frozenset(),
        unfit=frozenset({"admin"}),
    ),
    Action("/reporting/evidence/{}/remove", _evidence_to_remove, frozenset({"admin"})),
    Action("/secretary/follow-up/reports/{}/decision", _submitted_report, frozenset({"admin"})),
    Action(
        "/secretary/follow-up/periods/{}/state",
        lambda w: (
            f"/secretary/follow-up/periods/{_reporting_period(w)[0]}/state",
            {"state": "closed", "confirmed": "yes"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/cycles",
        lambda w: (
            "/secretary/follow-up/cycles",
            {"term_id": _term_id(w), "name": f"Cycle {next(w.numbers)}"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/cycles/{}/periods",
        lambda w: (
            f"/secretary/follow-up/cycles/{_cycle_id(w)}/periods",
            {
                "name": "A half-year",
                "starts_on": "2026-01-01",
                "ends_on": "2026-06-30",
                "due_on": "2026-07-15",
            },
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/resolutions/{}/goals",
        lambda w: (
            f"/secretary/follow-up/resolutions/{_resolution(w)}/goals",
            {"title": f"Goal {next(w.numbers)}", "paragraph": "1"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/goals/{}/indicators",
        lambda w: (
            f"/secretary/follow-up/goals/{_goal(w)}/indicators",
            {"name": "Members", "measure": "count", "target_value": "10"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/goals/{}/status",
        lambda w: (
            f"/secretary/follow-up/goals/{_goal(w)}/status",
            {"status": "done", "reason": "Fulfilled in the main."},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/goals/{}/assignments",
        lambda w: (
            f"/secretary/follow-up/goals/{_goal(w)}/assignments",
            {"unit_ids": _unit_id(w), "role": "lead"},
        ),
        frozenset({"admin"}),
    ),
    Action("/secretary/follow-up/indicators/{}/targets", _target, frozenset({"admin"})),
    Action(
        "/secretary/follow-up/cycles/{}",
        lambda w: (
            f"/secretary/follow-up/cycles/{_cycle_id(w)}",
            {"name": f"Renamed {next(w.numbers)}"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/periods/{}",
        lambda w: (
            f"/secretary/follow-up/periods/{_reporting_period(w)[0]}",
            {
                "name": "Renamed",
                "starts_on": "2026-01-01",
                "ends_on": "2026-06-30",
                "due_on": "2026-07-31",
            },
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/goals/{}",
        lambda w: (
            f"/secretary/follow-up/goals/{_goal(w)}",
            {"title": "Renamed", "kind": "outcome", "owner_body_id": _body_id(w), "weight": "2"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/goals/{}/delete",
        lambda w: (f"/secretary/follow-up/goals/{_goal(w)}/delete", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/indicators/{}",
        lambda w: (
            f"/secretary/follow-up/indicators/{_indicator(w)}",
            {"name": "Renamed", "measure": "count", "target_value": "12", "weight": "1"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/indicators/{}/weights",
        lambda w: (
            f"/secretary/follow-up/indicators/{_indicator(w)}/weights",
            {f"weight_{_unit_id(w)}": "2"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/indicators/{}/delete",
        lambda w: (f"/secretary/follow-up/indicators/{_indicator(w)}/delete", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/targets/{}/delete",
        lambda w: (f"/secretary/follow-up/targets/{_target_set(w)}/delete", {}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/assignments/{}",
        lambda w: (f"/secretary/follow-up/assignments/{_assignment(w)}", {"role": "contributing"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/follow-up/assignments/{}/delete",
        lambda w: (f"/secretary/follow-up/assignments/{_assignment(w)}/delete", {}),
        frozenset({"admin"}),
    ),
    # Everyone with an account changes their own password (the others give a wrong one: 403;
    # a login by access card has none: tests/web/test_card_scope.py).
    # Last: the change ends the secretary's other logins, the API token the others use too.
    Action(
        "/me/password",
        lambda w: (
            "/me/password",
            {
                "current_password": DEMO_SECRETARY[1],
                "new_password": "the secretary's new one",
                "new_password_again": "the secretary's new one",
            },
        ),
        frozenset({"admin"}),
    ),
]


def _post_import(w: World, browser: Browser) -> object:
    csv = f"name,body,role\nImported {next(w.numbers)},Audit Commission,member\n"
    return browser.client.post(
        "/secretary/import",
        data={"csrf_token": browser.csrf_token()},
        files={"file": ("members.csv", csv.encode(), "text/csv")},
    )


def _verdict(role: str, response: object) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    location = response.headers.get("location", "")  # type: ignore[attr-defined]
    if status in (200, 201) or (status == 303 and not location.startswith("/login")):
        return "done"
    if status == 403 or (role == "anonymous" and status == 401):
        return "refused"
    if status in (404, 409, 422):
        return "unfit"
    return f"unexpected {status}: {response.text[:300]}"  # type: ignore[attr-defined]


@pytest.mark.one_database
def test_every_page_action_is_refused_without_the_right_and_done_with_it(world: World) -> None:
    wrong = []
    for action in ACTIONS:
        for role in ROLES:
            path, data = action.prepare(world)
            response = world.browsers[role].post(path, data)
            expected = (
                "done"
                if role in action.allowed
                else ("unfit" if role in action.unfit else "refused")
            )
            if _verdict(role, response) != expected:
                wrong.append(f"{action.path} as {role}: {_verdict(role, response)}")
    for role in ROLES:
        expected = "done" if role == "admin" else "refused"
        verdict = _verdict(role, _post_import(world, world.browsers[role]))
        if verdict != expected:
            wrong.append(f"/secretary/import as {role}: {verdict}")
    assert wrong == []


def _normalized(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_the_matrix_covers_every_form_of_every_page() -> None:
    posted = {
        _normalized(route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or set())
    }
    covered = {action.path.split(":")[0] for action in ACTIONS} | {"/secretary/import"}
    assert posted == covered | OPEN_FORMS


def _floor_pages(w: World) -> dict[str, set[str]]:
    """The pages of the floor, the drafts and the documents of the floor's meeting."""
    sitting = _sitting(w)
    with transaction(w.sessions) as session:
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None
        document = do_add_document(session, SYSTEM, meeting, title="Notice", text="Words.").id
    at = f"/meetings/{sitting.meeting_id}"
    return {
        f"{at}/floor": EVERYONE_IN,
        f"{at}/console/floor": MANAGERS,
        f"{at}/motions": EVERYONE_IN,
        f"{at}/motions/list": EVERYONE_IN,
        f"{at}/motions/{sitting.motion_id}": EVERYONE_IN,
        f"{at}/motions/{sitting.motion_id}/amendment-form?paragraph=1": EVERYONE_IN,
        f"{at}/documents": EVERYONE_IN,
        f"{at}/documents/list": EVERYONE_IN,
        f"{at}/documents/{document}": EVERYONE_IN,
        f"{at}/documents/{document}/download": EVERYONE_IN,
    }


def _follow_up_pages(w: World) -> dict[str, set[str]]:
    """The follow-up's pages: the desk for those who read the follow-up, a unit's report for
    its reporters and readers too, the summing-up for whoever sees the meeting."""
    period_id, unit_id = _reporting_period(w)
    with w.sessions() as session:
        period = session.get(ReportingPeriod, period_id)
        assert period is not None
        cycle_id = period.cycle_id
    at = f"/meetings/{w.meeting}/summing-up"
    return {
        "/secretary/follow-up": {"admin"},
        "/secretary/follow-up/setup": {"admin"},
        f"/secretary/follow-up/resolutions/{_resolution(w)}": {"admin"},
        f"/secretary/follow-up/periods/{period_id}": {"admin"},
        f"/secretary/follow-up/cycles/{cycle_id}/summing-up?period_id={period_id}": {"admin"},
        "/reporting": EVERYONE_IN,
        f"/reporting/periods/{period_id}/units/{unit_id}": {"admin"},
        at: EVERYONE_IN,
        f"{at}/{cycle_id}?period_id={period_id}": EVERYONE_IN,
    }


@pytest.mark.one_database
def test_each_page_shows_only_to_those_who_may_see_it(world: World) -> None:
    closed = world.poll("closed")
    election = world.poll("draft", title="Election", kind=PollKind.ELECTION, method="sntv")
    pages = {
        "/secretary": {"admin"},
        "/secretary/people": {"admin"},
        "/secretary/accounts": {"admin"},
        f"/secretary/bodies/{_body_id(world)}": {"admin"},
        f"/secretary/people/{world.observer_id}": {"admin"},
        "/secretary/units": {"admin"},
        f"/secretary/units/{_unit_id(world)}": {"admin"},
        "/me/password": EVERYONE_IN,
        f"/secretary/meetings/{world.meeting}": MANAGERS,
        f"/secretary/meetings/{world.meeting}/agenda": MANAGERS,
        f"/secretary/meetings/{world.meeting}/presidium": MANAGERS,
        f"/secretary/meetings/{world.meeting}/panels": MANAGERS,
        f"/meetings/{world.meeting}/panels/{_chaired_panel(world)[0]}": {"delegate", *MANAGERS},
        f"/secretary/meetings/{world.meeting}/stage": MANAGERS,
        f"/secretary/meetings/{world.meeting}/paper": MANAGERS,
        f"/meetings/{world.meeting}/console": MANAGERS,
        f"/meetings/{world.meeting}/console/current": MANAGERS,
        f"/meetings/{world.meeting}": EVERYONE_IN,
        f"/meetings/{world.meeting}/room": EVERYONE_IN,
        f"/meetings/{world.meeting}/agenda/proposals": EVERYONE_IN,
        f"/meetings/{world.meeting}/projector": EVERYONE_IN,
        f"/meetings/{world.meeting}/projector/current": EVERYONE_IN,
        f"/meetings/{world.meeting}/console/projector": MANAGERS,
        f"/meetings/{world.meeting}/console/projector/control": MANAGERS,
        # A closed poll's ballots tell its result: shown with it (results.see_closed); to
        # the others, the board's page says when it opens (tests/web/test_board_secrecy.py).
        f"/meetings/{world.meeting}/polls/{closed}/board/ballots.json": MANAGERS,
        f"/meetings/{world.meeting}/polls/{closed}/board": EVERYONE_IN,
        f"/meetings/{world.meeting}/polls/{closed}/result": MANAGERS,
        f"/meetings/{world.meeting}/polls/{election}/candidates": EVERYONE_IN,
        f"/meetings/{world.meeting}/polls/{election}/candidates/search?q=a": MANAGERS,
        f"/meetings/{world.meeting}/reports/communique": EVERYONE_IN,
        f"/meetings/{world.meeting}/reports/minutes?format=pdf": EVERYONE_IN,
        "/meetings": EVERYONE_IN,
        **_floor_pages(world),
        **_follow_up_pages(world),
    }
    wrong = []
    for path, allowed in pages.items():
        for role in ROLES:
            response = world.browsers[role].get(path)
            if role in allowed:
                ok = response.status_code == 200
            elif role == "anonymous":
                ok = response.status_code == 303 and response.headers["location"].startswith(
                    "/login?next="
                )
            else:
                ok = response.status_code == 403
            if not ok:
                wrong.append(f"GET {path} as {role}: {response.status_code}")
    assert wrong == []


@pytest.mark.one_database
def test_observers_see_no_voting_controls(world: World) -> None:
    poll_id = world.poll("open")
    observer = world.browsers["observer"].get(f"/meetings/{world.meeting}").text
    delegate = world.browsers["delegate"].get(f"/meetings/{world.meeting}").text
    vote_link = f"/polls/{poll_id}/vote"
    assert vote_link in delegate and "Vote now" in delegate
    assert vote_link not in observer and "Vote now" not in observer
    assert "Observers follow the meeting but do not vote." in observer
    ballot = world.browsers["observer"].get(f"/meetings/{world.meeting}{vote_link}").text
    assert 'type="radio"' not in ballot
