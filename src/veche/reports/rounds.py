"""A count over several rounds (single transferable vote, instant runoff, contingent vote) as the
minutes give it: the seats and the quota; a table of candidates × rounds, each candidate's votes
after each round and what the round gave or took; then what each round did, in words."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from veche.i18n import _
from veche.reports._words import change, figure, names
from veche.reports.document import Block, Bullets, Paragraph, Table, Tone
from veche.tally import Result, Round
from veche.tally.numbers import Number

#: Rounds side by side in one table: more go on in a table below, so that a count of many
#: rounds stays within the page.
ROUNDS_PER_TABLE = 8


@dataclass(frozen=True)
class _Column:
    """One round as its table's column shows it, and in words."""

    number: int
    cells: dict[str, str]
    tones: dict[str, Tone | None]
    quota: str
    exhausted: str
    done: str


def rounds_blocks(count: Result) -> list[Block]:
    """The count's seats and quota, its table of candidates × rounds, and what each round did."""
    candidates = [name for name in count.candidates if any(name in r.tallies for r in count.rounds)]
    quotas = {r.quota for r in count.rounds if r.quota is not None}
    about = [
        _("One seat to fill.")
        if count.seats == 1
        else _("Seats to fill: {seats}.").format(seats=count.seats)
    ]
    if len(quotas) == 1:
        about.append(_("Quota: {quota} votes.").format(quota=figure(next(iter(quotas)))))
    columns = _columns(count, candidates)
    blocks: list[Block] = [Paragraph(" ".join(about))]
    for first in range(0, len(columns), ROUNDS_PER_TABLE):
        shown = columns[first : first + ROUNDS_PER_TABLE]
        rows = [[name, *(c.cells[name] for c in shown)] for name in candidates]
        tones = [[None, *(c.tones[name] for c in shown)] for name in candidates]
        # Meek's method lowers the quota as votes run out: then each round's is given.
        if len(quotas) > 1:
            rows.append([_("Quota"), *(c.quota for c in shown)])
            tones.append([None] * (len(shown) + 1))
        # A row of noughts says nothing: it is shown once a vote could go no further.
        if any(r.exhausted for r in count.rounds):
            rows.append([_("Non-transferable"), *(c.exhausted for c in shown)])
            tones.append([None] * (len(shown) + 1))
        header = [_("Candidate")]
        header += [_("Round {number}").format(number=c.number) for c in shown]
        caption = _(
            "The count: each candidate's votes after each round and, in brackets, what the "
            "round gave (+) or took (−), to two decimals; elected candidates are shaded green, "
            "those out of the count grey."
        )
        blocks.append(
            Table(
                header, rows, caption=caption if first == 0 else "", row_headers=True, tones=tones
            )
        )
    blocks.append(
        Bullets(
            [_("Round {number}: {done}.").format(number=c.number, done=c.done) for c in columns]
        )
    )
    return blocks


def _columns(count: Result, candidates: list[str]) -> list[_Column]:
    columns = []
    elected: set[str] = set()
    out: set[str] = set()
    before: dict[str, Number] = {}
    for counted_round in count.rounds:
        totals = counted_round.tallies
        moved = _moved(counted_round, before)
        # Those a round no longer counts though it names them excluded by none: a runoff's losers.
        dropped = [
            name for name in before if totals and name not in totals and name not in elected | out
        ]
        gone = [*counted_round.excluded, *(n for n in dropped if n not in counted_round.excluded)]
        done = _happened(counted_round, moved, elected, out, gone, first=not before)
        elected |= set(counted_round.elected)
        out |= set(gone)
        columns.append(
            _Column(
                number=counted_round.number,
                # A round that moved no votes (a draw of lots) leaves its cells blank.
                cells={
                    name: _cell(totals.get(name), moved.get(name)) if totals else ""
                    for name in candidates
                },
                tones={
                    name: Tone.GOOD if name in elected else Tone.MUTED if name in out else None
                    for name in candidates
                },
                quota=_optional(counted_round.quota),
                exhausted=_optional(counted_round.exhausted),
                done=done,
            )
        )
        before = dict(totals) or before
    return columns


def _moved(counted_round: Round, before: dict[str, Number]) -> dict[str, Number]:
    """What the round gave (or took from) each candidate: its transfers, or for a count that
    states none (Meek's method, a runoff) the change of each total since the round before."""
    if counted_round.transfers or not counted_round.tallies:
        return dict(counted_round.transfers)
    changes: dict[str, Number] = {}
    for name, votes in before.items():
        difference = Fraction(counted_round.tallies.get(name, 0)) - Fraction(votes)
        if difference:
            changes[name] = difference
    return changes


def _optional(value: Number | None) -> str:
    return "—" if value is None else figure(value)


def _cell(votes: Number | None, moved: Number | None) -> str:
    """The candidate's votes after the round, with what the round moved: "7.5 (+2.5)"; a dash
    once the candidate is no longer counted."""
    if votes is None:
        # Left out of the totals as the round excluded them: nothing left of what they had.
        return f"0 ({change(moved)})" if moved else "—"
    return f"{figure(votes)} ({change(moved)})" if moved else figure(votes)


def _happened(
    counted_round: Round,
    moved: dict[str, Number],
    elected: set[str],
    out: set[str],
    gone: list[str],
    *,
    first: bool,
) -> str:
    """What the round did, in words: whose votes it moved (an elected candidate's surplus, an
    excluded one's votes), and whom it excluded and elected. ``elected`` and ``out`` are
    those elected and out of the count before it; ``gone``, those it leaves out."""
    done = [_("first preferences counted")] if first else []
    givers = [name for name, votes in moved.items() if votes < 0]
    for name in givers:
        if name in elected:
            surplus = _("surplus of {name} transferred").format(name=name)
            if counted_round.transfer_value is not None:
                surplus += " " + _("at {value} a vote").format(
                    value=figure(counted_round.transfer_value)
                )
            done.append(surplus)
    earlier = [name for name in givers if name in out]
    if earlier:
        done.append(_("votes of {names} transferred").format(names=names(earlier)))
    tie = counted_round.tie_break
    if tie is not None:
        done.append(
            _("level: {tied}; {chosen} chosen by {means}").format(
                tied=names(tie.tied), chosen=tie.chosen, means=_(tie.resolved_by)
            )
        )
    if gone:
        transferred = any(name in givers for name in gone)
        done.append(
            (
                _("excluded: {names}, their votes transferred")
                if transferred
                else _("excluded: {names}")
            ).format(names=names(gone))
        )
    if counted_round.elected:
        done.append(_("elected: {names}").format(names=names(counted_round.elected)))
    return "; ".join(done) if done else _("no votes moved")
