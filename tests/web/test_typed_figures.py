"""A figure typed on a page is checked by the browser before the form is sent, so that a
mistake ("7,5") is said on the form with what was typed still in it: the patterns the pages
give their number fields take nothing the server would refuse, and refuse the mistakes people
make. The set-up page of a resolution gives every decimal field the pattern."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.prepared import prepared
from tests.web.follow_up_world import FollowUpWorld, build_follow_up
from tests.web.page_client import secretary
from veche.models import Goal
from veche.web.form_fields import form_number
from veche.web.inputs_follow_up import Figure
from veche.web.templating import DECIMAL_PATTERN, WHOLE_NUMBER_PATTERN, figure_as_typed

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

follow_up_world = prepared("follow_up_world", build_follow_up)

FIGURE = TypeAdapter(Figure)
#: What a figure may be refused for though written as a number: it has too many digits.
TOO_MANY_DIGITS = {"decimal_max_digits", "decimal_max_places", "decimal_whole_digits"}


@given(st.from_regex(DECIMAL_PATTERN, fullmatch=True))
def test_a_figure_the_browser_lets_through_is_read_by_the_server(text: str) -> None:
    try:
        FIGURE.validate_python(text)
    except ValidationError as refused:
        assert {problem["type"] for problem in refused.errors()} <= TOO_MANY_DIGITS, text


@given(st.from_regex(WHOLE_NUMBER_PATTERN, fullmatch=True))
def test_a_whole_number_the_browser_lets_through_is_read_by_the_server(text: str) -> None:
    assert form_number(text, "a line") == text.strip()


@given(st.decimals(min_value=-(10**14) + 1, max_value=10**14 - 1, places=4))
def test_a_figure_shown_for_changing_is_sent_back_as_it_stands(figure: Decimal) -> None:
    """A field shows the stored figure (18.0000, 2E+4) as typed: one the pattern lets
    through and the server reads as the same figure."""
    shown = figure_as_typed(figure)
    assert isinstance(shown, str) and re.fullmatch(DECIMAL_PATTERN, shown), shown
    assert FIGURE.validate_python(shown) == figure


@pytest.mark.parametrize(
    "typed", ["7,5", "1 250", "1,250.5", "12.5%", "€40", "seven", "-", ".", "1e3", "7.5.1"]
)
def test_the_browser_refuses_a_figure_mistyped(typed: str) -> None:
    assert re.fullmatch(DECIMAL_PATTERN, typed) is None


@pytest.mark.parametrize("typed", ["two", "2.5", "-1", "3a", "2 3"])
def test_the_browser_refuses_a_whole_number_mistyped(typed: str) -> None:
    assert re.fullmatch(WHOLE_NUMBER_PATTERN, typed) is None


class _NumberFields(HTMLParser):
    """The number fields of a page: each input with an ``inputmode``, its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "input" and attributes.get("inputmode") in ("decimal", "numeric"):
            self.found.append(attributes)


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):
        yield app


def test_every_figure_of_a_resolutions_set_up_is_checked_as_typed(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        resolution = session.get_one(Goal, follow_up_world.goal_id).resolution_id
    shown = secretary(app).get(f"/secretary/follow-up/resolutions/{resolution}")
    assert shown.status_code == 200, shown.text
    fields = _NumberFields()
    fields.feed(shown.text)
    decimal = [field for field in fields.found if field["inputmode"] == "decimal"]
    # The goals' weights, the indicators' figures, the units' targets and weights.
    names = {str(field["name"]) for field in decimal}
    assert {"weight", "baseline_value", "target_value", "share_needed", "value"} <= names
    assert all(field["pattern"] == DECIMAL_PATTERN for field in decimal), decimal
    assert all("point" in str(field["title"]) for field in decimal)
    lines = [field for field in fields.found if field["name"] in ("paragraph", "first_line")]
    assert len(lines) == 2
    assert all(field["pattern"] == WHOLE_NUMBER_PATTERN for field in lines)
