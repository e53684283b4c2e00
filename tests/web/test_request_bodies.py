"""Request bodies: too large is 413 before the server reads it all, on every route; a body
that is not JSON is 422 with a sentence, never a 500; every route takes the longest body its
fields allow."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter

from tests.assembly import bearer_token
from tests.web.page_client import secretary
from veche.demo import DEMO_SECRETARY
from veche.web.body_limit import (
    BODY_BYTES,
    BULK_BYTES,
    BULK_PATHS,
    TEXT_BYTES,
    TEXT_PATHS,
    most_bytes,
)
from veche.web.inputs import MAX_IMPORT_BYTES
from veche.web.pages import ROUTERS
from veche.web.pages.documents import MAX_FILE_BYTES, MAX_TEXT

#: Every test here starts from the demo organization; none depends on the database, as the
#: limits are kept before a route runs (see tests/conftest.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

CHUNK = 64 * 1024
HUGE = 30 * 1024 * 1024


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app)


@dataclass
class Sent:
    """A request sent to the application directly (ASGI), its body pulled chunk by chunk."""

    size: int
    pulled: int = 0
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, self.size, CHUNK):
            self.pulled += 1
            yield b"a" * min(CHUNK, self.size - start)

    @property
    def detail(self) -> str:
        found: str = json.loads(self.body)["detail"]
        return found


def _send(
    app: FastAPI, path: str, size: int, *, declared: bool, content_type: str = "application/json"
) -> Sent:
    """POST ``size`` bytes to ``path`` as a server would hand them over: with their
    ``Content-Length``, or chunked (without it)."""
    sent = Sent(size)
    chunks = sent.chunks()
    headers = [(b"host", b"testserver"), (b"content-type", content_type.encode())]
    if declared:
        headers.append((b"content-length", str(size).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    finished = asyncio.Event()

    async def receive() -> dict[str, Any]:
        chunk = next(chunks, None)
        if chunk is None:  # all sent: the client waits for the answer
            await finished.wait()
            return {"type": "http.disconnect"}
        return {"type": "http.request", "body": chunk, "more_body": sent.pulled * CHUNK < size}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            sent.status = message["status"]
            sent.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            sent.body += message.get("body", b"")
            if not message.get("more_body"):
                finished.set()

    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    return sent


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_30_mb_login_is_refused_without_being_read(app: FastAPI, declared: bool) -> None:
    sent = _send(app, "/api/tokens", HUGE, declared=declared)
    assert sent.status == 413
    assert sent.detail.startswith("the request is larger than 64 kB")
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["cache-control"] == "no-store"  # it passed the security headers
    # A declared length is refused before the first byte; a chunked body one chunk past it.
    assert sent.pulled == (0 if declared else BODY_BYTES // CHUNK + 1)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_30_mb_form_is_refused_with_a_page(app: FastAPI, declared: bool) -> None:
    sent = _send(
        app, "/login", HUGE, declared=declared, content_type="application/x-www-form-urlencoded"
    )
    assert sent.status == 413
    assert sent.headers["content-type"].startswith("text/html")
    assert "the request is larger than 64 kB" in sent.body.decode()
    assert "content-security-policy" in sent.headers
    assert sent.pulled <= BODY_BYTES // CHUNK + 1


def test_a_long_text_may_be_larger_than_a_login(app: FastAPI) -> None:
    """A motion of 200,000 characters is no login: its route takes up to 4 MB."""
    sent = _send(app, "/api/meetings/1/motions", TEXT_BYTES + 1, declared=False)
    assert sent.status == 413 and sent.detail.startswith("the request is larger than 4 MB")
    assert sent.pulled == TEXT_BYTES // CHUNK + 1
    # Within the limit, the route reads the body (and finds it is not JSON).
    within = _send(app, "/api/meetings/1/motions", BODY_BYTES * 2, declared=True)
    assert within.status == 422 and within.pulled == 2


def test_an_upload_past_the_limit_is_refused(app: FastAPI) -> None:
    papers = secretary(app)
    refused = papers.client.post(
        "/secretary/import",
        data={"csrf_token": papers.csrf_token()},
        files={"file": ("members.csv", b"a" * BULK_BYTES, "text/csv")},  # with the form: past
    )
    assert refused.status_code == 413
    assert "the request is larger than 10 MB" in refused.text
    # Below it, the import's own limit speaks, with its own message.
    too_long = papers.client.post(
        "/secretary/import",
        data={"csrf_token": papers.csrf_token()},
        files={"file": ("members.csv", b"a" * (MAX_IMPORT_BYTES + 1), "text/csv")},
    )
    assert too_long.status_code == 422
    assert "the file is larger than 5 MB" in too_long.text


def test_the_bulk_limit_leaves_room_for_what_the_uploads_take() -> None:
    assert MAX_IMPORT_BYTES < BULK_BYTES
    # A paper's file, or its text typed in as a form (six bytes a character at worst).
    assert max(MAX_FILE_BYTES, MAX_TEXT * 6) < BULK_BYTES
    assert most_bytes("/meetings/3/documents") == BULK_BYTES
    assert most_bytes("/meetings/3/documents/list") == BODY_BYTES
    assert most_bytes("/api/meetings/3/motions") == TEXT_BYTES
    assert most_bytes("/api/meetings/3/motions/x") == BODY_BYTES


@pytest.mark.parametrize(
    "body", [b'{"username": "someone", "password": "secret"}', b"\xff\xfe not even text"]
)
@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_a_login_that_is_not_sent_as_json_is_422_with_a_sentence(
    client: TestClient, body: bytes, content_type: str | None
) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/tokens", content=body, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "body: not JSON; send it with the header Content-Type: application/json"
    )
    assert "input" not in response.json()["errors"][0]  # the raw bytes are not echoed


def test_a_command_that_is_not_sent_as_json_is_422_with_a_sentence(client: TestClient) -> None:
    token = bearer_token(client, *DEMO_SECRETARY)
    response = client.post(
        "/api/meetings",
        content=json.dumps({"term_id": 1, "title": "Extraordinary session"}),
        headers={**token, "content-type": "text/plain"},
    )
    assert response.status_code == 422
    assert "Content-Type: application/json" in response.json()["detail"]


def test_a_value_json_cannot_answer_with_is_named_not_echoed(client: TestClient) -> None:
    """Python's JSON reader takes NaN in a body; the answer's strict writer would refuse it."""
    response = client.post(
        "/api/tokens",
        content=b'{"username": NaN, "password": "secret"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "body → username: Input should be a valid string"
    assert response.json()["errors"][0]["input"] == "nan"


def test_a_number_that_is_no_number_is_said_in_words(client: TestClient) -> None:
    token = bearer_token(client, *DEMO_SECRETARY)
    response = client.post(
        "/api/meetings",
        json={"term_id": "one", "title": "Extraordinary session", "starts_on": "2026-01-05"},
        headers=token,
    )
    assert response.status_code == 422
    assert response.json()["detail"] == "body → term_id: 'one' is not a whole number"


def _worst_case(schema: dict[str, Any], definitions: dict[str, Any], name: str = "") -> int:
    """The most bytes a body may take within what its model declares: six bytes a character
    (``%D0%B0`` in a form, ``\\u0430`` in JSON), a field name again for every item of a list
    (as forms send them). What declares no maximum counts nothing: the limit bounds it."""
    if "$ref" in schema:
        return _worst_case(definitions[schema["$ref"].rsplit("/", 1)[1]], definitions, name)
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            return max(_worst_case(s, definitions, name) for s in schema[combined])
    if "enum" in schema:
        return max(len(str(value)) for value in schema["enum"]) + 2
    if schema.get("type") == "object":
        return 2 + sum(
            len(key) + 4 + _worst_case(value, definitions, key)
            for key, value in schema.get("properties", {}).items()
        )
    if schema.get("type") == "array":
        item = _worst_case(schema.get("items", {}), definitions, name)
        items: int = schema.get("maxItems", 0)
        return 2 + items * (item + len(name) + 2)
    if schema.get("type") == "string":
        characters: int = schema.get("maxLength", 0)
        return 2 + 6 * characters
    return 20


def _bodies(app: FastAPI) -> dict[str, int]:
    """The worst case of every route that takes a body, by path: the API's from its OpenAPI
    description, the pages' from their routers."""
    openapi = app.openapi()
    definitions = openapi["components"]["schemas"]
    found: dict[str, int] = {}
    for path, operations in openapi["paths"].items():
        for operation in operations.values():
            for content in operation.get("requestBody", {}).get("content", {}).values():
                size = _worst_case(content["schema"], definitions)
                found[path] = max(found.get(path, 0), size)
    for router in ROUTERS:
        for route in router.routes:
            if isinstance(route, APIRoute) and route.body_field is not None:
                model = route.body_field.field_info.annotation
                assert model is not None
                schema = TypeAdapter(model).json_schema()
                size = _worst_case(schema, schema.get("$defs", {}))
                found[route.path] = max(found.get(route.path, 0), size)
    return found


def test_every_route_takes_the_longest_body_its_fields_allow(app: FastAPI) -> None:
    bodies = _bodies(app)
    bodies.pop("/api/polls/{poll_id}/ballots")  # the ballot box keeps its own limit
    too_small = {path: size for path, size in bodies.items() if size > most_bytes(path)}
    assert too_small == {}, "add these paths to TEXT_PATHS or BULK_PATHS in veche.web.body_limit"


def test_every_path_given_a_larger_limit_is_a_route_that_takes_a_body(app: FastAPI) -> None:
    bodies = _bodies(app)
    assert sorted(set(TEXT_PATHS + BULK_PATHS) - set(bodies)) == []
    # And one that needs it: a path listed without need would only widen the door.
    modest = [path for path in TEXT_PATHS if bodies[path] <= BODY_BYTES]
    assert modest == []
