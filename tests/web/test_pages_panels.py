"""The desk forms drafting panels through the panels page, with the API's own inputs: on the
items ticked, with chairs and members typed by name; refused at the form as typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.web.desk_client import Desk
from tests.web.sitting import journal_length
from veche.models import Panel, PanelChair, PanelItem, PanelMember, Person

#: They start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _page(desk: Desk) -> str:
    return f"/secretary/meetings/{desk.meeting}/panels"


def _names(desk: Desk, person_ids: list[int]) -> list[str]:
    with desk.sessions() as session:
        people = {p.id: p.full_name for p in session.scalars(select(Person))}
    return [people[person_id] for person_id in person_ids]


def _items(desk: Desk, *titles: str) -> list[int]:
    return [
        desk.assembly.create(f"/meetings/{desk.meeting}/agenda", title=title)["id"]
        for title in titles
    ]


def _panels(desk: Desk) -> list[tuple[str, list[int], list[int], list[int]]]:
    """Each panel: its name, items, chairs in order and members."""
    with desk.sessions() as session:
        found = []
        for panel in session.scalars(select(Panel).where(Panel.meeting_id == desk.meeting)):
            of = panel.id
            items = select(PanelItem.agenda_item_id).where(PanelItem.panel_id == of)
            chairs = select(PanelChair.person_id).where(PanelChair.panel_id == of)
            members = select(PanelMember.person_id).where(PanelMember.panel_id == of)
            found.append(
                (
                    panel.name,
                    sorted(session.scalars(items)),
                    list(session.scalars(chairs.order_by(PanelChair.position))),
                    sorted(session.scalars(members)),
                )
            )
        return found


def test_the_desk_forms_a_panel_on_items_with_chairs_and_members(desk: Desk) -> None:
    first, second, third = _items(desk, "Report of the Board", "The budget", "Elections")
    chairs = desk.assembly.members[2:4]
    member = desk.assembly.members[4]
    chair_names = _names(desk, chairs)
    motion = desk.assembly.create(
        f"/meetings/{desk.meeting}/motions",
        title="Draft on the budget",
        text="The Council adopts the budget.",
        agenda_item_id=second,
        submitter_person_ids=[member],
    )
    shown = desk.secretary.get(_page(desk))
    assert shown.status_code == 200 and "No panel is formed yet." in shown.text

    formed = desk.secretary.post(
        _page(desk),
        {
            "name": "Economic panel",
            "agenda_item_ids": [first, second],
            "chairs": [chair_names[0].lower(), "", chair_names[1]],
            "members": _names(desk, [member]),
        },
    )
    assert formed.status_code == 303, formed.text
    assert _panels(desk) == [("Economic panel", [first, second], chairs, sorted([*chairs, member]))]
    page = desk.secretary.get(_page(desk)).text
    assert "The panel Economic panel is formed" in page
    assert f"Chairs: {html.escape(chair_names[0])}, {html.escape(chair_names[1])}" in page
    # Its chairs find the drafts of its items from here.
    assert f'href="/meetings/{desk.meeting}/motions/{motion["id"]}"' in page
    assert f'name="agenda_item_ids" value="{third}"' in page  # offered for the next panel

    panel_id = _panel_id(desk)
    newcomer = desk.assembly.members[5]
    added = desk.secretary.post(
        f"{_page(desk)}/{panel_id}/members", {"members": _names(desk, [newcomer])}
    )
    assert added.status_code == 303, added.text
    assert newcomer in _panels(desk)[0][3]


def _panel_id(desk: Desk) -> int:
    with desk.sessions() as session:
        return session.scalars(select(Panel.id).where(Panel.meeting_id == desk.meeting)).one()


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"name": "Panel"}, 422, "name the agenda items the panel examines"),
        (
            {"name": "Panel", "item": True, "chairs": ["Nobody Atall"]},
            422,
            "&#39;Nobody Atall&#39;",
        ),
        ({"name": "   ", "item": True}, 422, "the panel&#39;s name"),
        ({"name": "Panel", "agenda_item_ids": [987654]}, 404, "has no agenda item 987654"),
    ],
)
def test_a_bad_panel_is_refused_at_the_form_as_typed(
    desk: Desk, fields: dict[str, object], status: int, message: str
) -> None:
    (item,) = _items(desk, "The budget")
    sent = {key: value for key, value in fields.items() if key != "item"}
    if fields.get("item"):
        sent["agenda_item_ids"] = [item]
    before = journal_length(desk.sessions)
    refused = desk.secretary.post(_page(desk), sent)
    assert refused.status_code == status, refused.text
    assert message in refused.text
    assert 'id="new-panel-error"' in refused.text
    assert f'value="{html.escape(str(fields["name"]))}"' in refused.text
    if fields.get("item"):
        assert f'value="{item}" checked' in refused.text
    if "chairs" in fields:
        assert 'value="Nobody Atall"' in refused.text
    assert journal_length(desk.sessions) == before and _panels(desk) == []


def test_adding_no_one_or_one_already_on_it_is_refused_on_the_panel(desk: Desk) -> None:
    (item,) = _items(desk, "The budget")
    chair = desk.assembly.members[2]
    formed = desk.secretary.post(
        _page(desk),
        {"name": "Panel", "agenda_item_ids": [item], "chairs": _names(desk, [chair])},
    )
    assert formed.status_code == 303, formed.text
    panel_id = _panel_id(desk)
    before = journal_length(desk.sessions)
    empty = desk.secretary.post(f"{_page(desk)}/{panel_id}/members", {"members": ["", ""]})
    assert empty.status_code == 422 and "name at least one participant" in empty.text
    assert f'id="panel-{panel_id}-error"' in empty.text
    twice = desk.secretary.post(
        f"{_page(desk)}/{panel_id}/members", {"members": _names(desk, [chair])}
    )
    assert twice.status_code == 409 and "already" in twice.text
    missing = desk.secretary.post(f"{_page(desk)}/987654/members", {"members": ["x"]})
    assert missing.status_code == 404 and "has no panel 987654" in missing.text
    assert journal_length(desk.sessions) == before


def test_a_delegate_may_neither_see_nor_form_panels(desk: Desk) -> None:
    (item,) = _items(desk, "The budget")
    delegate = desk.others["delegate"]
    before = journal_length(desk.sessions)
    assert delegate.get(_page(desk)).status_code == 403
    sent = {"name": "Panel", "agenda_item_ids": [item], "chairs": ["Nobody Atall"]}
    assert delegate.post(_page(desk), sent).status_code == 403
    assert delegate.post(f"{_page(desk)}/1/members", {"members": ["x"]}).status_code == 403
    assert journal_length(desk.sessions) == before and _panels(desk) == []
