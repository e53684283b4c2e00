"""Figures as the follow-up's documents and pages print them: grouped thousands, no trailing
zeros, and no more places than a reported figure has (four), so that a mean of units'
figures does not print as 60.555556."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.reports.charts import figure_text


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
