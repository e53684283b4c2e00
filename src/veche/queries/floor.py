"""The floor as the pages show it: the item under discussion, who waits, who is speaking."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from veche.actions.access import participant_of
from veche.models import AgendaItem, Contribution, FloorRequest, Meeting, Participant, Poll
from veche.models.agenda import ItemState
from veche.models.base import utcnow
from veche.models.debate import ContributionKind, FloorKind
from veche.models.polls import PollState
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.proceedings import speakers_list

#: Contributions that answer a request for the floor, and so run against its time limit.
FROM_THE_FLOOR = (ContributionKind.SPEECH, ContributionKind.POINT_OF_ORDER)


def item_under_discussion(session: Session, meeting_id: int) -> AgendaItem | None:
    """The open item: one at a time is under discussion."""
    return session.scalar(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting_id, AgendaItem.state == ItemState.OPEN
        )
    )


def speech_under_way(session: Session, item: AgendaItem) -> Contribution | None:
    """The speaker who has the floor: the item's latest speech or point of order whose time
    is not yet recorded (giving the floor to the next speaker records it)."""
    if item.state is not ItemState.OPEN:
        return None
    latest = session.scalar(
        select(Contribution)
        .where(Contribution.agenda_item_id == item.id)
        .options(selectinload(Contribution.speaker))
        .order_by(Contribution.position.desc())
        .limit(1)
    )
    if latest is None or latest.kind not in FROM_THE_FLOOR or latest.seconds_used is not None:
        return None
    return latest


@dataclass(frozen=True)
class Speaking:
    """A speech under way: who, since when, and for how long at most."""

    contribution: Contribution
    started_at: datetime
    limit_seconds: int

    @property
    def point_of_order(self) -> bool:
        return self.contribution.kind is ContributionKind.POINT_OF_ORDER

    def seconds_left(self, now: datetime) -> int:
        """Seconds of the limit still left at ``now``; negative once the speaker runs over."""
        return self.limit_seconds - int((now - self.started_at).total_seconds())


@dataclass(frozen=True)
class Floor:
    """The speakers list of the item under discussion (none when no item is open)."""

    item: AgendaItem | None
    waiting: list[FloorRequest] = field(default_factory=list)
    #: Speeches given on the item, by person id: each waiting speaker's (0 if none) and each
    #: other speaker's.
    speeches_given: dict[int, int] = field(default_factory=dict)
    speaking: Speaking | None = None

    @property
    def points_of_order(self) -> list[FloorRequest]:
        return [r for r in self.waiting if r.kind is FloorKind.POINT_OF_ORDER]

    @property
    def speeches(self) -> list[FloorRequest]:
        return [r for r in self.waiting if r.kind is FloorKind.SPEECH]

    def speeches_left(self, person_id: int | None) -> int:
        """Speeches the person may still ask for on the item: its limit less those they gave
        and those they wait to give (as ``actions.speakers`` counts them); someone it names
        not (``None``), all of them."""
        if self.item is None:
            return 0
        if person_id is None:
            return self.item.speeches_per_person
        waiting = sum(1 for r in self.speeches if r.person_id == person_id)
        given = self.speeches_given.get(person_id, 0)
        return max(0, self.item.speeches_per_person - given - waiting)

    def spoken_out(self, person_id: int | None) -> bool:
        """Whether the person has given every speech the item allows."""
        return (
            self.item is not None
            and person_id is not None
            and self.speeches_given.get(person_id, 0) >= self.item.speeches_per_person
        )

    @property
    def out_of_speeches(self) -> frozenset[int]:
        """Who may ask for no more speeches on the item, having given or awaiting them all."""
        asked = self.speeches_given.keys() | {r.person_id for r in self.speeches}
        return frozenset(p for p in asked if self.speeches_left(p) == 0)

    def place_of(self, person_id: int | None) -> list[tuple[int, FloorRequest]]:
        """The person's waiting requests with their place in the list, counted from 1."""
        return [(n, r) for n, r in enumerate(self.waiting, start=1) if r.person_id == person_id]


def _time_limit(session: Session, item: AgendaItem, contribution: Contribution) -> int:
    limit = session.scalar(
        select(FloorRequest.time_limit_seconds).where(
            FloorRequest.contribution_id == contribution.id
        )
    )
    return limit if limit is not None else item.speech_seconds


def _speeches_given(session: Session, item: AgendaItem, person_ids: set[int]) -> dict[int, int]:
    """Speeches given on the item by everyone who spoke, and 0 for the others ``person_ids``
    names."""
    rows = session.execute(
        select(Contribution.speaker_person_id, func.count())
        .where(
            Contribution.agenda_item_id == item.id,
            Contribution.kind == ContributionKind.SPEECH,
            Contribution.speaker_person_id.is_not(None),
        )
        .group_by(Contribution.speaker_person_id)
    ).all()
    given = {person_id: 0 for person_id in person_ids}
    given.update({person_id: int(count) for person_id, count in rows if person_id is not None})
    return given


def floor_of(session: Session, meeting_id: int) -> Floor:
    """The floor of the meeting right now, in a handful of queries whatever the list's length."""
    item = item_under_discussion(session, meeting_id)
    if item is None:
        return Floor(None)
    waiting = speakers_list(session, item.id)
    under_way = speech_under_way(session, item)
    speaking = (
        Speaking(under_way, under_way.created_at, _time_limit(session, item, under_way))
        if under_way is not None
        else None
    )
    given = _speeches_given(session, item, {r.person_id for r in waiting})
    return Floor(item, waiting, given, speaking)


@dataclass(frozen=True)
class FloorView:
    """What every page that shows the speakers list needs: the floor, the viewer's place in it."""

    meeting: Meeting
    floor: Floor
    #: What the chair may take up next, when no item is under discussion.
    next_item: AgendaItem | None
    #: The other items not yet dealt with, in the agenda's order, which the chair may take up
    #: instead.
    later_items: list[AgendaItem]
    #: Whether the agenda is approved: no item is taken up before (see ``actions.agenda``).
    agenda_approved: bool
    #: Whether, not approved yet, the agenda is being put to the vote (its poll drafted or
    #: open): the console then says so, rather than to put it to the vote.
    agenda_vote_under_way: bool
    participant: Participant | None
    my_requests: list[tuple[int, FloorRequest]]
    #: For each waiting speech, the whole order after moving it "up" or "down" one place.
    moves: dict[int, dict[str, list[int]]]
    #: The server's clock, so that a timer counts from the server's idea of now.
    server_now: datetime


def floor_view(session: Session, meeting: Meeting, person_id: int | None) -> FloorView:
    floor = floor_of(session, meeting.id)
    planned = (
        [i for i in agenda_items(session, meeting.id) if i.state is ItemState.PLANNED]
        if floor.item is None
        else []
    )
    approved = not planned or agenda_approval(session, meeting.id) is not None
    return FloorView(
        meeting=meeting,
        floor=floor,
        next_item=planned[0] if planned else None,
        later_items=planned[1:],
        agenda_approved=approved,
        agenda_vote_under_way=not approved and _agenda_vote_under_way(session, meeting.id),
        participant=participant_of(session, meeting.id, person_id),
        my_requests=floor.place_of(person_id),
        moves=_moves(floor),
        server_now=utcnow(),
    )


def _agenda_vote_under_way(session: Session, meeting_id: int) -> bool:
    under_way = exists().where(
        Poll.meeting_id == meeting_id,
        Poll.approves_agenda.is_(True),
        Poll.state.in_((PollState.DRAFT, PollState.OPEN)),
    )
    return bool(session.scalar(select(under_way)))


def _moves(floor: Floor) -> dict[int, dict[str, list[int]]]:
    # The form sends the whole new order, so each button carries it ready-made.
    order = [r.id for r in floor.speeches]
    found: dict[int, dict[str, list[int]]] = {}
    for n, request_id in enumerate(order):
        found[request_id] = {}
        if n > 0:
            up = list(order)
            up[n - 1], up[n] = up[n], up[n - 1]
            found[request_id]["up"] = up
        if n < len(order) - 1:
            down = list(order)
            down[n], down[n + 1] = down[n + 1], down[n]
            found[request_id]["down"] = down
    return found
