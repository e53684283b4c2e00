"""The people page finds people by name or e-mail, as the API's ``GET /api/people`` does."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.page_client import secretary
from veche.models import Person

#: The search is the API's own query (``find_people``), proven on both databases by the API's
#: tests; this proves the page uses it. It starts from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _listed(page: str) -> list[str]:
    """The names in the people table, in its order."""
    table = page[page.index('id="people-found"') :]
    return re.findall(r"<tr><td>([^<]+?)(?: <span|</td>)", table)


def _offered_a_seat(page: str) -> list[str]:
    """The names the form to give a seat offers."""
    field = re.search(r'<select id="s-person"[^>]*>(.*?)</select>', page, re.S)
    assert field is not None
    return re.findall(r'<option value="\d+">([^<]+)</option>', field.group(1))


def test_the_people_page_finds_people_by_a_few_letters_of_their_name(
    app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        names = list(session.scalars(select(Person.full_name).order_by(Person.full_name)))
    wanted = names[len(names) // 2]
    word = wanted.split()[-1][:4].lower()
    matching = [name for name in names if word in name.lower()]
    assert 0 < len(matching) < len(names)

    desk = secretary(app)
    everyone = desk.get("/secretary/people")
    assert everyone.status_code == 200
    assert len(_listed(everyone.text)) == len(names)
    found = desk.get("/secretary/people", params={"q": f" {word.upper()} "})
    assert found.status_code == 200
    assert sorted(_listed(found.text)) == sorted(matching)
    assert f"{len(matching)} found, by name." in found.text
    # The form to give a seat offers the people found: a search narrows its list too.
    assert sorted(_offered_a_seat(found.text)) == sorted(matching)
    assert len(_offered_a_seat(everyone.text)) == len(names)

    too_long = desk.get("/secretary/people", params={"q": "x" * 201})
    assert too_long.status_code == 422
