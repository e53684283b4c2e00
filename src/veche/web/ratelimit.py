"""Throttling logins, per account and address, without letting an attacker lock a real user out.

Failures are rows in the database, so every process behind a proxy sees the same ones.

- The pair (account, address) gets a few free tries, then waits twice as long after each
  further failure, up to a quarter of an hour: a guesser at one address slows to a crawl.
- An address that fails very often, whatever the accounts, is stopped for the window:
  spraying one password over many accounts.
- An account failing from many addresses (a botnet, or one address forging
  X-Forwarded-For) is closed to every address while it has failed too often in the window,
  and to the addresses that failed on it for a quarter of an hour after their last failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from veche.errors import VecheError
from veche.models import LoginFailure
from veche.models.base import utcnow

WINDOW = timedelta(minutes=15)
MAX_DELAY = timedelta(minutes=15)
T = TypeVar("T")


class TooManyAttempts(VecheError):
    """Logins from here are paused; the message says for how long."""

    status_code = 429

    def __init__(self, wait: timedelta) -> None:
        seconds = max(1, math.ceil(wait.total_seconds()))
        super().__init__(f"too many failed attempts; wait {seconds} seconds and try again")
        self.retry_after = seconds


@dataclass(frozen=True)
class Policy:
    """How many failures are let through before waiting starts, and the caps."""

    free_tries: int | None  # per (account, address); None: no backoff per pair
    address_cap: int  # failures per address in the window, whatever the account
    account_cap: int | None  # failures on one account from all addresses in the window


#: Passwords: a handful of typos are free; an address may fail 100 times in a window.
PASSWORDS = Policy(free_tries=5, address_cap=100, account_cap=20)
#: Access codes name no account and are too long to guess, even at this cap (the sums are
#: in veche.actions.access_codes); a hall shares one address behind its router, so only a
#: generous cap per address applies.
ACCESS_CODES = Policy(free_tries=None, address_cap=200, account_cap=None)


def check_allowed(
    session: Session, policy: Policy, account: str, address: str, now: datetime
) -> None:
    """Raise TooManyAttempts when this attempt must wait."""
    since = now - WINDOW
    recent = LoginFailure.failed_at > since
    pair = session.execute(
        select(func.count(), func.max(LoginFailure.failed_at)).where(
            LoginFailure.account == account, LoginFailure.address == address, recent
        )
    ).one()
    pair_failures, last_pair_failure = int(pair[0]), pair[1]
    if pair_failures and policy.free_tries is not None and pair_failures >= policy.free_tries:
        delay = min(MAX_DELAY, timedelta(seconds=2 ** (pair_failures - policy.free_tries)))
        _wait_until(last_pair_failure + delay, now)
    address_failures = session.execute(
        select(func.count(), func.min(LoginFailure.failed_at)).where(
            LoginFailure.address == address, recent
        )
    ).one()
    if address_failures[0] >= policy.address_cap:
        _wait_until(address_failures[1] + WINDOW, now)
    if policy.account_cap is None:
        return
    if pair_failures:
        # An address that has failed on an account under attack waits the longest.
        account_failures = session.scalar(
            select(func.count()).where(LoginFailure.account == account, recent)
        )
        if (account_failures or 0) >= policy.account_cap:
            _wait_until(last_pair_failure + MAX_DELAY, now)
    _check_account_cap(session, policy.account_cap, account, recent, now)


def _check_account_cap(
    session: Session, cap: int, account: str, recent: ColumnElement[bool], now: datetime
) -> None:
    """Hold every address, even one that never failed, while the account has failed ``cap``
    times in the window: else each new address (a botnet's, or a forged X-Forwarded-For)
    would guess freely. The wait ends as soon as fewer than ``cap`` failures are left in the
    window, so the account is closed only while it is attacked."""
    oldest_counted = session.scalar(
        select(LoginFailure.failed_at)
        .where(LoginFailure.account == account, recent)
        .order_by(LoginFailure.failed_at.desc())
        .offset(cap - 1)
        .limit(1)
    )
    if oldest_counted is not None:
        _wait_until(oldest_counted + WINDOW, now)


def _wait_until(moment: datetime, now: datetime) -> None:
    if moment > now:
        raise TooManyAttempts(moment - now)


def record_failure(session: Session, account: str, address: str, now: datetime) -> None:
    session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= now - WINDOW))
    session.add(LoginFailure(account=account, address=address, failed_at=now))


def forget_failures(session: Session, account: str, address: str) -> None:
    """A success clears the pair's failures: the owner's next typo starts afresh."""
    session.execute(
        delete(LoginFailure).where(LoginFailure.account == account, LoginFailure.address == address)
    )


def throttled(
    sessions: sessionmaker[Session],
    policy: Policy,
    account: str,
    address: str,
    attempt: Callable[[Session], T],
    now: Callable[[], datetime] = utcnow,
    *,
    check: Callable[[], None] | None = None,
) -> T:
    """Run ``check``, then ``attempt`` in a transaction, under the policy; either raises
    NotAuthenticated on a wrong secret.

    ``check`` is for what takes long (a password's hash): it runs between transactions, so
    that it holds no connection, nor SQLite's writer lock, and no one's login or ballot
    waits for it. The attempt counts as failed from the moment it is let in until it
    succeeds: attempts sent all at once see one another, and cannot all slip in before the
    first of them has failed.
    """
    account = account.strip().lower()[:120]
    with sessions() as session, session.begin():
        check_allowed(session, policy, account, address, now())
        record_failure(session, account, address, now())
    if check is not None:
        check()
    with sessions() as session, session.begin():
        result = attempt(session)
        forget_failures(session, account, address)
        return result
