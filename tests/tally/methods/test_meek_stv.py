"""Meek STV: every round of Droop's reference counts (PRF fixed point and exact), properties."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from tests.tally.methods._stv_reference import (
    REFERENCE,
    Block,
    Report,
    accounted,
    elections,
    load_reference,
    parse_report,
)
from veche.tally.errors import TallyError
from veche.tally.numbers import Number
from veche.tally.profile import Profile
from veche.tally.registry import count
from veche.tally.result import Result

FIXED_REPORTS = sorted(REFERENCE.glob("*-meek-prf-o6-fixed-p9-d9.txt"))
RATIONAL_REPORTS = sorted(REFERENCE.glob("*-meek-o10-rational-d12.txt"))


def _same(ours: Number | None, shown: Decimal) -> bool:
    """Fixed point must agree exactly; fractions as Droop shows them, to 12 decimals."""
    if isinstance(ours, Fraction):
        return abs(ours - Fraction(shown)) <= Fraction(1, 2 * 10**12)
    return ours == shown


def _decisions(report: Report) -> list[list[Block]]:
    """The blocks of each Droop round that elect or defeat, round 1 onwards."""
    by_round: dict[int, list[Block]] = {}
    for block in report.blocks:
        deciding = block.kind == "Elect" or (
            block.kind.startswith("Defeat") and block.kind != "Defeat remaining"
        )
        if block.round and deciding:
            by_round.setdefault(block.round, []).append(block)
    return [by_round[r] for r in sorted(by_round)]


def _compare(result: Result, report: Report) -> None:
    decisions = _decisions(report)
    rounds = [r for r in result.rounds if r.action != "elect remaining"]
    assert len(rounds) == len(decisions)
    begin = report.of_kind("Begin Count")[0]
    assert all(_same(rounds[0].tallies[n], v) for n, v in begin.votes.items())
    surpluses = result.details["surplus"]
    for rnd, blocks in zip(rounds, decisions, strict=True):
        where = f"round {rnd.number} ({rnd.action})"
        elected = {b.subject for b in blocks if b.kind == "Elect"}
        defeated = {b.subject for b in blocks if b.kind.startswith("Defeat")}
        assert set(rnd.elected) == elected, where
        assert set(rnd.excluded) == defeated, where
        shown = blocks[0]
        for name, votes in shown.votes.items():
            assert _same(rnd.tallies[name], votes), f"{where}: {name}"
        assert _same(rnd.quota, shown.figures["Quota"]), where
        assert _same(rnd.exhausted, shown.figures["Residual"]), where
        if defeated:
            # Droop shows the surplus of the iteration that ended in a defeat; after an
            # election it shows the one before.
            assert _same(surpluses[rnd.number - 1], shown.figures["Surplus"]), where
    remaining = {b.subject for b in report.of_kind("Elect remaining")}
    last = result.rounds[-1]
    assert set(last.elected if last.action == "elect remaining" else []) == remaining
    complete = report.of_kind("Count Complete")[0]
    assert sorted(result.elected) == sorted(
        name for name, state in complete.state.items() if state == "Elected"
    )

    # Ties for defeat go the way Droop's tie order sends them.
    for block in report.of_kind("Break tie"):
        tied, chosen = block.action.split(": ", 1)[1].split(" -> ")
        rnd = next(r for r in rounds if chosen in r.excluded)
        assert rnd.tie_break is not None
        assert sorted(rnd.tie_break.tied) == sorted(tied.strip("[]").split(", "))
        assert (rnd.tie_break.chosen, rnd.tie_break.resolved_by) == (chosen, "tie order")


def _blt(report: Path) -> Path:
    return report.with_name(report.name.split("-meek-")[0] + ".blt")


@pytest.mark.parametrize("report_path", FIXED_REPORTS, ids=lambda p: p.name)
def test_prf_reference_rule_matches_droop_round_by_round(report_path: Path) -> None:
    profile, tie_order = load_reference(_blt(report_path))
    result = count(profile, "meek-stv", tie_order=tie_order)
    _compare(result, parse_report(report_path, profile.candidates))


@pytest.mark.parametrize("report_path", RATIONAL_REPORTS, ids=lambda p: p.name)
def test_exact_meek_matches_droop_round_by_round(report_path: Path) -> None:
    profile, tie_order = load_reference(_blt(report_path))
    result = count(profile, "meek-stv", arithmetic="rational", tie_order=tie_order)
    _compare(result, parse_report(report_path, profile.candidates))
    assert all(isinstance(v, Fraction) for r in result.rounds for v in r.tallies.values())


def test_all_reference_reports_are_found() -> None:
    assert len(FIXED_REPORTS) == 6
    assert len(RATIONAL_REPORTS) == 5


def test_sure_losers_are_defeated_together_only_in_the_exact_variant() -> None:
    # Voting matters, issue 12: X, Y and Z stay within the surplus of each other under the
    # PRF rule, so X is chosen by tie order; exact Meek sees Z cannot catch Y and defeats Z.
    profile, tie_order = load_reference(REFERENCE / "SC-Vm-12.blt")
    fixed = count(profile, "meek-stv", tie_order=tie_order)
    exact = count(profile, "meek-stv", tie_order=tie_order, arithmetic="rational")
    assert fixed.elected == ["A", "B", "Y"]
    assert exact.elected == ["A", "B", "X"]
    assert exact.rounds[1].action == "exclude Z"
    assert "cannot win" in exact.rounds[1].note
    assert fixed.rounds[1].tie_break is not None
    assert "below omega (10^-6)" in fixed.rounds[1].note


def test_first_round_elects_and_explains() -> None:
    profile, _ = load_reference(REFERENCE / "42.blt")
    result = count(profile, "meek-stv")
    first = result.rounds[0]
    assert first.action == "first preferences"
    assert first.elected == ["Castor"]
    assert "Castor has 4 votes: at or above the quota of 2.000000001" in first.note
    assert result.details["keep_factors"][1] == {"Castor": Decimal("0.500000001")}
    assert result.details["omega"] == Decimal("0.000001")
    assert Result.from_json(result.to_json()).to_dict() == result.to_dict()


def test_unknown_arithmetic_is_refused() -> None:
    profile, _ = load_reference(REFERENCE / "42.blt")
    with pytest.raises(TallyError, match="'fixed' or 'rational'"):
        count(profile, "meek-stv", arithmetic="float")


def test_withdrawn_candidate_keeps_nothing() -> None:
    profile = Profile.from_rankings(
        ["A", "B", "C"], [((2, 0), 5), ((0, 1), 4), ((1, 2), 3)], withdrawn=[2]
    )
    result = count(profile, "meek-stv", seats=1)
    assert "C" not in result.rounds[0].tallies
    assert result.rounds[0].tallies == {"A": Decimal(9), "B": Decimal(3)}
    assert result.elected == ["A"]


def test_many_candidates_and_seats_fall_back_to_row_grouping() -> None:
    # 40 candidates and 15 seats: the ballot prefixes no longer fit one int64 key.
    rng = np.random.default_rng(5)
    ballots = [(list(rng.permutation(40)[: rng.integers(1, 40)]), 1) for _ in range(400)]
    profile = Profile.from_rankings([f"C{i}" for i in range(40)], ballots)
    result = count(profile, "meek-stv", seats=15, seed=1)
    assert len(result.elected) == 15
    for rnd in result.rounds:
        assert accounted(rnd) == 400


def test_exact_arithmetic_that_cannot_settle_stops_with_advice() -> None:
    # All 28 votes go to C1 and C5, and every ballot ends there: the keep factors shrink
    # forever, doubling their digits each time, while four candidates wait with no votes.
    profile = Profile.from_rankings([f"C{i}" for i in range(6)], [([1], 13), ([1, 5], 15)])
    with pytest.raises(TallyError, match=r"cannot settle this count.*arithmetic='fixed'"):
        count(profile, "meek-stv", seats=4, seed=1, arithmetic="rational")
    result = count(profile, "meek-stv", seats=4, seed=1)
    assert result.elected[:2] == ["C1", "C5"]
    assert len(result.elected) == 4


@settings(max_examples=80, deadline=None)
@given(elections(), st.integers(0, 2**32 - 1), st.sampled_from(["fixed", "rational"]))
def test_properties_of_every_count(
    election: tuple[Profile, int], seed: int, arithmetic: str
) -> None:
    profile, seats = election
    try:
        result = count(profile, "meek-stv", seats=seats, seed=seed, arithmetic=arithmetic)
    except TallyError as error:
        # Exact arithmetic may give up (see the test above); the fixed-point rule never does.
        assert arithmetic == "rational" and "cannot settle" in str(error)
        assume(False)
    for rnd in result.rounds:
        # Every ballot's weight is kept by candidates or left over: nothing is lost.
        assert accounted(rnd) == profile.n_voters
    assert len(result.elected) == seats == len(set(result.elected))
    first = result.rounds[0]
    assert first.quota is not None
    for name, votes in first.tallies.items():
        if votes > first.quota:
            assert name in result.elected
    again = count(profile, "meek-stv", seats=seats, seed=seed, arithmetic=arithmetic)
    assert again.to_dict() == result.to_dict()
