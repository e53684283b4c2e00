"""What a meeting's attendance should hold, written out small: who is present on each day, the
voting rights each person holds in the hall, and the quorum they make.

The rules are those docs/api.md promises ("Meetings", "Polls and elections"), worked out one
person at a time rather than as ``veche.actions.rights`` works them out for many at once:
a member present votes, by their weight; a member present also votes for each absent member
whose proxy they hold; an alternate present votes for the absent member they stand in for
that day, if the body lets alternates vote for absent members; observers never vote. A right
reachable twice (an absent member with a substitute and a proxy holder, both present) is one
right. The quorum is the body's share of every member's right, by weight, rounded up.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

MEMBER, ALTERNATE, OBSERVER = "member", "alternate", "observer"
#: A meeting's states in order; each may become only the next.
STATES = ("draft", "convened", "in_session", "closed", "report_published")
#: The states in which nothing of the meeting's business may change any more.
OVER = frozenset({"closed", "report_published"})
OWN, PROXY, SUBSTITUTE = "own", "proxy", "substitute"


@dataclass(frozen=True)
class Right:
    """A vote someone may cast: whose right it is, how they hold it, and its weight."""

    right_person_id: int
    kind: str
    weight: int


@dataclass
class BodyRules:
    """What the body's rules say about quorum, proxies and alternates."""

    quorum: Fraction
    max_proxies: int
    alternates_vote: bool


@dataclass
class MeetingModel:
    """One meeting: its participants, days, state, attendance, proxies and substitutes."""

    roles: dict[int, str]
    weights: dict[int, int]
    days: tuple[date, ...]
    rules: BodyRules
    state: str = "draft"
    present: set[tuple[int, date]] = field(default_factory=set)
    #: Everyone checked in on a day, whether or not they checked out since (a check-in
    #: undone is no longer there).
    attended: set[tuple[int, date]] = field(default_factory=set)
    #: Who cast a ballot, with any right, in a poll of a day.
    voted: set[tuple[int, date]] = field(default_factory=set)
    #: The members present when a decision of a day closed: its quorum counted them.
    counted: set[tuple[int, date]] = field(default_factory=set)
    proxies: dict[int, int] = field(default_factory=dict)  # grantor → holder
    #: Each day's substitutions: absent member → the alternate standing in.
    substitutes: dict[date, dict[int, int]] = field(default_factory=dict)

    # Who holds what.

    def is_present(self, person: int, day: date) -> bool:
        return (person, day) in self.present

    def check_in(self, person: int, day: date) -> None:
        self.present.add((person, day))
        self.attended.add((person, day))

    def decision_closed(self, day: date) -> None:
        """A decision of ``day`` closes: its quorum counts the members present."""
        self.counted |= {(p, on) for p, on in self.present if on == day and self.roles[p] == MEMBER}

    def attendance_on(self, person: int, day: date) -> str:
        """What the register (``attendance.csv``) says of ``person`` on ``day``."""
        if self.is_present(person, day):
            return "present"
        return "checked out" if (person, day) in self.attended else "absent"

    def rights(self, person: int, day: date) -> list[Right] | None:
        """The rights ``person`` holds in a poll held on ``day``; None when they hold none
        (no seat, an observer, absent, or an alternate standing in for no one absent)."""
        role = self.roles.get(person)
        if role is None or role == OBSERVER or not self.is_present(person, day):
            return None
        held = [Right(person, OWN, self.weights[person])] if role == MEMBER else []
        for member, holder in self.proxies.items():
            if holder == person and not self.is_present(member, day):
                held.append(Right(member, PROXY, self.weights[member]))
        if self.rules.alternates_vote:
            for member, alternate in self.substitutes.get(day, {}).items():
                if alternate == person and not self.is_present(member, day):
                    held.append(Right(member, SUBSTITUTE, self.weights[member]))
        return held or None

    def rights_in_hall(self, day: date) -> dict[int, int]:
        """Every right someone present can use on ``day``, by whose it is, with its weight."""
        return {
            right.right_person_id: right.weight
            for person in self.roles
            for right in self.rights(person, day) or []
        }

    def rights_total(self) -> int:
        return sum(w for person, w in self.weights.items() if self.roles[person] == MEMBER)

    def required(self) -> int:
        """How many rights, by weight, make a quorum: the body's share, rounded up."""
        needed = self.rules.quorum * self.rights_total()
        return -(-needed.numerator // needed.denominator)

    def attendance(self, day: date) -> dict[str, object]:
        """``GET /api/meetings/{id}/attendance?day=`` as the model expects it."""
        present = Counter(self.roles[p] for p, on in self.present if on == day)
        attended = Counter(self.roles[p] for p, on in self.attended if on == day)
        standing_in = [
            member
            for member, alternate in self.substitutes.get(day, {}).items()
            if self.is_present(alternate, day) and not self.is_present(member, day)
        ]
        return {
            "day": day.isoformat(),
            "attended": dict(attended),
            "present": dict(present),
            "invited": dict(Counter(self.roles.values())),
            "substitutes": len(standing_in),
            "rights_present": sum(self.rights_in_hall(day).values()),
            "rights_total": self.rights_total(),
        }

    # What each change should be answered, in the order the server checks.

    def attendance_refusal(self, people: list[int], day: date, present: bool) -> int | None:
        """The status that refuses checking ``people`` in (or out) on ``day``, if any: the
        whole list is refused for one of them."""
        if day not in self.days:
            return 422
        checked_in = {p for p, on in self.present if on == day}
        for person in people:
            if person not in self.roles:
                return 422
            if not present:
                if person not in checked_in:
                    return 409  # not checked in
                checked_in.discard(person)
        return None

    def undo_refusal(self, person: int, day: date) -> int | None:
        """The status that refuses undoing ``person``'s check-in on ``day``, if any: not once
        the report is published, nor when the record shows them there that day (they voted,
        with any right, stand in for a member, or a decision's quorum counted them)."""
        if self.state == "report_published":
            return 409
        if day not in self.days or person not in self.roles:
            return 422
        if (person, day) not in self.attended or (person, day) in self.voted | self.counted:
            return 409
        if person in self.substitutes.get(day, {}).values():
            return 409
        return None

    def proxy_refusal(self, grantor: int, holder: int) -> int | None:
        for person in (grantor, holder):
            if person not in self.roles:
                return 422
        if grantor == holder:
            return 422
        for person in (grantor, holder):
            if self.roles[person] != MEMBER:
                return 422
        if self.rules.max_proxies < 1:
            return 409
        holders = Counter(self.proxies.values())
        if grantor in self.proxies or holder in self.proxies or holders[grantor]:
            return 409  # a second proxy, or one passed on along a chain
        if holders[holder] >= self.rules.max_proxies:
            return 409
        return None

    def substitution_refusal(self, member: int, alternate: int, day: date) -> int | None:
        if day not in self.days:
            return 422
        if not self.rules.alternates_vote:
            return 409
        if member not in self.roles or alternate not in self.roles:
            return 422
        if self.roles[member] != MEMBER or self.roles[alternate] != ALTERNATE:
            return 422
        if self.is_present(member, day):
            return 409
        taken = self.substitutes.get(day, {})
        if member in taken or alternate in taken.values():
            return 409
        return None

    def state_refusal(self, state: str) -> int | None:
        """Only the next state (or the same, which changes nothing) may be asked for."""
        now = STATES.index(self.state)
        return None if STATES.index(state) in (now, now + 1) else 409
