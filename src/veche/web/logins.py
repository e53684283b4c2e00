"""Logging in with a secret, throttled: one way in, behind both the API's door and the pages'.

A password sent to ``POST /api/tokens`` and one typed into the login page are counted
together, per user name and per address, under the same policy: a guesser gains nothing by
changing doors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access_codes import do_redeem_access_code
from veche.actions.auth import CheckedPassword, check_password, checked_account
from veche.models import AccessCode, User
from veche.web.ratelimit import ACCESS_CODES, PASSWORDS, throttled

#: Access codes name no account; their failures are counted per address under this name.
CODE_ACCOUNT = "(access code)"
T = TypeVar("T")


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _sessions(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.sessions
    return factory


def _readers(request: Request) -> sessionmaker[Session]:
    factory: sessionmaker[Session] = request.app.state.read_sessions
    return factory


def log_in_with_password(
    request: Request, username: str, password: str, then: Callable[[Session, User], T]
) -> T:
    """What ``then`` makes for the account (a token, a login session) once its password is
    right; NotAuthenticated (401) when it is not, TooManyAttempts (429) after too many."""
    checked: list[CheckedPassword] = []  # what the slow check found, for the attempt after it
    return throttled(
        _sessions(request),
        PASSWORDS,
        username,
        client_address(request),
        lambda session: then(session, checked_account(session, checked[0])),
        check=lambda: checked.append(check_password(_readers(request), username, password)),
    )


def log_in_with_code(request: Request, code: str, then: Callable[[Session, AccessCode], T]) -> T:
    """What ``then`` makes for the holder of an access card's code (their newest card);
    NotAuthenticated (401) when the code is not valid, TooManyAttempts (429) after too many."""
    return throttled(
        _sessions(request),
        ACCESS_CODES,
        CODE_ACCOUNT,
        client_address(request),
        lambda session: then(session, do_redeem_access_code(session, code)),
    )
