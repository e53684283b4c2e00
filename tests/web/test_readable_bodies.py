"""Bodies no answer could echo nor the database store are refused with a 422 that says why,
on every route alike; every GET route answers HEAD."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.testclient import TestClient

from tests.assembly import bearer_token
from tests.web.page_client import secretary
from veche.demo import DEMO_SECRETARY
from veche.web.errors import invalid_answer

#: Every test here starts from the demo organization; none depends on the database.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

JSON = {"content-type": "application/json"}
LONE = b'"\\ud800"'  # half of a character, as JSON escapes it
HALF = "an escape \\uXXXX is cut short or is half of a character (a lone surrogate"


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/tokens", b'{"username": ' + LONE + b', "password": "x"}'),
        ("POST", "/api/setup", b'{"organization": ' + LONE + b"}"),
        ("POST", "/api/people", b'{"name": ' + LONE + b"}"),
        ("POST", "/api/units", b'{"name": ' + LONE + b"}"),
        ("PUT", "/api/periods/3/units/6/report", b'{"narrative": ' + LONE + b"}"),
        ("POST", "/api/polls/1/ballots", b'{"choice": ' + LONE + b"}"),
    ],
)
def test_half_a_character_is_refused_alike_on_every_route(
    client: TestClient, method: str, path: str, body: bytes
) -> None:
    token = bearer_token(client, *DEMO_SECRETARY) if path != "/api/tokens" else {}
    response = client.request(method, path, content=body, headers={**JSON, **token})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert detail.startswith("body: Invalid JSON: "), detail
    assert HALF in detail
    assert response.json()["errors"][0]["type"] == "json_invalid"


def test_half_a_character_written_as_utf8_bytes_is_refused(client: TestClient) -> None:
    body = b'{"username": "\xed\xa0\x80", "password": "x"}'
    response = client.post("/api/tokens", content=body, headers=JSON)
    assert response.status_code == 422
    assert "send the body as UTF-8" in response.json()["detail"]


def test_a_whole_character_as_a_surrogate_pair_still_reads(client: TestClient) -> None:
    body = b'{"username": "\\ud83d\\ude00", "password": "x"}'
    response = client.post("/api/tokens", content=body, headers=JSON)
    assert response.status_code == 401, response.text  # read, and refused as a login


def test_a_byte_order_mark_still_reads(client: TestClient) -> None:
    body = b'\xef\xbb\xbf{"username": "nobody", "password": "x"}'
    response = client.post("/api/tokens", content=body, headers=JSON)
    assert response.status_code == 401, response.text


def test_json_nested_too_deeply_is_told_so(client: TestClient) -> None:
    token = bearer_token(client, *DEMO_SECRETARY)
    deep = b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = client.post("/api/people", content=deep, headers={**JSON, **token})
    assert response.status_code == 422, response.text
    assert "nested too deeply; at most 200 levels are read" in response.json()["detail"]


def test_a_form_in_a_charset_that_makes_half_characters_is_refused(app: FastAPI) -> None:
    """UTF-7 writes "\\ud800" as "+2AA-": the form reader would decode it so."""
    page = secretary(app)
    response = page.client.post(
        "/secretary/people",
        content=(
            b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\n+2AA-\r\n'
            b'--b\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'
            + page.csrf_token().encode()
            + b"\r\n--b--\r\n"
        ),
        headers={"content-type": "multipart/form-data; boundary=b; charset=utf-7"},
    )
    assert response.status_code == 422, response.text
    assert "a form is read as UTF-8" in response.text


def test_an_error_answer_carries_half_a_character_as_its_escape() -> None:
    problem = {"type": "string_too_short", "loc": ("body", "name"), "msg": "bad", "input": "\ud800"}
    answer = invalid_answer(RequestValidationError([problem]))
    assert b'"input":"\\\\ud800"' in answer.body


@pytest.mark.parametrize("path", ["/api/health", "/", "/public", "/login", "/static/veche.css"])
def test_every_get_route_answers_head_without_a_body(client: TestClient, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.headers.get("content-length") == got.headers.get("content-length")


def test_head_is_refused_where_get_is(client: TestClient) -> None:
    assert client.head("/api/setup").status_code == 405


@pytest.mark.parametrize(
    ("name", "said"),
    [("\u200b", "shows nothing"), ("Ann \u202enavI", "changes the direction the text is shown")],
)
def test_a_person_whose_name_shows_nothing_or_turns_round_is_refused(
    client: TestClient, name: str, said: str
) -> None:
    token = bearer_token(client, *DEMO_SECRETARY)
    response = client.post("/api/people", json={"full_name": name}, headers=token)
    assert response.status_code == 422, response.text
    assert said in response.json()["detail"]


def test_a_figure_in_other_digits_is_refused_by_the_api(client: TestClient) -> None:
    token = bearer_token(client, *DEMO_SECRETARY)
    for typed in ("1_000", "١٢٣", "１２３"):
        response = client.put(
            "/api/periods/3/units/6/report",
            json={"values": [{"indicator_id": 1, "value": typed}]},
            headers=token,
        )
        assert response.status_code == 422, response.text
        assert f"{typed!r} is not a number" in response.json()["detail"]


def test_a_form_field_that_is_not_utf8_is_refused_not_stored_mangled(app: FastAPI) -> None:
    page = secretary(app)
    token = page.csrf_token()
    response = page.client.post(
        "/secretary/people",
        content=f"csrf_token={token}&full_name=%ED%A0%80".encode(),
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 422, response.text
    assert "full_name: holds bytes that are not UTF-8" in response.text
    assert "\ufffd" not in page.get("/secretary/people").text
