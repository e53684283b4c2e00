"""Driving the pages as browsers do: a client per person, forms sent with their CSRF token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from veche.actions.access import Caller
from veche.actions.access_codes import do_issue_access_codes
from veche.actions.actor import Actor
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Meeting

_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
SYSTEM = Caller(Actor.system("tests"), person_id=None, unrestricted=True, organization_id=None)


class Browser:
    """One person's browser: its own cookies, and forms posted the way the page posts them."""

    def __init__(self, app: FastAPI) -> None:
        self.client = TestClient(app, follow_redirects=False)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def csrf_token(self) -> str:
        page = self.client.get("/login")
        found = _TOKEN.search(page.text)
        assert found, page.text
        return found.group(1)

    def post(self, path: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        """Post a form as a page of this site would, with this browser's CSRF token."""
        return self.client.post(
            path, data={"csrf_token": self.csrf_token(), **(data or {})}, **kwargs
        )

    def log_in(self, username: str, password: str) -> Any:
        response = self.post("/login", {"username": username, "password": password})
        assert response.status_code == 303, response.text
        return response

    def log_in_with_code(self, code: str) -> Any:
        return self.post("/login/code", {"code": code})


def secretary(app: FastAPI) -> Browser:
    browser = Browser(app)
    browser.log_in(*DEMO_SECRETARY)
    return browser


def access_codes(
    sessions: sessionmaker[Session], meeting_id: int, person_ids: list[int] | None = None
) -> dict[int, str]:
    """New cards' codes for every participant of a meeting (or those named), by person id."""
    with transaction(sessions) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        issued = do_issue_access_codes(session, SYSTEM, meeting, person_ids)
        return {c.person_id: c.code for c in issued}


@dataclass
class Delegate:
    person_id: int
    browser: Browser


def delegates(
    app: FastAPI, sessions: sessionmaker[Session], meeting_id: int, person_ids: list[int]
) -> list[Delegate]:
    """A logged-in browser (by access code) for each person."""
    codes = access_codes(sessions, meeting_id)
    found = []
    for person_id in person_ids:
        browser = Browser(app)
        response = browser.log_in_with_code(codes[person_id])
        assert response.status_code == 303, response.text
        found.append(Delegate(person_id, browser))
    return found


def today() -> str:
    return date.today().isoformat()
