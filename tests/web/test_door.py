"""At the door: a card's code typed or scanned on the desk, the answer beside the field and
the field ready for the next card; and the card sheet, which a reload never prints again."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, Convened, WithAssembly, convene
from tests.helpers import row_count
from tests.web.page_client import Browser, access_codes, secretary
from veche.models import AccessCode, Attendance
from veche.web.inputs_participants import card_code

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

CODE = re.compile(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})</code>")
KEY = re.compile(r'name="printed_up_to" value="(\d+)"')


@dataclass
class Door(WithAssembly):
    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly
    desk: Browser

    def scan(self, code: str) -> Any:
        return self.desk.post(f"{self.desk_path}/attendance/code", {"code": code})

    def present(self) -> int:
        return row_count(self.sessions, Attendance)

    def cards(self) -> int:
        return row_count(self.sessions, AccessCode)


@pytest.fixture
def door(engine: Engine, sessions: sessionmaker[Session], convened: Convened) -> Iterator[Door]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield Door(app, sessions, convened.on(client), secretary(app))


def _door_section(page: str) -> str:
    """The door's section of the desk: from its heading to the next section."""
    start = page.index('<h2 id="door">')
    return page[start : page.index("</section>", start)]


def test_a_card_scanned_as_its_whole_address_checks_its_holder_in(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """On both databases, through the API: the model the desk's door posts to."""
    with TestClient(create_app(engine)) as client:
        assembly = convene(client, sessions)
        member = assembly.members[0]
        code = access_codes(sessions, assembly.meeting_id)[member]
        scanned = client.post(
            f"/api/meetings/{assembly.meeting_id}/attendance/code",
            json={"code": f"https://veche.example.org/login/code#{code}"},
            headers=assembly.secretary,
        )
        assert scanned.status_code == 200, scanned.text
        assert scanned.json()["person_id"] == member
        assert scanned.json()["already_present"] is False
        # Typed with a zero for the letter O that no code has: said plainly, not "unknown".
        typed = client.post(
            f"/api/meetings/{assembly.meeting_id}/attendance/code",
            json={"code": "ABCD-EFGH-JKM0"},
            headers=assembly.secretary,
        )
        assert typed.status_code == 422
        assert (
            "an access code has no 0: codes use the digits 2 to 9 and the letters but I, L, O"
            in (typed.json()["detail"])
        )
    assert row_count(sessions, Attendance) == 1


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("abcd-efgh-jkmn", "ABCDEFGHJKMN"),
        ("ABCD EFGH JKMN\n", "ABCDEFGHJKMN"),
        ("https://veche.example.org/login/code#ABCD-EFGH-JKMN", "ABCDEFGHJKMN"),
        ("http://10.0.0.5:8000/login/code#abcd-efgh-jkmn", "ABCDEFGHJKMN"),
        ("ＡＢＣＤ－ＥＦＧＨ－ＪＫＭＮ", "ABCDEFGHJKMN"),  # typed full-width
    ],
)
def test_a_code_is_read_as_printed_whatever_way_it_was_typed(typed: str, read: str) -> None:
    assert card_code(typed) == read


@pytest.mark.one_database
def test_a_right_code_is_answered_at_the_door_with_the_field_ready(door: Door) -> None:
    member = door.assembly.members[1]
    code = access_codes(door.sessions, door.meeting)[member]
    done = door.scan(f"http://testserver/login/code#{code.lower()}")
    assert done.status_code == 303
    location = done.headers["location"]
    assert location.endswith("#door") and "at=door" in location
    page = door.desk.get(location).text
    section = _door_section(page)
    said = re.search(r'<p class="flash" role="status" id="door-said">([^<]+)</p>', section)
    assert said is not None and said.group(1).endswith(f"is checked in on {date.today()}.")
    # Beside the field, not at the top of the page as well; the field ready for the next card.
    assert '<p class="flash" role="status">' not in page
    field = re.search(r"<input id=\"door-code\"[^>]*>", section)
    assert field is not None
    assert " autofocus" in field.group(0) and 'maxlength="2000"' in field.group(0)
    assert "door-said" in field.group(0)  # described by the message
    assert door.present() == 1
    again = door.scan(code)
    assert "was already checked in" in _door_section(door.desk.get(again.headers["location"]).text)
    # An ordinary visit to the desk does not take the focus to the door.
    plain = re.search(r"<input id=\"door-code\"[^>]*>", door.desk.get(door.desk_path).text)
    assert plain is not None and "autofocus" not in plain.group(0)


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("code", "status", "words"),
    [
        ("ABCD-EFGH-JKMN", 404, "no access card has this code"),
        ("ABCD-EFGH", 422, "an access code has 12 letters and digits"),
        ("ABCD-EFGH-JKMO", 422, "an access code has no O"),
        ("АВСD-EFGH-JKMN", 422, "type it in Latin letters"),  # Cyrillic А, В, С
    ],
)
def test_a_wrong_code_stays_on_the_desk_with_the_message_at_the_door(
    door: Door, code: str, status: int, words: str
) -> None:
    refused = door.scan(code)
    assert refused.status_code == status
    page = refused.text
    assert "Log out" in page and "Something is not right" not in page
    section = _door_section(page)
    said = re.search(r'<p class="error" role="alert" id="door-said">([^<]+)</p>', section)
    assert said is not None and words in said.group(1)
    field = re.search(r"<input id=\"door-code\"[^>]*>", section)
    assert field is not None and 'aria-invalid="true"' in field.group(0)
    assert " autofocus" in field.group(0)
    assert door.present() == 0


@pytest.mark.one_database
def test_a_reloaded_card_sheet_prints_nothing_and_offers_new_cards_plainly(door: Door) -> None:
    desk = door.desk.get(door.desk_path).text
    form = {"printed_up_to": KEY.findall(desk)[-1]}
    sheet = door.desk.post(f"{door.desk_path}/access-codes", form)
    assert sheet.status_code == 200
    printed = CODE.findall(sheet.text)
    invited = len(door.assembly.members) + len(door.assembly.alternates)
    assert len(printed) == invited == door.cards()
    assert "it cannot be shown again. Reloading prints no new cards" in sheet.text

    reloaded = door.desk.post(f"{door.desk_path}/access-codes", form)
    assert reloaded.status_code == 409
    assert "These cards were already printed" in reloaded.text
    assert f"cards were printed after it was shown ({invited} in all)" in reloaded.text
    assert "every card printed before for these people stops working" in reloaded.text
    assert CODE.findall(reloaded.text) == [] and door.cards() == invited
    # The cards printed first still work.
    assert door.scan(printed[0]).status_code == 303

    # New cards on purpose, from the page that said what that does.
    again = {"printed_up_to": KEY.findall(reloaded.text)[0]}
    renewed = door.desk.post(f"{door.desk_path}/access-codes", again)
    assert renewed.status_code == 200 and len(CODE.findall(renewed.text)) == invited
    replaced = door.scan(printed[1])
    assert replaced.status_code == 409
    assert "was replaced by a newer one" in replaced.text


@pytest.mark.one_database
def test_one_persons_new_card_is_printed_once_from_their_row(door: Door) -> None:
    member = door.assembly.members[2]
    desk = door.desk.get(door.desk_path, params={"q": "", "page": "1"}).text
    row = re.search(
        rf'name="person_id" value="{member}"><input type="hidden" name="printed_up_to" '
        r'value="(\d+)">',
        desk,
    )
    assert row is not None
    form = {"person_id": member, "printed_up_to": row.group(1)}
    card = door.desk.post(f"{door.desk_path}/access-codes", form)
    assert card.status_code == 200 and len(CODE.findall(card.text)) == 1
    twice = door.desk.post(f"{door.desk_path}/access-codes", form)
    assert twice.status_code == 409 and "(1 in all)" in twice.text
    assert f'name="person_ids" value="{member}"' in twice.text
    assert door.cards() == 1
