"""Attendance, proxies, substitutes and the quorum driven through the API in random orders, step
by step, against a model of who is present and what rights each person holds.

A body of its own (five members, two alternates, a member whose seat ended before the
meeting), its rules drawn anew for each meeting (quorum, proxies per member, whether
alternates vote for absent members), meets over three days with two observers invited.
Hypothesis's ``RuleBasedStateMachine`` checks its people in and out at the desk, at the door
with their access cards (the newest, a replaced one, another meeting's, a mistyped one) and
as they log in with them; undoes check-ins made by mistake (refused for one who voted or
stands in that day, or once the report is published); grants proxies (to someone absent, to oneself, along a chain, a
second one, beyond the body's limit), has alternates stand in for members, changes weights,
the body's rules and the meeting's state, and names people and days the meeting does not
have. The model (``tests/web/attendance_model.py``) is the documentation's rules written out
small. After every request: no 5xx, a refusal journals nothing, the status is the model's,
and an attendance answer's figures are the model's. Now and then the roster is compared, day
by day, with the register (``attendance.csv``) and the counts; and a named decision is taken,
in which everyone is asked their rights (``GET /api/polls/{id}/rights``) and votes with each
of them, once more to see it refused, while people come and go: the close must count each
right once, by its weight, whoever cast it, and the quorum as the model makes it.

Once the meeting is closed the machine reads, and checks that no poll is taken any more; it
changes nothing else in it (a closed meeting's register is corrected until its report is
published, and fixed after: ``test_a_closed_meeting_is_corrected_until_its_report_is_published``
below). A right a proxy holder used is shown used to the member who then arrives
(``test_a_right_used_by_the_proxy_holder_is_shown_used``). The API has no way to take a proxy
back, so none is revoked here.

``VECHE_FUZZ_EXAMPLES`` raises the number of meetings taken through it, to look harder.
"""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, TypeVar

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token, client_key
from tests.helpers import journaled
from tests.web.attendance_model import (
    ALTERNATE,
    MEMBER,
    OBSERVER,
    OVER,
    STATES,
    BodyRules,
    MeetingModel,
    Right,
)
from tests.web.fuzzing import NO_ROW, run_machine
from tests.web.page_client import Browser
from tests.web.sitting import journal_length
from veche.actions.access_codes import ALPHABET
from veche.actions.journal_actions import JournalAction
from veche.demo import DEMO_SECRETARY

#: The demo organization holds the body's people (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: Meetings taken through the machine on SQLite (a third as many on PostgreSQL), each of
#: ``STEPS`` steps.
RUNS = 3
STEPS = 20
MEMBERS, ALTERNATES, OBSERVERS = 5, 2, 2
PEOPLE = MEMBERS + ALTERNATES + OBSERVERS
#: Named decisions taken in one meeting, at most: each asks everyone.
MOST_POLLS = 2
#: A member of the demo's General Council: a person of the organization and of other
#: meetings, but not of this one.
ELSEWHERE = 1
Drawn = TypeVar("Drawn")


def mostly(likely: Sequence[Drawn], anything: Sequence[Drawn]) -> st.SearchStrategy[Drawn]:
    """One of ``likely`` four times in five, else one of ``anything``: most requests make
    sense, so that their effects build up, and the rest are refused on the way."""
    return st.integers(0, 4).flatmap(
        lambda n: st.sampled_from(likely if n and likely else anything)
    )


QUORUMS = st.sampled_from([Fraction(1, 2), Fraction(2, 3), Fraction(1, 3), Fraction(3, 5)])


@dataclass
class Hall:
    """What every meeting the machine holds shares: the application, the secretary, the
    body and its term, its people and their tokens, and another meeting's card."""

    client: TestClient
    app: FastAPI
    secretary: dict[str, str]
    sessions: sessionmaker[Session]
    body_id: int
    term_id: int
    members: list[int]
    alternates: list[int]
    observers: list[int]
    former: int  # a member whose seat ended before the meetings
    names: dict[int, str]
    tokens: dict[int, dict[str, str]]
    elsewhere_code: str  # the card of a member for another meeting of the term

    def call(
        self, verb: str, path: str, /, headers: dict[str, str] | None = None, **body: Any
    ) -> Response:
        return self.client.request(
            verb, f"/api{path}", headers=headers or self.secretary, json=body or None
        )

    def made(self, path: str, **body: Any) -> Any:
        return created(self.client, self.secretary, path, **body)


def created(client: TestClient, secretary: dict[str, str], path: str, **body: Any) -> Any:
    """What the secretary makes with ``POST /api{path}``: its JSON."""
    answer = client.post(f"/api{path}", json=body, headers=secretary)
    assert answer.status_code == 201, answer.text
    return answer.json()


def open_hall(client: TestClient, app: FastAPI, sessions: sessionmaker[Session]) -> Hall:
    """The body, its term (around today), its people and their seats, a token for each and
    for a person of another body, and a card of another meeting of the term."""
    secretary = bearer_token(client, *DEMO_SECRETARY)
    today = date.today()

    def made(path: str, **body: Any) -> Any:
        return created(client, secretary, path, **body)

    body = made("/bodies", name="Orchard Co-operative Board")["id"]
    term = made(
        "/terms",
        body_id=body,
        starts_on=str(today - timedelta(days=60)),
        ends_on=str(today + timedelta(days=60)),
    )["id"]
    names: dict[int, str] = {}

    def person(name: str) -> int:
        found = int(made("/people", full_name=name)["id"])
        names[found] = name
        return found

    members = [person(f"Board Member {n}") for n in range(1, MEMBERS + 1)]
    alternates = [person(f"Alternate Member {n}") for n in range(1, ALTERNATES + 1)]
    observers = [person(f"Guest Observer {n}") for n in range(1, OBSERVERS + 1)]
    former = person("Former Member")
    for member in members:
        made("/memberships", person_id=member, term_id=term)
    for alternate in alternates:
        made("/memberships", person_id=alternate, term_id=term, role="alternate")
    made(
        "/memberships",
        person_id=former,
        term_id=term,
        from_date=str(today - timedelta(days=60)),
        to_date=str(today - timedelta(days=30)),
    )
    tokens = {}
    for someone in [*names, ELSEWHERE]:
        token = made(f"/people/{someone}/tokens")["token"]
        tokens[someone] = {"Authorization": f"Bearer {token}"}
    other = made(
        "/meetings", term_id=term, title="Other Meeting", starts_on=str(today), notice="Called."
    )["id"]
    card = made(f"/meetings/{other}/access-codes", person_ids=members[:1])[0]
    return Hall(
        client,
        app,
        secretary,
        sessions,
        body,
        term,
        members,
        alternates,
        observers,
        former,
        names,
        tokens,
        card["code"],
    )


class AttendanceMachine(RuleBasedStateMachine):
    """One meeting of the board over three days, against the model."""

    hall: Hall

    def __init__(self) -> None:
        super().__init__()
        hall = self.hall
        today = date.today()
        self.today = today
        self.days = (today - timedelta(days=1), today, today + timedelta(days=1))
        #: A day of the term that is not one of the meeting's.
        self.outside = today + timedelta(days=2)
        self.meeting_id = 0
        self.model = MeetingModel({}, {}, self.days, BodyRules(Fraction(1, 2), 0, True))
        #: Everyone a request may name: the meeting's people, and some who are not its own.
        self.people = [
            *hall.members,
            *hall.alternates,
            *hall.observers,
            hall.former,
            ELSEWHERE,
            NO_ROW,
        ]
        self.cards: dict[int, str] = {}  # each holder's newest card
        self.replaced: list[str] = []  # cards a newer one replaced
        self.polls = 0
        self.journaled = 0

    # Sending, and what every answer must satisfy.

    def send(self, verb: str, path: str, /, person: int | None = None, **body: Any) -> Response:
        """A request as the secretary (or ``person``); no 5xx, and a refusal journals
        nothing."""
        headers = None if person is None else self.hall.tokens[person]
        if verb == "GET":  # a reading changes nothing: the journal is not counted, for speed
            answer = self.hall.call(verb, path, headers, **body)
            assert answer.status_code < 500, answer.text
            return answer
        before = journal_length(self.hall.sessions)
        answer = self.hall.call(verb, path, headers, **body)
        assert answer.status_code < 500, answer.text
        self.journaled = journal_length(self.hall.sessions) - before
        if answer.status_code >= 400:
            assert self.journaled == 0, answer.text
        return answer

    @property
    def meeting(self) -> str:
        return f"/meetings/{self.meeting_id}"

    def some_people(self) -> st.SearchStrategy[int]:
        """A person: one of the meeting's more often than not."""
        own = [*self.hall.members, *self.hall.alternates, *self.hall.observers]
        return mostly(own, self.people)

    # Rules: the meeting.

    @initialize(
        quorum=QUORUMS,
        max_proxies=st.integers(0, 2),
        alternates_vote=st.booleans(),
        weights=st.lists(st.integers(1, 3), min_size=MEMBERS, max_size=MEMBERS),
        stand_ins=st.booleans(),
        proxies=st.lists(st.tuples(st.integers(0, MEMBERS - 1), st.integers(1, MEMBERS - 1))),
        vote=st.none() | st.tuples(st.sampled_from([0, 1, 2]), st.integers(0, 2**32)),
        sitting=st.sampled_from(STATES[:3]),
        away=st.lists(
            st.lists(st.booleans(), min_size=PEOPLE, max_size=PEOPLE), min_size=3, max_size=3
        ),
    )
    def convene(
        self,
        quorum: Fraction,
        max_proxies: int,
        alternates_vote: bool,
        weights: list[int],
        away: list[list[bool]],
        stand_ins: bool,
        proxies: list[tuple[int, int]],
        vote: tuple[int, int] | None,
        sitting: str,
    ) -> None:
        """The body's rules set for this meeting; the meeting made (its members and
        alternates invited), its observers invited, some members weighing more, and most of
        its people (about half) checked in on each day, alternates standing in for some absent
        members, proxies given, the meeting convened or sitting, and a vote taken: hypothesis ends many runs after a step or
        two, so each starts where much is at stake already."""
        self.change_rules(quorum, max_proxies, alternates_vote)
        hall = self.hall
        made = hall.made(
            "/meetings",
            term_id=hall.term_id,
            title="Board Meeting",
            starts_on=str(self.days[0]),
            ends_on=str(self.days[-1]),
            notice="The board meets on the harvest.",
        )
        self.meeting_id = made["id"]
        hall.made(f"{self.meeting}/observers", category="guests", person_ids=hall.observers)
        roles = {
            **dict.fromkeys(hall.members, MEMBER),
            **dict.fromkeys(hall.alternates, ALTERNATE),
            **dict.fromkeys(hall.observers, OBSERVER),
        }
        self.model = MeetingModel(roles, dict.fromkeys(roles, 1), self.days, self.model.rules)
        for member, weight in zip(hall.members, weights, strict=True):
            if weight != 1:
                self.set_weight(member, weight)
        invited = self.send("GET", f"{self.meeting}/participants").json()
        assert sorted(invited, key=lambda p: int(p["person_id"])) == [
            {
                "person_id": person,
                "full_name": hall.names[person],
                "role": roles[person],
                "category": "guests" if roles[person] == OBSERVER else "",
                "office": None,
                "weight": self.model.weights[person],
            }
            for person in sorted(roles)
        ]
        everyone = [*hall.members, *hall.alternates, *hall.observers]
        self.issue(None)
        for day, absent in zip(self.days, away, strict=True):
            came = [person for person, gone in zip(everyone, absent, strict=True) if not gone]
            if came:
                self.attend(came, day, present=True)
            missing = [m for m in hall.members if m not in came]
            standing = [a for a in hall.alternates if a in came]
            if stand_ins and missing and standing:
                self.substitute(missing[0], standing[0], day)
        for grantor, other in proxies:
            members = hall.members
            self.proxy(members[grantor], members[(grantor + other) % MEMBERS])
        for state in STATES[1 : STATES.index(sitting) + 1]:
            self.move_to(state)
        if vote is not None:
            self.take_a_vote(*vote)

    def change_rules(self, quorum: Fraction, max_proxies: int, alternates_vote: bool) -> None:
        answer = self.send(
            "PATCH",
            f"/bodies/{self.hall.body_id}",
            quorum=f"{quorum.numerator}/{quorum.denominator}",
            max_proxies_per_member=max_proxies,
            alternates_vote_for_absent=alternates_vote,
        )
        assert answer.status_code == 200, answer.text
        self.model.rules = BodyRules(quorum, max_proxies, alternates_vote)

    @rule(quorum=QUORUMS, max_proxies=st.integers(0, 2), alternates_vote=st.booleans())
    def body_rules_changed(self, quorum: Fraction, max_proxies: int, alternates_vote: bool) -> None:
        """The body changes its rules while the meeting goes on: what they allow from then
        is read anew, and what was done under the old ones stands."""
        self.change_rules(quorum, max_proxies, alternates_vote)

    @rule(data=st.data())
    def move_meeting(self, data: st.DataObject) -> None:
        """The meeting moves on a step (most often), stays, or is asked a step it cannot take."""
        following = STATES[min(STATES.index(self.model.state) + 1, len(STATES) - 1)]
        self.move_to(data.draw(mostly([following], STATES)))

    def move_to(self, state: str) -> None:
        answer = self.send("POST", f"{self.meeting}/state", state=state)
        refusal = self.model.state_refusal(state)
        assert answer.status_code == (refusal or 200), answer.text
        if refusal is None:
            assert answer.json()["state"] == state
            assert self.journaled == (0 if state == self.model.state else 1)
            self.model.state = state

    @precondition(lambda self: self.model.state not in OVER)
    @rule(
        people=st.data(),
        day=mostly([0, 1, 2, None], [3]),
        present=st.booleans(),
    )
    def check_in_or_out(self, people: st.DataObject, day: int | None, present: bool) -> None:
        """One or two people (the same one twice, now and then) checked in or out on a day
        of the meeting, a day outside it, or today (the day left out)."""
        who = people.draw(st.lists(self.some_people(), min_size=1, max_size=2))
        self.attend(who, None if day is None else [*self.days, self.outside][day], present)

    def attend(self, who: list[int], day: date | None, present: bool) -> None:
        body: dict[str, Any] = {"person_ids": who, "present": present}
        if day is not None:
            body["day"] = str(day)
        answer = self.send("POST", f"{self.meeting}/attendance", **body)
        on = self.today if day is None else day
        refusal = self.model.attendance_refusal(who, on, present)
        assert answer.status_code == (refusal or 200), answer.text
        if refusal is not None:
            return
        changed = {(person, on) for person in who}
        if present:
            assert self.journaled == len(changed - self.model.present)
            for person, day_in in changed:
                self.model.check_in(person, day_in)
        else:
            assert self.journaled == len(who)
            self.model.present -= changed
        assert answer.json() == self.model.attendance(on)

    @rule(data=st.data(), day=mostly([0, 1, 2, None], [3]))
    def undo_a_check_in(self, data: st.DataObject, day: int | None) -> None:
        """A check-in made by mistake undone: most often of someone checked in (present or
        gone since), now and then of someone never checked in, not one of the meeting, on a
        day outside it; in any state of the meeting."""
        on = self.today if day is None else [*self.days, self.outside][day]
        came = sorted(person for person, came_on in self.model.attended if came_on == on)
        self.undo(data.draw(mostly(came, self.people)), on, day_given=day is not None)

    def undo(self, person: int, on: date, *, day_given: bool = True) -> None:
        body: dict[str, Any] = {"person_id": person}
        if day_given:
            body["day"] = str(on)
        answer = self.send("POST", f"{self.meeting}/attendance/undo", **body)
        refusal = self.model.undo_refusal(person, on)
        assert answer.status_code == (refusal or 200), answer.text
        if refusal is not None:
            return
        assert self.journaled == 1
        self.model.present.discard((person, on))
        self.model.attended.discard((person, on))
        assert answer.json() == self.model.attendance(on)

    def stood_in_for(self) -> list[tuple[int, date]]:
        """The absent members someone holds a right for, and the days they are absent."""
        model = self.model
        return [
            (member, day)
            for day in self.days
            for member in [*model.proxies, *model.substitutes.get(day, {})]
            if not model.is_present(member, day)
        ]

    @precondition(lambda self: self.model.state not in OVER and self.stood_in_for())
    @rule(data=st.data())
    def member_arrives(self, data: st.DataObject) -> None:
        """A member whose right someone holds arrives after all, and votes in person."""
        member, day = data.draw(st.sampled_from(self.stood_in_for()))
        self.attend([member], day, present=True)

    @precondition(lambda self: self.model.state not in OVER)
    @rule(data=st.data())
    def issue_cards(self, data: st.DataObject) -> None:
        """New access cards for some people (those of the meeting among them), or everyone;
        their earlier cards are replaced."""
        everyone = data.draw(st.booleans())
        self.issue(None if everyone else data.draw(st.lists(self.some_people(), max_size=3)))

    def issue(self, named: list[int] | None) -> None:
        answer = self.send("POST", f"{self.meeting}/access-codes", person_ids=named)
        chosen = set(self.model.roles) if named is None else set(named) & set(self.model.roles)
        if not chosen:
            assert answer.status_code == 422, answer.text
            return
        assert answer.status_code == 201, answer.text
        assert self.journaled == 1
        issued = {card["person_id"]: card["code"] for card in answer.json()}
        assert set(issued) == chosen
        self.replaced += [self.cards[person] for person in chosen if person in self.cards]
        self.cards.update(issued)

    @precondition(lambda self: self.model.state not in OVER)
    @rule(
        card=st.sampled_from(["newest", "newest", "replaced", "elsewhere", "unknown", "mistyped"]),
        typed=st.sampled_from(["as printed", "small letters", "no dashes", "scanned"]),
        day=mostly([None, 0, 1, 2], [3]),
        data=st.data(),
    )
    def check_in_at_the_door(
        self, card: str, typed: str, day: int | None, data: st.DataObject
    ) -> None:
        """The holder of a card checked in by its code, however it was typed or scanned."""
        holder: int | None = None
        if card == "newest" and self.cards:
            holder = data.draw(st.sampled_from(sorted(self.cards)))
            code = self.cards[holder]
        elif card == "replaced" and self.replaced:
            code = data.draw(st.sampled_from(self.replaced))
        elif card == "elsewhere":
            code = self.hall.elsewhere_code
        elif card == "mistyped":
            code = data.draw(st.sampled_from(["ABCD-EFGH-JKM", "ABCD-EFGH-JKM0", "ABCD EFGH"]))
        else:
            card = "unknown"
            symbols = data.draw(st.text(ALPHABET, min_size=12, max_size=12))
            code = "-".join(symbols[n : n + 4] for n in range(0, 12, 4))
        code = {
            "as printed": code,
            "small letters": code.lower(),
            "no dashes": code.replace("-", ""),
            "scanned": f"https://veche.example/login/code#{code}",
        }[typed]
        on = None if day is None else [*self.days, self.outside][day]
        body: dict[str, Any] = {"code": code}
        if on is not None:
            body["day"] = str(on)
        answer = self.send("POST", f"{self.meeting}/attendance/code", **body)
        expected = {"mistyped": 422, "unknown": 404, "elsewhere": 422, "replaced": 409}.get(card)
        day_checked = on or self.today
        if expected is None and day_checked not in self.days:
            expected = 422
        assert answer.status_code == (expected or 200), answer.text
        if expected is not None:
            return
        assert holder is not None
        already = self.model.is_present(holder, day_checked)
        found = answer.json()
        assert (found["person_id"], found["day"]) == (holder, str(day_checked))
        assert (found["role"], found["already_present"]) == (self.model.roles[holder], already)
        assert self.journaled == (0 if already else 1)
        self.model.check_in(holder, day_checked)

    @precondition(lambda self: bool(self.cards))
    @rule(data=st.data())
    def log_in_with_card(self, data: st.DataObject) -> None:
        """A card's holder logs in with it: checked in for today while the meeting sits."""
        holder = data.draw(st.sampled_from(sorted(self.cards)))
        browser = Browser(self.hall.app)
        answer = browser.log_in_with_code(self.cards[holder])
        assert answer.status_code == 303, answer.text
        if self.model.state == "in_session":
            self.model.check_in(holder, self.today)

    @precondition(lambda self: self.model.state not in OVER)
    @rule(data=st.data())
    def grant_proxy(self, data: st.DataObject) -> None:
        """A proxy between two people: members most often, present or not, the same one
        now and then, or one who gave or holds one already."""
        members = self.hall.members
        grantor = data.draw(mostly(members, self.people))
        holder = data.draw(mostly(members[::-1], [grantor, *self.people]))
        self.proxy(grantor, holder)

    def proxy(self, grantor: int, holder: int) -> None:
        answer = self.send(
            "POST",
            f"{self.meeting}/proxies",
            grantor_person_id=grantor,
            holder_person_id=holder,
        )
        refusal = self.model.proxy_refusal(grantor, holder)
        assert answer.status_code == (refusal or 201), answer.text
        if refusal is None:
            assert self.journaled == 1
            self.model.proxies[grantor] = holder

    @precondition(lambda self: self.model.state not in OVER)
    @rule(data=st.data(), day=mostly([0, 1, 2], [3]))
    def stand_in(self, data: st.DataObject, day: int) -> None:
        """An alternate (most often) stands in for a member (most often) on a day."""
        hall = self.hall
        on = [*self.days, self.outside][day]
        away = [m for m in hall.members if not self.model.is_present(m, on)]
        member = data.draw(mostly(away, [*hall.members, *self.people]))
        alternate = data.draw(mostly(hall.alternates, self.people))
        self.substitute(member, alternate, on)

    def substitute(self, member: int, alternate: int, on: date) -> None:
        answer = self.send(
            "POST",
            f"{self.meeting}/substitutions",
            member_person_id=member,
            alternate_person_id=alternate,
            day=str(on),
        )
        refusal = self.model.substitution_refusal(member, alternate, on)
        assert answer.status_code == (refusal or 201), answer.text
        if refusal is None:
            assert self.journaled == 1
            self.model.substitutes.setdefault(on, {})[member] = alternate

    @precondition(lambda self: self.model.state not in OVER)
    @rule(data=st.data(), weight=st.integers(1, 3))
    def change_weight(self, data: st.DataObject, weight: int) -> None:
        self.set_weight(data.draw(self.some_people()), weight)

    def set_weight(self, person: int, weight: int) -> None:
        answer = self.send("PATCH", f"{self.meeting}/participants/{person}", weight=weight)
        if person not in self.model.roles:
            assert answer.status_code == 422, answer.text
            return
        assert answer.status_code == 200, answer.text
        assert answer.json()["weight"] == weight
        assert self.journaled == 1
        self.model.weights[person] = weight

    @rule(
        request=st.sampled_from(
            [
                ("POST", "/attendance", {"person_ids": [ELSEWHERE]}),
                ("POST", "/attendance/code", {"code": "ABCD-EFGH-JKMN"}),
                ("POST", "/proxies", {"grantor_person_id": 1, "holder_person_id": 2}),
                ("POST", "/access-codes", {}),
                ("PATCH", f"/participants/{ELSEWHERE}", {"weight": 2}),
                ("GET", "/attendance?day=2026-01-01", {}),
            ]
        )
    )
    def to_no_meeting(self, request: tuple[str, str, dict[str, Any]]) -> None:
        """A request about a meeting that does not exist is 404, whatever it names."""
        verb, path, body = request
        answer = self.send(verb, f"/meetings/{NO_ROW}{path}", **body)
        assert answer.status_code == 404, answer.text

    @precondition(lambda self: self.model.state in OVER)
    @rule()
    def vote_after_the_close(self) -> None:
        """A closed meeting takes no more polls."""
        answer = self.send("POST", f"{self.meeting}/polls", title="Too late", kind="decision")
        assert answer.status_code == 409, answer.text

    # Rules: what the API shows, against the model.

    @rule(day=st.sampled_from([0, 1, 2]))
    def read_the_roster(self, day: int) -> None:
        """Who is present on a day, person by person in the register and counted by role,
        with the voting rights present against the quorum."""
        on = self.days[day]
        counted = self.send("GET", f"{self.meeting}/attendance?day={on}")
        assert counted.status_code == 200, counted.text
        assert counted.json() == self.model.attendance(on)
        register = self.send("GET", f"{self.meeting}/attendance.csv?day={on}")
        assert register.status_code == 200, register.text
        rows = list(csv.DictReader(io.StringIO(register.text)))
        names = self.hall.names
        assert {row["Name"]: (row["Role"], row["Weight"], row[str(on)]) for row in rows} == {
            names[person]: (
                role,
                str(self.model.weights[person]),
                self.model.attendance_on(person, on),
            )
            for person, role in self.model.roles.items()
        }

    @precondition(lambda self: self.model.state not in OVER and self.polls < MOST_POLLS)
    @rule(day=st.sampled_from([0, 1, 1, 2]), seed=st.integers(0, 2**32))
    def take_a_vote(self, day: int, seed: int) -> None:
        """A named decision on a day: each person, in a drawn order, is told their rights and
        votes with each (or some) of them, and with one more they do not hold or have used,
        while now and then someone arrives or leaves; the close counts each right once.

        Its many choices are made from one drawn ``seed``: drawn one by one, they filled
        hypothesis's buffer, which then ended each run after a step or two."""
        on = self.days[day]
        chance = random.Random(seed)
        self.polls += 1
        made = self.hall.made(
            f"{self.meeting}/polls",
            title=f"Decision {self.polls}",
            kind="decision",
            secrecy="named",
        )
        options = {option["label"]: option["id"] for option in made["options"]}
        poll = made["id"]
        opened = self.send("POST", f"/polls/{poll}/open", day=str(on))
        assert opened.status_code == 200, opened.text
        cast: dict[int, tuple[str, int, int]] = {}  # right → choice, weight, cast by
        for person in chance.sample(self.people[:-1], len(self.people) - 1):
            if chance.randrange(4) == 0:
                # Someone comes or goes: most often a member whose right another holds.
                arriving = [member for member, absent_on in self.stood_in_for() if absent_on == on]
                if arriving and chance.randrange(5):
                    self.attend([chance.choice(arriving)], on, present=True)
                elif chance.randrange(3) == 0:
                    # A check-in made by mistake, undone: refused for one who voted already.
                    voters = sorted({by for _, _, by in cast.values()})
                    anyone = sorted(self.model.roles)
                    self.undo(
                        chance.choice(voters if voters and chance.randrange(2) else anyone), on
                    )
                else:
                    who = chance.choice(sorted(self.model.roles))
                    self.attend([who], on, present=chance.random() < 0.5)
            self.vote_with_every_right(poll, person, on, options, cast, chance)
        closed = self.send("POST", f"/polls/{poll}/close")
        assert closed.status_code == 200, closed.text
        self.model.decision_closed(on)
        self.check_count(poll, on, cast)
        # Published, as a meeting's report waits for every result to be.
        published = self.send("POST", f"/polls/{poll}/publish")
        assert published.status_code == 200, published.text

    def vote_with_every_right(
        self,
        poll: int,
        person: int,
        on: date,
        options: dict[str, int],
        cast: dict[int, tuple[str, int, int]],
        chance: random.Random,
    ) -> None:
        """``person`` reads their rights, votes with some of them, and tries one more."""
        held = self.model.rights(person, on)
        asked = self.send("GET", f"/polls/{poll}/rights", person)
        if held is None:
            assert asked.status_code == 403, asked.text
        else:
            assert asked.status_code == 200, asked.text
            assert Counter(
                (r["right_person_id"], r["kind"], r["weight"], r["used"]) for r in asked.json()
            ) == Counter(
                (
                    r.right_person_id,
                    r.kind,
                    r.weight,
                    # Used by whoever cast it: this caller, or another who held it then.
                    r.right_person_id in cast,
                )
                for r in held
            )
        tried: list[int | None] = [r.right_person_id for r in held or [] if chance.randrange(4)]
        # One more: a right of someone else, one already used, or none named.
        tried.append(chance.choice([None, *self.people[:-1], *cast]))
        for right in tried:
            label = chance.choice(sorted(options))
            body: dict[str, Any] = {
                "choice": {"option": options[label]},
                "client_key": client_key(),
            }
            if right is not None:
                body["right_person_id"] = right
            answer = self.send("POST", f"/polls/{poll}/ballots", person, **body)
            using = self.right_used(held, right)
            if using is None:
                assert answer.status_code == 403, answer.text
            elif using.right_person_id in cast:
                assert answer.status_code == 409, answer.text
            else:
                assert answer.status_code == 201, answer.text
                assert self.journaled == 1
                cast[using.right_person_id] = (label, using.weight, person)
                self.model.voted.add((person, on))

    @staticmethod
    def right_used(held: list[Right] | None, wanted: int | None) -> Right | None:
        """The right a ballot uses: the one named, or the first held when none is."""
        if not held:
            return None
        if wanted is None:
            return held[0]
        return next((r for r in held if r.right_person_id == wanted), None)

    def check_count(self, poll: int, on: date, cast: dict[int, tuple[str, int, int]]) -> None:
        """Each right counted once, by its weight; the quorum as the model makes it: the
        rights used, and those present at the close that were not."""
        counted = self.send("GET", f"/polls/{poll}/result").json()["result"]
        votes = Counter[str]()
        for label, weight, _ in cast.values():
            votes[label] += weight
        details = counted["details"]
        assert (details["yes"], details["no"], details["abstain"]) == (
            votes["yes"],
            votes["no"],
            votes["abstain"],
        )
        unused = {r: w for r, w in self.model.rights_in_hall(on).items() if r not in cast}
        present = sum(weight for _, weight, _ in cast.values()) + sum(unused.values())
        assert details["quorum"] == {
            "present": present,
            "required": self.model.required(),
            "met": present >= self.model.required(),
        }
        if present < self.model.required():
            assert counted["decision"] == "no quorum"
        else:
            adopted = votes["yes"] > votes["no"]
            assert counted["decision"] == ("adopted" if adopted else "rejected")
        roll = self.send("GET", f"/polls/{poll}/roll-call").json()
        assert Counter((v["voter"], v["choice"], v["weight"]) for v in roll) == Counter(
            (self.hall.names[right], label, weight) for right, (label, weight, _) in cast.items()
        )

    def teardown(self) -> None:
        """The roster of every day, as the meeting ends: the same, closed or not."""
        if self.meeting_id:
            for day in range(len(self.days)):
                self.read_the_roster(day)


def test_attendance_in_any_order_is_what_the_rules_say(
    engine: Engine, sessions: sessionmaker[Session], database_url: str
) -> None:
    app = create_app(engine)
    with TestClient(app) as client:

        class OnThisDatabase(AttendanceMachine):
            hall = open_hall(client, app, sessions)

        run_machine(OnThisDatabase, "the attendance machine", database_url, runs=RUNS, steps=STEPS)


@dataclass(frozen=True)
class SmallMeeting:
    """A meeting of a board of three members and an alternate, through the API."""

    client: TestClient
    secretary: dict[str, str]
    meeting_id: int
    members: list[int]
    alternate: int

    def send(self, verb: str, path: str, /, **body: Any) -> Response:
        return self.client.request(
            verb,
            f"/api/meetings/{self.meeting_id}{path}",
            headers=self.secretary,
            json=body or None,
        )


@pytest.fixture
def small_meeting(engine: Engine) -> Iterator[SmallMeeting]:
    """The board's meeting today, in session, its first member checked in, the board allowing
    a proxy per member."""
    today = date.today()
    with TestClient(create_app(engine)) as client:
        secretary = bearer_token(client, *DEMO_SECRETARY)

        def made(path: str, **body: Any) -> int:
            return int(created(client, secretary, path, **body)["id"])

        board = made("/bodies", name="Small Board", max_proxies_per_member=1)
        term = made("/terms", body_id=board, starts_on=str(today))
        people = [made("/people", full_name=f"Small Board Seat {n}") for n in range(1, 5)]
        for person in people[:3]:
            made("/memberships", person_id=person, term_id=term)
        made("/memberships", person_id=people[3], term_id=term, role="alternate")
        meeting = made(
            "/meetings", term_id=term, title="Meeting", starts_on=str(today), notice="Called."
        )
        small = SmallMeeting(client, secretary, meeting, people[:3], people[3])
        for state in ("convened", "in_session"):
            assert small.send("POST", "/state", state=state).status_code == 200
        checked_in = small.send("POST", "/attendance", person_ids=people[:1], day=str(today))
        assert checked_in.status_code == 200, checked_in.text
        yield small


@pytest.mark.one_database  # the meeting's state is checked before anything is stored
def test_a_closed_meeting_is_corrected_until_its_report_is_published(
    small_meeting: SmallMeeting,
) -> None:
    """Closed, a meeting's register may still be corrected (someone not checked in at the
    door); once its report is published, nothing the report states changes (409)."""
    m = small_meeting
    today = str(date.today())
    first, second, third = m.members
    assert m.send("POST", "/state", state="closed").status_code == 200
    corrected = m.send("POST", "/attendance", person_ids=[second], day=today)
    assert corrected.status_code == 200, corrected.text
    assert m.send("POST", "/state", state="report_published").status_code == 200
    answers = {
        "check in": m.send("POST", "/attendance", person_ids=[third], day=today),
        "check out": m.send("POST", "/attendance", person_ids=[first], day=today, present=False),
        "proxy": m.send("POST", "/proxies", grantor_person_id=second, holder_person_id=third),
        "substitute": m.send(
            "POST",
            "/substitutions",
            member_person_id=third,
            alternate_person_id=m.alternate,
            day=today,
        ),
        "weight": m.send("PATCH", f"/participants/{first}", weight=5),
    }
    refused = {change: answer.status_code for change, answer in answers.items()}
    assert refused == dict.fromkeys(refused, 409)
    assert all("report of meeting" in answer.json()["detail"] for answer in answers.values())


@pytest.mark.one_database  # the meeting's state is checked before anything is stored
def test_no_poll_opens_in_a_closed_meeting(small_meeting: SmallMeeting) -> None:
    """A poll made while the meeting sat does not open once it is closed: it did, and the
    report could then be published with the poll still open."""
    m = small_meeting
    poll = m.send("POST", "/polls", title="Late decision", kind="decision")
    assert poll.status_code == 201, poll.text
    assert m.send("POST", "/state", state="closed").status_code == 200
    opened = m.client.post(
        f"/api/polls/{poll.json()['id']}/open", json={"day": str(date.today())}, headers=m.secretary
    )
    assert opened.status_code == 409, opened.text


def _budget_opened(m: SmallMeeting, today: str) -> tuple[dict[str, Any], dict[str, int]]:
    """A decision "Budget" of ``m``'s meeting, opened on ``today``; it and its "yes"."""
    poll = created(
        m.client, m.secretary, f"/meetings/{m.meeting_id}/polls", title="Budget", kind="decision"
    )
    opened = m.client.post(
        f"/api/polls/{poll['id']}/open", json={"day": today}, headers=m.secretary
    )
    assert opened.status_code == 200, opened.text
    return poll, {"option": poll["options"][0]["id"]}


@pytest.mark.one_database  # who used a right is read the same way on either database
def test_a_right_used_by_the_proxy_holder_is_shown_used(small_meeting: SmallMeeting) -> None:
    m = small_meeting
    today = str(date.today())
    holder, grantor, _ = m.members
    tokens = {
        person: {
            "Authorization": f"Bearer {created(m.client, m.secretary, f'/people/{person}/tokens')['token']}"
        }
        for person in (holder, grantor)
    }
    assert (
        m.send("POST", "/proxies", grantor_person_id=grantor, holder_person_id=holder).status_code
        == 201
    )
    poll, yes = _budget_opened(m, today)
    by_proxy = m.client.post(
        f"/api/polls/{poll['id']}/ballots",
        json={"choice": yes, "client_key": client_key(), "right_person_id": grantor},
        headers=tokens[holder],
    )
    assert by_proxy.status_code == 201, by_proxy.text
    assert m.send("POST", "/attendance", person_ids=[grantor], day=today).status_code == 200
    again = m.client.post(
        f"/api/polls/{poll['id']}/ballots",
        json={"choice": yes, "client_key": client_key()},
        headers=tokens[grantor],
    )
    assert again.status_code == 409, again.text  # counted once, by the holder
    shown = m.client.get(f"/api/polls/{poll['id']}/rights", headers=tokens[grantor])
    assert [(r["right_person_id"], r["used"]) for r in shown.json()] == [(grantor, True)]


def _report(m: SmallMeeting, kind: str) -> str:
    answer = m.send("GET", f"/reports/{kind}?format=md")
    assert answer.status_code == 200, answer.text
    return answer.text


def _register(m: SmallMeeting) -> dict[str, str]:
    """Today's column of the attendance register, by name."""
    answer = m.send("GET", f"/attendance.csv?day={date.today()}")
    assert answer.status_code == 200, answer.text
    return {row["Name"]: row[str(date.today())] for row in csv.DictReader(io.StringIO(answer.text))}


@pytest.mark.one_database  # counts read the same way on either database
def test_one_who_came_and_left_is_counted_alike_by_every_report(
    small_meeting: SmallMeeting,
) -> None:
    """Checked in, then out before the end: the minutes' table, its list by capacity, the
    communiqué and the register all count them as attending; the table and the register say
    they were not there at the day's end."""
    m = small_meeting
    today = str(date.today())
    second = m.members[1]
    assert m.send("POST", "/attendance", person_ids=[second], day=today).status_code == 200
    out = m.send("POST", "/attendance", person_ids=[second], day=today, present=False)
    assert out.status_code == 200, out.text
    assert (out.json()["attended"], out.json()["present"]) == ({"member": 2}, {"member": 1})
    for state in ("closed", "report_published"):
        assert m.send("POST", "/state", state=state).status_code == 200
    minutes = _report(m, "minutes")
    assert "| Day | Members attended | Alternates attended | Observers attended |" in minutes
    assert "Voting rights present at the day's end (1/2 required)" in minutes
    table_row = next(
        line for line in minutes.splitlines() if line.startswith(f"| {date.today().day} ")
    )
    assert table_row.split("|")[2:6] == [" 2 ", " 0 ", " 0 ", " 0 "]
    assert (
        "Members of the " in minutes
        and " (2): Small Board Seat 1 and Small Board Seat 2." in minutes
    )
    assert "Attending were 2 members of the " in _report(m, "communique")
    assert _register(m) == {
        "Small Board Seat 1": "present",
        "Small Board Seat 2": "checked out",
        "Small Board Seat 3": "absent",
        "Small Board Seat 4": "absent",
    }


@pytest.mark.one_database  # the journal and the counts are read the same way on either
def test_a_check_in_made_by_mistake_is_undone_as_if_never_made(
    small_meeting: SmallMeeting, sessions: sessionmaker[Session]
) -> None:
    m = small_meeting
    today = str(date.today())
    first, second, _ = m.members
    for wrong in (first, second):
        assert m.send("POST", "/attendance", person_ids=[wrong], day=today).status_code == 200
    # One checked out since: undoing takes the day's attendance back all the same.
    assert m.send("POST", "/attendance", person_ids=[second], present=False).status_code == 200
    before = journal_length(sessions)
    undone = m.send("POST", "/attendance/undo", person_id=second, day=today)
    assert undone.status_code == 200, undone.text
    counted = undone.json()
    assert (counted["attended"], counted["present"], counted["rights_present"]) == (
        {"member": 1},
        {"member": 1},
        1,
    )
    assert journaled(sessions, JournalAction.UNDO_CHECK_IN) == [
        {"meeting_id": m.meeting_id, "person_id": second, "day": today}
    ]
    assert journal_length(sessions) == before + 1
    # Undone while present, today by default: the quorum follows at once.
    gone = m.send("POST", "/attendance/undo", person_id=first)
    assert gone.status_code == 200, gone.text
    assert (gone.json()["attended"], gone.json()["rights_present"]) == ({}, 0)
    assert set(_register(m).values()) == {"absent"}
    again = m.send("POST", "/attendance/undo", person_id=second, day=today)
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"Small Board Seat 2 was not checked in on {today}: there is no check-in to undo"
    )
    assert m.send("POST", "/attendance/undo", person_id=second, day="2000-01-01").status_code == 422
    assert journal_length(sessions) == before + 2


@pytest.mark.one_database  # who used a right is read the same way on either database
def test_a_check_in_the_record_relies_on_is_not_undone(
    small_meeting: SmallMeeting, sessions: sessionmaker[Session]
) -> None:
    """Refused (409, saying why) for one who voted that day, in person or by the proxy they
    hold, or who stands in for a member; and once the report is published."""
    m = small_meeting
    today = str(date.today())
    holder, grantor, voter = m.members
    assert (
        m.send("POST", "/proxies", grantor_person_id=grantor, holder_person_id=holder).status_code
        == 201
    )
    both = m.send("POST", "/attendance", person_ids=[voter, m.alternate], day=today)
    assert both.status_code == 200, both.text
    stands = m.send(
        "POST",
        "/substitutions",
        member_person_id=grantor,
        alternate_person_id=m.alternate,
        day=today,
    )
    assert stands.status_code == 201, stands.text
    poll, yes = _budget_opened(m, today)
    for person, right in ((voter, voter), (holder, grantor)):
        token = created(m.client, m.secretary, f"/people/{person}/tokens")["token"]
        cast = m.client.post(
            f"/api/polls/{poll['id']}/ballots",
            json={"choice": yes, "client_key": client_key(), "right_person_id": right},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert cast.status_code == 201, cast.text
    before = journal_length(sessions)
    refusals = {
        person: m.send("POST", "/attendance/undo", person_id=person, day=today)
        for person in (voter, holder, m.alternate)
    }
    assert {person: answer.status_code for person, answer in refusals.items()} == {
        voter: 409,
        holder: 409,
        m.alternate: 409,
    }
    said = {person: answer.json()["detail"] for person, answer in refusals.items()}
    start = f"cannot undo the check-in of Small Board Seat {{}} on {today}: "
    assert said[voter] == start.format(3) + (
        "they voted in “Budget” that day; check them out instead if they left"
    )
    assert said[holder] == start.format(1) + (
        "they cast the vote of Small Board Seat 2, whose proxy they hold, in “Budget” that day; "
        "check them out instead if they left"
    )
    assert said[m.alternate] == start.format(4) + (
        "they stand in for Small Board Seat 2 that day; check them out instead if they left"
    )
    assert journal_length(sessions) == before
    # Checking out stays open to them: they came, and left.
    out = m.send("POST", "/attendance", person_ids=[voter], day=today, present=False)
    assert out.status_code == 200, out.text
    for step in ("close", "publish"):
        assert (
            m.client.post(f"/api/polls/{poll['id']}/{step}", headers=m.secretary).status_code == 200
        )
    for state in ("closed", "report_published"):
        assert m.send("POST", "/state", state=state).status_code == 200
    # The first member, who did not vote, cannot be undone either once the record is fixed.
    fixed = m.send("POST", "/attendance/undo", person_id=m.members[0], day=today)
    assert fixed.status_code == 409
    assert "the record it states no longer changes" in fixed.json()["detail"]
