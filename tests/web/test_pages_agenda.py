"""The secretary builds the agenda through its page: add, edit, move, withdraw, file papers, approve."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.web.desk_client import Desk
from veche.models import AgendaItem, Document, Person, Poll
from veche.models.agenda import ItemKind, ItemState
from veche.models.polls import PollOption

#: These prove what the pages show and do; the same actions run through the API, and
#: the agenda's storage is proven on both databases in test_proceedings_api.py and
#: test_meeting_record.py.
#: They start from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _agenda(desk: Desk) -> str:
    return f"/secretary/meetings/{desk.meeting}/agenda"


def _add(desk: Desk, title: str, **fields: object) -> None:
    response = desk.secretary.post(f"{_agenda(desk)}/items", {"title": title, **fields})
    assert response.status_code == 303, response.text
    assert response.headers["location"] == _agenda(desk)


def _items(desk: Desk) -> list[AgendaItem]:
    with desk.sessions() as session:
        return list(
            session.scalars(
                select(AgendaItem)
                .where(AgendaItem.meeting_id == desk.meeting)
                .order_by(AgendaItem.state, AgendaItem.position)
            )
        )


def _titles_on_page(page: str) -> list[str]:
    return re.findall(r'<h3 class="h3">\d+\. ([^<]+?) <span', page)


def test_the_secretary_builds_the_agenda_item_by_item(desk: Desk) -> None:
    rapporteur = desk.assembly.members[3]
    _add(
        desk,
        "Report of the Executive Board",
        kind="report",
        rapporteur_person_id=rapporteur,
        time_budget_minutes=45,
    )
    _add(desk, "Election of the Audit Commission", kind="election", time_budget_minutes=20)
    _add(desk, "Budget for next year", kind="motion", speech_seconds=180, speeches_per_person=2)
    page = desk.secretary.get(_agenda(desk))
    assert page.status_code == 200
    assert _titles_on_page(page.text) == [
        "Report of the Executive Board",
        "Election of the Audit Commission",
        "Budget for next year",
    ]
    with desk.sessions() as session:
        person = session.get(Person, rapporteur)
        assert person is not None
        assert f"Rapporteur: {person.full_name}" in page.text
    assert "45 minutes" in page.text and "Not approved yet" in page.text

    first, second, third = _items(desk)
    assert (first.kind, first.rapporteur_person_id, first.time_budget_minutes) == (
        ItemKind.REPORT,
        rapporteur,
        45,
    )
    assert (third.speech_seconds, third.speeches_per_person) == (180, 2)
    moved = desk.secretary.post(f"{_agenda(desk)}/items/{third.id}/move", {"direction": "up"})
    assert moved.status_code == 303
    edited = desk.secretary.post(
        f"{_agenda(desk)}/items/{first.id}",
        {"title": "Report of the Board on the year", "kind": "report", "time_budget_minutes": 60},
    )
    assert edited.status_code == 303
    withdrawn = desk.secretary.post(f"{_agenda(desk)}/items/{second.id}/withdraw")
    assert withdrawn.status_code == 303
    filed = desk.secretary.post(
        f"{_agenda(desk)}/items/{third.id}/documents",
        {"title": "Draft budget", "url": "https://example.org/budget.pdf"},
    )
    assert filed.status_code == 303

    page = desk.secretary.get(_agenda(desk)).text
    assert _titles_on_page(page) == ["Report of the Board on the year", "Budget for next year"]
    assert re.search(
        r'id="withdrawn-heading".*<li>Election of the Audit Commission</li>', page, re.S
    )
    assert '<a href="https://example.org/budget.pdf">Draft budget</a>' in page
    items = _items(desk)
    assert [(i.title, i.position, i.state) for i in items] == [
        ("Report of the Board on the year", 1, ItemState.PLANNED),
        ("Budget for next year", 2, ItemState.PLANNED),
        ("Election of the Audit Commission", 3, ItemState.WITHDRAWN),
    ]
    assert items[0].time_budget_minutes == 60 and items[0].rapporteur_person_id is None


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"title": "   "}, 422, "title"),
        ({"title": "Report", "rapporteur_person_id": 999_999}, 404, "there is no person 999999"),
        ({"title": "Report", "rapporteur_person_id": "someone"}, 422, "chosen from the list"),
        ({"title": "Report", "rapporteur_body_id": 999_999}, 404, "there is no body 999999"),
        ({"title": "Report", "kind": "speech"}, 422, "kind"),
        ({"title": "Report", "time_budget_minutes": -5}, 422, "time_budget_minutes"),
    ],
)
def test_a_bad_item_is_refused_with_the_reason_and_nothing_changes(
    desk: Desk, fields: dict[str, object], status: int, message: str
) -> None:
    _add(desk, "Opening")
    response = desk.secretary.post(f"{_agenda(desk)}/items", fields)
    assert response.status_code == status, response.text
    assert message in response.text
    assert [item.title for item in _items(desk)] == ["Opening"]


def test_a_refusal_keeps_the_page_and_what_was_typed(desk: Desk) -> None:
    _add(desk, "Opening")
    response = desk.secretary.post(
        f"{_agenda(desk)}/items",
        {"title": "Report of the Board", "rapporteur_person_id": 999_999, "description": "Why"},
    )
    assert response.status_code == 404
    assert 'role="alert" id="agenda-error">there is no person 999999' in response.text
    assert 'id="new-title" name="title" required maxlength="500" value="Report of the Board"' in (
        response.text
    )
    (opening,) = _items(desk)
    top = desk.secretary.post(f"{_agenda(desk)}/items/{opening.id}/move", {"direction": "up"})
    assert top.status_code == 422 and "position must be between 1 and 1, not 0" in top.text
    sideways = desk.secretary.post(
        f"{_agenda(desk)}/items/{opening.id}/move", {"direction": "left"}
    )
    assert sideways.status_code == 422 and "moves up or down" in sideways.text
    paper = desk.secretary.post(f"{_agenda(desk)}/items/{opening.id}/documents", {"title": "X"})
    assert paper.status_code == 422 and "needs a url or a text" in paper.text
    elsewhere = desk.secretary.post(
        f"/secretary/meetings/{desk.meeting}/agenda/items/999999/withdraw"
    )
    assert elsewhere.status_code == 404
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Document)) == 0
    assert [(item.position, item.state) for item in _items(desk)] == [(1, ItemState.PLANNED)]


def _approve_the_agenda(desk: Desk) -> int:
    response = desk.secretary.post(f"{_agenda(desk)}/approval-poll")
    assert response.status_code == 303
    with desk.sessions() as session:
        poll_id = session.scalars(select(Poll.id).where(Poll.approves_agenda.is_(True))).one()
        yes = session.scalars(
            select(PollOption.id).where(PollOption.poll_id == poll_id, PollOption.label == "yes")
        ).one()
    page = desk.secretary.get(_agenda(desk)).text
    assert "that approves the agenda is draft" in page and "Put the agenda to the vote" not in page
    # The console says the vote is under way, not to put the agenda to the vote again.
    console = desk.secretary.get(f"/meetings/{desk.meeting}/console").text
    assert "The agenda is being put to the vote" in console
    assert "Put the agenda to the vote" not in console
    desk.assembly.check_in(desk.assembly.members[:16])  # a quorum: 15 of 30 members
    desk.step(poll_id, "open")
    for person_id in desk.assembly.members[:3]:
        assert desk.assembly.vote(poll_id, person_id, {"option": yes}).status_code == 201
    desk.step(poll_id, "close")
    return poll_id


def test_once_approved_the_agenda_refuses_changes_on_the_page(desk: Desk) -> None:
    empty = desk.secretary.get(_agenda(desk)).text
    assert "Add the items first" in empty and "Put the agenda to the vote" not in empty
    _add(desk, "Opening")
    _add(desk, "Report of the Board", time_budget_minutes=30)
    opening, report = _items(desk)
    # No item is offered to be taken up before the agenda is approved: it would be refused.
    console = desk.secretary.get(f"/meetings/{desk.meeting}/console").text
    assert 'data-testid="agenda-pending"' in console and "Take up item" not in console
    poll_id = _approve_the_agenda(desk)
    console = desk.secretary.get(f"/meetings/{desk.meeting}/console").text
    assert "Take up item 1: Opening" in console and 'data-testid="agenda-pending"' not in console

    page = desk.secretary.get(_agenda(desk)).text
    assert "Approved by the poll “Approve the agenda”" in page
    assert f"{_agenda(desk)}/items/{report.id}/move" not in page
    assert 'action="/secretary/meetings/' + str(desk.meeting) + '/agenda/items"' not in page
    reworded = desk.secretary.post(
        f"{_agenda(desk)}/items/{report.id}", {"title": "Another report", "time_budget_minutes": 30}
    )
    assert reworded.status_code == 409
    refusal = f"was approved by poll {poll_id}; it can no longer change"
    assert refusal in reworded.text and "<h1>Agenda</h1>" in reworded.text
    for path, data in [
        (f"{_agenda(desk)}/items", {"title": "Late item"}),
        (f"{_agenda(desk)}/items/{report.id}/move", {"direction": "up"}),
        (f"{_agenda(desk)}/items/{opening.id}/withdraw", {}),
    ]:
        refused = desk.secretary.post(path, data)
        assert refused.status_code == 409 and refusal in refused.text, path
    rules = desk.secretary.post(
        f"{_agenda(desk)}/items/{report.id}",
        {"title": "Report of the Board", "time_budget_minutes": 30, "speech_seconds": 120},
    )
    assert rules.status_code == 303  # speaking rules may change on an approved agenda
    assert [(i.title, i.position, i.speech_seconds) for i in _items(desk)] == [
        ("Opening", 1, 300),
        ("Report of the Board", 2, 120),
    ]


def test_only_the_chair_or_secretary_builds_the_agenda(desk: Desk) -> None:
    _add(desk, "Opening")
    (opening,) = _items(desk)
    attempts = [
        (f"{_agenda(desk)}/items", {"title": "Intruder's item"}),
        (f"{_agenda(desk)}/items/{opening.id}", {"title": "Renamed"}),
        (f"{_agenda(desk)}/items/{opening.id}/move", {"direction": "down"}),
        (f"{_agenda(desk)}/items/{opening.id}/withdraw", {}),
        (f"{_agenda(desk)}/items/{opening.id}/documents", {"title": "Leaflet", "text": "Hi"}),
        (f"{_agenda(desk)}/approval-poll", {}),
    ]
    for role in ("delegate", "observer", "teller"):
        browser = desk.others[role]
        assert browser.get(_agenda(desk)).status_code == 403, role
        for path, data in attempts:
            assert browser.post(path, data).status_code == 403, (role, path)
    forged = desk.secretary.client.post(f"{_agenda(desk)}/items", data={"title": "No token"})
    assert forged.status_code == 403
    assert [(i.title, i.state) for i in _items(desk)] == [("Opening", ItemState.PLANNED)]
    with desk.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Poll)) == 0
        assert session.scalar(select(func.count()).select_from(Document)) == 0
