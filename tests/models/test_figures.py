"""A follow-up figure (``Figure``: NUMERIC(18, 4)) keeps every value its precision allows on
both databases: SQLite stores it as whole ten-thousandths, past the 32-bit bound that ids and
counts from clients are held to. Once a figure of 214,748.3648 or more was refused there."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import Column, Engine, Integer, MetaData, Table, insert, select

from veche.errors import InvalidInput
from veche.models.follow_up import Figure

FIGURES = [
    Decimal("0.0001"),
    Decimal("214748.3648"),  # 2**31 ten-thousandths: the first refused before
    Decimal("300000"),
    Decimal("-12345678.9"),
    Decimal("99999999999999.9999"),  # the largest NUMERIC(18, 4) holds
    Decimal("-99999999999999.9999"),
]


def _table() -> Table:
    return Table(
        "figure_probe",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("value", Figure()),
        Column("count", Integer),
    )


def test_every_figure_of_its_precision_is_stored_exactly(engine: Engine) -> None:
    table = _table()
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(insert(table), [{"value": figure} for figure in FIGURES])
        stored = connection.scalars(select(table.c.value).order_by(table.c.id)).all()
    assert stored == FIGURES


def test_a_plain_integer_past_32_bits_is_still_refused(engine: Engine) -> None:
    table = _table()
    table.create(engine)
    with pytest.raises(InvalidInput, match="too large to be stored"), engine.begin() as connection:
        connection.execute(insert(table).values(value=Decimal(1), count=2**31))
