"""A meeting driven through the API in random orders, step by step, against a model of what it
should hold: no answer is a 5xx, a refusal changes nothing, and each poll counts, once, the
ballot each voting right last cast.

The fuzzers (``test_fuzz.py``, ``test_page_fuzz.py``) send one request at a time, so they
seldom reach what takes several steps in order: a poll open with ballots in it, a re-vote, a
proxy holder voting before the member arrives, a poll counted and published. Here hypothesis's
``RuleBasedStateMachine`` takes a fresh meeting of the demo's General Council through polls
created, opened, voted in (well, badly, twice, again and in another's name), closed, published
and cancelled, with members checked in and out, proxies given and alternates standing in. The
model is what the documentation promises (docs/api.md, "Polls and elections"), written out
small; after every request it checks the answer's status, the journal's growth and every
poll's count of ballots, and on each close the bulletin board, the result and the roll-call.

``VECHE_FUZZ_EXAMPLES`` raises the number of meetings taken through it, to look harder.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx2 import Response
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, client_key
from tests.helpers import general_council_term
from tests.web.fuzzing import drawn_repeatably, examples
from tests.web.sitting import journal_length
from veche.actions import intake

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: Meetings taken through the machine on each database, each of ``STEPS`` steps.
EXAMPLES = {"sqlite": examples(20), "postgresql": max(1, examples(20) // 3)}
STEPS = 30
#: The members who vote (the first of the term's), and the alternate who may stand in.
MEMBERS = 4
MOST_POLLS = 4
#: An id no poll has, within what the API takes.
NO_POLL = 2_147_483_647

#: A ballot's choice as the bulletin board shows it: a decision's label, a ranking's labels,
#: or None for a blank ballot (shown as ``BLANK``).
Shown = str | list[str] | None
BLANK = "blank"


@dataclass
class Held:
    """A ballot a poll holds for one voting right: its client key, receipt and choice."""

    key: str
    receipt: str
    shown: Shown
    cast_by: int


@dataclass
class PollModel:
    """A poll as the model knows it."""

    id: int
    ranked: bool  # counted by Borda from rankings; else a yes / no / abstain decision
    named: bool
    revote: bool
    options: dict[int, str]  # id → label
    state: str = "draft"
    was_open: bool = False
    held: dict[int, Held] = field(default_factory=dict)  # by the right's person

    def holding(self, key: str) -> Held | None:
        return next((held for held in self.held.values() if held.key == key), None)

    def choices(self) -> st.SearchStrategy[tuple[dict[str, Any], Shown]]:
        """A valid choice, and how the board shows it."""
        blank: st.SearchStrategy[tuple[dict[str, Any], Shown]] = st.just(({"blank": True}, None))
        ids = sorted(self.options)
        if not self.ranked:
            single = st.sampled_from(ids).map(lambda i: ({"option": i}, self.options[i]))
            return st.one_of(single, blank)
        ranking = st.permutations(ids).flatmap(
            lambda order: st.integers(1, len(order)).map(lambda n: list(order[:n]))
        )
        ranked = ranking.map(lambda r: ({"ranking": r}, [self.options[i] for i in r]))
        return st.one_of(ranked, blank)

    def tallies(self) -> dict[str, int]:
        """The first round's figures: votes for each option, or Borda's points (a ranked
        option scores the options ranked below it on a full ballot: n − 1 for the first)."""
        figures = dict.fromkeys(self.options.values(), 0)
        for held in self.held.values():
            if isinstance(held.shown, str):
                figures[held.shown] += 1
            elif held.shown is not None:
                for place, label in enumerate(held.shown):
                    figures[label] += len(self.options) - 1 - place
        return figures


#: The poll's state a step leads to from each state it may be taken in (docs/api.md: "draft →
#: open → closed → published, or cancelled from draft or open"); a step asked again where it
#: has been taken already changes nothing (close and publish are idempotent).
STEPS_TAKEN = {
    "open": {"draft": "open"},
    "close": {"open": "closed", "closed": "closed", "published": "published"},
    "publish": {"closed": "published", "published": "published"},
    "cancel": {"draft": "cancelled", "open": "cancelled"},
}


def not_open(poll: PollModel, sent_before: bool, *, valid: bool) -> set[int]:
    """What a ballot to a poll that is not open gets: 200 with its receipt if it is a ballot
    the poll holds, sent again (known by its receipt: a close and a cancel forget the
    ballots' keys), else 409.

    The ballot's first check trusts an open poll's facts for two seconds
    (``veche.actions.intake``), so a poll open a moment ago may be taken for open and the
    choice checked first: 422 for a bad one."""
    counted = poll.state in ("closed", "published")
    # Found by its receipt among the stored ballots: a named poll's stay when it is cancelled.
    stored = sent_before and (counted or (poll.named and poll.state == "cancelled"))
    statuses = {200 if stored else 409}
    if poll.was_open and not valid:
        statuses.add(422)
    return statuses


def first_round(counted: dict[str, Any], poll: PollModel) -> dict[str, int]:
    """A result's figures in its first round; nothing for any option when it has no round
    (no ballot was counted)."""
    rounds = counted["rounds"]
    if not rounds:
        return dict.fromkeys(poll.options.values(), 0)
    return dict(rounds[0]["tallies"])


@dataclass
class Hall:
    """What every meeting the machine holds shares: the application, the secretary, the
    voters' tokens and the database's journal."""

    assembly: Assembly
    sessions: sessionmaker[Session]
    term_id: int

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
        self.models: list[PollModel] = []
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
        by_another = current is not None and current.cast_by != person
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
            return {201}, right
        if not poll.revote:
            return {409}, None
        if poll.named:
            return {201}, right
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
        data=st.data(),
    )
    def sit_and_open(
        self, away: set[int], alternate_present: bool, data: st.DataObject
    ) -> PollModel:
        """Start where voting starts: most members checked in, a poll open, and some of them
        voting in it."""
        present = [m for m in range(MEMBERS) if m not in away] + [MEMBERS] * alternate_present
        for voter in present:
            self.check_in_or_out(voter, present=True)
        poll = self.new_poll(
            ranked=data.draw(st.booleans()),
            named=data.draw(st.booleans()),
            revote=data.draw(st.booleans()),
            opened=True,
        )
        for _ in range(data.draw(st.integers(0, 2))):
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
        refused = not present and person not in self.present
        assert answer.status_code == (409 if refused else 200), answer.text
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
        elif (
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
        free = absent not in self.present and not self.substitutes
        assert answer.status_code == (201 if free else 409), answer.text
        if free:
            self.substitutes[absent] = self.alternate

    # Rules: the polls' steps.

    @precondition(lambda self: len(self.models) < MOST_POLLS)
    @rule(
        target=polls,
        ranked=st.booleans(),
        named=st.booleans(),
        revote=st.booleans(),
        opened=st.booleans(),
    )
    def create_poll(self, ranked: bool, named: bool, revote: bool, opened: bool) -> PollModel:
        """A decision or a ranked choice, named or secret, with re-voting or without; opened
        at once, or left in draft."""
        return self.new_poll(ranked, named, revote, opened)

    def new_poll(self, ranked: bool, named: bool, revote: bool, opened: bool) -> PollModel:
        spec: dict[str, Any] = (
            {"kind": "choice", "method": "borda", "options": ["Ash", "Birch", "Cedar"]}
            if ranked
            else {"kind": "decision", "method": "majority"}
        )
        answer = self.send(
            "POST",
            f"/meetings/{self.assembly.meeting_id}/polls",
            title=f"Poll {len(self.models) + 1}",
            secrecy="named" if named else "secret",
            revote="last_counts" if revote else "none",
            **spec,
        )
        assert answer.status_code == 201, answer.text
        made = answer.json()
        options = {option["id"]: option["label"] for option in made["options"]}
        poll = PollModel(made["id"], ranked, named, revote, options)
        self.models.append(poll)
        if opened:
            self.take_step(poll, "open")
        return poll

    @rule(poll=polls, step=st.sampled_from(sorted(STEPS_TAKEN)))
    def take_step(self, poll: PollModel, step: str) -> None:
        path = f"/polls/{poll.id}/{step}"
        if step == "open":
            answer = self.send("POST", path, day=str(self.assembly.day))
        else:
            answer = self.send("POST", path)
        after = STEPS_TAKEN[step].get(poll.state)
        if after is None:
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

    def some_poll(self, polls: list[PollModel]) -> st.SearchStrategy[PollModel]:
        """One of ``polls``: an open one more often than not."""
        open_polls = [poll for poll in polls if poll.state == "open"]
        return st.sampled_from([*open_polls, *open_polls, *polls])

    def some_voter(self) -> st.SearchStrategy[int]:
        """A voter: one who holds a voting right more often than not."""
        holding = [person for person in self.voters if self.rights(person)]
        return st.sampled_from([*holding, *holding, *self.voters])

    @precondition(lambda self: bool(self.models))
    @rule(data=st.data())
    def vote(self, data: st.DataObject) -> None:
        """A valid ballot from a voter, for their own right or another they may hold, or
        for a right they do not hold; a second one replacing the first, or not."""
        poll = data.draw(self.some_poll(self.models))
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
        voter's, a malformed key) or not at all."""
        poll = data.draw(self.some_poll([poll for poll in self.models if poll.held]))
        right = data.draw(st.sampled_from(sorted(poll.held)))
        earlier = poll.held[right]
        others = [h.key for r, h in poll.held.items() if r != right]
        person = data.draw(st.sampled_from([earlier.cast_by, earlier.cast_by, *self.voters]))
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

    @rule(poll=polls, voter=st.integers(0, MEMBERS), data=st.data())
    def vote_badly(self, poll: PollModel, voter: int, data: st.DataObject) -> None:
        """A ballot no poll takes: a choice of the wrong shape or naming an option of another
        poll, a client key too short or too long, a poll that does not exist."""
        person = self.voters[voter]
        first = min(poll.options)
        elsewhere = [i for other in self.models for i in other.options if i not in poll.options]
        wrong: list[dict[str, Any]]
        if poll.ranked:
            wrong = [{"option": first}, {"ranking": []}, {"ranking": [first, first]}]
            wrong += [{"ranking": [first, i]} for i in elsewhere[:1]]
        else:
            wrong = [{"ranking": [first]}, {"option": True}, {"option": 0}]
            wrong += [{"option": i} for i in elsewhere[:1]]
        choice = data.draw(st.sampled_from([*wrong, {"blank": False}, {}]))
        key = data.draw(st.sampled_from([self.new_key(), "short", "k" * 129]))
        target = data.draw(st.sampled_from([poll.id, NO_POLL]))
        answer = self.cast(target, person, choice, key)
        if not 16 <= len(key) <= 128:
            expected = {422}
        elif target == NO_POLL:
            expected = {404}
        elif poll.state != "open":
            expected = not_open(poll, False, valid=False)
        else:
            expected = {422}
        assert answer.status_code in expected, answer.text

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
        poll.held[right] = Held(key, receipt, shown, person)

    @invariant()
    def ballots_received(self) -> None:
        """Every open poll has received one ballot for each right used, no more."""
        for poll in self.models:
            if poll.state == "open":
                count = self.send("GET", f"/polls/{poll.id}/count")
                assert count.json()["electronic"] == len(poll.held), poll

    def check_count(self, poll: PollModel) -> None:
        """The closed poll counted exactly the ballot each right last cast."""
        board = self.send("GET", f"/polls/{poll.id}/ballots").json()
        shown = {ballot["receipt"]: ballot["choice"] for ballot in board["ballots"]}
        assert shown == {held.receipt: held.shown or BLANK for held in poll.held.values()}
        counted = self.send("GET", f"/polls/{poll.id}/result").json()["result"]
        assert counted["ballots_by_source"]["electronic"] == len(poll.held)
        assert counted["blank"] == sum(held.shown is None for held in poll.held.values())
        assert first_round(counted, poll) == poll.tallies()
        if poll.named:
            names = {
                p["person_id"]: p["full_name"]
                for p in self.send(
                    "GET", f"/meetings/{self.assembly.meeting_id}/participants"
                ).json()
            }
            roll = self.send("GET", f"/polls/{poll.id}/roll-call").json()
            assert Counter((v["voter"], str(v["choice"])) for v in roll) == Counter(
                (names[right], str(held.shown or BLANK)) for right, held in poll.held.items()
            )
        hidden = self.send("GET", f"/polls/{poll.id}/result", self.members[0])
        assert hidden.status_code == 403, hidden.text

    def check_published(self, poll: PollModel) -> None:
        """Once published, a voter reads the result the secretary read at the close."""
        seen = self.send("GET", f"/polls/{poll.id}/result", self.members[0])
        assert seen.status_code == 200, seen.text
        assert first_round(seen.json()["result"], poll) == poll.tallies()


def test_a_meeting_in_any_order_keeps_every_ballot(
    assembly: Assembly, sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions() as session:
        term_id = general_council_term(session).id

    class OnThisDatabase(VotingMachine):
        hall = Hall(assembly, sessions, term_id)

    backend = database_url.split(":")[0].split("+")[0]
    machine = drawn_repeatably(EXAMPLES[backend], "the voting machine")(OnThisDatabase)
    run_state_machine_as_test(
        machine, settings=settings(machine.TestCase.settings, stateful_step_count=STEPS)
    )


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
