"""Fuzzing the pages' forms: no form posted, however odd, gets a 5xx, and a form refused changes
nothing.

Every POST route of the page routers the application mounts (``veche.web.pages.ROUTERS``) is
a subtest, so that a new form is fuzzed without editing this file and one run names every
route that fails. Its form is drawn from the route's own fields, as FastAPI reads them: the
fields of its ``Annotated[Model, Form()]`` model (or its models', through its dependencies)
or its single ``Form()`` and ``File()`` parameters. Each field holds something it takes (one
of an enum's values, an id the database holds, a counting method's name), but for a few drawn
odd: missing, empty, huge, not a number, not ASCII, holding a NUL, sent twice; beside them
come fields the form does not know, and the fields a few routes read from the form as sent
(``RAW_FIELDS``: a ballot's choices). Its path's ids name things the database holds or
nothing at all (``MISSING_IDS``).

Each form is posted with a valid CSRF token by the secretary and by a delegate of the meeting
in session, each logged in afresh for every route (a route may log them out, or void the
delegate's card). A refusal (4xx) must leave the journal as it was: every change writes to it.

The database is the ``page_fuzz_world``: the ``sitting`` of ``tests.web.sitting`` (a meeting
in session with its agenda approved, an item under discussion and a motion on it), with a
ranked election and a decision open, a request for the floor and a panel on the item that the
delegate chairs (so that its advice is fuzzed as its chair sends it), beside the follow-up of
``tests.web.follow_up_world`` (the demo's plenary meeting, a cycle with a frozen and an open
period, a report). It runs on SQLite alone: what PostgreSQL alone refuses (NUL characters)
is refused for both in ``veche.db``, and the API's fuzzing (``test_fuzz.py``) sends such
text to PostgreSQL.

``EXAMPLES`` is small so that the suite stays quick; ``VECHE_FUZZ_EXAMPLES`` raises it, to
look harder for a while.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from types import UnionType
from typing import Any, Literal, Protocol, Union, get_args, get_origin

import pytest
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.params import File, Form
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import Engine, delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.prepared import prepared
from tests.web.follow_up_world import FollowUpWorld, build_follow_up
from tests.web.fuzzing import drawn_repeatably, examples
from tests.web.page_client import Browser, access_codes, secretary
from tests.web.sitting import DELEGATE, PreparedSitting, journal_length, prepare_sitting
from veche.db import make_engine, transaction
from veche.demo import DEMO_SECRETARY
from veche.method_names import METHOD_NAMES
from veche.models import (
    AgendaItem,
    AgendaProposal,
    Amendment,
    Body,
    EvidenceDocument,
    FloorRequest,
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    LoginFailure,
    Meeting,
    Motion,
    Panel,
    Person,
    Poll,
    PollOption,
    ProgressReport,
    ReportingCycle,
    ReportingPeriod,
    Resolution,
    RoleGrant,
    Term,
    Unit,
    User,
)
from veche.web.csrf import FIELD
from veche.web.pages import ROUTERS

pytestmark = pytest.mark.one_database

#: Forms drawn per route; each is posted by the secretary and by the delegate.
EXAMPLES = examples(2)
#: What each path parameter names, by its name: the ids drawn for it are those in the table.
PATH_IDS: dict[str, Any] = {
    "meeting_id": Meeting,
    "poll_id": Poll,
    "item_id": AgendaItem,
    "proposal_id": AgendaProposal,
    "request_id": FloorRequest,
    "motion_id": Motion,
    "amendment_id": Amendment,
    "option_id": PollOption,
    "period_id": ReportingPeriod,
    "unit_id": Unit,
    "report_id": ProgressReport,
    "account_id": User,
    "grant_id": RoleGrant,
    "cycle_id": ReportingCycle,
    "resolution_id": Resolution,
    "goal_id": Goal,
    "indicator_id": Indicator,
    "grantor_person_id": Person,
    "assignment_id": GoalAssignment,
    "target_id": IndicatorTarget,
    "evidence_id": EvidenceDocument,
    "panel_id": Panel,
}
#: What the forms' fields name beside them, by the end of the field's name (``person_id``,
#: ``submitter_person_ids``).
NAMED_IDS: dict[str, Any] = {**PATH_IDS, "person_id": Person, "body_id": Body, "term_id": Term}
#: What a path's words are, by the parameter's name: the steps the routes take, and others.
PATH_WORDS = {
    "step": ["open", "close", "publish", "cancel", "withdraw", "x"],
    "answer": ["accept", "decline", "maybe"],
}
#: Fields that routes read from the form as sent, beside their models (a ballot's choices,
#: a confirmation, a search): no model names them, so they are drawn among the unknown ones.
RAW_FIELDS = ["option", "options", "blank", "confirmed", "q", "label", "rank_", "score_"]
#: Ids that name nothing: none of the tables holds so many rows, nor a negative id, and the
#: database's integers hold neither of the last two.
MISSING_IDS = [0, 987654, -1, 2**31, 2**63]

#: Words that text fields take: quorums and majorities, counting methods, roles, choices.
WORDS = st.sampled_from(
    [
        "1/2",
        "2/3",
        "simple",
        "yes",
        "no",
        "abstain",
        "reporter",
        "chair",
        "secretary",
        "Motion text.\n\nA second clause.\n",
        *METHOD_NAMES,
    ]
)
#: Values that no field should take, and some that strain what takes them.
ODD = st.sampled_from(
    [
        "",
        " ",
        "0",
        "-1",
        "9" * 30,
        "9" * 5000,  # int() refuses more than 4,300 digits
        "1.5",
        "1e999",
        "NaN",
        "-Infinity",
        "abc",
        "on",
        "\x00",
        "a\x00b",
        "é",
        "Ивана",
        "١٢",  # Arabic-Indic digits: str.isdigit, but not ASCII
        "²",
        "2026-02-30",
        "99999-01-01",
        "[1, 2]",
        '{"a": 1}',
        "x" * 5000,
    ]
)


@dataclass(frozen=True)
class PageFuzzWorld:
    sitting: PreparedSitting
    follow_up: FollowUpWorld


def _prepare(url: str) -> PageFuzzWorld:
    """The follow-up of the demo's plenary meeting, then the meeting in session with a ranked
    election and a decision open (for the ballots, the paper lots and the candidates) and a
    request for the floor."""
    follow_up = build_follow_up(url)
    sitting = prepare_sitting(url)
    engine = make_engine(url)
    try:
        with TestClient(create_app(engine)) as client:
            api = sitting.api(client)
            day = sitting.sitting.day.isoformat()
            for spec in (
                {"kind": "election", "method": "irv", "options": ["Ada", "Boris", "Clara"]},
                {"kind": "decision", "method": "majority"},
            ):
                poll = api.post(f"/meetings/{sitting.meeting_id}/polls", title="Open", **spec)
                api.call("POST", f"/polls/{poll['id']}/open", day=day)
            api.call(
                "POST", f"/agenda-items/{sitting.sitting.item_id}/speakers", 201, as_person=DELEGATE
            )
            api.post(
                f"/meetings/{sitting.meeting_id}/panels",
                name="Drafting panel",
                agenda_item_ids=[sitting.sitting.item_id],
                chair_person_ids=[DELEGATE],
                member_person_ids=[],
            )
    finally:
        engine.dispose()  # the last connection to close folds SQLite's WAL back into the file
    return PageFuzzWorld(sitting, follow_up)


page_fuzz_world = prepared("page_fuzz_world", _prepare)


def page_posts() -> list[APIRoute]:
    """Every POST route of the pages, as the application mounts them."""
    found = []
    for router in ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute), route
            if "POST" in (route.methods or ()):
                found.append(route)
    return found


def _unwrapped(annotation: Any) -> list[Any]:
    """The types an annotation allows: ``int | None`` is ``[int]``, ``list[int]`` is ``[int]``."""
    origin = get_origin(annotation)
    if origin in (Union, UnionType, list):
        return [t for arg in get_args(annotation) for t in _unwrapped(arg) if t is not type(None)]
    if origin is not None and get_args(annotation) and origin is not Literal:
        # Annotated[int, …] and the like: the type it annotates.
        return _unwrapped(get_args(annotation)[0])
    return [annotation]


def _taken(name: str, annotation: Any, ids: dict[str, list[int]]) -> st.SearchStrategy[str]:
    """Values a field of this type takes, as a form sends them; a field named for what a
    path's id names (``poll_id``, ``person_ids``) takes the ids the database holds."""
    found: list[st.SearchStrategy[str]] = []
    for kind in _unwrapped(annotation):
        if get_origin(kind) is Literal:
            found.append(st.sampled_from([str(v) for v in get_args(kind)]))
        elif isinstance(kind, type) and issubclass(kind, Enum):
            found.append(st.sampled_from([str(member.value) for member in kind]))
        elif kind is bool:
            found.append(st.sampled_from(["true", "false", "on"]))
        elif kind is int:
            singular = name.removesuffix("s")
            named = next((ids[end] for end in NAMED_IDS if singular.endswith(end)), None)
            found.append(st.sampled_from(named or [1]).map(str))
            found.append(st.integers(1, 60).map(str))
        elif kind is date:
            today = date.today()
            found.append(st.sampled_from([today, today.replace(day=1)]).map(date.isoformat))
            found.append(st.dates().map(date.isoformat))
        elif kind in (Decimal, float):
            found.append(st.decimals(allow_nan=False, places=3).map(str))
        elif kind is str:
            found.append(WORDS)
            found.append(st.text(st.characters(codec="utf-8"), min_size=1, max_size=40))
    return st.one_of(found or [st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)])


def _odd(name: str, annotation: Any, ids: dict[str, list[int]]) -> st.SearchStrategy[Any]:
    """What a field should refuse, or takes only just: missing (``None``), an odd value, or
    more than one value where one is expected."""
    one = st.one_of(ODD, _taken(name, annotation, ids), st.text(max_size=20))
    return st.one_of(st.none(), ODD, st.text(max_size=20), st.lists(one, min_size=2, max_size=3))


class _BodyParam(Protocol):
    """What is read here of FastAPI's own (private) type for a body's parameter."""

    @property
    def alias(self) -> str: ...

    @property
    def field_info(self) -> FieldInfo: ...


def _body_params(dependant: Dependant) -> Iterator[_BodyParam]:
    """The body's parameters of a route and of the dependencies it takes."""
    yield from dependant.body_params
    for dependency in dependant.dependencies:
        yield from _body_params(dependency)


def _fields(route: APIRoute) -> tuple[dict[str, tuple[Any, bool]], list[str]]:
    """The route's form fields with their types and whether they are required, and the names
    of its file fields."""
    fields: dict[str, tuple[Any, bool]] = {}
    files: list[str] = []
    for param in _body_params(route.dependant):
        info = param.field_info
        models = [t for t in _unwrapped(info.annotation) if isinstance(t, type)]
        if isinstance(info, File):
            files.append(param.alias)
        elif isinstance(info, Form) and models and issubclass(models[0], BaseModel):
            for name, field in models[0].model_fields.items():
                fields[field.alias or name] = (field.annotation, field.is_required())
        else:
            fields[param.alias] = (info.annotation, info.is_required())
    return fields, files


@dataclass(frozen=True)
class Post:
    path: str
    data: dict[str, Any]
    files: dict[str, tuple[str, bytes, str]]


def _path_values(route: APIRoute, ids: dict[str, list[int]]) -> st.SearchStrategy[dict[str, Any]]:
    """A route's path parameters: mostly ids that name something, so that the form reaches
    its action, and of the meeting the path names; sometimes ids of another meeting, or
    nothing."""

    @st.composite
    def values(draw: st.DrawFn) -> dict[str, Any]:
        drawn: dict[str, Any] = {}
        if "meeting_id" in route.param_convertors:
            drawn["meeting_id"] = draw(st.sampled_from(ids["meeting_id"] * 8 + MISSING_IDS))
        for name in route.param_convertors:
            if name in drawn:
                continue
            if name in PATH_WORDS:
                drawn[name] = draw(st.sampled_from(PATH_WORDS[name]))
                continue
            of_meeting = ids.get(f"{name}@{drawn.get('meeting_id')}", [])
            drawn[name] = draw(st.sampled_from(of_meeting * 8 + ids[name] * 2 + MISSING_IDS))
        return drawn

    return values()


def _posts(route: APIRoute, ids: dict[str, list[int]]) -> st.SearchStrategy[Post]:
    """A route's forms: each field something it takes, but for a few (often none) drawn odd,
    and a few fields the form does not know."""
    fields, file_names = _fields(route)
    taken = {
        name: _taken(name, kind, ids) if required else st.one_of(_taken(name, kind, ids), st.none())
        for name, (kind, required) in fields.items()
    }
    odd = {name: _odd(name, kind, ids) for name, (kind, _) in fields.items()}
    options = ids["option_id"]
    raw = st.sampled_from(RAW_FIELDS).flatmap(
        lambda name: (
            st.sampled_from(options).map(lambda n: f"{name}{n}")
            if name.endswith("_")
            else st.just(name)
        )
    )
    unknown = st.dictionaries(
        st.one_of(raw, raw, st.text(min_size=1, max_size=12)).filter(
            lambda name: name not in fields
        ),
        st.one_of(ODD, WORDS, st.sampled_from(options).map(str), st.text(max_size=12)),
        max_size=3,
    )
    upload = st.tuples(
        st.sampled_from(["", "minutes.pdf", "записка.txt", "a\x00.csv", "x" * 300]),
        st.binary(max_size=200),
        st.sampled_from(["application/octet-stream", "text/csv", "application/pdf", ""]),
    )
    files = st.fixed_dictionaries({}, optional=dict.fromkeys(file_names, upload))

    @st.composite
    def post(draw: st.DrawFn) -> Post:
        path = route.path_format.format_map(draw(_path_values(route, ids)))
        data: dict[str, Any] = {name: draw(value) for name, value in taken.items()}
        if fields:
            for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
                data[name] = draw(odd[name])
        data = {name: value for name, value in data.items() if value is not None}
        data.update(draw(unknown))
        data.pop(FIELD, None)
        return Post(path, data, draw(files))

    return post()


def _ids(sessions: sessionmaker[Session]) -> dict[str, list[int]]:
    """The ids the database holds, by the path parameter or field that names them, and those of
    each meeting by the parameter and the meeting's id (``poll_id@2``); but for the
    secretary's own account and grants: a new password or a role revoked would keep the
    secretary out of the routes fuzzed after."""
    with sessions() as session:
        found = {
            name: list(session.scalars(select(table.id).order_by(table.id)))
            for name, table in NAMED_IDS.items()
        }
        own = session.scalars(select(User).where(User.username == DEMO_SECRETARY[0])).one()
        held = RoleGrant.user_id == own.id
        if own.person_id is not None:
            held = or_(held, RoleGrant.person_id == own.person_id)
        kept = set(session.scalars(select(RoleGrant.id).where(held)))
        for meeting_id in found["meeting_id"]:
            for name, table in PATH_IDS.items():
                if hasattr(table, "meeting_id") and name != "meeting_id":
                    of_meeting = select(table.id).where(table.meeting_id == meeting_id)
                    found[f"{name}@{meeting_id}"] = list(session.scalars(of_meeting))
    found["account_id"].remove(own.id)
    found["grant_id"] = [grant for grant in found["grant_id"] if grant not in kept]
    return found


@dataclass
class Fuzzed:
    app: FastAPI
    sessions: sessionmaker[Session]
    meeting_id: int

    def browsers(self) -> Iterator[tuple[str, Browser]]:
        """The secretary and the delegate, each logged in afresh; the delegate with a new card,
        since the secretary's new cards void the old ones. The failed logins of the routes
        fuzzed before are forgotten: they would throttle the secretary's."""
        with transaction(self.sessions) as session:
            session.execute(delete(LoginFailure))
        yield "secretary", secretary(self.app)
        code = access_codes(self.sessions, self.meeting_id, [DELEGATE])[DELEGATE]
        delegate = Browser(self.app)
        response = delegate.log_in_with_code(code)
        assert response.status_code == 303, response.text
        yield "delegate", delegate


@pytest.fixture
def fuzzed(
    engine: Engine, sessions: sessionmaker[Session], page_fuzz_world: PageFuzzWorld
) -> Iterator[Fuzzed]:
    app = create_app(engine)
    with TestClient(app):
        yield Fuzzed(app, sessions, page_fuzz_world.sitting.meeting_id)


def fuzz(route: APIRoute, fuzzed: Fuzzed) -> None:
    """Post a route's drawn forms as the secretary and as the delegate; fail on the first
    5xx, or on a refusal that changed the journal. The forms are drawn from a seed of the
    route: the same on every run, so that a failure repeats."""
    browsers = list(fuzzed.browsers())
    tokens = {role: browser.csrf_token() for role, browser in browsers}

    @drawn_repeatably(EXAMPLES, route.path)
    @given(_posts(route, _ids(fuzzed.sessions)))
    def send(post: Post) -> None:
        for role, browser in browsers:
            before = journal_length(fuzzed.sessions)
            response = browser.client.post(
                post.path,
                data={FIELD: tokens[role], **post.data},
                files=post.files or None,
            )
            answer = f"as the {role}: {post} -> {response.status_code} {response.text[:300]}"
            assert response.status_code < 500, answer
            if response.status_code >= 400:
                assert journal_length(fuzzed.sessions) == before, f"changed the journal {answer}"

    send()


def test_no_form_posted_gets_a_server_error(fuzzed: Fuzzed, subtests: pytest.Subtests) -> None:
    for route in page_posts():
        with subtests.test(f"POST {route.path}"):
            fuzz(route, fuzzed)
