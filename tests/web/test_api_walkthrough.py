"""The walk-through of docs/api.md, "Set up a body from nothing and record a past meeting",
run as written: each line of its shell block, in order, against a fresh database, so that
the documentation cannot drift from what the API does.

The lines are read as a small shell would read them (variables, quotes, ``$(…)`` around a
``curl`` piped to ``jq``), and each ``curl`` becomes the same request to the application.
A line this reader does not know fails the test, rather than being skipped: the
walk-through then uses something the test cannot prove, and one of the two must change.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app

#: The demo's secretary logs in: the organization starts as `veche demo` leaves it.
pytestmark = pytest.mark.demo

API_DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SECTION = "## Set up a body from nothing and record a past meeting"

#: ``NAME=$(command)``, perhaps followed by a comment.
_CAPTURE = re.compile(r"(\w+)=\$\((.*)\)(\s+#.*)?")
#: ``$NAME`` or ``${NAME}`` (not ``$(``).
_VARIABLE = re.compile(r"\$(?:\{(\w+)\}|(\w+))")
#: One step of a jq path: ``.name`` or ``[0]``.
_JQ_STEP = re.compile(r"\.(\w+)|\[(\d+)\]")


def walkthrough() -> list[str]:
    """The shell block's commands, continuation lines joined, comments and blanks left out."""
    text = API_DOCS.read_text(encoding="utf-8")
    assert SECTION in text, f"docs/api.md has no section {SECTION!r}"
    block = text.split(SECTION, 1)[1].split("```sh\n", 1)[1].split("\n```", 1)[0]
    commands, pending = [], ""
    for line in block.splitlines():
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        command = (pending + line).strip()
        pending = ""
        if command and not command.startswith("#"):
            commands.append(command)
    return commands


@dataclass
class Shell:
    """Runs the walk-through's lines against the application, keeping their variables."""

    client: TestClient
    variables: dict[str, str] = field(default_factory=dict)
    #: Every answer, by the path asked, in order.
    answers: list[tuple[str, Any]] = field(default_factory=list)

    def run(self, line: str) -> None:
        captured = _CAPTURE.fullmatch(line)
        if captured:
            name, command, _comment = captured.groups()
            self.variables[name] = self._capture(command)
            return
        words = self._words(line)
        if words[0] == "curl":
            self._curl(words[1:])
        elif len(words) == 1 and re.fullmatch(r"\w+=.*", words[0]):
            name, _, value = words[0].partition("=")
            self.variables[name] = value
        else:
            raise AssertionError(f"the walk-through runs {line!r}, which this test cannot read")

    def _words(self, line: str) -> list[str]:
        """The line's words after its variables are replaced, as the shell splits them."""

        def value(found: re.Match[str]) -> str:
            name = found.group(1) or found.group(2)
            assert name in self.variables, f"${name} is used before it is set: {line!r}"
            return self.variables[name]

        return shlex.split(_VARIABLE.sub(value, line), comments=True)

    def _capture(self, command: str) -> str:
        """What ``curl … | jq [-r] PATH`` prints, without its last newline."""
        request, bar, filter_ = command.rpartition(" | ")
        assert bar, f"a captured command pipes curl to jq: {command!r}"
        answer = self._curl(self._words(request)[1:])
        jq = self._words(filter_)
        assert jq[0] == "jq" and len(jq) in (2, 3), f"jq as this test reads it: {filter_!r}"
        raw, path = jq[1] == "-r", jq[-1]
        found = _select(answer, path)
        return str(found) if raw and isinstance(found, str) else json.dumps(found)

    def _curl(self, words: list[str]) -> Any:
        method, url, data = "", "", None
        headers: dict[str, str] = {}
        given = iter(words)
        for word in given:
            if word == "-s":
                continue
            if word == "-X":
                method = next(given)
            elif word == "-H":
                name, _, value = next(given).partition(":")
                headers[name.strip()] = value.strip()
            elif word == "-d":
                data = next(given)
            elif word.startswith("http"):
                url = word
            else:
                raise AssertionError(f"curl {word} is not read by this test: {words}")
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        assert path.startswith("/api/"), url
        method = method or ("POST" if data is not None else "GET")
        response = self.client.request(method, path, headers=headers, content=data)
        assert response.status_code < 400, (method, path, data, response.text)
        is_json = response.headers.get("content-type", "").startswith("application/json")
        answer = response.json() if is_json else response.text
        self.answers.append((f"{method} {path}", answer))
        return answer


def _select(answer: Any, path: str) -> Any:
    """A jq path of names and indices (``.options[0].id``) applied to an answer."""
    assert _JQ_STEP.sub("", path) == "", f"a jq path of names and indices: {path!r}"
    found = answer
    for name, index in _JQ_STEP.findall(path):
        found = found[name] if name else found[int(index)]
    return found


@pytest.fixture
def shell(engine: Engine) -> Iterator[Shell]:
    with TestClient(create_app(engine)) as client:
        yield Shell(client)


def test_the_walkthrough_sets_up_a_body_and_records_its_past_meeting(shell: Shell) -> None:
    lines = walkthrough()
    assert len(lines) > 20
    for line in lines:
        shell.run(line)

    headers = {"Authorization": f"Bearer {shell.variables['TOKEN']}"}
    meeting = shell.client.get(f"/api/meetings/{shell.variables['MEETING']}", headers=headers)
    assert meeting.json() | {"id": 0, "term_id": 0} == {
        "id": 0,
        "term_id": 0,
        "number": 8,
        "title": "Plenary Meeting",
        "name": "8th Plenary Meeting of the 3rd Central Committee",
        "kind": "ordinary",
        "state": "closed",
        "venue": "House of Labour",
        "starts_on": "2022-11-18",
        "ends_on": "2022-11-18",
        "convened_by_body_id": None,
        "notice": "The Bureau convenes the 8th Plenary Meeting.",
    }
    answers = dict(shell.answers)
    committee = shell.variables["COMMITTEE"]
    tree = answers[f"GET /api/bodies?under={committee}"]
    assert [(body["name"], body["depth"]) for body in tree] == [
        ("Central Committee", 0),
        ("Bureau of the Central Committee", 1),
        ("Presidium of the Bureau", 2),
    ]
    seats = answers[f"GET /api/terms/{shell.variables['TERM']}/memberships"]
    assert [(seat["full_name"], seat["role"]) for seat in seats] == [
        ("Tomas Brandt", "member"),
        ("Vera Lindqvist", "member"),
        ("Ilse Marek", "alternate"),
    ]
    assert [p["full_name"] for p in answers["GET /api/people?q=brandt"]["people"]] == [
        "Tomas Brandt"
    ]
    poll = shell.client.get(f"/api/polls/{shell.variables['POLL']}", headers=headers).json()
    assert (poll["state"], poll["outcome"]) == ("published", "adopted")
    found = next(
        answer for asked, answer in shell.answers if asked.startswith("GET /api/meetings?")
    )
    assert found["total"] == 1
    assert found["meetings"][0]["name"] == "8th Plenary Meeting of the 3rd Central Committee"
    minutes = shell.answers[-1][1]
    assert "8th Plenary Meeting of the 3rd Central Committee" in minutes
