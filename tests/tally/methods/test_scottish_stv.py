"""Scottish STV: every stage of Droop's reference counts and the statute's tie rules (the
properties of every count: test_gregory_stv.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.tally.conftest import elections_path
from tests.tally.methods._profiles import equal_rankings_profile
from tests.tally.methods._stv_reference import (
    REFERENCE,
    compare_gregory_count,
    load_reference,
    parse_report,
)
from veche.tally.errors import TallyError
from veche.tally.profile import Profile
from veche.tally.registry import count
from veche.tally.result import Result

GLASGOW = sorted((elections_path() / "scotland" / "glasgow_2007_reference").glob("*.report.txt"))
HARD_CASES = sorted(REFERENCE.glob("*-scotland-fixed-p5-d5.txt"))


def _blt_for(report: Path) -> Path:
    if report.name.endswith(".report.txt"):
        return report.with_name(report.name.replace(".report.txt", ".blt"))
    return report.with_name(report.name.replace("-scotland-fixed-p5-d5.txt", ".blt"))


@pytest.mark.parametrize("report_path", GLASGOW + HARD_CASES, ids=lambda p: p.name)
def test_every_stage_matches_droop_reference_report(report_path: Path) -> None:
    profile, tie_order = load_reference(_blt_for(report_path))
    report = parse_report(report_path, profile.candidates)
    result = count(profile, "scottish-stv", tie_order=tie_order)
    assert report.names == list(profile.candidates)
    compare_gregory_count(result, report, zero_surplus_is_a_stage=False)


def test_all_reference_reports_are_found() -> None:
    assert len(GLASGOW) == 21
    assert len(HARD_CASES) == 6


def test_calton_explains_why_each_thing_happened() -> None:
    profile, _ = load_reference(
        elections_path() / "scotland" / "glasgow_2007_reference" / "Calton-2007.blt"
    )
    result = count(profile, "scottish-stv")
    first, surplus, exclusion = result.rounds[:3]
    assert first.action == "first preferences"
    assert "George Redmond has 1,982 votes: at or above the quota of 1,300" in first.note
    assert surplus.action == "transfer surplus of George Redmond"
    assert "682 above the quota of 1,300" in surplus.note
    assert surplus.transfer_value == Decimal("0.34409")
    assert surplus.transfers["George Redmond"] == Decimal("-682.00000")
    assert surplus.transfers["Ruth Simpson"] == Decimal("407.05847")
    assert exclusion.action == "exclude Gary Barton"
    assert exclusion.excluded == ["Gary Barton"]
    assert result.elected == ["George Redmond", "Alison E Thewliss", "Ruth Simpson"]
    assert "Round 2: transfer surplus of George Redmond" in result.explain()
    assert Result.from_json(result.to_json()).to_dict() == result.to_dict()


def _profile(candidates: str, ballots: list[tuple[str, int]], **kwargs: object) -> Profile:
    names = list(candidates)
    return Profile.from_rankings(
        names,
        [([names.index(c) for c in ranking], n) for ranking, n in ballots],
        **kwargs,  # type: ignore[arg-type]
    )


def test_exclusion_tie_is_broken_by_the_most_recent_stage_where_votes_differed() -> None:
    # After A's surplus (2 of 16, at 0.125 a paper) D has 4 + 1 = 5, level with C; at the
    # first stage D had fewer, so rule 51(2)(a) excludes D.
    profile = _profile("ABCDE", [("AD", 8), ("A", 8), ("B", 9), ("C", 5), ("D", 4), ("E", 6)])
    result = count(profile, "scottish-stv", seats=2)
    assert result.rounds[1].action == "transfer surplus of A"
    assert result.rounds[1].tallies["C"] == result.rounds[1].tallies["D"] == Decimal(5)
    exclusion = result.rounds[2]
    assert exclusion.action == "exclude D"
    assert exclusion.tie_break is not None
    assert exclusion.tie_break.resolved_by == "earlier stages"
    assert sorted(exclusion.tie_break.tied) == ["C", "D"]
    assert result.seed is None


def test_tie_through_every_stage_is_drawn_by_lot_and_the_seed_is_recorded() -> None:
    profile, _ = load_reference(REFERENCE / "SC-Vm-12.blt")
    result = count(profile, "scottish-stv", seed=7)
    tie = result.rounds[1].tie_break
    assert tie is not None and tie.resolved_by == "lot"
    assert sorted(tie.tied) == ["X", "Y", "Z"]
    assert result.seed == 7
    assert count(profile, "scottish-stv", seed=7).to_dict() == result.to_dict()


def test_withdrawn_candidate_is_passed_over() -> None:
    ballots = [("CAB", 5), ("AB", 4), ("BC", 3), ("C", 2)]
    withdrawn = _profile("ABC", ballots, withdrawn=[2])
    result = count(withdrawn, "scottish-stv", seats=1)
    assert "C" not in result.rounds[0].tallies
    # C's five papers count for A; C's lone two are valid but non-transferable (as in Droop).
    assert result.rounds[0].tallies == {"A": Decimal(9), "B": Decimal(3)}
    assert result.rounds[0].exhausted == Decimal(2)
    assert result.elected == ["A"]


def test_refuses_ballots_with_equal_rankings() -> None:
    profile = equal_rankings_profile(3)
    with pytest.raises(TallyError, match="strict rankings"):
        count(profile, "scottish-stv")


def test_tie_order_must_name_every_candidate_once() -> None:
    profile = _profile("ABC", [("AB", 3), ("C", 2)])
    with pytest.raises(TallyError, match="leaves out C"):
        count(profile, "scottish-stv", tie_order=["A", "B"])
    with pytest.raises(TallyError, match="'Q', who is not a candidate"):
        count(profile, "scottish-stv", tie_order=["A", "B", "Q"])
    # A text is the names separated by commas, as the command line gives them.
    with pytest.raises(TallyError, match="'ABC', who is not a candidate"):
        count(profile, "scottish-stv", tie_order="ABC")
    assert count(profile, "scottish-stv", tie_order="C, A, B").elected == ["A"]
    with pytest.raises(TallyError, match="must list the candidates' names"):
        count(profile, "scottish-stv", tie_order=5)


def test_more_seats_than_candidates_elects_everyone_standing() -> None:
    result = count(_profile("AB", [("AB", 3), ("B", 2)]), "scottish-stv", seats=3)
    assert sorted(result.elected) == ["A", "B"]
