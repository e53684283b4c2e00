"""One input for a new poll: the chair's console and the API take the same fields, make the
same poll and journal it alike, and refuse the same mistakes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import row_count
from tests.web.desk_client import Desk
from veche.actions.journal_actions import JournalAction
from veche.models import JournalEntry, Poll

#: The API and the page parse the same input alike before anything is stored; the changes
#: themselves are stored on both databases by the action and API tests. They start from the
#: demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

#: What a poll's journal entries name that differs between two polls of the same input.
IDS = ("poll_id", "option_id")


Journaled = list[tuple[str, dict[str, Any], str]]


def _stored(desk: Desk, poll_id: int) -> tuple[dict[str, Any], Journaled]:
    """A poll as stored, without its id, and its journal entries without the ids."""
    with desk.sessions() as session:
        poll = session.get(Poll, poll_id)
        assert poll is not None
        fields = [
            "meeting_id",
            "title",
            "description",
            "kind",
            "method",
            "method_options",
            "seats",
            "max_score",
            "secrecy",
            "revote",
            "state",
            "electronic",
            "approves_agenda",
            "agenda_item_id",
            "motion_id",
            "board_shows_choices",
        ]
        stored = {name: getattr(poll, name) for name in fields}
        stored["options"] = [
            (o.label, o.position, o.status, o.person_id)
            for o in sorted(poll.options, key=lambda o: o.position)
        ]
        entries = session.execute(
            select(JournalEntry.action, JournalEntry.payload, JournalEntry.actor_name).order_by(
                JournalEntry.seq
            )
        ).all()
    journaled: Journaled = [
        (action, {k: v for k, v in payload.items() if k not in IDS}, actor)
        for action, payload, actor in entries
        if payload.get("poll_id") == poll_id
    ]
    return stored, journaled


def _by_page(desk: Desk, form: dict[str, Any]) -> int:
    return desk.create_poll(**form)


def _by_api(desk: Desk, body: dict[str, Any]) -> int:
    return int(desk.assembly.create_poll(**body)["id"])


#: Each kind of poll as the API is given it, and what the console's form sends besides for
#: that kind (a browser posts every field it shows).
POLLS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "decision": (
        {
            "title": "Amend the statutes",
            "kind": "decision",
            "rule": "qualified",
            "fraction": "3/5",
            "base": "present",
        },
        {"method": "scottish-stv", "seats": "1", "secrecy": "secret", "options": ""},
    ),
    "decision counting abstentions": (
        {
            "title": "Dissolve the commission",
            "kind": "decision",
            "secrecy": "named",
            "rule": "absolute-of-cast",
            "abstentions_count": True,
        },
        {"method": "irv", "fraction": "", "base": "cast", "options": "ignored\n"},
    ),
    "choice": (
        {
            "title": "Choose a venue",
            "kind": "choice",
            "method": "borda",
            "secrecy": "named",
            "options": ["North Hall", "South Hall", "East Hall"],
        },
        {"rule": "simple", "fraction": "", "base": "cast"},
    ),
    "election": (
        {
            "title": "Elect two auditors",
            "kind": "election",
            "method": "scottish-stv",
            "seats": 2,
            "options": ["Ada Arnold", "Boris Berg", "Clara Castell"],
            "board_shows_choices": False,
        },
        {"rule": "simple", "fraction": "", "base": "cast"},
    ),
}


def _as_form(body: dict[str, Any]) -> dict[str, Any]:
    """The API's body as the console's form sends it: the options a line each."""
    form = {key: value for key, value in body.items() if key != "options"}
    if "options" in body:
        form["options"] = "\n".join(body["options"]) + "\n"
    return {
        key: str(value).lower() if isinstance(value, bool) else value for key, value in form.items()
    }


@pytest.mark.parametrize("kind", list(POLLS))
def test_a_poll_made_through_the_page_or_the_api_is_the_same(desk: Desk, kind: str) -> None:
    body, also_posted = POLLS[kind]
    page_poll = _by_page(desk, {**_as_form(body), **also_posted})
    api_poll = _by_api(desk, body)
    assert page_poll != api_poll
    assert _stored(desk, page_poll) == _stored(desk, api_poll)


def test_an_elections_candidates_stand_on_the_chairs_word_and_the_journal_says_so(
    desk: Desk,
) -> None:
    body, _also = POLLS["election"]
    poll_id = _by_api(desk, body)
    stored, journaled = _stored(desk, poll_id)
    assert [(label, status) for label, _position, status, _person in stored["options"]] == [
        (name, "accepted") for name in body["options"]
    ]
    assert [action for action, _payload, _actor in journaled] == [
        JournalAction.CREATE_POLL,
        *[JournalAction.NOMINATE, JournalAction.ACCEPT_NOMINATION] * 3,
    ]
    assert journaled[0][1]["options"] == []  # the candidates are in their nominations
    # They stand at once: the election opens without anyone answering.
    desk.assembly.open(poll_id)


def test_the_api_still_takes_the_engines_own_method_options(desk: Desk) -> None:
    by_words = _by_api(
        desk,
        {"title": "Adopt", "kind": "decision", "rule": "qualified", "fraction": "0.75"},
    )
    by_options = _by_api(
        desk,
        {
            "title": "Adopt",
            "kind": "decision",
            "method": "majority",
            "method_options": {"rule": "qualified", "fraction": "3/4", "base": "cast"},
        },
    )
    assert _stored(desk, by_words) == _stored(desk, by_options)


def _count(desk: Desk) -> int:
    return row_count(desk.sessions, Poll)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"kind": "decision", "rule": "simple", "method_options": {"rule": "simple"}},
            "not both",
        ),
        (
            {"kind": "choice", "method": "plurality", "options": ["a", "b"], "rule": "simple"},
            "a majority rule is for decisions",
        ),
        ({"kind": "decision", "fraction": "2/3"}, "name the majority's rule"),
        ({"kind": "decision", "rule": "qualified"}, "give the share of yes votes required"),
        ({"kind": "decision", "rule": "simple", "fraction": "2/3"}, "goes with the rule"),
        ({"kind": "decision", "rule": "qualified", "fraction": "5/3"}, "at most 1, not 5/3"),
        ({"kind": "choice", "options": ["a", "b"]}, "choose a counting method for the choice"),
        ({"kind": "election", "method": "irv", "options": ["Ada", "Ada"]}, "the same text"),
    ],
)
def test_the_api_refuses_what_the_page_refuses(
    desk: Desk, body: dict[str, Any], message: str
) -> None:
    response = desk.assembly.client.post(
        f"/api/meetings/{desk.meeting}/polls",
        json={"title": "Refused", **body},
        headers=desk.assembly.secretary,
    )
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert _count(desk) == 0


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"kind": "choice", "options": "a\nb"}, "choose a counting method for the choice"),
        ({"kind": "election", "method": "irv", "options": "Ada\nAda"}, "the same text"),
        ({"kind": "decision", "rule": "qualified", "fraction": "5/3"}, "at most 1, not 5/3"),
    ],
)
def test_the_page_refuses_what_the_api_refuses(
    desk: Desk, form: dict[str, Any], message: str
) -> None:
    response = desk.secretary.post(
        f"/meetings/{desk.meeting}/console/polls", {"title": "Refused", **form}
    )
    assert response.status_code == 422 and message in response.text, response.text
    assert _count(desk) == 0


def test_only_the_chair_or_secretary_creates_a_poll_either_way(desk: Desk) -> None:
    body, _also = POLLS["election"]
    delegate = desk.assembly.as_person(desk.assembly.members[0])
    by_api = desk.assembly.client.post(
        f"/api/meetings/{desk.meeting}/polls", json=body, headers=delegate
    )
    assert by_api.status_code == 403, by_api.text
    by_page = desk.others["delegate"].post(
        f"/meetings/{desk.meeting}/console/polls", _as_form(body)
    )
    assert by_page.status_code == 403
    assert _count(desk) == 0
