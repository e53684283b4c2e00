"""A meeting driven through the API in random orders, step by step, against a model of what it
should hold: no answer is a 5xx, a refusal changes nothing, and each poll counts, once, the
ballot each voting right last cast, by its weight, with the paper ballots and the tellers' totals.

The fuzzers (``test_fuzz.py``, ``test_page_fuzz.py``) send one request at a time, so they
seldom reach what takes several steps in order: a poll open with ballots in it, a re-vote, a
proxy holder voting before the member arrives, a poll counted and published. Here hypothesis's
``RuleBasedStateMachine`` takes a fresh meeting of the demo's General Council through polls
created, opened, voted in (well, badly, twice, again and in another's name), closed, published
and cancelled, with members checked in and out, their weights changed, proxies given and
alternates standing in, while the meeting itself is convened, sits and closes. The polls are
decisions (by a simple, absolute, qualified or unanimous majority of the votes cast, of the
rights present or of every member's, given as the engine's options or in the chair's words),
choices by Borda, approval and score, and elections of two by SNTV, block voting and Scottish
STV among four; taken by ballot, with paper lots entered beside the electronic ballots up to
the rights unused (through the API, or typed one by one on the tellers' page and recorded as a
lot), or by a show of hands or a standing vote whose totals the tellers enter;
their boards showing the choices, or receipts only.

It attacks as a voter too: a proxy holder trying to replace the ballot a member cast in person
before leaving, another's client key sent as one's own or as the ballot replaced, a token
revoked, a voter doing what only the chair or the tellers may or reading ballots before the
close. The model (``tests/web/voting_model.py``) is what the documentation promises
(docs/api.md, "Polls and elections"), written out small, with its own count of Scottish STV;
after every request it checks the answer's status, the journal's growth and every poll's count
of ballots, and on each close the bulletin board (each receipt once, in order, naming nobody;
in a secret poll nothing left to link a ballot to its voter), the result's first round, whom
it elects (by STV, round after round, with its quota) or what it decides (the yes votes its
rule needs), and the roll-call.

``VECHE_FUZZ_EXAMPLES`` raises the number of meetings taken through it, to look harder.
"""

from __future__ import annotations

import csv
import io
import json
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from httpx2 import Response
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, client_key
from tests.helpers import general_council_term
from tests.web.fuzzing import NO_ROW, run_machine
from tests.web.page_client import Browser, secretary
from tests.web.sitting import journal_length
from tests.web.voting_model import (
    BLANK,
    IN_THE_HALL,
    PROXY_REPLACES_A_BALLOT_CAST_IN_PERSON,
    RESEND_OF_A_REPLACING_BALLOT_REFUSED,
    RULES,
    SEATS,
    STEPS_TAKEN,
    Held,
    PollModel,
    Shown,
    elected_rightly,
    first_round,
    not_open,
    spec,
)
from veche.actions import intake
from veche.models import Ballot, JournalEntry, Participation

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: Meetings taken through the machine on SQLite (a third as many on PostgreSQL), each of
#: ``STEPS`` steps.
RUNS = 10
STEPS = 30
#: The members who vote (the first of the term's), and the alternate who may stand in.
MEMBERS = 4
MOST_POLLS = 4
#: The voting weights the members are given (a member of weight 3 is three votes); one of 30,
#: present, meets the General Council's quorum (half its 30 members' votes) with the few members
#: the machine checks in, so that decisions are decided by their rule as well.
WEIGHTS = st.sampled_from([1, 2, 30])
#: The steps a poll is taken through, a cancel less often than the others.
STEPS_DRAWN = ["open", "open", "close", "close", "publish", "cancel"]
#: The methods polls are counted by: every one of the model's, decisions and Scottish STV
#: (whose count the model does round after round) twice as often.
METHODS = [*sorted(SEATS), "majority", "scottish-stv"]
#: The General Council's quorum while the machine runs: a tenth of its members' rights, so
#: that its decisions are counted by their rules more often than they lack a quorum.
QUORUM = "1/10"
#: The General Council's members in office, each a voting right of weight 1 unless set.
IN_OFFICE = 30
#: How a poll is taken: by ballot most often, or counted in the hall.
VOTE_BY = ["ballot", "ballot", "ballot", "show_of_hands", "standing"]
#: What a board entry may say: nothing of a voter.
BOARD_FIELDS = {"receipt", "source", "choice", "weight", "weight_withheld"}
#: The meeting's states in order (docs/api.md, "Proceedings").
MEETING_STATES = ["draft", "convened", "in_session", "closed", "report_published"]


@dataclass
class Hall:
    """What every meeting the machine holds shares: the application, the secretary, the
    voters' tokens and the database's journal."""

    assembly: Assembly
    sessions: sessionmaker[Session]
    term_id: int
    desk: list[Browser] = field(default_factory=list)  # the tellers' browser, once logged in

    def tellers(self) -> Browser:
        """The secretary's browser, at the tellers' page: logged in once."""
        if not self.desk:
            self.desk.append(secretary(self.assembly.client.app))  # type: ignore[arg-type]
        return self.desk[0]

    def meeting(self) -> Assembly:
        """A new meeting of the General Council today, driven by the same client and
        tokens."""
        a = self.assembly
        made = a.client.post(
            "/api/meetings",
            json={"term_id": self.term_id, "title": "Plenary Meeting", "starts_on": str(a.day)},
            headers=a.secretary,
        )
        assert made.status_code == 201, made.text
        return Assembly(
            a.client, a.secretary, made.json()["id"], a.day, a.members, a.alternates, a.tokens
        )


class VotingMachine(RuleBasedStateMachine):
    """One meeting of the General Council, its voters and polls, against the model."""

    hall: Hall
    polls = Bundle("polls")

    def __init__(self) -> None:
        super().__init__()
        self.assembly = self.hall.meeting()
        self.members = self.assembly.members[:MEMBERS]
        self.alternate = self.assembly.alternates[0]
        self.voters = [*self.members, self.alternate]
        self.present: set[int] = set()
        self.proxies: dict[int, int] = {}  # grantor → holder
        self.substitutes: dict[int, int] = {}  # absent member → alternate, today
        self.weights: dict[int, int] = {}  # member → voting weight, where it is not 1
        self.models: list[PollModel] = []
        self.meeting_state = "draft"
        self.keys = 0  # client keys made so far
        self.journaled = 0  # entries the last request added to the journal

    # Sending, and what every answer must satisfy.

    def send(self, verb: str, path: str, /, person: int | None = None, **body: Any) -> Response:
        """A request as the secretary (or ``person``); no 5xx, and a refusal journals
        nothing."""
        a = self.assembly
        headers = a.secretary if person is None else a.as_person(person)
        before = journal_length(self.hall.sessions)
        answer = a.client.request(verb, f"/api{path}", headers=headers, json=body or None)
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert journal_length(self.hall.sessions) == before, answer.text
        self.journaled = journal_length(self.hall.sessions) - before
        return answer

    def new_key(self) -> str:
        self.keys += 1
        return f"meeting-{self.assembly.meeting_id}-ballot-{self.keys:04d}"

    def cast(
        self,
        poll: int,
        person: int,
        choice: dict[str, Any],
        key: str,
        **extra: Any,
    ) -> Response:
        body = {k: v for k, v in extra.items() if v is not None}
        return self.send(
            "POST", f"/polls/{poll}/ballots", person, choice=choice, client_key=key, **body
        )

    # The model's rules of who may vote.

    def rights(self, person: int) -> list[int]:
        """The rights ``person`` holds now: their own as a member present, and those of the
        absent members whose proxy they hold or for whom they stand in (none if absent)."""
        if person not in self.present:
            return []
        own = [person] if person in self.members else []
        entrusted = [
            member
            for member, holder in [*self.proxies.items(), *self.substitutes.items()]
            if holder == person and member not in self.present
        ]
        return own + entrusted

    def weight(self, member: int) -> int:
        return self.weights.get(member, 1)

    def in_hall(self, poll: PollModel) -> int:
        """The weight of the rights usable now that ``poll`` has no electronic ballot for: a
        right reachable twice (by a substitute and by a proxy holder) is one right."""
        usable = {right for person in self.present for right in self.rights(person)}
        return sum(self.weight(right) for right in usable if right not in poll.held)

    def unused(self, poll: PollModel) -> int:
        """The rights in the hall that neither an electronic ballot nor a paper one (nor a
        vote the tellers counted: those name no right) has used."""
        entered = sum(count for _, count in poll.paper) + sum(poll.totals.values())
        return max(self.in_hall(poll) - entered, 0)

    def expect_ballot(
        self, poll: PollModel, person: int, key: str, wanted: int | None, replaces: str | None
    ) -> tuple[set[int], int | None]:
        """The statuses a valid ballot may get, and the right it is stored under (None: it
        is not stored): decided in the server's order — the poll's state, a resend known by
        its client key, the voter's rights, a right used already."""
        current = poll.holding(key)
        # Another voter who sends a voter's client key is refused, while the poll keeps the
        # keys (a named poll's stay after its count): told the receipt, they could read that
        # voter's choice on the board.
        by_another = current is not None and person != (
            current.first_cast_by if RESEND_OF_A_REPLACING_BALLOT_REFUSED else current.cast_by
        )
        if not poll.by_ballot:
            return {409}, None  # a vote counted in the hall takes no ballot
        if poll.state != "open":
            if by_another and poll.named and poll.state in ("closed", "published"):
                return {409}, None
            return not_open(poll, current is not None, valid=True), None
        if current is not None:
            return ({409} if by_another else {200}), None
        rights = self.rights(person)
        if not rights:
            return {403}, None
        right = wanted if wanted is not None else rights[0]
        if right not in rights:
            return {403}, None
        if right not in poll.held:
            # Once paper ballots are in, a right's ballot must fit in the rights left unused.
            if poll.paper and self.weight(right) > self.unused(poll):
                return {409}, None
            return {201}, right
        if not poll.revote:
            return {409}, None
        if poll.named:
            # A named ballot is replaced by whoever cast it, or by the member whose right it
            # used, back in the hall: not by a proxy holder or a substitute who did neither.
            earlier = poll.held[right]
            theirs = person in (earlier.cast_by, right)
            if theirs or PROXY_REPLACES_A_BALLOT_CAST_IN_PERSON:
                return {201}, right
            return {409}, None
        if replaces is not None and not 16 <= len(replaces) <= 128:
            return {422}, None
        return ({201}, right) if replaces == poll.held[right].key else ({409}, None)

    def receipts(self, poll: PollModel) -> set[str]:
        """Every receipt ``poll`` has given for a ballot it holds."""
        return {held.receipt for held in poll.held.values()}

    # Rules: the meeting.

    @initialize(
        target=polls,
        away=st.sets(st.integers(0, MEMBERS - 1), max_size=2),
        alternate_present=st.booleans(),
        weights=st.dictionaries(st.integers(0, MEMBERS - 1), WEIGHTS, min_size=1, max_size=3),
        data=st.data(),
    )
    def sit_and_open(
        self,
        away: set[int],
        alternate_present: bool,
        weights: dict[int, int],
        data: st.DataObject,
    ) -> PollModel:
        """Start where voting starts: most members checked in, some of them weighing more
        than one vote, often a proxy or an alternate holding an absent member's right, a poll
        open, and some of them voting in it."""
        present = [m for m in range(MEMBERS) if m not in away] + [MEMBERS] * alternate_present
        for voter in present:
            self.check_in_or_out(voter, present=True)
        for member, weight in weights.items():
            self.set_weight(member, weight)
        if away:
            if data.draw(st.booleans()):
                self.grant_proxy(min(away), data.draw(st.integers(1, MEMBERS - 1)))
            if alternate_present and data.draw(st.booleans()):
                self.stand_in(data)
        poll = self.new_poll(
            method=data.draw(st.sampled_from(METHODS)),
            named=data.draw(st.booleans()),
            revote=data.draw(st.booleans()),
            opened=True,
            vote_by=data.draw(st.sampled_from(VOTE_BY)),
            rule=data.draw(st.sampled_from(sorted(RULES, key=str))),
            in_words=data.draw(st.booleans()),
            receipts_only=data.draw(st.booleans()),
        )
        for _ in range(data.draw(st.integers(1, 3))):
            self.vote(data)
        return poll

    @rule(member=st.integers(0, MEMBERS), present=st.booleans())
    def check_in_or_out(self, member: int, present: bool) -> None:
        person = self.voters[member]
        answer = self.send(
            "POST",
            f"/meetings/{self.assembly.meeting_id}/attendance",
            person_ids=[person],
            day=str(self.assembly.day),
            present=present,
        )
        # Checking out someone who is not checked in is refused; checking in again is not.
        refused = (not present and person not in self.present) or self.record_fixed
        assert answer.status_code == (409 if refused else 200), answer.text
        if not refused:
            (self.present.add if present else self.present.discard)(person)

    @precondition(lambda self: len(self.proxies) < 2)
    @rule(grantor=st.integers(0, MEMBERS), other=st.integers(0, MEMBERS))
    def grant_proxy(self, grantor: int, other: int) -> None:
        """A voter's proxy to the ``other``-th voter after them (0: to themselves)."""
        giving = self.voters[grantor]
        holding = self.voters[(grantor + other) % len(self.voters)]
        answer = self.send(
            "POST",
            f"/meetings/{self.assembly.meeting_id}/proxies",
            grantor_person_id=giving,
            holder_person_id=holding,
        )
        if giving == holding or self.alternate in (giving, holding):
            expected = 422
        elif self.record_fixed or (
            giving in self.proxies
            or holding in self.proxies
            or giving in self.proxies.values()
            or holding in self.proxies.values()  # one proxy a holder in the General Council
        ):
            expected = 409
        else:
            expected = 201
        assert answer.status_code == expected, answer.text
        if expected == 201:
            self.proxies[giving] = holding

    def voted_in_person(self) -> list[int]:
        """The members present who cast a ballot of an open poll with their own right."""
        return sorted(
            {
                right
                for poll in self.models
                if poll.state == "open"
                for right, held in poll.held.items()
                if held.cast_by == right and right in self.present
            }
        )

    @precondition(lambda self: bool(self.voted_in_person()))
    @rule(data=st.data())
    def leave_after_voting(self, data: st.DataObject) -> None:
        """A member who voted in person gives their proxy to another member present (if they
        have given none and one may hold it) and leaves; whoever holds their right now tries
        to replace the ballot they cast, not knowing its client key: it stays theirs."""
        member = data.draw(st.sampled_from(self.voted_in_person()))
        index = self.voters.index(member)
        free = [
            m
            for m in self.members
            if m in self.present
            and m != member
            and m not in {*self.proxies, *self.proxies.values()}
        ]
        if member not in {*self.proxies, *self.proxies.values()} and free:
            holder = data.draw(st.sampled_from(free))
            self.grant_proxy(index, (self.voters.index(holder) - index) % len(self.voters))
        self.check_in_or_out(index, present=False)
        holders = [person for person in self.voters if member in self.rights(person)]
        for poll in self.models:
            earlier = poll.held.get(member)
            if not holders or poll.state != "open" or earlier is None or earlier.cast_by != member:
                continue
            choice, shown = data.draw(poll.choices())
            key = self.new_key()
            replaces = data.draw(st.sampled_from([None, self.new_key()]))
            answer = self.cast(
                poll.id,
                holders[0],
                choice,
                key,
                right_person_id=member,
                replaces_client_key=replaces,
            )
            statuses, stored = self.expect_ballot(poll, holders[0], key, member, replaces)
            self.check_ballot(poll, answer, statuses, stored, key, shown, holders[0])

    @precondition(lambda self: not self.substitutes and not self.present >= {*self.members})
    @rule(data=st.data())
    def stand_in(self, data: st.DataObject) -> None:
        """The alternate stands in for a member: one absent, most often."""
        away = [member for member in self.members if member not in self.present]
        absent = data.draw(st.sampled_from([*away, *away, *self.members]))
        answer = self.send(
            "POST",
            f"/meetings/{self.assembly.meeting_id}/substitutions",
            member_person_id=absent,
            alternate_person_id=self.alternate,
            day=str(self.assembly.day),
        )
        free = absent not in self.present and not self.substitutes and not self.record_fixed
        assert answer.status_code == (201 if free else 409), answer.text
        if free:
            self.substitutes[absent] = self.alternate

    @rule(member=st.integers(0, MEMBERS - 1), weight=WEIGHTS)
    def set_weight(self, member: int, weight: int) -> None:
        """A member's voting weight set anew: refused while a poll is open, unless it stays,
        and once the meeting's report is published."""
        person = self.members[member]
        answer = self.send(
            "PATCH", f"/meetings/{self.assembly.meeting_id}/participants/{person}", weight=weight
        )
        changing = weight != self.weight(person)
        if self.record_fixed or (changing and any(p.state == "open" for p in self.models)):
            assert answer.status_code == 409, answer.text
            return
        assert answer.status_code == 200, answer.text
        assert answer.json()["weight"] == weight
        self.weights[person] = weight

    # Rules: the polls' steps.

    @precondition(lambda self: len(self.models) < MOST_POLLS and not self.meeting_closed)
    @rule(
        target=polls,
        method=st.sampled_from(METHODS),
        named=st.booleans(),
        revote=st.booleans(),
        opened=st.booleans(),
        vote_by=st.sampled_from(VOTE_BY),
        rule=st.sampled_from(sorted(RULES, key=str)),
        in_words=st.booleans(),
        receipts_only=st.booleans(),
    )
    def create_poll(
        self,
        method: str,
        named: bool,
        revote: bool,
        opened: bool,
        vote_by: str,
        rule: str | None,
        in_words: bool,
        receipts_only: bool,
    ) -> PollModel:
        """A decision (by any of the machine's majority rules, given as the engine's options
        or in the chair's words), a choice or an election of two, counted by any of the
        machine's methods; named or secret, with re-voting or without, its board showing the
        choices or receipts only; or taken by a show of hands or a standing vote. Opened at
        once, or left in draft."""
        return self.new_poll(
            method,
            named,
            revote,
            opened,
            vote_by,
            rule,
            in_words=in_words,
            receipts_only=receipts_only,
        )

    def new_poll(
        self,
        method: str,
        named: bool,
        revote: bool,
        opened: bool,
        vote_by: str = "ballot",
        rule: str | None = None,
        *,
        in_words: bool = False,
        receipts_only: bool = False,
    ) -> PollModel:
        """A poll made as asked. A vote counted in the hall by a method of ranked, approval or
        score ballots is refused (422) first, and taken by a method of one choice instead; it
        is named, and counted once."""
        path = f"/meetings/{self.assembly.meeting_id}/polls"
        title = f"Poll {len(self.models) + 1}"
        in_hall = vote_by != "ballot"
        if in_hall and method not in IN_THE_HALL:
            hands = {"vote_by": vote_by, **spec(method, rule, in_words=in_words)}
            refused = self.send("POST", path, title=title, **hands)
            assert refused.status_code == 422, refused.text
            method = IN_THE_HALL[len(self.models) % len(IN_THE_HALL)]
        how: dict[str, Any] = (
            {"vote_by": vote_by}
            if in_hall
            else {
                "secrecy": "named" if named else "secret",
                "revote": "last_counts" if revote else "none",
            }
        )
        if receipts_only:
            how["board_shows_choices"] = False
        answer = self.send(
            "POST", path, title=title, **how, **spec(method, rule, in_words=in_words)
        )
        assert answer.status_code == 201, answer.text
        made = answer.json()
        assert made["board_shows_choices"] is not receipts_only
        options = {option["id"]: option["label"] for option in made["options"]}
        poll = PollModel(
            made["id"],
            method,
            named or in_hall,
            revote and not in_hall,
            options,
            vote_by=vote_by,
            rule=rule if method == "majority" else None,
            shows_choices=not receipts_only,
        )
        self.models.append(poll)
        if opened:
            self.take_step(poll, "open")
        return poll

    @property
    def meeting_closed(self) -> bool:
        """Whether the meeting is closed (or its report published): it opens no poll (409),
        and the machine creates none in it (``test_a_closed_meeting_opens_no_poll``)."""
        return MEETING_STATES.index(self.meeting_state) >= MEETING_STATES.index("closed")

    @property
    def record_fixed(self) -> bool:
        """Whether the meeting's report is published: its attendance, stand-ins, proxies and
        weights no longer change (409)."""
        return self.meeting_state == "report_published"

    @rule(with_notice=st.booleans())
    def move_meeting(self, with_notice: bool) -> None:
        """The meeting moves one step on, its notice written first or not: convened only with
        a notice, closed only with no poll open, its report published only once every result
        counted is published; the polls go on through every state."""
        at = MEETING_STATES.index(self.meeting_state)
        if at + 1 == len(MEETING_STATES):
            return
        meeting = f"/meetings/{self.assembly.meeting_id}"
        noticed = with_notice or at > 0
        if with_notice and at == 0:
            amended = self.send("PATCH", meeting, notice="The Bureau convenes the Council.")
            assert amended.status_code == 200, amended.text
        following = MEETING_STATES[at + 1]
        answer = self.send("POST", f"{meeting}/state", state=following)
        states = {poll.state for poll in self.models}
        refused = (
            (following == "convened" and not noticed)
            or (following == "closed" and "open" in states)
            or (following == "report_published" and "closed" in states)  # a result unsaid
        )
        assert answer.status_code == (409 if refused else 200), answer.text
        if not refused:
            assert answer.json()["state"] == following
            self.meeting_state = following

    @rule(poll=polls, step=st.sampled_from(STEPS_DRAWN))
    def take_step(self, poll: PollModel, step: str) -> None:
        path = f"/polls/{poll.id}/{step}"
        if step == "open":
            answer = self.send("POST", path, day=str(self.assembly.day))
        else:
            answer = self.send("POST", path)
        after = STEPS_TAKEN[step].get(poll.state)
        # A closed meeting takes no vote: a draft poll stays a draft (409).
        if after is None or (step == "open" and self.meeting_closed and poll.state == "draft"):
            assert answer.status_code == 409, answer.text
            return
        assert answer.status_code == 200, answer.text
        assert answer.json()["state"] == after
        assert self.journaled == (0 if after == poll.state else 1)
        counted = poll.state == "open" and after == "closed"
        poll.state = after
        poll.was_open |= after == "open"
        if counted:
            self.check_count(poll)
        if after == "published":
            self.check_published(poll)

    # Rules: ballots.

    def some_poll(
        self, polls: list[PollModel], *, by_ballot: bool = True
    ) -> st.SearchStrategy[PollModel]:
        """One of ``polls``: an open one more often than not, taken by ballot (or counted in
        the hall, if not ``by_ballot``)."""
        open_polls = [p for p in polls if p.state == "open" and p.by_ballot == by_ballot]
        return st.sampled_from([*open_polls, *open_polls, *polls])

    def some_voter(self) -> st.SearchStrategy[int]:
        """A voter: one who holds a voting right more often than not."""
        holding = [person for person in self.voters if self.rights(person)]
        return st.sampled_from([*holding, *holding, *self.voters])

    @precondition(lambda self: bool(self.models))
    @rule(data=st.data())
    def vote(self, data: st.DataObject) -> None:
        """One to five voters vote in a poll, as a hall does at once."""
        poll = data.draw(self.some_poll(self.models))
        for _ in range(data.draw(st.integers(1, 5))):
            self.vote_in(poll, data)

    def vote_in(self, poll: PollModel, data: st.DataObject) -> None:
        """A valid ballot from a voter, for their own right or another they may hold, or
        for a right they do not hold; a second one replacing the first, or not."""
        person = data.draw(self.some_voter())
        choice, shown = data.draw(poll.choices())
        held = self.rights(person)
        wanted = data.draw(
            st.one_of(st.none(), st.sampled_from(held or self.voters), st.sampled_from(self.voters))
        )
        # A voter who has voted already may say which ballot this one replaces.
        used = poll.held.get(wanted if wanted is not None else (held or [person])[0])
        replaces = data.draw(st.sampled_from([None, used.key])) if used else None
        key = self.new_key()
        answer = self.cast(
            poll.id, person, choice, key, right_person_id=wanted, replaces_client_key=replaces
        )
        statuses, right = self.expect_ballot(poll, person, key, wanted, replaces)
        self.check_ballot(poll, answer, statuses, right, key, shown, person)

    @precondition(lambda self: any(poll.held for poll in self.models))
    @rule(data=st.data())
    def vote_again(self, data: st.DataObject) -> None:
        """A voter who holds a ballot sends another: resending its client key (with any
        choice), or replacing it, naming the ballot replaced rightly, wrongly (another
        voter's key, a receipt, a malformed key) or not at all."""
        poll = data.draw(self.some_poll([poll for poll in self.models if poll.held]))
        right = data.draw(st.sampled_from(sorted(poll.held)))
        earlier = poll.held[right]
        # Another voter's client key, or a receipt (any voter's, as the board shows them).
        others = [h.key for r, h in poll.held.items() if r != right]
        others += [h.receipt for h in poll.held.values()]
        # Those who hold the right now, having not cast its ballot, try hardest to replace it.
        holders = [p for p in self.voters if right in self.rights(p) and p != earlier.cast_by]
        person = data.draw(
            st.sampled_from([earlier.cast_by, earlier.cast_by, *holders, *holders, *self.voters])
        )
        choice, shown = data.draw(poll.choices())
        resend = data.draw(st.booleans())
        key = earlier.key if resend else self.new_key()
        replaces = (
            None
            if resend
            else data.draw(st.sampled_from([earlier.key, earlier.key, None, "too short", *others]))
        )
        answer = self.cast(
            poll.id, person, choice, key, right_person_id=right, replaces_client_key=replaces
        )
        statuses, stored = self.expect_ballot(poll, person, key, right, replaces)
        self.check_ballot(poll, answer, statuses, stored, key, shown, person)

    @precondition(lambda self: any(p.state == "open" and p.by_ballot for p in self.models))
    @rule(voter=st.integers(0, MEMBERS), data=st.data())
    def read_rights(self, voter: int, data: st.DataObject) -> None:
        """A voter reads their voting rights in an open poll: those the model says they hold
        now (none when absent, maybe refused; a proxy's or a stand-in's only while the member
        is away), each by the member's weight; a right said used has a ballot."""
        poll = data.draw(st.sampled_from([p for p in self.models if p.state == "open"]))
        person = self.voters[voter]
        answer = self.send("GET", f"/polls/{poll.id}/rights", person)
        if not self.rights(person) and answer.status_code == 403:
            return  # told why they hold none: not checked in, or no member to stand in for
        assert answer.status_code == 200, answer.text
        listed = {right["right_person_id"]: right for right in answer.json()}
        assert sorted(listed) == sorted(self.rights(person)), (listed, self.present)
        for member, right in listed.items():
            assert right["weight"] == self.weight(member), right
            assert member in poll.held or not right["used"], right

    @precondition(lambda self: any(p.state == "open" and p.by_ballot for p in self.models))
    @rule(voter=st.integers(0, MEMBERS), data=st.data())
    def lose_token(self, voter: int, data: st.DataObject) -> None:
        """A voter's token is revoked (a phone lost): a ballot sent with it is refused (401)
        and changes nothing; the voter votes on with a new one."""
        person = self.voters[voter]
        held = self.send("GET", "/tokens", person)
        assert held.status_code == 200, held.text
        (token,) = held.json()
        revoked = self.send("DELETE", f"/tokens/{token['id']}")
        assert revoked.status_code == 204, revoked.text
        poll = data.draw(st.sampled_from([p for p in self.models if p.state == "open"]))
        choice, _ = data.draw(poll.choices())
        answer = self.cast(poll.id, person, choice, self.new_key())
        assert answer.status_code == 401, answer.text
        del self.assembly.tokens[person]

    @precondition(lambda self: bool(self.models))
    @rule(voter=st.integers(0, MEMBERS), data=st.data())
    def overreach(self, voter: int, data: st.DataObject) -> None:
        """A voter does what only the chair, the secretary or the tellers may: opens, closes,
        publishes or cancels a poll, enters paper ballots or totals, reads an unpublished
        result or the count's rights of another; refused (403), changing nothing. Before the
        close nobody reads a ballot: not the board, not a roll-call."""
        poll = data.draw(self.some_poll(self.models))
        person = self.voters[voter]
        some_option = min(poll.options)
        attempts: list[tuple[str, str, dict[str, Any]]] = [
            ("POST", f"/polls/{poll.id}/{step}", {}) for step in sorted(STEPS_TAKEN)
        ]
        attempts += [
            (
                "POST",
                f"/polls/{poll.id}/paper",
                {"lots": [{"choice": {"blank": True}, "count": 1}], "lot_key": None},
            ),
            ("POST", f"/polls/{poll.id}/totals", {"totals": {str(some_option): 1}}),
            ("GET", f"/polls/{poll.id}/result", {}),
        ]
        verb, path, body = data.draw(st.sampled_from(attempts))
        answer = self.send(verb, path, person, **body)
        if verb == "GET" and poll.state == "published":
            assert answer.status_code == 200, answer.text
        else:
            assert answer.status_code == 403, answer.text
        if poll.state not in ("closed", "published"):
            reading = data.draw(st.sampled_from(["ballots", "ballots.json", "roll-call"]))
            early = self.send("GET", f"/polls/{poll.id}/{reading}", person)
            assert early.status_code in (403, 409), early.text

    @precondition(lambda self: bool(self.models))
    @rule(voter=st.integers(0, MEMBERS), data=st.data())
    def vote_badly(self, voter: int, data: st.DataObject) -> None:
        """A ballot no poll takes: a choice of the wrong shape, over-voted, out of range or
        naming an option of another poll, a client key too short or too long, a poll that
        does not exist."""
        poll = data.draw(self.some_poll(self.models))
        person = self.voters[voter]
        elsewhere = [i for other in self.models for i in other.options if i not in poll.options]
        choice = data.draw(st.sampled_from(poll.wrong_choices(elsewhere)))
        key = data.draw(st.sampled_from([self.new_key(), self.new_key(), "short", "k" * 129]))
        target = data.draw(st.sampled_from([poll.id, NO_ROW]))
        answer = self.cast(target, person, choice, key)
        if not 16 <= len(key) <= 128:
            expected = {422}
        elif target == NO_ROW:
            expected = {404}
        elif poll.state != "open":
            expected = not_open(poll, False, valid=False)
        else:
            expected = {422 if poll.by_ballot else 409}
        assert answer.status_code in expected, answer.text

    @precondition(lambda self: bool(self.models))
    @rule(data=st.data())
    def enter_paper(self, data: st.DataObject) -> None:
        """The tellers enter paper lots: new ones (under a new lot key, none, or one another
        poll's lots were entered with, which is new here), a sending of earlier lots again
        with their lot key, or one lot with a choice the poll refuses."""
        poll = data.draw(self.some_poll(self.models))
        sent_before = sorted(poll.lot_keys)
        how = data.draw(st.sampled_from(["new", "new", "bad", *(["again"] if sent_before else [])]))
        shown: list[Shown] = []
        key: str | None = None
        if how == "again":
            key = data.draw(st.sampled_from(sent_before))
            lots = poll.lot_keys[key]
        elif how == "bad":
            lots = [(data.draw(st.sampled_from(poll.wrong_choices([NO_ROW]))), 1)]
        else:
            elsewhere = sorted(
                k for other in self.models if other is not poll for k in other.lot_keys
            )
            key = data.draw(st.sampled_from([None, self.new_key(), *elsewhere]))
            counts = st.integers(1, 2)
            drawn = data.draw(st.lists(st.tuples(poll.choices(), counts), min_size=1, max_size=2))
            lots = [(choice, count) for (choice, _), count in drawn]
            shown = [seen for (_, seen), _ in drawn]
        answer = self.send(
            "POST",
            f"/polls/{poll.id}/paper",
            lots=[{"choice": choice, "count": count} for choice, count in lots],
            lot_key=key,
        )
        adding = sum(count for _, count in lots)
        if poll.state != "open" or not poll.by_ballot:
            expected = 409
        elif how == "bad":
            expected = 422
        elif how == "again":
            expected = 201  # found by its key: added once
        else:
            expected = 409 if adding > self.unused(poll) else 201
        assert answer.status_code == expected, answer.text
        if expected != 201:
            return
        assert answer.json()["added"] == adding
        assert self.journaled == (0 if how == "again" else 1)
        if how == "new":
            poll.paper += [(seen, count) for seen, (_, count) in zip(shown, lots, strict=True)]
            if key is not None:
                poll.lot_keys[key] = lots

    @precondition(lambda self: any(poll.typed for poll in self.models))
    @rule(data=st.data())
    def type_paper_ballots(self, data: st.DataObject) -> None:
        """The tellers type ranked or approval paper ballots one by one on their page, as the
        candidates' numbers ("3 1 2", or "blank"), and record them as one lot: identical
        ballots counted together, the lot added whole or refused whole; one mistyped line
        refuses it all (422)."""
        poll = data.draw(self.some_poll([poll for poll in self.models if poll.typed]))
        numbers = {option: place for place, option in enumerate(sorted(poll.options), start=1)}
        typed = data.draw(st.lists(poll.choices(), min_size=1, max_size=3))
        lines = []
        for choice, _ in typed:
            marked = choice.get("ranking") or choice.get("options") or []
            lines.append(" ".join(str(numbers[option]) for option in marked) or "blank")
        mistyped = data.draw(st.sampled_from([None, None, None, "1 1", "9", "one"]))
        tellers = self.hall.tellers()  # logged in first: a login is journaled
        before = journal_length(self.hall.sessions)
        answer = tellers.post(
            f"/secretary/meetings/{self.assembly.meeting_id}/polls/{poll.id}/paper/ballots",
            {
                "lot": ";".join([*lines, *([mistyped] if mistyped else [])]),
                "lot_key": self.new_key(),
            },
        )
        if mistyped:
            expected = 422
        elif poll.state != "open" or len(typed) > self.unused(poll):
            expected = 409
        else:
            expected = 303
        assert answer.status_code == expected, answer.text
        assert journal_length(self.hall.sessions) - before == (1 if expected == 303 else 0)
        if expected == 303:
            lots = Counter(line for line in lines)
            shown = {line: seen for line, (_, seen) in zip(lines, typed, strict=True)}
            poll.paper += [(shown[line], count) for line, count in lots.items()]

    @precondition(lambda self: any(not poll.by_ballot for poll in self.models))
    @rule(data=st.data())
    def enter_totals(self, data: st.DataObject) -> None:
        """The tellers enter the votes a show of hands counted for some options, once; the
        same totals again; or others, refused (and any in a poll taken by ballot)."""
        poll = data.draw(self.some_poll(self.models, by_ballot=False))
        again = bool(poll.totals) and data.draw(st.booleans())
        if again:
            votes = dict(poll.totals)
        else:
            # Near the votes present in all, on either side, or none at all.
            present = self.in_hall(poll)
            target = data.draw(st.sampled_from([0, 1, present, present + 1]))
            ids = data.draw(
                st.lists(st.sampled_from(sorted(poll.options)), min_size=1, unique=True)
            )
            votes = {}
            for option in ids[1:]:
                votes[option] = data.draw(st.integers(0, max(target - sum(votes.values()), 1)))
            votes[ids[0]] = max(target - sum(votes.values()), 0)
        answer = self.send("POST", f"/polls/{poll.id}/totals", totals=votes)
        entered = {option: n for option, n in votes.items() if n}
        total = sum(entered.values())
        if poll.state != "open" or poll.by_ballot:
            expected = 409
        elif not entered:
            expected = 422
        elif poll.totals:
            expected = 201 if entered == poll.totals else 409
        else:
            expected = 409 if total > self.in_hall(poll) else 201
        assert answer.status_code == expected, answer.text
        if expected != 201:
            return
        assert answer.json() == {"votes": total, "rights_present": self.in_hall(poll)}
        assert self.journaled == (0 if poll.totals else 1)
        poll.totals = entered

    def teardown(self) -> None:
        """Every poll still open is closed and counted, and every poll counted published."""
        for poll in self.models:
            for step in ("close", "publish"):
                if poll.state in ("open", "closed"):
                    self.take_step(poll, step)

    # What is checked.

    def check_ballot(
        self,
        poll: PollModel,
        answer: Response,
        statuses: set[int],
        right: int | None,
        key: str,
        shown: Shown,
        person: int,
    ) -> None:
        assert answer.status_code in statuses, answer.text
        if answer.status_code >= 300:
            return
        receipt = answer.json()["receipt"]
        if answer.status_code == 200:
            held = poll.holding(key)
            assert held is not None and receipt == held.receipt  # a resend: the same receipt
            assert self.journaled == 0
            return
        assert right is not None
        assert receipt not in self.receipts(poll), "a new ballot got a receipt already given"
        assert self.journaled == 1
        replaced = poll.held.get(right)
        first = person if replaced is None else replaced.first_cast_by
        poll.held[right] = Held(key, receipt, shown, person, self.weight(right), first)

    @invariant()
    def ballots_received(self) -> None:
        """Every open poll has received one ballot for each right used, no more, and the
        paper ballots and counted votes entered."""
        for poll in self.models:
            if poll.state == "open":
                count = self.send("GET", f"/polls/{poll.id}/count").json()
                assert count["electronic"] == len(poll.held), poll
                assert count["paper"] == sum(n for _, n in poll.paper), poll
                assert count["counted"] == sum(poll.totals.values()), poll

    def check_count(self, poll: PollModel) -> None:
        """The closed poll counted exactly the ballot each right last cast, each by its
        weight, the paper lots and the tellers' totals: on the board, in the result's
        figures and what they elect or decide, and in the roll-call."""
        published = self.send("GET", f"/polls/{poll.id}/ballots").json()
        assert published["shows_choices"] is poll.shows_choices
        board = published["ballots"]
        # Each ballot once, by its receipt, in their order; nothing of who cast it.
        receipts = [b["receipt"] for b in board]
        assert receipts == sorted(set(receipts)), receipts
        assert all(set(b) <= BOARD_FIELDS for b in board), board

        def seen(shown: Shown) -> Shown | str:
            return shown_as(shown) if poll.shows_choices else None

        electronic = {
            b["receipt"]: (b["choice"], b["weight"]) for b in board if b["source"] == "electronic"
        }
        # A secret poll withholds a weight fewer than five ballots carry: here, every weight.
        assert electronic == {
            held.receipt: (seen(held.shown), held.weight if poll.named else None)
            for held in poll.held.values()
        }
        entered = Counter(
            (b["source"], canonical(b["choice"]), b["weight"])
            for b in board
            if b["source"] != "electronic"
        )
        assert entered == Counter(
            [("paper", canonical(seen(shown)), n) for shown, n in poll.paper]
            + [("counted", canonical(seen(poll.options[i])), n) for i, n in poll.totals.items()]
        )
        recount_file = self.send("GET", f"/polls/{poll.id}/ballots.json")
        assert recount_file.status_code == (200 if poll.shows_choices else 403), recount_file.text
        if not poll.named:
            self.check_unlinked(poll)
        counted = self.send("GET", f"/polls/{poll.id}/result").json()["result"]
        by_source = {
            "electronic": sum(held.weight for held in poll.held.values()),
            "paper": sum(n for _, n in poll.paper),
        }
        if poll.totals:
            by_source["counted"] = sum(poll.totals.values())
        assert counted["ballots_by_source"] == by_source
        assert counted["blank"] == sum(weight for shown, weight in poll.counted() if shown is None)
        assert first_round(counted, poll) == poll.tallies()
        assert elected_rightly(counted, poll), (counted["elected"], poll.tallies())
        if poll.method == "scottish-stv":
            self.check_stv(poll, counted)
        if poll.method == "majority":
            self.check_decision(poll, counted)
        if poll.named:
            names = {
                p["person_id"]: p["full_name"]
                for p in self.send(
                    "GET", f"/meetings/{self.assembly.meeting_id}/participants"
                ).json()
            }
            roll = self.send("GET", f"/polls/{poll.id}/roll-call").json()
            assert Counter(
                (v["voter"], canonical(v["choice"]), v["weight"]) for v in roll
            ) == Counter(
                (names[right], canonical(shown_as(held.shown)), held.weight)
                for right, held in poll.held.items()
            )
        hidden = self.send("GET", f"/polls/{poll.id}/result", self.members[0])
        assert hidden.status_code == 403, hidden.text
        if not poll.named:
            roll = self.send("GET", f"/polls/{poll.id}/roll-call")
            assert roll.status_code == 403, roll.text

    def check_unlinked(self, poll: PollModel) -> None:
        """Once a secret poll is counted nothing links a ballot to its voter: its ballots name
        nobody, the rights' rows keep neither the sealed ballot nor the client key's digest,
        and the journal holds none of its receipts."""
        with self.hall.sessions() as session:
            named = session.execute(
                select(Ballot.voter_person_id, Ballot.cast_by_person_id).where(
                    Ballot.poll_id == poll.id
                )
            ).all()
            kept = session.execute(
                select(Participation.sealed, Participation.key_digest).where(
                    Participation.poll_id == poll.id
                )
            ).all()
            journal = json.dumps(session.scalars(select(JournalEntry.payload)).all())
        assert all(row == (None, None) for row in named), named
        assert len(kept) == len(poll.held) and all(row == (None, None) for row in kept)
        assert not [receipt for receipt in self.receipts(poll) if receipt in journal]

    def check_stv(self, poll: PollModel, counted: dict[str, Any]) -> None:
        """Scottish STV's quota and whom it elects, round after round, are what the model's
        own count makes of the same ballots (one of them, where lots decide)."""
        made = poll.scottish_stv()
        if made is None:
            return
        quota, outcomes = made
        assert Decimal(counted["details"]["quota"]) == quota, counted["details"]
        assert frozenset(counted["elected"]) in outcomes, (counted["rounds"], poll.counted())

    def check_decision(self, poll: PollModel, counted: dict[str, Any]) -> None:
        """A decision's quorum counts the rights present by weight: those used electronically
        and the rest in the hall (or as many as the paper ballots and counted votes, where
        more); met, the votes decide by the poll's rule, which needs of the votes cast, of the
        rights present or of every member's right in office the yes votes it names."""
        quorum = counted["details"]["quorum"]
        entered = sum(n for _, n in poll.paper) + sum(poll.totals.values())
        used = sum(held.weight for held in poll.held.values())
        present = used + max(self.in_hall(poll), entered)
        members = IN_OFFICE + sum(weight - 1 for weight in self.weights.values())
        assert quorum["present"] == present
        assert counted["options"]["members_total"] == members
        assert quorum["met"] == (quorum["present"] >= quorum["required"])
        if quorum["met"]:
            figures = poll.tallies()
            needed = RULES[poll.rule].needed(
                figures["yes"], figures["no"], figures["abstain"], present, members
            )
            assert counted["details"]["required"] == needed, (poll.rule, figures)
            assert counted["decision"] == poll.decision(present, members), (poll.rule, figures)

    def check_published(self, poll: PollModel) -> None:
        """Once published, a voter reads the result the secretary read at the close, and the
        meeting's roll-calls: a named poll's voters, one row each, and no secret poll's."""
        seen = self.send("GET", f"/polls/{poll.id}/result", self.members[0])
        assert seen.status_code == 200, seen.text
        assert first_round(seen.json()["result"], poll) == poll.tallies()
        path = f"/meetings/{self.assembly.meeting_id}/roll-calls.csv"
        table = self.send("GET", path, self.members[0])
        assert table.status_code == 200, table.text
        title = self.models.index(poll) + 1  # its title: "Poll 1", "Poll 2", …
        rows = [
            row for row in csv.DictReader(io.StringIO(table.text)) if row["Poll"] == f"Poll {title}"
        ]
        assert len(rows) == (len(poll.held) if poll.named else 0), rows


def shown_as(shown: Shown) -> Shown | str:
    """A choice as the board shows it: a blank ballot as ``BLANK``."""
    return BLANK if shown is None else shown


def canonical(choice: Any) -> str:
    """A choice as the same text whatever order a database keeps its scores in."""
    return json.dumps(choice, sort_keys=True)


def test_a_meeting_in_any_order_keeps_every_ballot(
    assembly: Assembly, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions() as session:
        term = general_council_term(session)
        term_id, body_id = term.id, term.body_id
    lowered = assembly.client.patch(
        f"/api/bodies/{body_id}", json={"quorum": QUORUM}, headers=assembly.secretary
    )
    assert lowered.status_code == 200, lowered.text

    class OnThisDatabase(VotingMachine):
        hall = Hall(assembly, sessions, term_id)

    run_machine(OnThisDatabase, "the voting machine", database_url, runs=RUNS, steps=STEPS)


def _decision_voted_in(
    assembly: Assembly, secrecy: str = "secret"
) -> tuple[int, dict[str, Any], str, Response]:
    """A decision, open, with one member's ballot cast: the poll, the choice, its client key
    and the answer."""
    voters = assembly.members[:2]
    assembly.check_in(voters)
    poll = assembly.create_poll(
        title="Adopt the budget", kind="decision", method="majority", secrecy=secrecy
    )
    assembly.open(poll["id"])
    choice, key = {"option": poll["options"][0]["id"]}, client_key()
    cast = assembly.vote(poll["id"], voters[0], choice, key=key)
    assert cast.status_code == 201, cast.text
    return poll["id"], choice, key, cast


def test_a_ballot_resent_just_after_the_close_gets_its_receipt(
    assembly: Assembly, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The resend comes while the intake trusts the open poll's facts, as a phone's retry does.
    monkeypatch.setattr(intake, "FACTS_LIFETIME", 3600.0)
    poll, choice, key, cast = _decision_voted_in(assembly)
    assembly.close(poll)
    resent = assembly.vote(poll, assembly.members[0], choice, key=key)
    assert resent.status_code == 200, resent.text
    assert resent.json()["receipt"] == cast.json()["receipt"]


def test_another_voter_is_not_told_a_ballots_receipt(assembly: Assembly) -> None:
    poll, choice, key, cast = _decision_voted_in(assembly)
    another = assembly.vote(poll, assembly.members[1], choice, key=key)
    assert another.status_code == 409, another.text
    assert cast.json()["receipt"] not in another.text
    assert "another voter's" in another.json()["detail"]
    # The voter's own right is still theirs to use, with a key of their own.
    assert assembly.vote(poll, assembly.members[1], choice).status_code == 201


@pytest.mark.parametrize("in_the_intakes_moment", [False, True])
def test_a_named_polls_keys_still_name_their_voters_after_the_count(
    assembly: Assembly, monkeypatch: pytest.MonkeyPatch, in_the_intakes_moment: bool
) -> None:
    """Whether the intake still takes the poll for open or has read it closed, the answer
    is the same: the receipt again to the voter, a refusal to anyone else."""
    monkeypatch.setattr(intake, "FACTS_LIFETIME", 3600.0 if in_the_intakes_moment else 0.0)
    poll, choice, key, cast = _decision_voted_in(assembly, secrecy="named")
    assembly.close(poll)
    another = assembly.vote(poll, assembly.members[1], choice, key=key)
    assert another.status_code == 409, another.text
    assert cast.json()["receipt"] not in another.text
    resent = assembly.vote(poll, assembly.members[0], choice, key=key)
    assert resent.status_code == 200, resent.text
    assert resent.json()["receipt"] == cast.json()["receipt"]


def test_an_approval_of_no_one_is_refused_and_its_poll_stays_countable(
    assembly: Assembly,
) -> None:
    """An approval marking no one was once taken as a ballot, and the count then refused the
    whole poll: it marks no candidate, yet it is not blank. It is refused, as an empty ranking
    is; a blank ballot says the same and the poll counts."""
    voter = assembly.members[0]
    assembly.check_in([voter])
    poll = assembly.create_poll(
        title="The auditors", kind="choice", method="approval", options=["Ash", "Birch"]
    )
    assembly.open(poll["id"])
    empty = assembly.vote(poll["id"], voter, {"options": []})
    assert empty.status_code == 422, empty.text
    assert "cast a blank ballot with {'blank': true}" in empty.json()["detail"]
    assert assembly.vote(poll["id"], voter, {"blank": True}).status_code == 201
    closed = assembly.client.post(f"/api/polls/{poll['id']}/close", headers=assembly.secretary)
    assert closed.status_code == 200, closed.text
    counted = assembly.client.get(f"/api/polls/{poll['id']}/result", headers=assembly.secretary)
    assert counted.json()["result"]["blank"] == 1


def _named_revote_by_proxy(
    assembly: Assembly, member: int, holder: int
) -> tuple[dict[str, Any], int, int]:
    """``member``'s proxy given to ``holder``, and a named decision open in which the last
    ballot counts: the poll, and its yes and no."""
    proxy = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/proxies",
        json={"grantor_person_id": member, "holder_person_id": holder},
        headers=assembly.secretary,
    )
    assert proxy.status_code == 201, proxy.text
    poll = assembly.create_poll(
        title="Adopt the budget", kind="decision", secrecy="named", revote="last_counts"
    )
    assembly.open(poll["id"])
    yes, no = (int(option["id"]) for option in poll["options"][:2])
    return poll, yes, no


def test_a_proxy_holder_cannot_replace_a_ballot_cast_in_person(assembly: Assembly) -> None:
    """ "A voter may replace their ballot" (docs/api.md): the member's own, cast in person, is
    theirs; their proxy holder may use the right only where it is unused."""
    member, holder = assembly.members[:2]
    assembly.check_in([member, holder])
    poll, yes, no = _named_revote_by_proxy(assembly, member, holder)
    assert assembly.vote(poll["id"], member, {"option": yes}).status_code == 201
    left = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/attendance",
        json={"person_ids": [member], "day": str(assembly.day), "present": False},
        headers=assembly.secretary,
    )
    assert left.status_code == 200, left.text
    replaced = assembly.vote(poll["id"], holder, {"option": no}, right_person_id=member)
    assert replaced.status_code == 409, replaced.text
    assembly.close(poll["id"])
    roll = assembly.client.get(f"/api/polls/{poll['id']}/roll-call", headers=assembly.secretary)
    assert [vote["choice"] for vote in roll.json()] == ["yes"]


def test_a_lot_key_sent_with_other_lots_is_refused(assembly: Assembly) -> None:
    """The same lot key means the same lots sent again; other lots under it are either added
    or refused, never answered as added while dropped."""
    assembly.check_in(assembly.members[:3])
    poll = assembly.create_poll(title="Adopt the budget", kind="decision")
    assembly.open(poll["id"])
    yes, no = (option["id"] for option in poll["options"][:2])
    paper = f"/api/polls/{poll['id']}/paper"
    key = client_key()
    first = {"lots": [{"choice": {"option": yes}, "count": 1}], "lot_key": key}
    assert assembly.client.post(paper, json=first, headers=assembly.secretary).status_code == 201
    other = {"lots": [{"choice": {"option": no}, "count": 2}], "lot_key": key}
    again = assembly.client.post(paper, json=other, headers=assembly.secretary)
    count = assembly.client.get(f"/api/polls/{poll['id']}/count", headers=assembly.secretary)
    assert again.status_code == 409 or count.json()["paper"] == 3, (again.text, count.text)


def test_a_closed_meeting_opens_no_poll(assembly: Assembly) -> None:
    """A meeting closes with no poll open (docs/api.md, "Proceedings"); once closed, its
    record is what it is: no poll opens in it, and its report is not published over one."""
    assembly.check_in(assembly.members[:2])
    assembly.amend(notice="The Bureau convenes the Council.")
    poll = assembly.create_poll(title="Adopt the budget", kind="decision")
    assembly.move_on("convened", "in_session", "closed")
    opened = assembly.client.post(
        f"/api/polls/{poll['id']}/open", json={"day": str(assembly.day)}, headers=assembly.secretary
    )
    assert opened.status_code == 409, opened.text
    assert "meeting" in opened.json()["detail"] and "closed" in opened.json()["detail"]
    created = assembly.client.post(
        f"/api/meetings/{assembly.meeting_id}/polls",
        json={"title": "Another vote", "kind": "decision"},
        headers=assembly.secretary,
    )
    assert created.status_code == 409, created.text


def test_a_replacing_ballot_resent_by_its_voter_gets_its_receipt(assembly: Assembly) -> None:
    """A phone on bad Wi-Fi sends a ballot twice: the second gets the first's receipt (200),
    whoever cast the ballot it replaced."""
    member, holder = assembly.members[:2]
    assembly.check_in([holder])
    poll, yes, no = _named_revote_by_proxy(assembly, member, holder)
    by_proxy = assembly.vote(poll["id"], holder, {"option": yes}, right_person_id=member)
    assert by_proxy.status_code == 201, by_proxy.text
    assembly.check_in([member])
    key = client_key()
    own = assembly.vote(poll["id"], member, {"option": no}, key=key)
    assert own.status_code == 201 and own.json()["replaced"], own.text
    resent = assembly.vote(poll["id"], member, {"option": no}, key=key)
    assert resent.status_code == 200, resent.text
    assert resent.json()["receipt"] == own.json()["receipt"]


def test_re_votes_racing_a_close_are_counted_or_refused_whole(assembly: Assembly) -> None:
    """Voters replace their secret ballots while the chair closes the poll: each re-vote is
    either counted (201, its receipt on the board in place of the one it replaced) or refused
    as too late (409, the earlier ballot counted), never both, never neither, and the count
    says what the board says."""
    voters = assembly.members[:6]
    assembly.check_in(voters)
    poll = assembly.create_poll(title="Adopt the budget", kind="decision", revote="last_counts")
    assembly.open(poll["id"])
    yes, no = (option["id"] for option in poll["options"][:2])
    first = {voter: client_key() for voter in voters}
    earlier = {}
    for voter in voters:
        cast = assembly.vote(poll["id"], voter, {"option": yes}, key=first[voter])
        assert cast.status_code == 201, cast.text
        earlier[voter] = cast.json()["receipt"]
    start = threading.Barrier(len(voters) + 1)
    answers: dict[int | None, Response] = {}

    def revote(voter: int) -> None:
        start.wait()
        answers[voter] = assembly.vote(
            poll["id"], voter, {"option": no}, replaces_client_key=first[voter]
        )

    def close() -> None:
        start.wait()
        answers[None] = assembly.client.post(
            f"/api/polls/{poll['id']}/close", headers=assembly.secretary
        )

    racing = [threading.Thread(target=revote, args=(voter,)) for voter in voters]
    racing.append(threading.Thread(target=close))
    for thread in racing:
        thread.start()
    for thread in racing:
        thread.join()
    assert answers[None].status_code == 200, answers[None].text
    counted: dict[str, str] = {}
    for voter in voters:
        answer = answers[voter]
        assert answer.status_code in (201, 409), answer.text
        if answer.status_code == 201:
            counted[answer.json()["receipt"]] = "no"
        else:
            counted[earlier[voter]] = "yes"
    board = assembly.client.get(f"/api/polls/{poll['id']}/ballots", headers=assembly.secretary)
    assert {b["receipt"]: b["choice"] for b in board.json()["ballots"]} == counted
    tallies = assembly.result(poll["id"])["result"]["rounds"][0]["tallies"]
    assert tallies == {"yes": 0, "no": 0, "abstain": 0} | Counter(counted.values())
