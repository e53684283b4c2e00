"""Charts veche draws itself, as SVG: an indicator's figures against its target, period by
period. The same drawing goes into the HTML and, through Typst, into the PDF (as vectors).

Colours are presentation attributes, not ``style`` (which the pages' Content-Security-Policy
refuses inline); every word is escaped; the drawing names itself (``title``) and says its
figures in words (``desc``) for those who cannot see it.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from veche.i18n import _
from veche.models.follow_up import FIGURE_STEP

WIDTH, HEIGHT = 560, 250
LEFT, RIGHT, TOP, BOTTOM = 72, 16, 20, 64
#: With more periods than this, a bar is labelled by its number (the table names them).
NAMED_BARS = 4

ACTUAL = "#3b6ea8"
TARGET = "#b8322a"
BASELINE = "#6b6b6b"
BAND = "#2e8b57"
INK = "#1b1b1b"


def figure_text(value: Decimal) -> str:
    """A figure as people write it: 1,200 or 50,000.5 (no trailing zeros), to the places a
    reported figure has (four): a mean of several units' figures, 60.555556, is 60.5556."""
    exact = value.quantize(FIGURE_STEP).normalize() if value % FIGURE_STEP else value.normalize()
    if exact == exact.to_integral_value():
        # abs() of zero drops its sign: -0.00001 is written 0, not -0.
        exact = abs(exact) if not exact else exact.quantize(Decimal(1))
    return f"{exact:,f}"


#: Percentages are written to two places at most, whatever they measure.
PERCENT_STEP = Decimal("0.01")


def percent_figure_text(value: Decimal) -> str:
    """A figure measured in percent (an indicator whose measure is ``percent``), to the places
    every percentage is written with: 27.39 %, 40 %, not 27.3913 %."""
    return f"{figure_text(value.quantize(PERCENT_STEP))} %"


def percent_text(share: Decimal) -> str:
    """A share between 0 and 1 in percent: 52.78 %, 50 %."""
    return percent_figure_text(share * 100)


@dataclass(frozen=True)
class TargetChart:
    """An indicator's actual figure per period, against its target (or band) and baseline."""

    id: str  # unique in the document: the drawing's title and description are named by it
    title: str
    periods: Sequence[str]
    actual: Sequence[Decimal | None]  # None: nobody reported
    target: Decimal | None = None
    band: tuple[Decimal, Decimal] | None = None
    baseline: Decimal | None = None
    #: How a figure is written on the chart and in its description, as the table beside it
    #: writes it: a share of units as a percentage (``percent_text``).
    figure: Callable[[Decimal], str] = figure_text


def target_chart_svg(chart: TargetChart) -> str:
    """The chart as one ``<svg>`` element: bars for the actual figures, a dashed line for the
    target (a shaded band for a band), a dotted one for the baseline."""
    marks = [value for value in chart.actual if value is not None]
    marks += [mark for mark in (chart.target, chart.baseline) if mark is not None]
    marks += list(chart.band or ())
    low = min([Decimal(0), *marks])
    high = max([Decimal(0), *marks])
    if high == low:
        high = low + 1
    top = float(high) + (float(high) - float(low)) * 0.1
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y(value: Decimal | float) -> float:
        return round(TOP + (top - float(value)) / (top - float(low)) * plot_height, 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" font-family="sans-serif" '
        f'font-size="11" fill="{INK}" aria-labelledby="{chart.id}-title {chart.id}-desc">',
        f'<title id="{chart.id}-title">{html.escape(chart.title)}</title>',
        f'<desc id="{chart.id}-desc">{html.escape(describe(chart))}</desc>',
    ]
    if chart.band is not None:
        band_top, band_bottom = y(chart.band[1]), y(chart.band[0])
        parts.append(
            f'<rect x="{LEFT}" y="{band_top}" width="{plot_width}" '
            f'height="{round(band_bottom - band_top, 1)}" fill="{BAND}" fill-opacity="0.18"/>'
        )
    # The axis: its lowest and highest figures, and zero.
    for tick in sorted({low, high, Decimal(0)}):
        parts.append(
            f'<line x1="{LEFT}" y1="{y(tick)}" x2="{WIDTH - RIGHT}" y2="{y(tick)}" '
            f'stroke="#d0d0d0" stroke-width="1"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end">'
            f"{html.escape(chart.figure(tick))}</text>"
        )
    slot = plot_width / max(len(chart.periods), 1)
    for number, (period, value) in enumerate(zip(chart.periods, chart.actual, strict=True)):
        middle = round(LEFT + slot * (number + 0.5), 1)
        label = period if len(chart.periods) <= NAMED_BARS else str(number + 1)
        parts.append(
            f'<text x="{middle}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">'
            f"{html.escape(label)}</text>"
        )
        if value is None:
            parts.append(
                f'<text x="{middle}" y="{y(0) - 6}" text-anchor="middle" fill="{BASELINE}">'
                f"{html.escape(_('not reported'))}</text>"
            )
            continue
        bar_top, bar_bottom = sorted((y(value), y(0)))
        parts.append(
            f'<rect x="{round(middle - slot * 0.3, 1)}" y="{bar_top}" '
            f'width="{round(slot * 0.6, 1)}" height="{round(bar_bottom - bar_top, 1)}" '
            f'fill="{ACTUAL}"/>'
            f'<text x="{middle}" y="{bar_top - 4}" text-anchor="middle">'
            f"{html.escape(chart.figure(value))}</text>"
        )
    for mark, colour, dashes in (
        (chart.target, TARGET, "6 4"),
        (chart.baseline, BASELINE, "2 3"),
    ):
        if mark is not None:
            parts.append(
                f'<line x1="{LEFT}" y1="{y(mark)}" x2="{WIDTH - RIGHT}" y2="{y(mark)}" '
                f'stroke="{colour}" stroke-width="2" stroke-dasharray="{dashes}"/>'
            )
    parts.append(_legend(chart))
    parts.append("</svg>")
    return "".join(parts)


def _legend(chart: TargetChart) -> str:
    row = HEIGHT - 18
    entries = [(f'<rect x="0" y="{row - 9}" width="12" height="10" fill="{ACTUAL}"/>', _("actual"))]
    if chart.target is not None:
        entries.append(
            (
                f'<line x1="0" y1="{row - 4}" x2="16" y2="{row - 4}" stroke="{TARGET}" '
                'stroke-width="2" stroke-dasharray="6 4"/>',
                _("target"),
            )
        )
    if chart.band is not None:
        entries.append(
            (
                f'<rect x="0" y="{row - 9}" width="12" height="10" fill="{BAND}" '
                'fill-opacity="0.18"/>',
                _("band"),
            )
        )
    if chart.baseline is not None:
        entries.append(
            (
                f'<line x1="0" y1="{row - 4}" x2="16" y2="{row - 4}" stroke="{BASELINE}" '
                'stroke-width="2" stroke-dasharray="2 3"/>',
                _("baseline"),
            )
        )
    drawn = []
    for number, (symbol, words) in enumerate(entries):
        drawn.append(
            f'<g transform="translate({LEFT + number * 110} 0)">{symbol}'
            f'<text x="20" y="{row}">{html.escape(words)}</text></g>'
        )
    return "".join(drawn)


def describe(chart: TargetChart) -> str:
    """The chart in words: each period's figure, then the target and baseline."""
    figures = [
        f"{period}: {_('not reported') if value is None else chart.figure(value)}"
        for period, value in zip(chart.periods, chart.actual, strict=True)
    ]
    words = _("Actual: {figures}.").format(figures="; ".join(figures))
    if chart.target is not None:
        words += " " + _("Target: {target}.").format(target=chart.figure(chart.target))
    if chart.band is not None:
        words += " " + _("Band: {low} to {high}.").format(
            low=chart.figure(chart.band[0]), high=chart.figure(chart.band[1])
        )
    if chart.baseline is not None:
        words += " " + _("Baseline: {baseline}.").format(baseline=chart.figure(chart.baseline))
    return words
