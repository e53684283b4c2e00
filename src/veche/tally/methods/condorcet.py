"""Condorcet methods from the pairwise matrix: Schulze, ranked pairs, Copeland and minimax."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from veche.tally.lot import Lot
from veche.tally.methods._ballots import Ballots
from veche.tally.methods._options import choice_option
from veche.tally.methods._pairwise import condorcet_winner, matrix_as_dict, pairwise_matrix
from veche.tally.methods._totals import elect_highest, exact
from veche.tally.numbers import Number
from veche.tally.profile import IntArray, Profile
from veche.tally.registry import BallotShape, method
from veche.tally.result import Result, Round, TieBreak

STRENGTH = "how strong a defeat of b by a is: 'winning-votes' (voters preferring a) or 'margin'"
MINIMAX_STRENGTHS = ("margin", "winning-votes", "pairwise-opposition")
DEFEAT_STRENGTHS = ("winning-votes", "margin")


@dataclass(frozen=True)
class _Pairwise:
    """What every Condorcet method starts from: the standing candidates and their matrix."""

    method: str
    candidates: tuple[str, ...]
    names: tuple[str, ...]
    matrix: IntArray
    winner: int | None

    @classmethod
    def count(cls, profile: Profile, method_name: str) -> _Pairwise:
        ballots = Ballots.countable(profile, method_name)
        matrix = pairwise_matrix(ballots)
        return cls(method_name, profile.candidates, ballots.names, matrix, condorcet_winner(matrix))

    def result(
        self,
        elected: list[str],
        rounds: list[Round],
        options: dict[str, Any] | None = None,
        details: dict[str, Any] | None = None,
    ) -> Result:
        """The one-seat result; ``details`` are added to the matrix and the Condorcet winner."""
        return Result(
            method=self.method,
            seats=1,
            candidates=list(self.candidates),
            elected=elected,
            rounds=rounds,
            options=options or {},
            details={**self.details(), **(details or {})},
        )

    def first_round(self) -> Round:
        note = (
            f"{self.names[self.winner]} beats every other candidate head to head (Condorcet winner)"
            if self.winner is not None
            else "no candidate beats every other head to head"
        )
        return Round(number=1, action="count pairwise preferences", note=note)

    def details(self) -> dict[str, Any]:
        return {
            "pairwise": matrix_as_dict(self.names, self.matrix),
            "condorcet_winner": None if self.winner is None else self.names[self.winner],
        }

    def defeat_strengths(self, strength: str) -> IntArray:
        """``s[a, b] > 0`` when ``a`` beats ``b``, measured as asked; zero otherwise."""
        beats = self.matrix > self.matrix.T
        measure = self.matrix if strength == "winning-votes" else self.matrix - self.matrix.T
        return np.where(beats, measure, 0)


@method(
    "schulze",
    "Schulze (beatpath): the candidate whose strongest paths beat every other's wins.",
    options={"strength": STRENGTH + " (default winning-votes, as Schulze recommends)"},
    ballot=BallotShape.RANKING,
)
def schulze(
    profile: Profile, *, seats: int, lot: Lot, strength: str = "winning-votes", **_: Any
) -> Result:
    """Schulze, "A new monotonic, clone-independent, reversal symmetric, and
    Condorcet-consistent single-winner election method", Social Choice and Welfare 36
    (2011), section 2: strongest paths by Floyd–Warshall; the potential winners are
    those whose strongest path to each rival is at least as strong as the way back.
    Several potential winners are separated by lot (the paper's own tie-breaking
    ranking, section 5, also falls back on randomness).
    """
    strength = choice_option("strength", strength, DEFEAT_STRENGTHS)
    pairwise = _Pairwise.count(profile, "schulze")
    paths = pairwise.defeat_strengths(strength)
    for k in range(len(pairwise.names)):
        # Widest paths: going through k is as strong as its weaker half.
        np.maximum(paths, np.minimum(paths[:, k : k + 1], paths[k : k + 1, :]), out=paths)
    np.fill_diagonal(paths, 0)
    path_wins = (paths > paths.T).sum(axis=1)
    unbeaten = [i for i in range(len(pairwise.names)) if (paths[:, i] <= paths[i, :]).all()]
    names = pairwise.names
    decisive = Round(
        number=2,
        action="find the strongest paths",
        note="tallies: rivals each candidate beats by strongest paths",
        tallies={name: int(path_wins[i]) for i, name in enumerate(names)},
    )
    winner = _settle(decisive, [names[i] for i in unbeaten], lot, "beaten by no one")
    order = sorted(range(len(names)), key=lambda i: -int(path_wins[i]))
    details = {
        "strongest_paths": matrix_as_dict(names, paths),
        "ranking": [names[i] for i in order],
    }
    rounds = [pairwise.first_round(), decisive]
    return pairwise.result([winner], rounds, {"strength": strength}, details)


@method(
    "ranked-pairs",
    "Ranked pairs (Tideman): lock in the strongest majorities that make no cycle; "
    "the unbeaten candidate wins.",
    options={"strength": STRENGTH + " (default margin, as Tideman defined it)"},
    ballot=BallotShape.RANKING,
)
def ranked_pairs(
    profile: Profile, *, seats: int, lot: Lot, strength: str = "margin", **_: Any
) -> Result:
    """Tideman, "Independence of clones as a criterion for voting rules", Social Choice
    and Welfare 4 (1987): majorities are taken strongest first, each locked in unless
    it would close a cycle with those already locked. Where majorities of equal
    strength could be locked in different orders with different outcomes, lots pick
    the next to lock, one at a time; where every order gives the same graph, none is
    drawn.
    """
    strength = choice_option("strength", strength, DEFEAT_STRENGTHS)
    pairwise = _Pairwise.count(profile, "ranked-pairs")
    names = pairwise.names
    defeats = pairwise.defeat_strengths(strength)
    rounds = [pairwise.first_round()]
    locked = np.zeros(defeats.shape, dtype=np.bool_)

    def record(a: int, b: int, tie: TieBreak | None = None) -> None:
        label = f"{names[a]} over {names[b]} ({strength} {int(defeats[a, b])})"
        if _reaches(locked, b, a):
            action, note = f"skip {label}", "it would make a cycle with majorities already locked"
        else:
            locked[a, b] = True
            action, note = f"lock {label}", ""
        rounds.append(Round(number=len(rounds) + 1, action=action, note=note, tie_break=tie))

    for value in sorted({int(v) for v in defeats[defeats > 0]}, reverse=True):
        pending = [(int(a), int(b)) for a, b in zip(*np.nonzero(defeats == value), strict=True)]
        while pending:
            if _order_irrelevant(locked, pending):
                for a, b in pending:
                    record(a, b)
                break
            labels = {f"{names[a]} over {names[b]}": (a, b) for a, b in pending}
            chosen = lot.draw(list(labels))
            a, b = labels[chosen]
            record(a, b, TieBreak(tied=list(labels), resolved_by="lot", chosen=chosen))
            pending.remove((a, b))
    unbeaten = [names[i] for i in range(len(names)) if not locked[:, i].any()]
    final = Round(number=len(rounds) + 1, action="find the candidate no locked majority beats")
    winner = _settle(final, unbeaten, lot, "beaten by no locked majority")
    rounds.append(final)
    locks = [[names[a], names[b]] for a, b in zip(*np.nonzero(locked), strict=True)]
    return pairwise.result([winner], rounds, {"strength": strength}, {"locked": locks})


def _reaches(graph: np.ndarray[Any, np.dtype[np.bool_]], start: int, goal: int) -> bool:
    """Whether the locked majorities lead from ``start`` to ``goal``."""
    seen = {start}
    frontier = [start]
    while frontier:
        node = frontier.pop()
        if node == goal:
            return True
        for following in np.flatnonzero(graph[node]):
            if int(following) not in seen:
                seen.add(int(following))
                frontier.append(int(following))
    return False


def _order_irrelevant(
    locked: np.ndarray[Any, np.dtype[np.bool_]], pending: list[tuple[int, int]]
) -> bool:
    """True when locking equal majorities in any order gives the same graph.

    A majority that closes a cycle with the graph as it stands is skipped in every
    order; if the rest, all locked at once, make no cycle, each is locked in every
    order too.
    """
    trial = locked.copy()
    for a, b in pending:
        if not _reaches(locked, b, a):
            trial[a, b] = True
    return _acyclic(trial)


def _acyclic(graph: np.ndarray[Any, np.dtype[np.bool_]]) -> bool:
    """Kahn's test: a graph has no cycle when repeatedly removing sources empties it."""
    incoming = graph.sum(axis=0)
    sources = [i for i in range(graph.shape[0]) if incoming[i] == 0]
    removed = 0
    while sources:
        node = sources.pop()
        removed += 1
        for following in np.flatnonzero(graph[node]):
            incoming[following] -= 1
            if incoming[following] == 0:
                sources.append(int(following))
    return removed == int(graph.shape[0])


@method(
    "copeland",
    "Copeland: a point for each head-to-head win, half for each tie; the most points wins.",
    ballot=BallotShape.RANKING,
)
def copeland(profile: Profile, *, seats: int, lot: Lot, **_: Any) -> Result:
    """Copeland's method with Copeland's own half point for a pairwise tie (Saari and
    Merlin, "The Copeland method I", Economic Theory 8 (1996)). Level scores are
    common in small electorates; they go to lot.
    """
    pairwise = _Pairwise.count(profile, "copeland")
    matrix = pairwise.matrix
    wins = (matrix > matrix.T).sum(axis=1)
    ties = (matrix == matrix.T).sum(axis=1) - 1  # a candidate is level with itself
    points: list[Number] = [
        exact(int(w) + Fraction(int(t), 2)) for w, t in zip(wins, ties, strict=True)
    ]
    elected, decisive = elect_highest(
        pairwise.names,
        points,
        1,
        lot,
        method="copeland",
        action="score head-to-head contests",
        unit="points",
    )
    for rnd in decisive:
        rnd.number += 1
    details = {
        "wins": {name: int(wins[i]) for i, name in enumerate(pairwise.names)},
        "ties": {name: int(ties[i]) for i, name in enumerate(pairwise.names)},
    }
    return pairwise.result(elected, [pairwise.first_round(), *decisive], details=details)


@method(
    "minimax",
    "Minimax (Simpson–Kramer): the candidate whose worst head-to-head defeat is mildest wins.",
    options={
        "strength": "how a defeat is measured: 'margin' (default), 'winning-votes' or "
        "'pairwise-opposition' (votes against, whether or not a defeat)",
    },
    ballot=BallotShape.RANKING,
)
def minimax(
    profile: Profile, *, seats: int, lot: Lot, strength: str = "margin", **_: Any
) -> Result:
    """Simpson, "On defining areas of voter choice", Quarterly Journal of Economics 83
    (1969) and Kramer, "A dynamical model of political equilibrium", Journal of
    Economic Theory 16 (1977); the three measures are those of Wikipedia, "Minimax
    Condorcet method". A candidate never defeated scores zero. Level scores go to lot.
    """
    strength = choice_option("strength", strength, MINIMAX_STRENGTHS)
    pairwise = _Pairwise.count(profile, "minimax")
    names = pairwise.names
    # against[a, b]: how strongly b stands against a.
    if strength == "pairwise-opposition":
        against = pairwise.matrix.T.copy()
    else:
        against = pairwise.defeat_strengths(strength).T.copy()
    np.fill_diagonal(against, 0)
    worst = against.max(axis=1) if len(names) > 1 else np.zeros(1, dtype=np.int64)
    mildest = int(worst.min())
    decisive = Round(
        number=2,
        action=f"find each candidate's worst defeat ({strength})",
        tallies={name: int(worst[i]) for i, name in enumerate(names)},
    )
    level = [names[i] for i in range(len(names)) if int(worst[i]) == mildest]
    winner = _settle(decisive, level, lot, f"mildest worst defeat ({mildest})")
    rounds = [pairwise.first_round(), decisive]
    return pairwise.result([winner], rounds, {"strength": strength})


def _settle(decisive: Round, best: list[str], lot: Lot, why: str) -> str:
    """Elect the one best candidate, or draw lots among several, recording it in the round."""
    if len(best) == 1:
        winner = best[0]
        decisive.note = (
            f"{decisive.note}; {winner} elected: {why}"
            if decisive.note
            else (f"{winner} elected: {why}")
        )
    else:
        winner = lot.draw(best)
        decisive.tie_break = TieBreak(tied=list(best), resolved_by="lot", chosen=winner)
        tie_note = f"{', '.join(best)} are all {why}; {winner} elected by lot"
        decisive.note = f"{decisive.note}; {tie_note}" if decisive.note else tie_note
    decisive.elected = [winner]
    return winner
