"""How fast veche.tally counts a million ballots, beside pref_voting and votekit on the same ballots.

Run: .venv/bin/python -m benchmarks.tally [--quick] [--skip-peers] [--seed N] [--peer-budget S]

Every library counts the same seeded ballots (see ``benchmarks._profiles`` for the
model) in the same run. veche is timed from the ballot arrays to the result
(``Profile(...)`` and ``count``). A peer is timed on its own profile object,
built beforehand from the same arrays and reported apart, unless building it
is the method's counting: pref_voting's ``Profile`` counts the pairwise
supports Schulze needs, so there it is timed with the call. A run under two
seconds is repeated and the best of three kept, for every library alike.

A peer too slow to count the full electorate within ``--peer-budget`` seconds
is run on the first 1,000, 10,000, ... voters (a random sample: voters are drawn
independently) as far as the budget allows, and its time scaled to the full
size by the number of ballot rows, the unit its loops run over; the table marks
such times with ‡. Winners are compared with veche's on the very ballots the
peer counted. The table is Markdown, for docs/benchmarks.md; progress goes to
standard error.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import TypeVar

from pref_voting.iterative_methods import instant_runoff
from pref_voting.margin_based_methods import beat_path
from pref_voting.proportional_methods import stv_meek, stv_scottish
from votekit.elections import FastSTV, Schulze

from benchmarks._machine import load, machine, progress
from benchmarks._profiles import SCOTTISH_LENGTHS, Ballots, candidate_names, plackett_luce
from veche.tally import Profile, count, read_ballots
from veche.tally.formats import write_blt
from veche.tally.profile import RankArray

T = TypeVar("T")

#: Counting a profile once; gives the winners' names.
Runner = Callable[[], Iterable[str]]
#: Building a library's profile object from the ballots; gives the runner that counts it.
Prepare = Callable[[Ballots], Runner]

#: The peers, in the order of the table's columns.
LIBRARIES = ("pref_voting", "votekit")
REPEATS = 3
REPEAT_UNDER_SECONDS = 2.0
SMALLEST_SAMPLE = 1_000
BLT_TARGET_SECONDS = 2.0
MEMORY_TARGET_MB = 200.0


@dataclass(frozen=True)
class Sizes:
    voters: int
    schulze_voters: int


FULL = Sizes(voters=1_000_000, schulze_voters=100_000)
QUICK = Sizes(voters=50_000, schulze_voters=5_000)


@dataclass(frozen=True)
class Electorate:
    """The voters of a case, one row each, and the form their ballots are handed over in."""

    candidates: tuple[str, ...]
    rankings: RankArray
    merge: bool

    @property
    def n_voters(self) -> int:
        return int(self.rankings.shape[0])

    def ballots(self, n_voters: int | None = None) -> Ballots:
        """The first ``n_voters`` voters' ballots (all by default), merged if the case says so."""
        rankings = self.rankings if n_voters is None else self.rankings[:n_voters]
        if self.merge:
            return Ballots.merged(self.candidates, rankings)
        return Ballots.one_per_voter(self.candidates, rankings)


@dataclass(frozen=True)
class Peer:
    library: str
    call: str
    prepare: Prepare
    note: str = ""
    #: Whether building the profile is the method's counting, and so timed with it.
    build_is_counting: bool = False


@dataclass(frozen=True)
class Case:
    title: str
    method: str
    seats: int
    electorate: Electorate
    seconds_target: float | None
    ratio_target: float | None
    peers: tuple[Peer, ...]


@dataclass(frozen=True)
class Measurement:
    """One library counting one set of ballots."""

    seconds: float
    build_seconds: float
    winners: frozenset[str]
    n_voters: int
    n_rows: int


@dataclass(frozen=True)
class PeerResult:
    peer: Peer
    measured: Measurement
    full_voters: int
    full_rows: int
    agrees: bool

    @property
    def sampled(self) -> bool:
        return self.measured.n_voters < self.full_voters

    @property
    def seconds(self) -> float:
        """The time for the full electorate, scaled by ballot rows when measured on a sample."""
        return self.measured.seconds * self.full_rows / self.measured.n_rows


@dataclass(frozen=True)
class CaseResult:
    case: Case
    ours: Measurement
    peers: dict[str, PeerResult]


@dataclass(frozen=True)
class BltResult:
    n_voters: int
    file_mb: float
    seconds: float
    per_voter_mb: float
    stored_mb: float
    baseline_rss_mb: float
    peak_rss_mb: float
    agrees: bool


def timed(run: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def best_time(run: Callable[[], T]) -> tuple[float, T]:
    """Best of ``REPEATS`` runs when one run is quick, else the one run."""
    seconds, value = timed(run)
    if seconds < REPEAT_UNDER_SECONDS:
        for _ in range(REPEATS - 1):
            seconds = min(seconds, timed(run)[0])
    return seconds, value


def measure(prepare: Prepare, ballots: Ballots, build_is_counting: bool = False) -> Measurement:
    if build_is_counting:
        build_seconds = 0.0
        seconds, winners = best_time(lambda: frozenset(prepare(ballots)()))
    else:
        build_seconds, runner = timed(lambda: prepare(ballots))
        seconds, winners = best_time(lambda: frozenset(runner()))
    return Measurement(seconds, build_seconds, winners, ballots.n_voters, ballots.n_rows)


# --- the libraries ---------------------------------------------------------------------------


def veche(method: str, seats: int, seed: int) -> Prepare:
    def prepare(ballots: Ballots) -> Runner:
        def run() -> Iterable[str]:
            profile = Profile(
                candidates=ballots.candidates, rankings=ballots.rankings, counts=ballots.counts
            )
            return count(profile, method=method, seats=seats, seed=seed).elected

        return run

    return prepare


def pref_voting(function: Callable[..., list[int]], **arguments: object) -> Prepare:
    """A pref_voting method: winners come back as candidate indices, sorted."""

    def prepare(ballots: Ballots) -> Runner:
        profile = ballots.pref_voting()
        return lambda: [ballots.candidates[c] for c in function(profile, **arguments)]

    return prepare


def votekit_fast_stv(seats: int, seed: int) -> Prepare:
    def prepare(ballots: Ballots) -> Runner:
        profile = ballots.votekit()

        def run() -> Iterable[str]:
            election = FastSTV(profile, n_seats=seats, tiebreak="random", rng_seed=seed)
            return [str(name) for group in election.get_elected() for name in group]

        return run

    return prepare


def votekit_schulze(seed: int) -> Prepare:
    def prepare(ballots: Ballots) -> Runner:
        profile = ballots.votekit()

        def run() -> Iterable[str]:
            election = Schulze(profile, n_seats=1, rng_seed=seed)
            return [str(name) for group in election.get_elected() for name in group]

        return run

    return prepare


# --- the cases -------------------------------------------------------------------------------


def cases(sizes: Sizes, seed: int) -> list[Case]:
    stv_candidates = candidate_names(10)
    stv_rankings = plackett_luce(sizes.voters, len(stv_candidates), seed, SCOTTISH_LENGTHS)
    merged = Electorate(stv_candidates, stv_rankings, merge=True)
    per_voter = Electorate(stv_candidates, stv_rankings, merge=False)
    schulze_candidates = candidate_names(30)
    schulze_rankings = plackett_luce(
        sizes.schulze_voters, len(schulze_candidates), seed + 1, lengths=None
    )
    seats = 3
    lot = random.Random(seed)
    not_scottish = (
        "fractional transfers of every paper in floating point, all candidates over the "
        "quota elected at once: the nearest votekit has, not the Scottish rule"
    )
    scottish_peers = (
        Peer(
            "pref_voting",
            f"stv_scottish(profile, num_seats={seats}, rng=Random(seed))",
            pref_voting(stv_scottish, num_seats=seats, rng=lot),
        ),
        Peer(
            "votekit",
            f'FastSTV(profile, n_seats={seats}, tiebreak="random", rng_seed=seed)',
            votekit_fast_stv(seats, seed),
            not_scottish,
        ),
    )
    return [
        Case(
            f"Scottish STV, {seats} of 10",
            "scottish-stv",
            seats,
            merged,
            seconds_target=1.0,
            ratio_target=50.0,
            peers=scottish_peers,
        ),
        Case(
            f"Scottish STV, {seats} of 10, one row per voter",
            "scottish-stv",
            seats,
            per_voter,
            seconds_target=1.0,
            ratio_target=50.0,
            peers=scottish_peers,
        ),
        Case(
            "IRV, 10 candidates",
            "irv",
            1,
            merged,
            seconds_target=0.5,
            ratio_target=None,
            peers=(
                Peer("pref_voting", "instant_runoff(profile)", pref_voting(instant_runoff)),
                Peer(
                    "votekit",
                    'FastSTV(profile, n_seats=1, tiebreak="random", rng_seed=seed)',
                    votekit_fast_stv(1, seed),
                    "votekit's numpy STV for one seat (its IRV class is the slow pandas one)",
                ),
            ),
        ),
        Case(
            f"Meek STV, {seats} of 10",
            "meek-stv",
            seats,
            merged,
            seconds_target=3.0,
            ratio_target=None,
            peers=(
                Peer(
                    "pref_voting",
                    f"stv_meek(profile, num_seats={seats})",
                    pref_voting(stv_meek, num_seats=seats),
                    "floating point, tolerance 1e-10, up to 2,000 iterations a round "
                    "(its defaults); veche: PRF reference rule, 9 decimal places",
                ),
            ),
        ),
        Case(
            "Schulze, 30 candidates, complete rankings",
            "schulze",
            1,
            Electorate(schulze_candidates, schulze_rankings, merge=True),
            seconds_target=0.3,
            ratio_target=None,
            peers=(
                Peer(
                    "pref_voting",
                    "beat_path(Profile(rankings, rcounts))",
                    pref_voting(beat_path),
                    "the Profile constructor is timed too, as it counts the pairwise "
                    "supports and beat_path only finds the paths; margins as strengths, "
                    "which with complete rankings elect as winning votes do",
                    build_is_counting=True,
                ),
                Peer("votekit", "Schulze(profile)", votekit_schulze(seed)),
            ),
        ),
    ]


def sample_sizes(n_voters: int) -> list[int]:
    """1,000, 10,000, ... voters, up to and including the full electorate."""
    sizes = [n_voters // 10**k for k in range(6, 0, -1) if n_voters // 10**k >= SMALLEST_SAMPLE]
    return [*sorted(set(sizes)), n_voters]


def run_peer(
    case: Case, peer: Peer, full: Ballots, ours: Measurement, budget: float, seed: int
) -> PeerResult:
    """Count on ever larger samples while the next is predicted to fit in ``budget`` seconds."""
    done: Measurement | None = None
    agrees = False
    for size in sample_sizes(full.n_voters):
        ballots = full if size == full.n_voters else case.electorate.ballots(size)
        if done is not None:
            predicted = (done.seconds + done.build_seconds) * ballots.n_rows / done.n_rows
            if predicted > budget:
                progress(f"  {peer.library}: {size:,} voters would take ~{predicted:,.0f} s; stop")
                break
        done = measure(peer.prepare, ballots, peer.build_is_counting)
        progress(
            f"  {peer.library} on {size:,} voters ({ballots.n_rows:,} rows): "
            f"{done.seconds:.3f} s, building its profile {done.build_seconds:.2f} s"
        )
        if ballots is full:
            agrees = done.winners == ours.winners
        else:
            result = count(ballots.veche(), method=case.method, seats=case.seats, seed=seed)
            agrees = done.winners == frozenset(result.elected)
    assert done is not None
    return PeerResult(peer, done, full.n_voters, full.n_rows, agrees)


def run_case(case: Case, skip_peers: bool, budget: float, seed: int) -> CaseResult:
    full = case.electorate.ballots()
    progress(f"{case.title}: {full.n_voters:,} voters, {full.n_rows:,} ballot rows")
    ours = measure(veche(case.method, case.seats, seed), full)
    progress(f"  veche: {ours.seconds:.3f} s, elected {sorted(ours.winners)}")
    peers = (
        {}
        if skip_peers
        else {p.library: run_peer(case, p, full, ours, budget, seed) for p in case.peers}
    )
    return CaseResult(case, ours, peers)


# Linux keeps the parent's peak in ru_maxrss across exec; VmHWM belongs to this process alone.
_PEAK_RSS = """
import json, sys
from veche.tally import count, read_ballots

def peak_mb():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) * 1024 / 1e6

baseline = peak_mb()
profile = read_ballots(sys.argv[1])
elected = count(profile, method="scottish-stv", seats=int(sys.argv[2]), seed=int(sys.argv[3])).elected
print(json.dumps({"baseline": baseline, "peak": peak_mb(), "elected": elected}))
"""


def blt_round_trip(electorate: Electorate, seats: int, seed: int, ours: Measurement) -> BltResult:
    """Write every voter's ballot as a line of a BLT file, read it back, and measure memory
    in a fresh process that reads the file and counts it.
    """
    per_voter = Ballots.one_per_voter(electorate.candidates, electorate.rankings)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ballots.blt"
        write_blt(dataclasses.replace(per_voter.veche(), seats=seats), path)
        file_mb = path.stat().st_size / 1e6
        progress(f"BLT file: {electorate.n_voters:,} lines, {file_mb:.1f} MB")
        seconds, profile = best_time(lambda: read_ballots(path))
        progress(f"  read_ballots: {seconds:.3f} s, {profile.counts.shape[0]:,} distinct ballots")
        child = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, str(path), str(seats), str(seed)],
            capture_output=True,
            text=True,
            check=True,
        )
    report = json.loads(child.stdout)
    stored = profile.rankings.nbytes + profile.counts.nbytes
    if profile.tied_with_previous is not None:
        stored += profile.tied_with_previous.nbytes
    return BltResult(
        n_voters=electorate.n_voters,
        file_mb=file_mb,
        seconds=seconds,
        per_voter_mb=(per_voter.rankings.nbytes + per_voter.counts.nbytes) / 1e6,
        stored_mb=stored / 1e6,
        baseline_rss_mb=float(report["baseline"]),
        peak_rss_mb=float(report["peak"]),
        agrees=profile.n_voters == electorate.n_voters
        and frozenset(report["elected"]) == ours.winners,
    )


# --- the report ------------------------------------------------------------------------------


def seconds_text(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    return f"{seconds:.3f} s"


def ratio_text(ratio: float) -> str:
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.1f}×"


def yes_no(flag: bool) -> str:
    return "yes" if flag else "**no**"


def target_text(case: Case) -> str:
    parts = []
    if case.seconds_target is not None:
        parts.append(f"< {case.seconds_target:g} s")
    if case.ratio_target is not None:
        parts.append(f"≥ {case.ratio_target:g}× pref_voting")
    return ", ".join(parts)


def met_text(result: CaseResult, judged: bool) -> str:
    if not judged:
        return "n/a (quick)"
    case = result.case
    verdicts = []
    if case.seconds_target is not None:
        verdicts.append(yes_no(result.ours.seconds < case.seconds_target))
    if case.ratio_target is not None:
        peer = result.peers.get("pref_voting")
        verdicts.append(
            "—" if peer is None else yes_no(peer.seconds / result.ours.seconds >= case.ratio_target)
        )
    return " / ".join(verdicts)


def peer_cells(result: CaseResult, library: str) -> tuple[str, str]:
    peer = result.peers.get(library)
    if peer is None:
        return "—", "—"
    mark = " ‡" if peer.sampled else ""
    prefix = "≈ " if peer.sampled else ""
    return (
        prefix + seconds_text(peer.seconds) + mark,
        ratio_text(peer.seconds / result.ours.seconds),
    )


def winners_cell(result: CaseResult) -> str:
    cells = []
    for library in LIBRARIES:
        peer = result.peers.get(library)
        if peer is None:
            cells.append("—")
        else:
            cells.append(yes_no(peer.agrees) + (" ‡" if peer.sampled else ""))
    return " / ".join(cells)


def print_report(
    results: list[CaseResult],
    blt: BltResult,
    *,
    seed: int,
    judged: bool,
    load_before: str,
    budget: float,
) -> None:
    versions = ", ".join(f"{name} {version(name)}" for name in ("numpy", *LIBRARIES))
    print(f"Machine: {machine()}; {versions}.")
    print(f"Load average (1, 5, 15 min): {load_before} before, {load()} after. Seed {seed}.")
    print()
    print_times(results, blt, judged)
    if any(result.peers for result in results):
        print_peer_notes(results, budget)
        print_build_times(results)
    print_memory(blt, judged)


def print_times(results: list[CaseResult], blt: BltResult, judged: bool) -> None:
    print(
        "| case | voters | ballot rows | veche | target | met | pref_voting | × "
        "| votekit | × | same winners (pref_voting / votekit) |"
    )
    print("| --- | ---: | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | --- |")
    for result in results:
        ours = result.ours
        pv_time, pv_ratio = peer_cells(result, "pref_voting")
        vk_time, vk_ratio = peer_cells(result, "votekit")
        print(
            f"| {result.case.title} | {ours.n_voters:,} | {ours.n_rows:,} "
            f"| {seconds_text(ours.seconds)} | {target_text(result.case)} "
            f"| {met_text(result, judged)} | {pv_time} | {pv_ratio} | {vk_time} | {vk_ratio} "
            f"| {winners_cell(result)} |"
        )
    blt_met = yes_no(blt.seconds < BLT_TARGET_SECONDS) if judged else "n/a (quick)"
    print(
        f"| Reading a BLT file ({blt.file_mb:.1f} MB) | {blt.n_voters:,} | {blt.n_voters:,} "
        f"| {seconds_text(blt.seconds)} | < {BLT_TARGET_SECONDS:g} s | {blt_met} "
        f"| — | — | — | — | {yes_no(blt.agrees)} (Scottish STV on what was read) |"
    )


def print_peer_notes(results: list[CaseResult], budget: float) -> None:
    """How each peer was called (once per distinct call), samples, and any disagreement."""
    print()
    print("Peers, as called (each on a profile object built beforehand from the same ballots):")
    print()
    calls: dict[tuple[str, str, str], list[str]] = {}
    for result in results:
        for peer in result.case.peers:
            if peer.library in result.peers:
                calls.setdefault((peer.library, peer.call, peer.note), []).append(result.case.title)
    for (library, call, note), titles in calls.items():
        comment = f" — {note}" if note else ""
        print(f"- {'; '.join(titles)}: {library} `{call}`{comment}.")
    runs = [(result.case.title, run) for result in results for run in result.peers.values()]
    sampled = [(title, run) for title, run in runs if run.sampled]
    if sampled:
        print()
        print(
            f"‡ Would not finish within the {budget:g}-second budget at full size: measured on "
            "the first voters and scaled by ballot rows; winners compared on that sample."
        )
        print()
        for title, run in sampled:
            m = run.measured
            print(
                f"- {title}, {run.peer.library}: {seconds_text(m.seconds)} on {m.n_voters:,} "
                f"voters ({m.n_rows:,} rows), × {run.full_rows / m.n_rows:,.1f}."
            )
    for title, run in runs:
        if not run.agrees:
            print(
                f"- Different winners, {title}: {run.peer.library} elects "
                f"{sorted(run.measured.winners)}."
            )


def print_build_times(results: list[CaseResult]) -> None:
    print()
    print("Building each peer's profile object from the ballot arrays (not in the times above):")
    print()
    print("| case | pref_voting | votekit |")
    print("| --- | ---: | ---: |")
    for result in results:
        cells = []
        for library in LIBRARIES:
            run = result.peers.get(library)
            if run is None:
                cells.append("—")
            elif run.peer.build_is_counting:
                cells.append("in the time")
            else:
                where = f" ({run.measured.n_voters:,} voters)" if run.sampled else ""
                cells.append(seconds_text(run.measured.build_seconds) + where)
        print(f"| {result.case.title} | {' | '.join(cells)} |")


def print_memory(blt: BltResult, judged: bool) -> None:
    met = yes_no(blt.peak_rss_mb < MEMORY_TARGET_MB) if judged else "n/a (quick)"
    print()
    print(f"Memory, {blt.n_voters:,} ballots × 10 ranks (MB = 10^6 bytes):")
    print()
    print("| held as | MB |")
    print("| --- | ---: |")
    print(f"| arrays, one row per voter (int32 ranks, int64 counts) | {blt.per_voter_mb:.1f} |")
    print(
        f"| arrays of the profile read from the BLT file (distinct ballots) | {blt.stored_mb:.1f} |"
    )
    print(
        "| peak RSS of a fresh process that reads the BLT file and counts Scottish STV "
        f"(target < {MEMORY_TARGET_MB:g}: {met}) | {blt.peak_rss_mb:.1f} |"
    )
    print(f"| of which the interpreter with veche.tally imported | {blt.baseline_rss_mb:.1f} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--skip-peers", action="store_true", help="time veche only")
    parser.add_argument("--seed", type=int, default=2026, help="seed of the generated ballots")
    parser.add_argument(
        "--peer-budget",
        type=float,
        help="seconds a peer may take on one size before it is sampled (default 180; 20 quick)",
    )
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    budget = args.peer_budget if args.peer_budget is not None else (20.0 if args.quick else 180.0)
    load_before = load()
    all_cases = cases(sizes, args.seed)
    results = [run_case(case, args.skip_peers, budget, args.seed) for case in all_cases]
    first = all_cases[0]
    blt = blt_round_trip(first.electorate, first.seats, args.seed, results[0].ours)
    print_report(
        results,
        blt,
        seed=args.seed,
        judged=not args.quick,
        load_before=load_before,
        budget=budget,
    )


if __name__ == "__main__":
    main()
