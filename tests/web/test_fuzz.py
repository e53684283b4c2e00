"""Fuzzing the whole API with schemathesis: no request, however odd, gets a 5xx or an
answer that the OpenAPI description does not promise.

Three real servers (uvicorn, see ``tests.web.live_server``) answer, each on a database of its
own: the secretary of the demo's General Council on SQLite and on PostgreSQL, and a delegate
on SQLite. Each database holds the demo and a convened meeting with an agenda item, a motion
and a draft poll, so that the small ids schemathesis draws often name something that exists
and requests get past the 404s. Every request drawn is sent to all three: drawing requests
from the schema costs three times what sending them does, and a request answered as the
secretary on one database is worth asking as the delegate and on the other.

Each operation is a subtest, so that one run lists every operation that fails, with a
``curl`` line that repeats the request. schemathesis's own pytest integration
(``schemathesis.pytest.from_fixture``) would do the same, but its 4.32 release reads a
private attribute of pytest's items that pytest 9.2 no longer has; its Python API
(``APIOperation.as_strategy``) works with any pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import APIOperation, Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, convene
from tests.conftest import fresh_database
from tests.web.fuzzing import drawn_repeatably, examples
from tests.web.live_server import serve
from veche.db import make_engine, make_sessionmaker

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: What every answer must satisfy. Not ``negative_data_rejection``: pydantic's lax mode
#: takes what a strict reading of the schema refuses ("5" for 5), by design; nor the checks
#: of authentication schemes, which the description does not declare (the bearer token is
#: an ``Authorization`` header parameter).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Requests drawn per operation, valid and invalid ones together, over about 90 operations;
#: each goes to the three servers of ``FUZZED``.
EXAMPLES = examples(4)
#: Operations that can end the caller's own session: fuzzed after all the others, which
#: would otherwise meet nothing but 401s.
LAST = {"DELETE /api/tokens/{token_id}"}

Operation = APIOperation[Any, Any, Any, Any]


@dataclass
class FuzzedApi:
    name: str  # the role and the database: "secretary on sqlite"
    url: str
    headers: dict[str, str]


def _business(client: TestClient, sessions: sessionmaker[Session]) -> Assembly:
    """A convened meeting with an agenda item, a motion and a draft poll, each the first of
    its kind: the id 1 that schemathesis often draws names each of them."""
    assembly = convene(client, sessions)
    meeting = f"/api/meetings/{assembly.meeting_id}"
    motion = {
        "title": "On the budget",
        "text": "The budget is approved.\n",
        "submitter_person_ids": assembly.members[:1],
    }
    for path, body in (
        (f"{meeting}/agenda", {"title": "On the budget"}),
        (f"{meeting}/motions", motion),
    ):
        response = client.post(path, json=body, headers=assembly.secretary)
        assert response.status_code == 201, response.text
    assembly.create_poll(title="Adopt the agenda", kind="decision", method="majority")
    return assembly


#: The servers fuzzed: the secretary's requests reach the tables, so they are sent on both
#: databases; a delegate's are refused before any table is read (403) but for their own
#: ballots and requests, whose storage the action tests prove on both, so SQLite suffices.
FUZZED = [("sqlite", "secretary"), ("postgresql", "secretary"), ("sqlite", "delegate")]


@pytest.fixture
def fuzzed_apis(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[list[FuzzedApi]]:
    """The API served for real over a meeting in business, on a database of its own for
    each of ``FUZZED``, with the bearer token of the role."""
    with ExitStack() as stack:
        apis = []
        for backend, role in FUZZED:
            url = stack.enter_context(fresh_database(request, backend, tmp_path / role))
            engine = make_engine(url)
            stack.callback(engine.dispose)
            app = create_app(engine)
            # Set up without the app's lifespan (no ``with``): the server below runs it, and
            # it closes the ballot intake when it ends.
            with closing(TestClient(app)) as client:
                assembly = _business(client, make_sessionmaker(engine))
                if role == "secretary":
                    headers = assembly.secretary
                else:
                    headers = assembly.as_person(assembly.members[0])
            served = stack.enter_context(serve(app))
            apis.append(FuzzedApi(f"{role} on {backend}", served, headers))
        yield apis


def operations(api: FuzzedApi) -> list[Operation]:
    """Every operation the server describes, those in ``LAST`` last."""
    schema = schemathesis.openapi.from_url(f"{api.url}/api/openapi.json")
    found = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), f"the OpenAPI description is invalid: {result.err()}"
        found.append(result.ok())
    return sorted(found, key=lambda operation: operation.label in LAST)


def fuzz(operation: Operation, apis: list[FuzzedApi]) -> None:
    """Send an operation's valid and invalid requests to every server; fail on the first bad
    answer. The requests are drawn from a seed of the operation: the same on every run, so
    that a failure repeats."""
    requests = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )

    # Drawing requests from a large schema is slow, and schemathesis filters some out.
    @drawn_repeatably(EXAMPLES, operation.label, HealthCheck.filter_too_much)
    @given(requests)
    def send(case: Case[Operation]) -> None:
        for api in apis:
            try:
                case.call_and_validate(base_url=api.url, headers=api.headers, checks=CHECKS)
            except Exception as failure:
                failure.add_note(f"sent as the {api.name}")
                raise

    send()


#: The operations are fuzzed in this many parts, one test each, so that test processes
#: share them: drawing requests for all of them took a minute.
PARTS = 2


@pytest.mark.parametrize("part", range(PARTS))
def test_no_request_gets_a_server_error_or_an_undocumented_answer(
    part: int, fuzzed_apis: list[FuzzedApi], subtests: pytest.Subtests
) -> None:
    for operation in operations(fuzzed_apis[0])[part::PARTS]:
        with subtests.test(operation.label):
            fuzz(operation, fuzzed_apis)
