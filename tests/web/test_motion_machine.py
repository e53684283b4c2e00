"""Motions and their amendments driven through the API in random orders, step by step, against
a model of the text each version should hold: no answer is a 5xx, a refusal changes nothing,
and every accepted or merged amendment changes the text exactly as the rule says.

The rule (docs/api.md, "Motions, amendments, panels and resolutions"): an amendment replaces a
paragraph (blocks between blank lines, from 1), the lines ``first_line``–``last_line``, or a
clause by the number the text gives it, of the current version, with ``new_text`` (empty
deletes); accepting or merging it (with an agreed ``merged_text``) makes a new version. One
written against a version no longer current still applies where the lines it changes stand,
unchanged, exactly once (``veche.actions._text.apply_change``); otherwise it is refused (409),
to be rejected and proposed again. A final draft freezes the text.

Here hypothesis's ``RuleBasedStateMachine`` takes drafts submitted at the prepared sitting
(tests/web/sitting.py) through amendments proposed well and badly, by members and through the
secretary, overlapping, decided when their version is no longer current, accepted, merged and
rejected, and the drafts made final or withdrawn. The model keeps each draft's versions and
its amendments; it applies a change its own way, line by line, and after every request checks
the answer's status, the journal's growth and every draft as ``GET /api/motions/{id}`` shows
it: its text, versions, state and each amendment with its diff.

Most lines the machine writes are its own (they carry a serial number); now and then one may
stand elsewhere too, and an amendment may name blank lines alone: on its own version it
changes the lines it names, whatever else the text reads (the tests at the end). The API has
no way to withdraw an amendment; the drafters reject it instead.

``VECHE_FUZZ_EXAMPLES`` raises the number of runs through it, to look harder.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from hypothesis import stateful
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api
from tests.web.fuzzing import NO_ROW, run_machine
from tests.web.sitting import OBSERVER, PreparedSitting, Sitting, journal_length

#: The sitting (tests/web/sitting.py) starts from the demo organization.
pytestmark = pytest.mark.demo

#: Runs through the machine on SQLite (a third as many on PostgreSQL), each of ``STEPS`` steps.
RUNS = 8
STEPS = 30
#: Members present at the sitting who propose amendments in their own name.
PROPOSERS = (1, 2, 3, 4)
#: Drafts open to amendment at once: few, so that amendments to one draft overlap.
MOST_MOTIONS = 2

#: A numbered clause's start, as the machine's texts write it: "2. ".
CLAUSE = re.compile(r"(\d+)\. ")
PHRASES = (
    "The Council approves the budget",
    "Spending stays within the income",
    "The Bureau reports in a year",
    "Dues rise with the minimum wage",
    "Branches elect their delegates",
    "The strike fund is kept apart",
)

Span = tuple[int, int]


# The model's own reading of a text: lines, paragraphs, clauses, and a change applied.


def lines_of(text: str) -> list[str]:
    return text.rstrip("\n").split("\n")


def tidy(lines: list[str]) -> str:
    """The text of ``lines`` as a version keeps it: no trailing spaces, no blank lines at
    either end, one final newline."""
    return "\n".join(line.rstrip() for line in lines).strip("\n") + "\n"


def paragraph_spans(text: str) -> list[Span]:
    """The lines (from 1) each paragraph spans: runs of lines that are not blank."""
    spans: list[Span] = []
    start: int | None = None
    lines = lines_of(text)
    for number, line in enumerate(lines, start=1):
        if line.strip() and start is None:
            start = number
        elif not line.strip() and start is not None:
            spans.append((start, number - 1))
            start = None
    if start is not None:
        spans.append((start, len(lines)))
    return spans


def clause_spans(text: str) -> dict[str, list[Span]]:
    """The lines each numbered clause spans, by its number: from its line to the next clause
    or the next blank line (the machine's texts number no sub-clauses)."""
    lines = lines_of(text)
    starts = {n: m[1] for n, line in enumerate(lines, start=1) if (m := CLAUSE.match(line))}
    spans: dict[str, list[Span]] = {}
    for first, number in starts.items():
        last = first
        while last < len(lines) and lines[last].strip() and last + 1 not in starts:
            last += 1
        spans.setdefault(number, []).append((first, last))
    return spans


def replaced(text: str, span: Span, wording: str) -> str:
    """``text`` with the lines of ``span`` replaced by ``wording``; empty wording deletes them,
    and a paragraph deleted whole takes one of the blank lines around it."""
    lines = lines_of(text)
    first, last = span
    new = wording.strip("\n")
    if new.strip():
        lines[first - 1 : last] = new.split("\n")
        return tidy(lines)
    del lines[first - 1 : last]
    after = first - 1
    if 0 < after < len(lines) and not lines[after - 1].strip() and not lines[after].strip():
        del lines[after]
    return tidy(lines)


def standing(text: str, original: str) -> list[Span]:
    """Where ``original`` stands in ``text`` as whole lines. A part that ends with a blank line
    stands at the end of the text too: its last line end is followed by nothing, as by an
    empty line."""
    lines, wanted = text.split("\n"), original.split("\n")
    size = len(wanted)
    return [
        (start + 1, start + size)
        for start in range(len(lines) - size + 1)
        if lines[start : start + size] == wanted
    ]


def same_wording(one: str, other: str) -> bool:
    return tidy(lines_of(one)) == tidy(lines_of(other))


def lines_named(span: Span) -> str:
    first, last = span
    return f"line {first}" if first == last else f"lines {first}–{last}"


@dataclass
class AmendmentModel:
    """An amendment as the model knows it."""

    id: int
    base_version: int
    span: Span  # in its base version
    original: str
    new_text: str  # as proposed, without blank lines at either end
    target: str
    state: str = "proposed"
    result_version: int | None = None


@dataclass
class MotionModel:
    """A draft as the model knows it: the text of each version, from 1."""

    id: int
    versions: list[str]
    state: str = "draft"
    amendments: list[AmendmentModel] = field(default_factory=list)

    @property
    def text(self) -> str:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return len(self.versions)

    def where(self, amendment: AmendmentModel) -> Span | None:
        """Where ``amendment`` applies to the current text: the part it names, on its own
        version; on an earlier one, where its lines stand unchanged, if they stand once."""
        if amendment.base_version == self.version:
            return amendment.span
        found = standing(self.text, amendment.original)
        return found[0] if len(found) == 1 else None

    def pending(self) -> list[AmendmentModel]:
        return [a for a in self.amendments if a.state == "proposed"]


@dataclass
class Hall:
    """What every run of the machine shares: the secretary's client at the sitting, its
    meeting and the database's journal."""

    api: Api
    sessions: sessionmaker[Session]
    sitting: Sitting


def seldom(data: st.DataObject, times: int) -> bool:
    """True about once in ``times`` draws (hypothesis draws the first of a few choices more
    often than the rest, so the common case comes first)."""
    return data.draw(st.sampled_from([False] * (times - 1) + [True]))


class MotionMachine(stateful.RuleBasedStateMachine):
    """Drafts at the sitting, their amendments and decisions, against the model."""

    hall: Hall

    def __init__(self) -> None:
        super().__init__()
        self.models: list[MotionModel] = []
        self.serial = 0  # lines written so far: each line of the machine's texts is its own
        self.journaled = 0  # entries the last request added to the journal

    # Sending, and what every answer must satisfy.

    def send(self, verb: str, path: str, /, person: int | None = None, **body: Any) -> Response:
        """A request as the secretary (or ``person``); no 5xx, and a refusal journals
        nothing."""
        api, sessions = self.hall.api, self.hall.sessions
        headers = api.secretary if person is None else api.person(person)
        before = journal_length(sessions)
        answer = api.client.request(verb, f"/api{path}", headers=headers, json=body or None)
        assert answer.status_code < 500, answer.text
        if answer.status_code >= 400:
            assert journal_length(sessions) == before, answer.text
        self.journaled = journal_length(sessions) - before
        return answer

    def expect(self, answer: Response, status: int) -> None:
        assert answer.status_code == status, answer.text
        if status < 300 and answer.request.method == "POST":
            assert self.journaled == 1, answer.text

    # Wording, drawn.

    def line(self, data: st.DataObject, clause: str | None = None) -> str:
        """A line numbered as ``clause`` or not, with a trailing space now and then (which
        the versions do not keep): mostly one no other in the machine's texts reads, now and
        then one that may stand elsewhere too."""
        self.serial += 1
        phrase = data.draw(st.sampled_from(PHRASES))
        spaces = data.draw(st.sampled_from(["", "", " "]))
        own = data.draw(st.sampled_from([self.serial, self.serial, 0]))
        return f"{f'{clause}. ' if clause else ''}{phrase} ({own}).{spaces}"

    def paragraph(self, data: st.DataObject, clause: str | None = None) -> str:
        size = data.draw(st.integers(1, 3))
        return "\n".join(self.line(data, clause if n == 0 else None) for n in range(size))

    def wording(self, data: st.DataObject, clause: str | None = None) -> str:
        """New wording: nothing (a deletion), a paragraph, or two (with a blank line between),
        the first numbered as ``clause``."""
        paragraphs = data.draw(st.sampled_from([1, 0, 2, 0]))
        blocks = [self.paragraph(data, clause if n == 0 else None) for n in range(paragraphs)]
        ends = data.draw(st.sampled_from(["", "", "\n", "\n\n"]))
        return "\n\n".join(blocks) + ends if blocks else data.draw(st.sampled_from(["", "\n"]))

    # Rules: drafts.

    @stateful.initialize(data=st.data())
    def first_draft(self, data: st.DataObject) -> None:
        self.new_draft(data)

    @stateful.precondition(lambda self: sum(m.state == "draft" for m in self.models) < MOST_MOTIONS)
    @stateful.rule(data=st.data())
    def submit(self, data: st.DataObject) -> None:
        self.new_draft(data)

    def new_draft(self, data: st.DataObject) -> None:
        """A draft of two to four paragraphs, its clauses numbered or not, with a preamble or
        not, on the item under discussion, another item or none."""
        numbered = data.draw(st.booleans())
        preamble = ["The Council, having heard the Bureau, resolves:"] * data.draw(st.booleans())
        count = data.draw(st.integers(2, 4))
        blocks = preamble + [
            self.paragraph(data, str(n) if numbered else None) for n in range(1, count + 1)
        ]
        text = "\n\n".join(blocks) + "\n"
        sitting = self.hall.sitting
        item = data.draw(st.sampled_from([sitting.item_id, sitting.item_ids[-1], None]))
        answer = self.send(
            "POST",
            f"/meetings/{sitting.meeting_id}/motions",
            title=f"Draft {len(self.models) + 1}",
            text=text,
            agenda_item_id=item,
            submitter_body_id=self.hall.api.bodies["Executive Bureau"],
        )
        self.expect(answer, 201)
        self.models.append(MotionModel(answer.json()["id"], [tidy(lines_of(text))]))

    @stateful.precondition(lambda self: any(len(m.amendments) >= 2 for m in self.models))
    @stateful.rule(data=st.data())
    def conclude(self, data: st.DataObject) -> None:
        """Submit the final draft (refused while an amendment waits), or withdraw it: most
        often a draft whose amendments are all decided."""
        ready = [m for m in self.models if m.state == "draft" and not m.pending()]
        motion = data.draw(st.sampled_from([*ready, *ready, *ready, *self.models]))
        if seldom(data, 4):
            answer = self.send("POST", f"/motions/{motion.id}/withdraw")
            allowed = motion.state in ("draft", "final")
            self.expect(answer, 200 if allowed else 409)
            after = "withdrawn"
        else:
            answer = self.send("POST", f"/motions/{motion.id}/final", panel_outcome="")
            # Amendments may leave a draft without a text; it is not put to the vote so.
            allowed = motion.state == "draft" and not motion.pending() and bool(motion.text.strip())
            self.expect(answer, 200 if allowed else 409)
            after = "final"
        if allowed:
            motion.state = after
            assert answer.json()["state"] == after
            assert answer.json()["text"] == motion.text

    # Rules: amendments proposed.

    def some_motion(self, data: st.DataObject) -> MotionModel:
        """A draft more often than not."""
        drafts = [m for m in self.models if m.state == "draft"]
        return data.draw(st.sampled_from([*drafts, *drafts, *self.models]))

    def proposer(self, data: st.DataObject) -> tuple[int | None, dict[str, Any]]:
        """A member in their own name, or the secretary naming them."""
        member = data.draw(st.sampled_from(PROPOSERS))
        if data.draw(st.booleans()):
            return member, {}
        return None, {"proposer_person_id": member}

    @stateful.rule(data=st.data())
    def amend(self, data: st.DataObject) -> None:
        """An amendment proposed, one in four of them badly."""
        if seldom(data, 4):
            self.propose_badly(data)
        else:
            self.propose(data)

    def propose(self, data: st.DataObject) -> None:
        """An amendment to a paragraph, a range of lines or a numbered clause of the current
        version, with new wording (or none, to delete it)."""
        motion = self.some_motion(data)
        text = motion.text
        lines = lines_of(text)
        paragraphs = paragraph_spans(text)
        clauses = {n: spans[0] for n, spans in clause_spans(text).items() if len(spans) == 1}
        ways = ["lines"] + ["paragraph"] * bool(paragraphs) + ["clause"] * bool(clauses)
        way = data.draw(st.sampled_from(ways))
        clause_number: str | None = None
        addressed: dict[str, Any]
        if way == "paragraph":
            number = data.draw(st.integers(1, len(paragraphs)))
            span, addressed = paragraphs[number - 1], {"paragraph": number}
            target = f"paragraph {number}"
        elif way == "clause":
            clause_number = data.draw(st.sampled_from(sorted(clauses)))
            span = clauses[clause_number]
            addressed = {"clause": data.draw(st.sampled_from([clause_number, f"{clause_number}."]))}
            target = lines_named(span)
        else:
            ranges = [
                (first, last)
                for first in range(1, len(lines) + 1)
                for last in range(first, min(first + 3, len(lines)) + 1)
            ]
            if not ranges:
                return
            span = data.draw(st.sampled_from(ranges))
            addressed = {"first_line": span[0]}
            if span[1] != span[0] or data.draw(st.booleans()):
                addressed["last_line"] = span[1]
            target = lines_named(span)
        original = "\n".join(lines[span[0] - 1 : span[1]])
        wording = self.wording(data, data.draw(st.sampled_from([clause_number, None])))
        if seldom(data, 10):
            wording = original + data.draw(st.sampled_from(["", " ", "\n"]))
        person, proposer = self.proposer(data)
        answer = self.send(
            "POST",
            f"/motions/{motion.id}/amendments",
            person,
            new_text=wording,
            reason="clearer",
            **addressed,
            **proposer,
        )
        if motion.state != "draft":
            self.expect(answer, 409)
            return
        if same_wording(wording, original):
            self.expect(answer, 422)
            return
        self.expect(answer, 201)
        made = answer.json()
        amendment = AmendmentModel(
            made["id"], motion.version, span, original, wording.strip("\n"), target
        )
        motion.amendments.append(amendment)
        self.check_amendment(motion, amendment, made)

    def propose_badly(self, data: st.DataObject) -> None:
        """An amendment no draft takes: a part the text does not have, two parts or none, the
        same wording again, an observer's, or to a draft that does not exist."""
        motion = self.some_motion(data)
        text = motion.text
        lines, paragraphs = lines_of(text), paragraph_spans(text)
        numbers = clause_spans(text)
        missing = next(str(n) for n in range(1, 99) if str(n) not in numbers)
        wording = self.wording(data) or "Something else."
        # (fields, whether the input is refused before the draft is read)
        bad: list[tuple[dict[str, Any], bool]] = [
            ({"paragraph": len(paragraphs) + data.draw(st.integers(1, 3))}, False),
            ({"first_line": len(lines) + 1}, False),
            ({"first_line": 1, "last_line": len(lines) + data.draw(st.integers(1, 3))}, False),
            ({"first_line": 2, "last_line": 1}, False),
            ({"paragraph": 1, "first_line": 1}, False),
            ({"clause": "1", "first_line": 1}, False),
            ({"clause": missing}, False),
            ({"clause": "the first"}, False),
            ({}, False),
            ({"paragraph": 0}, True),
            ({"first_line": -1}, True),
        ]
        if paragraphs:
            first, last = paragraphs[0]
            same = "\n".join(lines[first - 1 : last]) + " \n"
            bad.append(({"paragraph": 1, "new_text": same}, False))
        fields, malformed = data.draw(st.sampled_from(bad))
        body = {"new_text": wording, **fields}
        person, proposer = self.proposer(data)
        observer = seldom(data, 6)
        unknown = seldom(data, 6)
        if observer:
            person, proposer = OBSERVER, {}
        answer = self.send(
            "POST",
            f"/motions/{NO_ROW if unknown else motion.id}/amendments",
            person,
            **body,
            **proposer,
        )
        # The draft is read from the address before the body: a draft not there comes first.
        if unknown:
            expected = 404
        elif malformed:
            expected = 422
        elif observer:
            expected = 403
        else:
            expected = 409 if motion.state != "draft" else 422
        self.expect(answer, expected)

    # Rules: amendments decided.

    def some_amendment(self, data: st.DataObject) -> tuple[MotionModel, AmendmentModel] | None:
        """An amendment waiting more often than not, often one on a version no longer
        current."""
        every = [(m, a) for m in self.models for a in m.amendments]
        waiting = [(m, a) for m, a in every if a.state == "proposed"]
        behind = [(m, a) for m, a in waiting if a.base_version < m.version]
        if not every:
            return None
        return data.draw(st.sampled_from([*waiting, *waiting, *waiting, *behind, *behind, *every]))

    @stateful.precondition(lambda self: any(m.pending() for m in self.models))
    @stateful.rule(data=st.data())
    def decide(self, data: st.DataObject) -> None:
        """Decide one amendment to three, one after the other, one in four decisions badly."""
        for _ in range(data.draw(st.integers(1, 3))):
            if seldom(data, 4):
                self.decide_badly(data)
            else:
                self.decide_one(data)

    def decide_one(self, data: st.DataObject) -> None:
        """Accept an amendment, merge it in another wording, or reject it: on its own version,
        or on one that others have changed since."""
        drawn = self.some_amendment(data)
        assert drawn is not None
        motion, amendment = drawn
        decision = data.draw(st.sampled_from(["accepted", "accepted", "merged", "rejected"]))
        merged = self.wording(data) if decision == "merged" else None
        body: dict[str, Any] = {"decision": decision}
        if merged is not None:
            body["merged_text"] = merged
        answer = self.send("POST", f"/amendments/{amendment.id}/decision", **body)
        if amendment.state != "proposed" or motion.state != "draft":
            self.expect(answer, 409)
            return
        if decision == "rejected":
            self.expect(answer, 200)
            amendment.state = "rejected"
            self.check_amendment(motion, amendment, answer.json())
            return
        span = motion.where(amendment)
        if span is None:
            self.expect(answer, 409)
            return
        self.expect(answer, 200)
        wording = amendment.new_text if merged is None else merged
        before = motion.text
        motion.versions.append(replaced(before, span, wording))
        amendment.state = decision
        amendment.result_version = motion.version
        made = answer.json()
        assert made["state"] == decision
        assert made["result_version"] == motion.version
        assert made["merged_text"] == (None if merged is None else merged.strip("\n"))
        self.check_amendment(motion, amendment, made)
        alone = self.send("GET", f"/amendments/{amendment.id}", PROPOSERS[-1])
        self.check_amendment(motion, amendment, alone.json())
        shown = self.send("GET", f"/motions/{motion.id}").json()
        assert shown["text"] == motion.text, (before, span, wording)

    def decide_badly(self, data: st.DataObject) -> None:
        """A decision no amendment takes: "proposed", a merge without its wording, an
        acceptance with one, a decision that does not exist, a member's, or on an amendment
        that does not exist."""
        drawn = self.some_amendment(data)
        assert drawn is not None
        motion, amendment = drawn
        # (the body, and where it is refused: by its shape, before the amendment's state is
        # read, or after it)
        bad = [
            ({"decision": "adopted"}, "shape"),
            ({"decision": "proposed"}, "before"),
            ({"decision": "merged"}, "after"),
            ({"decision": "accepted", "merged_text": "Other words."}, "after"),
            ({"decision": "rejected", "merged_text": ""}, "after"),
        ]
        body, refused = data.draw(st.sampled_from(bad))
        person = PROPOSERS[0] if seldom(data, 4) else None
        unknown = seldom(data, 6)
        answer = self.send(
            "POST", f"/amendments/{NO_ROW if unknown else amendment.id}/decision", person, **body
        )
        if refused == "shape":
            expected = 422
        elif unknown:
            expected = 404
        elif person is not None:
            expected = 403
        elif refused == "before":
            expected = 422
        elif amendment.state != "proposed" or motion.state != "draft":
            expected = 409
        else:
            expected = 422
        self.expect(answer, expected)

    # What is checked.

    def check_amendment(
        self, motion: MotionModel, amendment: AmendmentModel, shown: dict[str, Any]
    ) -> None:
        """The amendment as the API shows it is the model's, its diff against the version
        it applies to: the current one while it waits and applies there, else its own."""
        assert shown["state"] == amendment.state
        assert shown["base_version"] == amendment.base_version
        assert shown["original_text"] == amendment.original
        assert shown["new_text"] == amendment.new_text
        assert shown["target"] == amendment.target
        assert shown["result_version"] == amendment.result_version
        diff = shown["diff"].splitlines()
        new = amendment.result_version
        if new is not None:
            old_text, new_text = motion.versions[new - 2], motion.versions[new - 1]
            assert diff[:2] == [f"--- version {new - 1}", f"+++ version {new}"], diff
        else:
            span = motion.where(amendment) if amendment.state == "proposed" else None
            base = motion.version if span is not None else amendment.base_version
            old_text = motion.versions[base - 1]
            new_text = replaced(old_text, span or amendment.span, amendment.new_text)
            assert diff[:2] == [f"--- version {base}", f"+++ amendment {shown['number']}"], diff
        old, new_lines = Counter(lines_of(old_text)), Counter(lines_of(new_text))
        removed = Counter(line[1:] for line in diff[2:] if line.startswith("-"))
        added = Counter(line[1:] for line in diff[2:] if line.startswith("+"))
        # The diff takes out what the change takes out, and puts in what it puts in (where a
        # line stands twice, it may take one out and put the same back elsewhere).
        assert removed - added == old - new_lines and added - removed == new_lines - old, diff

    @stateful.invariant()
    def drafts_read_as_the_model_says(self) -> None:
        """Every draft's state, text, versions and amendments are the model's."""
        listed = {
            row["id"]: row
            for row in self.send("GET", f"/meetings/{self.hall.sitting.meeting_id}/motions").json()
        }
        for motion in self.models:
            row = listed[motion.id]
            assert (row["state"], row["current_version"], row["amendments"]) == (
                motion.state,
                motion.version,
                len(motion.amendments),
            )
            shown = self.send("GET", f"/motions/{motion.id}").json()
            assert shown["state"] == motion.state
            assert shown["current_version"] == motion.version
            assert shown["text"] == motion.text
            assert [v["text"] for v in shown["versions"]] == motion.versions
            amendments = {a["id"]: a for a in shown["amendments"]}
            assert sorted(amendments) == sorted(a.id for a in motion.amendments)
            for amendment in motion.amendments:
                self.check_amendment(motion, amendment, amendments[amendment.id])


@pytest.fixture
def secretary(engine: Engine, sitting: PreparedSitting) -> Iterator[Api]:
    """The secretary's client at the sitting, on an application of the test's own."""
    with TestClient(create_app(engine)) as client:
        yield sitting.api(client)


def test_drafts_amended_in_any_order_read_as_the_model_says(
    secretary: Api, sessions: sessionmaker[Session], sitting: PreparedSitting, database_url: str
) -> None:
    class OnThisDatabase(MotionMachine):
        hall = Hall(secretary, sessions, sitting.sitting)

    run_machine(OnThisDatabase, "the motion machine", database_url, runs=RUNS, steps=STEPS)


def draft(api: Api, meeting_id: int, text: str) -> int:
    """A draft of ``text``, the Executive Bureau's, at the meeting: its id."""
    made: int = api.post(
        f"/meetings/{meeting_id}/motions",
        title="On the dues",
        text=text,
        submitter_body_id=api.bodies["Executive Bureau"],
    )["id"]
    return made


#: Its last line repeats its second.
REPEATING = (
    "The Council approves the budget.\n"
    "The Bureau reports in a year.\n"
    "\n"
    "The Council raises the dues.\n"
    "The Bureau reports in a year.\n"
)
KEEPING = "The Council keeps the dues."


def _amend_once(
    api: Api, meeting_id: int, text: str, **addressed: Any
) -> tuple[Response, Response | None, str]:
    """A draft of ``text``, an amendment to the part ``addressed`` proposed and, if that is
    taken, accepted: the two answers and the draft's text after them."""
    motion = draft(api, meeting_id, text)
    proposed = api.client.post(
        f"/api/motions/{motion}/amendments",
        json={"new_text": KEEPING, **addressed},
        headers=api.person(PROPOSERS[0]),
    )
    accepted = None
    if proposed.status_code == 201:
        accepted = api.client.post(
            f"/api/amendments/{proposed.json()['id']}/decision",
            json={"decision": "accepted"},
            headers=api.secretary,
        )
    return proposed, accepted, api.get(f"/motions/{motion}")["text"]


@pytest.mark.one_database  # what it shows is decided before anything is stored
@pytest.mark.parametrize(
    ("text", "line", "amended"),
    [
        (REPEATING, 5, REPEATING.removesuffix("The Bureau reports in a year.\n") + KEEPING + "\n"),
        (
            "The budget.\n\nThe Bureau reports.\n",
            2,
            f"The budget.\n{KEEPING}\nThe Bureau reports.\n",
        ),
    ],
    ids=["a line the text repeats", "a blank line"],
)
def test_an_amendment_replaces_the_lines_it_names_whatever_they_read(
    secretary: Api, sitting: PreparedSitting, text: str, line: int, amended: str
) -> None:
    proposed, accepted, after = _amend_once(secretary, sitting.meeting_id, text, first_line=line)
    assert proposed.status_code == 201, proposed.text
    assert accepted is not None
    assert accepted.status_code == 200, accepted.text
    assert after == amended


@pytest.mark.one_database  # what it shows is decided before anything is stored
def test_the_advice_given_for_an_amendment_out_of_date_can_be_followed(
    secretary: Api, sitting: PreparedSitting
) -> None:
    motion = draft(secretary, sitting.meeting_id, "The dues rise.\n\nThe Bureau reports.\n")
    first, second = (
        secretary.post(
            f"/motions/{motion}/amendments", new_text=wording, paragraph=1, proposer_person_id=by
        )["id"]
        for wording, by in (("The dues rise by 2 %.", 1), (KEEPING, 2))
    )
    secretary.post(f"/amendments/{first}/decision", 200, decision="accepted")
    decide = f"/api/amendments/{second}/decision"
    refused = secretary.client.post(
        decide, json={"decision": "accepted"}, headers=secretary.secretary
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["detail"].endswith(
        "no longer stands in the current version: reject it, and propose the change again to "
        "the current text"
    )
    # A merge would have to say where its wording goes, which no longer stands: refused too.
    merged = secretary.client.post(
        decide,
        json={"decision": "merged", "merged_text": "The dues stay at 2 %."},
        headers=secretary.secretary,
    )
    assert merged.status_code == 409, merged.text
    # What it advises can be done.
    secretary.post(f"/amendments/{second}/decision", 200, decision="rejected")
    again = secretary.post(
        f"/motions/{motion}/amendments", new_text=KEEPING, paragraph=1, proposer_person_id=2
    )
    secretary.post(f"/amendments/{again['id']}/decision", 200, decision="accepted")
    assert secretary.get(f"/motions/{motion}")["text"] == f"{KEEPING}\n\nThe Bureau reports.\n"


@pytest.mark.one_database  # what it shows is decided before anything is stored
def test_a_draft_amended_to_no_text_is_not_put_to_the_vote(
    secretary: Api, sitting: PreparedSitting
) -> None:
    proposed, accepted, after = _amend_once(
        secretary, sitting.meeting_id, "The dues rise.\n", paragraph=1, new_text=""
    )
    assert proposed.status_code == 201 and accepted is not None, proposed.text
    assert accepted.status_code == 200 and after == "\n", accepted.text
    motion = proposed.json()["motion_id"]
    final = secretary.client.post(
        f"/api/motions/{motion}/final", json={"panel_outcome": ""}, headers=secretary.secretary
    )
    assert final.status_code == 409, final.text
    assert "has no text left after its amendments" in final.json()["detail"]
    assert secretary.get(f"/motions/{motion}")["state"] == "draft"
