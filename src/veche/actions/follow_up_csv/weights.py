"""The units' weights in indicators' weighted means from a follow-up file: every line
checked, then each indicator's weights set at once through ``do_set_weights`` (journaled),
the units a file leaves out keeping theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from veche.actions._follow_up import check_positive
from veche.actions.follow_up_csv.lines import CellProblem, Line, Table, parse_decimal
from veche.actions.follow_up_csv.rows import Importer
from veche.actions.indicators import do_set_weights
from veche.models import Indicator, IndicatorWeight


@dataclass
class WeightsImport:
    """The weights of a file, gathered by indicator, then set indicator by indicator."""

    run: Importer
    table: Table
    indicators: dict[int, Indicator] = field(default_factory=dict)
    #: indicator → unit → (weight, line)
    wanted: dict[int, dict[int, tuple[Decimal, int]]] = field(default_factory=dict)

    def read(self) -> None:
        self.run.each_line(self.table, self.take)

    def take(self, line: Line) -> None:
        run = self.run
        indicator = run.indicator_of(line)
        unit_id = run.unit(line.required("unit"), "unit")
        weight = line.parsed(
            "unit_weight",
            lambda text: check_positive(parse_decimal(text), "the weight"),
            required=True,
        )
        given = self.wanted.setdefault(indicator.id, {})
        earlier = given.get(unit_id)
        if earlier is not None:
            raise CellProblem(
                None, f"the same weight (indicator and unit) is on line {earlier[1]} already"
            )
        given[unit_id] = (weight, line.number)
        self.indicators[indicator.id] = indicator

    def store(self) -> None:
        """Set each indicator's weights where the file changes them."""
        run = self.run
        stored: dict[int, dict[int, Decimal]] = {}
        for indicator_id, unit_id, weight in run.session.execute(
            select(
                IndicatorWeight.indicator_id, IndicatorWeight.unit_id, IndicatorWeight.weight
            ).where(IndicatorWeight.indicator_id.in_(sorted(self.wanted)))
        ):
            stored.setdefault(indicator_id, {})[unit_id] = weight
        for indicator_id, given in self.wanted.items():
            before = stored.get(indicator_id, {})
            changed = sum(before.get(unit) != weight for unit, (weight, _line) in given.items())
            run.summary.unchanged += len(given) - changed
            if changed:
                weights = before | {unit: weight for unit, (weight, _line) in given.items()}
                do_set_weights(run.session, run.caller, self.indicators[indicator_id], weights)
                run.summary.weights_set += changed
