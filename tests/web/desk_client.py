"""A convened meeting with browsers for its secretary, a delegate, an observer and a teller."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.web.page_client import SYSTEM, Browser, delegates, secretary
from veche.actions.participants import do_invite, do_update_participant
from veche.db import make_engine, make_sessionmaker, transaction
from veche.models import Meeting
from veche.models.meetings import Office, ParticipantRole

#: A person of the demo organization without a seat in the General Council.
OUTSIDER_OFFSET = 15


class ChairConsole(WithAssembly):
    """The chair's console of a convened meeting, driven through the secretary's browser."""

    secretary: Browser

    def console(self) -> str:
        return str(self.secretary.get(f"/meetings/{self.meeting}/console").text)

    def create_poll(self, **form: object) -> int:
        """A poll made through the console; its id (the newest poll the console lists)."""
        response = self.secretary.post(f"/meetings/{self.meeting}/console/polls", form)
        assert response.status_code == 303, response.text
        ids = re.findall(rf"/meetings/{self.meeting}/console/polls/(\d+)/open", self.console())
        return max(int(i) for i in ids)

    def step(self, poll_id: int, step: str) -> None:
        """Open, close, publish, … a poll from the console."""
        response = self.secretary.post(f"/meetings/{self.meeting}/console/polls/{poll_id}/{step}")
        assert response.status_code == 303, response.text


@dataclass
class Desk(ChairConsole):
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    secretary: Browser
    others: dict[str, Browser] = field(default_factory=dict)


@dataclass(frozen=True)
class PreparedDesk:
    """The desk in a prepared database (``tests.prepared``): the meeting, the bearer tokens and
    each browser's cookies, stored in the database and so good in every copy of it."""

    meeting_id: int
    day: date
    members: list[int]
    alternates: list[int]
    secretary_token: dict[str, str]
    tokens: dict[int, dict[str, str]]
    #: The cookies of each browser: "secretary", "delegate", "observer", "teller".
    cookies: dict[str, dict[str, str]]


def prepare_desk(url: str) -> PreparedDesk:
    """Convene the demo's General Council, invite an observer, make a teller, and log the
    secretary, a delegate, the observer and the teller in, each in a browser of their own."""
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    try:
        app = create_app(engine)
        with TestClient(app) as client:
            assembly = convene(client, sessions)
            delegate_id, teller_id = assembly.members[:2]
            observer_id = assembly.members[-1] + OUTSIDER_OFFSET
            with transaction(sessions) as session:
                meeting = session.get(Meeting, assembly.meeting_id)
                assert meeting is not None
                do_invite(session, SYSTEM, meeting, observer_id, role=ParticipantRole.OBSERVER)
                do_update_participant(session, SYSTEM, meeting, teller_id, office=Office.TELLER)
            phones = delegates(
                app, sessions, assembly.meeting_id, [delegate_id, observer_id, teller_id]
            )
            browsers = {"secretary": secretary(app)}
            browsers |= {
                role: phone.browser
                for role, phone in zip(("delegate", "observer", "teller"), phones, strict=True)
            }
            return PreparedDesk(
                assembly.meeting_id,
                assembly.day,
                assembly.members,
                assembly.alternates,
                assembly.secretary,
                dict(assembly.tokens),
                {role: dict(browser.client.cookies) for role, browser in browsers.items()},
            )
    finally:
        engine.dispose()


@contextmanager
def open_desk(
    engine: Engine, sessions: sessionmaker[Session], prepared: PreparedDesk
) -> Iterator[Desk]:
    """The desk of ``prepare_desk`` on a copy of its database (``engine``): the demo's General
    Council convened, with a delegate, an observer and a teller logged in."""
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = Assembly(
            client,
            prepared.secretary_token,
            prepared.meeting_id,
            prepared.day,
            prepared.members,
            prepared.alternates,
            dict(prepared.tokens),
        )
        browsers = {}
        for role, cookies in prepared.cookies.items():
            browsers[role] = Browser(app)
            browsers[role].client.cookies.update(cookies)
        secretary_browser = browsers.pop("secretary")
        yield Desk(app, sessions, assembly, secretary_browser, browsers)
