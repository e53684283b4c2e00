"""Checking every counted poll's casts against the voting rights the journal gives their
voters (``veche verify``).

A ``cast_ballot`` entry records the right a ballot used (whose it is, who cast it, its kind
and weight), but the rights themselves are read from rows a database administrator can
change for a vote and change back: a participant's weight, a proxy, an attendance. Each
change veche makes to them is journalled, though — an invitation (``invite``) and a weight
changed (``update_participant``), a proxy granted and revoked, a substitution, a check-in,
a check-out and a check-in undone — so the journal tells, entry by entry, what rights each
voter held. Here every cast into a counted poll is held against that account as it stood
just before the cast (by the entries' order): its caster checked in on the poll's day, a
proxy's right held by its caster, a substitute's by the alternate standing in for its
member that day, an own right cast by its member, and the weight the journal last gave
the right. A cast the journal gives no such right for is named as a problem of its poll.

The journal does not always record a weight: invitations by name do not (a right seated by
the meeting's creation or a new seat has the weight 1 until changed), nor did casts before
they recorded theirs. Those casts' weights are counted as not checked; their other rights
still are.

Read in one pass over the journal's entries of those kinds, in order, with the counted
polls read once beside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings, is_id, listed, persons, rights_of, was
from veche.actions.journal_actions import JournalAction
from veche.actions.verify_polls import COUNTED_STATES, PollProblem
from veche.models import JournalEntry, Poll
from veche.models.polls import RightKind

#: The entries that give, change or take back a voting right, say where and when a poll is
#: held, or use a right.
_READ = (
    JournalAction.CREATE_POLL,
    JournalAction.OPEN_POLL,
    JournalAction.INVITE,
    JournalAction.UPDATE_PARTICIPANT,
    JournalAction.CHECK_IN,
    JournalAction.CHECK_OUT,
    JournalAction.UNDO_CHECK_IN,
    JournalAction.SUBSTITUTE,
    JournalAction.GRANT_PROXY,
    JournalAction.REVOKE_PROXY,
    JournalAction.CAST_BALLOT,
)

#: A cast reads its voter's rights some moments before it is journalled, and a check-out,
#: a proxy revoked or a weight changed meanwhile in another transaction (nothing locks them
#: against a cast) is journalled before it. A change journalled this little before a cast
#: may have raced it: the cast is held against the right as it was before that change too.
RACE = timedelta(seconds=10)

#: The weight of a right seated by the meeting's creation, or by a seat given later: the
#: participant's default, until a change of weight is journalled.
SEATED_WEIGHT = 1

Key = TypeVar("Key", bound=Hashable)
Value = TypeVar("Value")


@dataclass
class RightsCheck(Findings[PollProblem]):
    """The outcome of holding the counted polls' casts against the rights in the journal."""

    #: Casts into counted polls whose rights the journal gives.
    casts: int = 0
    #: Of those, casts whose weight the journal could not tell.
    unweighed: int = 0


class _Account(Generic[Key, Value]):
    """One kind of right as the journal gives it, key by key, read in the entries' order;
    with each key's last change, which a cast journalled just after it may have raced."""

    def __init__(self, default: Value) -> None:
        self._default = default
        self._now: dict[Key, Value] = {}
        self._changed: dict[Key, tuple[datetime, Value]] = {}

    def set(self, key: Key, value: Value, at: datetime) -> None:
        self._changed[key] = (at, self.now(key))
        self._now[key] = value

    def now(self, key: Key) -> Value:
        return self._now.get(key, self._default)

    def allows(self, key: Key, at: datetime, holds: Callable[[Value], bool]) -> bool:
        """Whether the right holds for a cast journalled ``at``: as it stands, or as it stood
        before a change that cast may have raced."""
        if holds(self.now(key)):
            return True
        last = self._changed.get(key)
        return last is not None and at - last[0] <= RACE and holds(last[1])


@dataclass(frozen=True)
class _Cast:
    """A ``cast_ballot`` entry: the right it used, who cast it, and its kind and weight
    where it records them."""

    seq: int
    at: datetime
    right: int
    cast_by: int
    kind: str | None
    weight: int | None

    @classmethod
    def read(cls, seq: int, at: datetime, payload: dict[str, Any]) -> _Cast | None:
        """The cast an entry records; None if it cannot be read (``verify_casts`` names it)."""
        right, cast_by = _id(payload, "right_person_id"), _id(payload, "cast_by_person_id")
        if right is None or cast_by is None:
            return None
        kind = payload.get("right")
        return cls(
            seq, at, right, cast_by, kind if isinstance(kind, str) else None, _id(payload, "weight")
        )


@dataclass
class _Wrong:
    """What a poll's casts lack, each cast named by its entry."""

    absent: list[_Cast] = field(default_factory=list)
    not_own: list[_Cast] = field(default_factory=list)
    no_proxy: list[_Cast] = field(default_factory=list)
    no_substitution: list[_Cast] = field(default_factory=list)
    #: Casts with the weight they carried and the one the journal gives.
    weighed: list[tuple[_Cast, int, int]] = field(default_factory=list)

    def __len__(self) -> int:
        casts = (self.absent, self.not_own, self.no_proxy, self.no_substitution)
        return sum(len(listed) for listed in casts) + len(self.weighed)


@dataclass
class _Journal:
    """The rights as the journal gives them, as far as its entries are read."""

    #: Where a counted poll is held (by its creation) and on which day (by its opening).
    meetings: dict[int, int] = field(default_factory=dict)
    days: dict[int, str] = field(default_factory=dict)
    #: (meeting, person): the right's weight, None where the journal does not record it.
    weights: _Account[tuple[int, int], int | None] = field(
        default_factory=lambda: _Account(SEATED_WEIGHT)
    )
    #: (meeting, person, day): checked in.
    present: _Account[tuple[int, int, str], bool] = field(default_factory=lambda: _Account(False))
    #: (meeting, person) whose presence an entry that names no day leaves unknown.
    presence_unknown: set[tuple[int, int]] = field(default_factory=set)
    #: (meeting, grantor): the holder of their proxy.
    proxies: _Account[tuple[int, int], int | None] = field(default_factory=lambda: _Account(None))
    #: (meeting, day, member, alternate).
    substitutions: set[tuple[int, str, int, int]] = field(default_factory=set)


def verify_rights(session: Session) -> RightsCheck:
    """Hold every cast into a closed or published poll against the rights the journal gave
    its voter when it was cast."""
    check = RightsCheck()
    counted = {
        poll_id: (title, meeting_id, day)
        for poll_id, title, meeting_id, day in session.execute(
            select(Poll.id, Poll.title, Poll.meeting_id, Poll.day).where(
                Poll.state.in_(COUNTED_STATES)
            )
        )
    }
    if not counted:
        return check
    journal = _Journal()
    wrong: dict[int, _Wrong] = defaultdict(_Wrong)
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.at, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([action.value for action in _READ]))
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, at, action, payload in rows:
        if not isinstance(payload, dict):
            continue
        if action != JournalAction.CAST_BALLOT.value:
            _read(journal, JournalAction(action), payload, at)
            continue
        poll_id = _id(payload, "poll_id")
        if poll_id is None or poll_id not in counted:
            continue
        _title, meeting_id, day = counted[poll_id]
        cast = _Cast.read(seq, at, payload)
        if cast is None:
            continue
        weighed = _hold(
            journal,
            wrong[poll_id],
            cast,
            journal.meetings.get(poll_id, meeting_id),
            journal.days.get(poll_id) or _day(day),
        )
        if weighed is not False:
            check.casts += 1
            check.unweighed += weighed is None
    for poll_id, found in sorted(wrong.items()):
        title, _meeting_id, day = counted[poll_id]
        shown = journal.days.get(poll_id) or _day(day) or "its day"
        check.problems += (PollProblem(poll_id, title, p) for p in _problems(found, shown))
    return check


def _read(journal: _Journal, action: JournalAction, payload: dict[str, Any], at: datetime) -> None:
    """Add what one entry says of a poll or a right to the journal's account."""
    meeting, poll = _id(payload, "meeting_id"), _id(payload, "poll_id")
    if action is JournalAction.CREATE_POLL:
        if poll is not None and meeting is not None:
            journal.meetings[poll] = meeting
    elif action is JournalAction.OPEN_POLL:
        if poll is not None and isinstance(payload.get("day"), str):
            journal.days[poll] = payload["day"]
    elif meeting is None:
        return
    elif action in (JournalAction.INVITE, JournalAction.UPDATE_PARTICIPANT):
        person = _id(payload, "person_id")
        if person is not None:
            journal.weights.set((meeting, person), weight_given(action, payload), at)
    elif action in (JournalAction.CHECK_IN, JournalAction.CHECK_OUT, JournalAction.UNDO_CHECK_IN):
        person, day = _id(payload, "person_id"), payload.get("day")
        if person is None:
            return
        if isinstance(day, str):
            journal.present.set((meeting, person, day), action is JournalAction.CHECK_IN, at)
        else:
            journal.presence_unknown.add((meeting, person))
    elif action is JournalAction.SUBSTITUTE:
        member, alternate = _id(payload, "member_person_id"), _id(payload, "alternate_person_id")
        day = payload.get("day")
        if member is not None and alternate is not None and isinstance(day, str):
            journal.substitutions.add((meeting, day, member, alternate))
    else:
        grantor, holder = _id(payload, "grantor_person_id"), _id(payload, "holder_person_id")
        if grantor is not None:
            granted = holder if action is JournalAction.GRANT_PROXY else None
            journal.proxies.set((meeting, grantor), granted, at)


def weight_given(action: JournalAction, payload: dict[str, Any]) -> int | None:
    """The weight an invitation or an update gives a right; None where it does not say."""
    weight = _id(payload, "weight")
    if weight is not None:
        return weight
    if action is JournalAction.INVITE and "membership_id" in payload:
        return SEATED_WEIGHT  # invited with a new seat, at the participant's default
    return None


def _hold(
    journal: _Journal, wrong: _Wrong, cast: _Cast, meeting: int, day: str | None
) -> bool | None:
    """Hold one cast against the rights the journal gave its caster: False if it lacks one
    (added to ``wrong``), else whether its weight could be checked (None if not)."""
    right, cast_by, at = cast.right, cast.cast_by, cast.at
    lacking = len(wrong)
    if (
        day is not None
        and (meeting, cast_by) not in journal.presence_unknown
        and not journal.present.allows((meeting, cast_by, day), at, bool)
    ):
        wrong.absent.append(cast)
    by_proxy = journal.proxies.allows((meeting, right), at, lambda holder: holder == cast_by)
    substituted = day is not None and (meeting, day, right, cast_by) in journal.substitutions
    if cast.kind == RightKind.OWN.value and cast_by != right:
        wrong.not_own.append(cast)
    elif cast.kind == RightKind.PROXY.value and not by_proxy:
        wrong.no_proxy.append(cast)
    elif cast.kind == RightKind.SUBSTITUTE.value and not substituted:
        wrong.no_substitution.append(cast)
    elif cast.kind is None and cast_by != right and not (by_proxy or substituted):
        wrong.no_proxy.append(cast)  # journalled before casts named their kind of right
    weight, key = cast.weight, (meeting, right)
    if weight is not None and not journal.weights.allows(
        key, at, lambda given: given in (None, weight)
    ):
        wrong.weighed.append((cast, weight, journal.weights.now(key) or 0))
    if len(wrong) > lacking:
        return False
    return None if weight is None or journal.weights.now(key) is None else True


def _problems(wrong: _Wrong, day: str) -> list[str]:
    """A poll's casts the journal gives no right for, one line for each kind of right."""
    problems = []
    if wrong.absent:
        casters = sorted({cast.cast_by for cast in wrong.absent})
        problems.append(
            f"{persons(casters)} cast a ballot (entries {_entries(wrong.absent)}) but the "
            f"journal does not check {'them' if len(casters) > 1 else 'that person'} in on "
            f"{day} before it: a check-in was added outside veche"
        )
    if wrong.not_own:
        problems.append(
            f"{_used(wrong.not_own)} as their own by someone else (entries "
            f"{_entries(wrong.not_own)})"
        )
    if wrong.no_proxy:
        problems.append(
            f"{_used(wrong.no_proxy)} by proxy (entries {_entries(wrong.no_proxy)}) but the "
            "journal records no proxy from them to the caster in force then: a proxy was "
            "added outside veche"
        )
    if wrong.no_substitution:
        problems.append(
            f"{_used(wrong.no_substitution)} by a substitute (entries "
            f"{_entries(wrong.no_substitution)}) but the journal records no substitution of "
            f"the caster for them on {day}: a substitution was added outside veche"
        )
    if wrong.weighed:
        rights = sorted({cast.right for cast, _cast_weight, _given in wrong.weighed})
        shown = listed(
            f"person {cast.right} with {cast_weight:,} where it gives {given:,} (entry {cast.seq})"
            for cast, cast_weight, given in wrong.weighed
        )
        problems.append(
            f"{rights_of(rights)} {was(rights)} cast with a weight the journal does not give: "
            f"{shown}: a weight was changed outside veche"
        )
    return problems


def _used(casts: list[_Cast]) -> str:
    rights = sorted({cast.right for cast in casts})
    return f"{rights_of(rights)} {was(rights)} used"


def _entries(casts: list[_Cast]) -> str:
    return listed(str(cast.seq) for cast in casts)


def _id(payload: dict[str, Any], key: str) -> int | None:
    value = payload.get(key)
    return value if is_id(value) else None


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()
