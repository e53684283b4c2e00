"""A benchmark's login refused, told from a slow server: it stops at once and says which.

A page the server will not serve for a login answers with a redirect to the login page (or
401, or 403), and an event stream refused so sends no event at all: a benchmark waiting for
its pages to be current would wait out every timeout it has, and report nothing true.
"""

from __future__ import annotations

import sys
from typing import NoReturn
from urllib.parse import urlsplit


class LoginRefused(RuntimeError):
    """The benchmark's login failed, or a page sent it to log in: nothing more is measured."""


def sent_to_log_in(status: int, location: str) -> bool:
    """Whether an answer refuses the request's login: 401, 403, or a redirect to a login page
    (``/login?next=…``, what a page answers a GET without a login)."""
    if status in (401, 403):
        return True
    return 300 <= status < 400 and urlsplit(location).path.startswith("/login")


def refused(what: str, status: int, location: str = "", said: str = "") -> LoginRefused:
    """The refusal of ``what``, saying how it was answered."""
    answer = f"{what} answered {status}"
    if location:
        answer += f", sending it to {location}"
    if said:
        answer += f": {said[:300]}"
    return LoginRefused(answer)


def stop(benchmark: str, failure: LoginRefused) -> NoReturn:
    """End the run with the reason on standard error, and a status that is not 0."""
    sys.exit(f"{benchmark}: stopped, as its login was refused: {failure}")
