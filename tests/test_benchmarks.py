"""The benchmarks: the vote spike leaves no `veche serve` behind, however it is stopped;
the lists benchmark refuses a size it cannot fill; the refresh storm, at a tiny size, brings
every page up to date; the congress's pages answer at both of their sizes."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from benchmarks import follow_up, follow_up_database, meeting_lists
from sqlalchemy.orm import Session, sessionmaker

REPO_ROOT = Path(__file__).resolve().parents[1]


def _benchmark(
    module: str, *arguments: str, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """A benchmark run as its documentation runs it, its output kept."""
    return subprocess.run(
        [sys.executable, "-m", f"benchmarks.{module}", *arguments],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _table_rows(output: str) -> list[list[str]]:
    """The cells of each line of a Markdown or pipe-separated table in ``output``."""
    return [[cell.strip() for cell in line.split("|")] for line in output.splitlines()]


def _children(parent: int) -> list[int]:
    """The processes whose parent is ``parent``, read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # it ended while we looked
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie waiting for a parent that no longer reaps it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _server_of(benchmark: subprocess.Popen[bytes], within: float) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for pid in _children(benchmark.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"veche" in command and b"serve" in command:
                return pid
        assert benchmark.poll() is None, "the benchmark ended before its server started"
        time.sleep(0.02)
    raise AssertionError(f"no `veche serve` started within {within} s")


@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
@pytest.mark.parametrize("stop", [signal.SIGKILL, signal.SIGTERM])
def test_a_stopped_vote_spike_leaves_no_server_behind(stop: signal.Signals) -> None:
    benchmark = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.vote_spike", "--voters", "300", "--backend", "sqlite"],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        server = _server_of(benchmark, within=60)
        benchmark.send_signal(stop)  # as `timeout` (SIGTERM) or `timeout -s KILL` would
        benchmark.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _running(server) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _running(server), f"`veche serve` ({server}) outlived its benchmark"
    finally:
        benchmark.kill()
        benchmark.wait()


def test_the_lists_benchmark_refuses_a_meeting_too_small_to_fill(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its first hundred participants give the speeches: fewer is a usage error (exit 2)."""
    monkeypatch.setattr(sys, "argv", ["meeting_lists", "--participants", "99"])
    with pytest.raises(SystemExit) as stopped:
        meeting_lists.main()
    assert stopped.value.code == 2
    assert "--participants must be at least 100" in capsys.readouterr().err


def test_the_refresh_storm_benchmark_brings_every_page_up_to_date() -> None:
    """Twenty pages, every change: each page ends up holding the current fragment (carried
    by its stream, or fetched), no fetch fails, and every stream reconnecting at once is
    answered. (Without the peer, which would start a second server for half a minute.)"""
    ran = _benchmark("live_fanout", "--sizes", "20", "--backend", "sqlite", "--no-peer")
    assert ran.returncode == 0, ran.stderr
    rows = _table_rows(ran.stdout)
    storms = [row for row in rows if len(row) == 10 and row[1] == "20"]
    assert {(row[2], row[3]) for row in storms} == {
        ("fragment cache", change)
        for change in (
            "pages' first fetch",
            "floor given",
            "poll opened",
            "poll closed",
            "poll opened after an access change",
            "reconnection",
        )
    }
    for row in storms:
        pages = 40 if row[3] == "pages' first fetch" else 20
        assert row[6] == str(pages) and row[7] == "0", row  # every page current, none failed
    assert "server's resident memory per page connected: SQLite, 20 pages" in ran.stdout


def test_the_follow_up_database_benchmark_rolls_up_what_it_filled(
    sessions: sessionmaker[Session],
) -> None:
    """At a tiny size, on both databases: the roll-up finds the sum of the values the
    filling wrote, the district's card holds every goal, and the summing-up names each."""
    size = follow_up.Size(units=30, indicators=12, periods=2)
    filled = follow_up_database.fill(sessions, size, seed=7)
    _timings, view, card, document = follow_up_database.time_views(sessions, filled, repeats=1)
    first = next(
        shown
        for goal in view.goals
        for shown in goal.indicators
        if shown.id == filled.first_indicator_id
    )
    assert first.value == filled.first_indicator_total
    assert first.reported == first.expected == 29  # every branch, none of the district
    assert [goal.id for goal in card.goals] == filled.goal_ids
    assert card.unit_id == filled.district_id and card.expected > 0
    assert all(f"Goal {number}" in document for number in (1, 2))


def test_the_congress_pages_benchmark_answers_every_page_at_both_sizes() -> None:
    """A tiny congress and its tinier peer: every page answers (the benchmark refuses any
    other status), once for each, and each row gives both medians and their ratio."""
    ran = _benchmark("congress_pages", "--delegates", "8", "--baseline", "5", "--repeat", "1")
    assert ran.returncode == 0, ran.stderr
    rows = [row[1:-1] for row in _table_rows(ran.stdout)]  # a Markdown row: | … |
    pages = [row for row in rows if len(row) == 7 and row[0] in ("secretary", "delegate", "anyone")]
    assert len(pages) == 27 and len({(row[0], row[1]) for row in pages}) == 27
    assert "`/meetings/{id}/room`" in [row[1] for row in pages]
    for _who, page, median, slowest, verdict, peer, ratio in pages:
        assert float(slowest) >= float(median) and verdict in ("yes", "median", "NO"), page
        assert float(peer) >= 0 and float(ratio) >= 0, page
    assert "the same congress with 5 delegates" in ran.stdout


def test_the_congress_pages_benchmark_refuses_a_peer_larger_than_the_congress() -> None:
    ran = _benchmark("congress_pages", "--delegates", "6", "--baseline", "9", timeout=60)
    assert ran.returncode == 2 and "--baseline must be at least 4" in ran.stderr
