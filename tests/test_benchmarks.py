"""The vote-spike benchmark leaves no `veche serve` behind, however it is stopped."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]


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
