"""WIGM STV (PR Foundation reference rule): every stage of Droop's counts, and properties."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.tally.methods._stv_reference import (
    REFERENCE,
    accounted,
    compare_gregory_count,
    elections,
    load_reference,
    parse_report,
)
from veche.tally.profile import Profile
from veche.tally.registry import count

REPORTS = sorted(REFERENCE.glob("*-wigm-prf-fixed-p4-d4.txt"))


@pytest.mark.parametrize("report_path", REPORTS, ids=lambda p: p.name)
def test_every_stage_matches_droop_reference_report(report_path: Path) -> None:
    profile, tie_order = load_reference(
        report_path.with_name(report_path.name.replace("-wigm-prf-fixed-p4-d4.txt", ".blt"))
    )
    result = count(profile, "wigm-stv", tie_order=tie_order)
    report = parse_report(report_path, profile.candidates)
    compare_gregory_count(result, report, zero_surplus_is_a_stage=True)


def test_all_reference_reports_are_found() -> None:
    assert len(REPORTS) == 6


def test_weights_are_truncated_after_each_multiplication_and_division() -> None:
    # Castor's 4 papers carry 1.9999 of surplus: 1 x 1.9999 / 4 = 0.499975, truncated 0.4999
    # a paper, so Pollux gets 1.9996 and 0.0003 is lost (rule D.4).
    profile, _ = load_reference(REFERENCE / "42.blt")
    result = count(profile, "wigm-stv")
    surplus = result.rounds[1]
    assert surplus.action == "transfer surplus of Castor"
    assert surplus.quota == Decimal("2.0001")
    assert surplus.transfer_value == Decimal("0.4999")
    assert surplus.tallies["Pollux"] == Decimal("1.9996")
    assert result.details["rounding_loss"][1] == Decimal("0.0003")
    assert result.elected == ["Castor", "Helen"]


@settings(max_examples=150, deadline=None)
@given(elections(), st.integers(0, 2**32 - 1))
def test_properties_of_every_count(election: tuple[Profile, int], seed: int) -> None:
    profile, seats = election
    result = count(profile, "wigm-stv", seats=seats, seed=seed)
    for rnd, loss in zip(result.rounds, result.details["rounding_loss"], strict=True):
        assert accounted(rnd, loss) == profile.n_voters
    assert len(result.elected) == seats == len(set(result.elected))
    first = result.rounds[0]
    assert first.quota is not None
    for name, votes in first.tallies.items():
        if votes >= first.quota:
            assert name in first.elected
    assert count(profile, "wigm-stv", seats=seats, seed=seed).to_dict() == result.to_dict()
