"""Password hashing: a few hashes at a time, and no account needed to pay for one."""

from __future__ import annotations

import threading
import time
from typing import Literal

import pytest
from argon2 import PasswordHasher

from veche import security


class HeldHasher(PasswordHasher):
    """A hasher whose checks wait until the test lets them go, counting those under way."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.release = threading.Event()
        self.checked = 0
        self.under_way = 0
        self.most_at_once = 0
        self._lock = threading.Lock()

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        with self._lock:
            self.checked += 1
            self.under_way += 1
            self.most_at_once = max(self.most_at_once, self.under_way)
        try:
            self.release.wait(timeout=30)
            return super().verify(hash, password)
        finally:
            with self._lock:
                self.under_way -= 1


def test_a_flood_of_logins_hashes_a_few_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    hasher = HeldHasher()
    stored = hasher.hash("correct horse")
    monkeypatch.setattr(security, "_hasher", hasher)
    results: list[bool] = []
    flood = [
        threading.Thread(target=lambda: results.append(security.password_matches(stored, "x")))
        for _ in range(3 * security.HASHES_AT_ONCE)
    ]
    for thread in flood:
        thread.start()
    deadline = time.monotonic() + 10
    while hasher.under_way < security.HASHES_AT_ONCE and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # time enough for any thread past the gate to have shown itself
    assert hasher.under_way == security.HASHES_AT_ONCE
    hasher.release.set()
    for thread in flood:
        thread.join(timeout=30)
    assert hasher.most_at_once == security.HASHES_AT_ONCE
    assert results == [False] * len(flood)


def test_without_a_hash_a_password_is_still_checked_and_never_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hasher = HeldHasher()
    hasher.release.set()
    monkeypatch.setattr(security, "_hasher", hasher)
    assert security.password_matches(None, "anything") is False
    assert security.password_matches("", "anything") is False
    stored = hasher.hash("correct horse")
    assert security.password_matches(stored, "correct horse") is True
    assert hasher.checked == 3  # each of them was checked against a hash
