"""The permission matrix: every page action, tried by every role — refused without the right,
carried out with it — and every page, shown only to those who may see it."""

from __future__ import annotations

import itertools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, convene
from tests.web.page_client import SYSTEM, Browser, delegates, secretary, today
from veche.actions.meetings import do_check_in, do_invite, do_update_participant
from veche.actions.org import do_create_person
from veche.actions.polls import do_close_poll, do_create_poll, do_open_poll
from veche.db import transaction
from veche.models import Meeting, Organization, Poll
from veche.models.meetings import Office, ParticipantRole
from veche.models.polls import PollKind
from veche.web.app import create_app
from veche.web.pages import ROUTERS

ROLES = ("anonymous", "observer", "delegate", "chair", "admin")
MANAGERS = {"chair", "admin"}
VOTERS = {"delegate", "chair"}
EVERYONE_IN = {"observer", "delegate", "chair", "admin"}
#: Forms anyone may send: they carry their own checks (a password, a code, a login to end).
OPEN_FORMS = {"/login", "/login/code", "/logout"}


@pytest.fixture
def database_url(sqlite_template: Path, tmp_path: Path) -> Iterator[str]:
    """Permissions do not depend on the database: this module runs on SQLite only."""
    path = tmp_path / "veche.sqlite3"
    shutil.copy(sqlite_template, path)
    yield f"sqlite:///{path}"


@dataclass
class World:
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    browsers: dict[str, Browser]
    observer_id: int
    numbers: Iterator[int]

    @property
    def meeting(self) -> int:
        return self.assembly.meeting_id

    def poll(self, state: str) -> int:
        """A new decision in ``state``: draft, open or closed."""
        with transaction(self.sessions) as session:
            meeting = session.get(Meeting, self.meeting)
            assert meeting is not None
            poll = do_create_poll(
                session,
                SYSTEM,
                meeting,
                title=f"Question {next(self.numbers)}",
                kind=PollKind.DECISION,
                method="majority",
            )
            if state in ("open", "closed"):
                do_open_poll(session, SYSTEM, poll)
            if state == "closed":
                do_close_poll(session, SYSTEM, poll.id)
            return poll.id

    def yes(self, poll_id: int) -> int:
        with self.sessions() as session:
            poll = session.get(Poll, poll_id)
            assert poll is not None
            return next(o.id for o in poll.options if o.label == "yes")

    def new_person(self) -> int:
        with transaction(self.sessions) as session:
            org = session.scalars(select(Organization)).first()
            assert org is not None
            return do_create_person(session, SYSTEM.actor, org, f"Newcomer {next(self.numbers)}").id


@pytest.fixture
def world(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[World]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convene(client, sessions)
        delegate_id, chair_id = assembly.members[:2]
        with transaction(sessions) as session:
            meeting = session.get(Meeting, assembly.meeting_id)
            assert meeting is not None
            observer_id = assembly.members[-1] + 15  # person 45: in the demo, without a seat
            do_invite(session, SYSTEM, meeting, observer_id, role=ParticipantRole.OBSERVER)
            do_update_participant(session, SYSTEM, meeting, chair_id, office=Office.CHAIR)
            for person_id in (delegate_id, chair_id, observer_id):
                do_check_in(session, SYSTEM, meeting, person_id, meeting.starts_on)
        phones = delegates(app, sessions, assembly.meeting_id, [observer_id, delegate_id, chair_id])
        browsers = {
            "anonymous": Browser(app),
            "observer": phones[0].browser,
            "delegate": phones[1].browser,
            "chair": phones[2].browser,
            "admin": secretary(app),
        }
        yield World(app, sessions, assembly, browsers, observer_id, itertools.count(1))


Prepare = Callable[[World], tuple[str, dict[str, object]]]


@dataclass(frozen=True)
class Action:
    """A page form: where it posts, what it sends (made fresh for each try), who may send it."""

    path: str
    prepare: Prepare
    allowed: frozenset[str]


def _console(step: str, state: str) -> Prepare:
    return lambda w: (f"/meetings/{w.meeting}/console/polls/{w.poll(state)}/{step}", {})


def _vote(step: str) -> Prepare:
    def prepare(w: World) -> tuple[str, dict[str, object]]:
        poll_id = w.poll("open")
        if step == "review":
            return f"/meetings/{w.meeting}/polls/{poll_id}/review", {"option": w.yes(poll_id)}
        data: dict[str, object] = {
            "choice": f'{{"option": {w.yes(poll_id)}}}',
            "client_key": "k" * 24,
        }
        return f"/meetings/{w.meeting}/polls/{poll_id}/ballot", data

    return prepare


def _paper(w: World) -> tuple[str, dict[str, object]]:
    poll_id = w.poll("open")
    return f"/secretary/meetings/{w.meeting}/polls/{poll_id}/paper", {f"count_{w.yes(poll_id)}": 3}


ACTIONS = [
    Action(
        "/meetings/{}/console/polls",
        lambda w: (
            f"/meetings/{w.meeting}/console/polls",
            {"title": f"Motion {next(w.numbers)}", "kind": "decision"},
        ),
        frozenset(MANAGERS),
    ),
    Action("/meetings/{}/console/polls/{}/{}:open", _console("open", "draft"), frozenset(MANAGERS)),
    Action(
        "/meetings/{}/console/polls/{}/{}:close", _console("close", "open"), frozenset(MANAGERS)
    ),
    Action(
        "/meetings/{}/console/polls/{}/{}:publish",
        _console("publish", "closed"),
        frozenset(MANAGERS),
    ),
    Action(
        "/meetings/{}/console/polls/{}/{}:cancel", _console("cancel", "draft"), frozenset(MANAGERS)
    ),
    Action("/meetings/{}/polls/{}/review", _vote("review"), frozenset(VOTERS)),
    Action("/meetings/{}/polls/{}/ballot", _vote("ballot"), frozenset(VOTERS)),
    Action(
        "/secretary/bodies",
        lambda w: ("/secretary/bodies", {"name": f"Commission {next(w.numbers)}"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/terms",
        lambda w: ("/secretary/terms", {"body_id": 3, "starts_on": today()}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/people",
        lambda w: ("/secretary/people", {"full_name": f"Person {next(w.numbers)}"}),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/memberships",
        lambda w: (
            "/secretary/memberships",
            {"person_id": w.new_person(), "term_id": 3, "role": "member"},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/meetings",
        lambda w: (
            "/secretary/meetings",
            {"term_id": 2, "title": "Extraordinary Meeting", "starts_on": today()},
        ),
        frozenset({"admin"}),
    ),
    Action(
        "/secretary/meetings/{}/participants",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/participants",
            {"person_id": w.new_person(), "role": "observer"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/offices",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/offices",
            {"person_id": w.assembly.members[7], "office": "teller"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/attendance",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/attendance",
            {"person_id": w.assembly.members[5], "present": "yes"},
        ),
        frozenset(MANAGERS),
    ),
    Action(
        "/secretary/meetings/{}/access-codes",
        lambda w: (
            f"/secretary/meetings/{w.meeting}/access-codes",
            {"person_id": w.assembly.members[6]},
        ),
        frozenset(MANAGERS),
    ),
    Action("/secretary/meetings/{}/polls/{}/paper", _paper, frozenset(MANAGERS)),
]


def _post_import(w: World, browser: Browser) -> object:
    csv = f"name,body,role\nImported {next(w.numbers)},Audit Commission,member\n"
    return browser.client.post(
        "/secretary/import",
        data={"csrf_token": browser.csrf_token()},
        files={"file": ("members.csv", csv.encode(), "text/csv")},
    )


def _verdict(role: str, response: object) -> str:
    status = response.status_code  # type: ignore[attr-defined]
    location = response.headers.get("location", "")  # type: ignore[attr-defined]
    if status in (200, 201) or (status == 303 and not location.startswith("/login")):
        return "done"
    if status == 403 or (role == "anonymous" and status == 401):
        return "refused"
    return f"unexpected {status}: {response.text[:300]}"  # type: ignore[attr-defined]


def test_every_page_action_is_refused_without_the_right_and_done_with_it(world: World) -> None:
    wrong = []
    for action in ACTIONS:
        for role in ROLES:
            path, data = action.prepare(world)
            response = world.browsers[role].post(path, data)
            expected = "done" if role in action.allowed else "refused"
            if _verdict(role, response) != expected:
                wrong.append(f"{action.path} as {role}: {_verdict(role, response)}")
    for role in ROLES:
        expected = "done" if role == "admin" else "refused"
        verdict = _verdict(role, _post_import(world, world.browsers[role]))
        if verdict != expected:
            wrong.append(f"/secretary/import as {role}: {verdict}")
    assert wrong == []


def _normalized(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def test_the_matrix_covers_every_form_of_every_page() -> None:
    posted = {
        _normalized(route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute) and "POST" in (route.methods or set())
    }
    covered = {action.path.split(":")[0] for action in ACTIONS} | {"/secretary/import"}
    assert posted == covered | OPEN_FORMS


def test_each_page_shows_only_to_those_who_may_see_it(world: World) -> None:
    closed = world.poll("closed")
    pages = {
        "/secretary": {"admin"},
        "/secretary/people": {"admin"},
        f"/secretary/meetings/{world.meeting}": MANAGERS,
        f"/meetings/{world.meeting}/console": MANAGERS,
        f"/meetings/{world.meeting}/console/current": MANAGERS,
        f"/meetings/{world.meeting}": EVERYONE_IN,
        f"/meetings/{world.meeting}/room": EVERYONE_IN,
        f"/meetings/{world.meeting}/projector": EVERYONE_IN,
        f"/meetings/{world.meeting}/projector/current": EVERYONE_IN,
        f"/meetings/{world.meeting}/polls/{closed}/board": EVERYONE_IN,
        "/meetings": EVERYONE_IN,
    }
    wrong = []
    for path, allowed in pages.items():
        for role in ROLES:
            response = world.browsers[role].get(path)
            if role in allowed:
                ok = response.status_code == 200
            elif role == "anonymous":
                ok = response.status_code == 303 and response.headers["location"].startswith(
                    "/login?next="
                )
            else:
                ok = response.status_code == 403
            if not ok:
                wrong.append(f"GET {path} as {role}: {response.status_code}")
    assert wrong == []


def test_observers_see_no_voting_controls(world: World) -> None:
    poll_id = world.poll("open")
    observer = world.browsers["observer"].get(f"/meetings/{world.meeting}").text
    delegate = world.browsers["delegate"].get(f"/meetings/{world.meeting}").text
    vote_link = f"/polls/{poll_id}/vote"
    assert vote_link in delegate and "Vote now" in delegate
    assert vote_link not in observer and "Vote now" not in observer
    assert "observers follow the meeting but do not vote" in observer
    ballot = world.browsers["observer"].get(f"/meetings/{world.meeting}{vote_link}").text
    assert 'type="radio"' not in ballot
