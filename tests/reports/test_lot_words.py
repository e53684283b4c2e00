"""A tie a lot settled is said with the outcome, and between whom, wherever the result is shown;
the outcome recorded at the close (which `veche verify` compares) is left as it was."""

from __future__ import annotations

from typing import Any

from veche.reports._words import with_lots
from veche.tally import Round, TieBreak

COLOURS = ["Oxblood red", "Forest green", "Slate grey"]


def _result(elected: list[str], *rounds: Round) -> dict[str, Any]:
    return {"elected": elected, "rounds": [counted_round.to_dict() for counted_round in rounds]}


def _lot(
    number: int,
    tied: list[str],
    chosen: str,
    elected: tuple[str, ...] = (),
    excluded: tuple[str, ...] = (),
) -> Round:
    tie = TieBreak(tied, "lot", chosen)
    return Round(number, "draw lots", elected=[*elected], excluded=[*excluded], tie_break=tie)


def test_one_chosen_by_lot_is_said_so_among_the_tied() -> None:
    totals = Round(1, "count", tallies={colour: 3 for colour in COLOURS})
    drawn = _lot(2, COLOURS, "Slate grey", elected=("Slate grey",))
    assert with_lots("chosen: Slate grey", _result(["Slate grey"], totals, drawn)) == (
        "chosen by lot among the tied Oxblood red, Forest green and Slate grey: Slate grey"
    )


def test_a_seat_filled_by_lot_among_several_is_named() -> None:
    drawn = _lot(2, ["B", "C"], "B", elected=("B",))
    assert with_lots("elected: A, B", _result(["A", "B"], Round(1, "count"), drawn)) == (
        "elected: A, B (B by lot among the tied B and C)"
    )


def test_an_exclusion_by_lot_is_said_as_one() -> None:
    drawn = _lot(2, ["B", "C"], "C", excluded=("C",))
    assert with_lots("elected: A", _result(["A"], Round(1, "count"), drawn)) == (
        "elected: A (C excluded by lot among the tied B and C)"
    )


def test_without_a_lot_the_outcome_is_as_recorded() -> None:
    by_rule = Round(2, "exclude", tie_break=TieBreak(["B", "C"], "earlier rounds", "C"))
    assert with_lots("elected: A", _result(["A"], by_rule)) == "elected: A"
    assert with_lots("adopted", None) == "adopted"
