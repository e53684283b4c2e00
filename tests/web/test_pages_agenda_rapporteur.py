"""The agenda page's rapporteur, typed by name among the participants' names it offers."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.web.desk_client import Desk
from veche.models import AgendaItem, Person

#: What the page sends is the API's item (``ItemIn``) once the name is found, made by the same
#: action, whose storage is proven on both databases in test_proceedings_api.py. They start
#: from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _agenda(desk: Desk) -> str:
    return f"/secretary/meetings/{desk.meeting}/agenda"


def _name(desk: Desk, person_id: int) -> str:
    with desk.sessions() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.full_name


def _rapporteurs(desk: Desk) -> dict[str, int | None]:
    with desk.sessions() as session:
        items = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == desk.meeting))
        return {item.title: item.rapporteur_person_id for item in items}


def test_the_rapporteur_is_typed_by_name_and_found_among_the_participants(desk: Desk) -> None:
    member = desk.assembly.members[3]
    name = _name(desk, member)
    page = desk.secretary.get(_agenda(desk))
    assert f'<option value="{name}"></option>' in page.text
    assert 'list="rapporteur-names"' in page.text

    # In any case, with spaces to spare: it names the same participant.
    typed = f"  {name.upper().replace(' ', '   ')} "
    added = desk.secretary.post(f"{_agenda(desk)}/items", {"title": "Report", "rapporteur": typed})
    assert added.status_code == 303, added.text
    assert _rapporteurs(desk) == {"Report": member}
    with desk.sessions() as session:
        item_id = session.scalars(select(AgendaItem.id)).one()
    page = desk.secretary.get(_agenda(desk))
    assert re.search(rf'id="edit-{item_id}-rapporteur"[^>]*value="{re.escape(name)}"', page.text)

    # A name no participant has is refused, and what was typed stays in the form.
    wrong = desk.secretary.post(
        f"{_agenda(desk)}/items", {"title": "Budget", "rapporteur": "Nobody Anywhere"}
    )
    assert wrong.status_code == 422
    assert "no participant of the meeting is named &#39;Nobody Anywhere&#39;" in wrong.text
    assert 'id="new-rapporteur"' in wrong.text and 'value="Nobody Anywhere"' in wrong.text
    assert _rapporteurs(desk) == {"Report": member}

    # Left empty, the item has none.
    cleared = desk.secretary.post(
        f"{_agenda(desk)}/items/{item_id}", {"title": "Report", "rapporteur": ""}
    )
    assert cleared.status_code == 303, cleared.text
    assert _rapporteurs(desk) == {"Report": None}


def test_namesakes_are_told_apart_by_role_and_number(desk: Desk) -> None:
    member = desk.assembly.members[3]
    name = _name(desk, member)
    namesake = desk.assembly.create("/people", full_name=name)["id"]
    desk.assembly.create(f"/meetings/{desk.meeting}/participants", person_id=namesake)
    page = desk.secretary.get(_agenda(desk))
    offered = re.findall(rf'<option value="({re.escape(name)}[^"]*)"></option>', page.text)
    assert sorted(offered) == sorted(
        [f"{name} (member, {member})", f"{name} (observer, {namesake})"]
    )

    alone = desk.secretary.post(f"{_agenda(desk)}/items", {"title": "Report", "rapporteur": name})
    assert alone.status_code == 422 and "no participant of the meeting is named" in alone.text
    chosen = desk.secretary.post(
        f"{_agenda(desk)}/items",
        {"title": "Report", "rapporteur": f"{name} (observer, {namesake})"},
    )
    assert chosen.status_code == 303, chosen.text
    assert _rapporteurs(desk) == {"Report": namesake}
