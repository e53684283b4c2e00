"""WIGM STV (PR Foundation reference rule): every stage of Droop's counts, and its truncation
(the properties of every count: test_gregory_stv.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from tests.tally.methods._stv_reference import (
    REFERENCE,
    compare_gregory_count,
    load_reference,
    parse_report,
)
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
