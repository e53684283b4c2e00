"""Helpers for the STV tests: Droop's reference reports read stage by stage, random elections."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from hypothesis import strategies as st

from tests.tally.conftest import elections_path
from veche.tally.formats.blt import read_blt
from veche.tally.numbers import Number
from veche.tally.profile import Profile
from veche.tally.result import Result, Round

#: Droop's reference counts: each election's BLT file beside its reports, one per rule.
REFERENCE = elections_path() / "reference_counts"

_CANDIDATE = re.compile(r"^\t(Elected|Hopeful|Pending|Defeated|Withdrawn):\s+(.*) \((-?[\d.]+)\)$")
_FIGURE = re.compile(r"^\t([A-Za-z][A-Za-z ]*): (-?[\d.]+)$")


@dataclass
class Block:
    """One ``Action:`` of a report and the state it shows."""

    action: str
    round: int
    votes: dict[str, Decimal] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    figures: dict[str, Decimal] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        return self.action.split(":")[0]

    @property
    def subject(self) -> str:
        """The candidate an action names, without a trailing '(amount)'."""
        subject = self.action.split(": ", 1)[1]
        return re.sub(r" \(-?[\d.]+\)$", "", subject)


@dataclass
class Report:
    seats: int
    ballots: int
    quota: Decimal
    names: list[str]
    blocks: list[Block]

    def of_kind(self, *kinds: str) -> list[Block]:
        return [b for b in self.blocks if b.kind.startswith(kinds)]


def parse_report(path: Path, candidates: Sequence[str]) -> Report:
    """Parse a report written by the Droop package (``droop v0.11``).

    Droop reads names word by word, so "Ellen   Hurcombe" comes out as "Ellen Hurcombe";
    names are given back as ``candidates`` spells them.
    """
    seats = ballots = 0
    quota = Decimal(0)
    names: list[str] = []
    blocks: list[Block] = []
    round_number = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("\tSeats: ") and not blocks:
            seats = int(line.split(": ")[1])
        elif line.startswith("\tBallots: ") and not blocks:
            ballots = int(line.split(": ")[1])
        elif line.startswith("\tQuota: ") and not blocks:
            quota = Decimal(line.split(": ")[1])
        elif line.startswith("\tAdd eligible: "):
            names.append(line.split(": ", 1)[1])
        elif line.startswith("Round "):
            round_number = int(line.split()[1].rstrip(":"))
        elif line.startswith("Action: "):
            blocks.append(Block(line[len("Action: ") :], round_number))
        elif blocks and (match := _CANDIDATE.match(line)):
            state, listed, votes = match.groups()
            whole = " ".join(listed.split()) in {" ".join(n.split()) for n in names}
            for name in [listed] if whole else listed.split(", "):
                blocks[-1].votes[name] = Decimal(votes)
                blocks[-1].state[name] = state
        elif blocks and (match := _FIGURE.match(line)):
            blocks[-1].figures[match.group(1)] = Decimal(match.group(2))
    spelling = {" ".join(name.split()): name for name in candidates}

    def real(name: str) -> str:
        return spelling[" ".join(name.split())]

    for block in blocks:
        kind, _, rest = block.action.partition(": ")
        if rest and not kind.startswith("Break tie"):
            amount = re.search(r" \(-?[\d.]+\)$", rest)
            subject = rest[: amount.start()] if amount else rest
            block.action = f"{kind}: {real(subject)}{amount.group(0) if amount else ''}"
        elif rest:
            tied, chosen = rest.split(" -> ")
            listed = ", ".join(real(name) for name in tied.strip("[]").split(", "))
            block.action = f"{kind}: [{listed}] -> {real(chosen)}"
        block.votes = {real(k): v for k, v in block.votes.items()}
        block.state = {real(k): v for k, v in block.state.items()}
    return Report(seats, ballots, quota, [real(n) for n in names], blocks)


def accounted(rnd: Round, loss: Number = 0) -> Fraction:
    """Everything a round accounts for: the tallies, the non-transferable votes and ``loss``."""
    assert rnd.exhausted is not None
    parts = [*rnd.tallies.values(), rnd.exhausted, loss]
    return sum((Fraction(v) for v in parts), Fraction(0))


def load_reference(blt: Path) -> tuple[Profile, list[str]]:
    """The profile of a reference BLT file and its tie order as names.

    Droop breaks a tie that its rule leaves to lot by taking the tied candidate listed first
    in the file's ``[tie ...]`` option, or without one, first in the order of the names.
    """
    election = read_blt(blt)
    profile = election.profile
    order = election.tie_order or tuple(range(profile.n_candidates))
    return profile, [profile.candidates[c] for c in order]


def stages(report: Report) -> list[Block]:
    """The stages of a Gregory count: first preferences, then each transfer.

    Droop records the 'transfer' of a zero surplus as a stage; the Scottish rules do not
    transfer a surplus that does not exceed the quota, so callers may drop those.
    """
    return report.of_kind("Begin Count", "Surplus transferred", "Transfer defeated")


def surplus_of(block: Block) -> Decimal:
    found = re.search(r"\((-?[\d.]+)\)$", block.action)
    assert found, block.action
    return Decimal(found.group(1))


def expected_action(block: Block) -> str:
    """Our name for the action of a Droop stage."""
    if block.kind == "Begin Count":
        return "first preferences"
    if block.kind == "Surplus transferred":
        return f"transfer surplus of {block.subject}"
    return f"exclude {block.subject}"


def compare_gregory_count(result: Result, report: Report, *, zero_surplus_is_a_stage: bool) -> None:
    """Check a Scottish or WIGM count against a Droop report: every stage, every figure."""
    # Droop "transfers" a surplus of zero as a stage of its own, as the WIGM rule says (B.3);
    # Scottish rule 48(1) transfers only a vote that exceeds the quota, and such a stage
    # changes no total, so for Scottish STV it is left out.
    reference = [
        b
        for b in stages(report)
        if zero_surplus_is_a_stage or not (b.kind == "Surplus transferred" and surplus_of(b) == 0)
    ]
    rounds = [r for r in result.rounds if r.action != "elect remaining"]
    assert [r.action for r in rounds] == [expected_action(b) for b in reference]
    losses = result.details["rounding_loss"]
    for rnd, block in zip(rounds, reference, strict=True):
        where = f"round {rnd.number} ({rnd.action})"
        assert rnd.quota == report.quota, where
        assert rnd.tallies == block.votes, where
        assert rnd.exhausted == block.figures["Nontransferable votes"], where
        assert losses[rnd.number - 1] == block.figures["Residual"], where
        assert accounted(rnd, losses[rnd.number - 1]) == report.ballots, where

    # Who was elected at which stage ("remaining": rule 52 at the end).
    expected: dict[str, int | str] = {}
    stage = -1
    for block in report.blocks:
        if any(block is b for b in reference):
            stage = next(i for i, b in enumerate(reference) if b is block)
        if block.kind == "Elect, transfer pending":
            expected[block.subject] = stage
        elif block.kind in ("Elect remaining candidates", "Elect remaining"):
            expected[block.subject] = "remaining"
    found: dict[str, int | str] = {}
    last = rounds[-1]
    for index, rnd in enumerate(result.rounds):
        for name in rnd.elected:
            found[name] = "remaining" if rnd.action == "elect remaining" else index
            # Droop ends the count as soon as the continuing candidates fit the vacancies and
            # calls them all "remaining"; rule 47 deems one with a quota elected at that stage.
            if rnd is last and expected.get(name) == "remaining":
                assert last.quota is not None and last.tallies[name] >= last.quota
                found[name] = "remaining"
    assert found == expected
    assert len(result.elected) == report.seats

    # Every tie Droop broke is broken the same way, for the same reason.
    for position, block in enumerate(report.blocks):
        if not block.kind.startswith("Break tie"):
            continue
        tied, chosen = block.action.split(": ", 1)[1].split(" -> ")
        purpose = "Surplus transferred" if "surplus" in block.kind else "Transfer defeated"
        following = next(b for b in report.blocks[position:] if b.kind == purpose)
        if not any(following is b for b in reference):
            continue
        rnd = rounds[next(i for i, b in enumerate(reference) if b is following)]
        assert rnd.tie_break is not None
        assert sorted(rnd.tie_break.tied) == sorted(tied.strip("[]").split(", "))
        assert rnd.tie_break.chosen == chosen
        resolution = "earlier stages" if "prior stage" in block.kind else "tie order"
        assert rnd.tie_break.resolved_by == resolution


@st.composite
def elections(draw: st.DrawFn) -> tuple[Profile, int]:
    """Small random strict-ranking elections, with a number of seats the candidates can fill."""
    n = draw(st.integers(2, 6))
    orders = st.permutations(list(range(n))).flatmap(
        lambda order: st.integers(1, n).map(lambda k: order[:k])
    )
    ballots = draw(st.lists(st.tuples(orders, st.integers(1, 30)), min_size=1, max_size=12))
    seats = draw(st.integers(1, n))
    names = [f"C{i}" for i in range(n)]
    return Profile.from_rankings(names, ballots), seats
