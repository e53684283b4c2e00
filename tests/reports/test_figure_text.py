"""Figures as the follow-up's documents and pages print them: grouped thousands, no trailing
zeros, and no more places than a reported figure has (four), so that a mean of units'
figures does not print as 60.555556."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.follow_up.goal_labels import goal_label
from veche.reports.charts import figure_text, percent_figure_text, percent_text


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("1200", "1,200"),
        ("50000.5", "50,000.5"),
        ("12.3400", "12.34"),
        ("0.0001", "0.0001"),
        ("60.555556", "60.5556"),
        ("-3.33333", "-3.3333"),
        ("1E+3", "1,000"),
        ("0.00004", "0"),
    ],
)
def test_a_figure_is_printed_as_people_write_it(value: str, printed: str) -> None:
    assert figure_text(Decimal(value)) == printed


@given(st.decimals(min_value=-(10**14), max_value=10**14, places=4, allow_nan=False))
def test_a_reported_figure_prints_exactly(value: Decimal) -> None:
    assert Decimal(figure_text(value).replace(",", "")) == value


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("27.391304", "27.39 %"),
        ("40.0000", "40 %"),
        ("60.5556", "60.56 %"),
        ("99.999", "100 %"),
        ("-0.001", "0 %"),
        ("1250", "1,250 %"),
    ],
)
def test_a_figure_in_percent_has_two_places_at_most(value: str, printed: str) -> None:
    assert percent_figure_text(Decimal(value)) == printed


@pytest.mark.parametrize(
    ("share", "printed"), [("0.273913", "27.39 %"), ("0.5", "50 %"), ("1.0000", "100 %")]
)
def test_a_share_is_written_as_a_percentage_alike(share: str, printed: str) -> None:
    assert percent_text(Decimal(share)) == printed


def test_zero_has_no_sign() -> None:
    assert figure_text(Decimal("-0.00001")) == "0"


def test_a_goal_is_named_with_its_resolution() -> None:
    assert goal_label(2, "1.1") == "R2 · 1.1"
    assert goal_label(None, "1.1") == "1.1"
