"""Proceedings through the API: bad input gets a 4xx with a message and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import row_count
from tests.meeting_api import Api, demo_api
from veche.models import Amendment, Contribution, JournalEntry, Person, Poll, PresidiumMember
from veche.models.polls import PollState

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

DAY = date(2026, 6, 16)
MEMBERS = list(range(1, 21))


@dataclass
class Session_:
    """A meeting in session with one item, a draft motion, and the agenda not yet approved."""

    api: Api
    sessions: sessionmaker[Session]
    meeting_id: int
    item_id: int
    motion_id: int

    def journal(self) -> int:
        return row_count(self.sessions, JournalEntry)

    def rows(self, model: type[object]) -> int:
        return row_count(self.sessions, model)

    def refused(self, verb: str, path: str, status: int, words: str, **body: object) -> None:
        """The request fails with ``status`` and a message containing ``words``; nothing changes."""
        before = self.journal()
        response = self.api.client.request(
            verb, "/api" + path, json=body or None, headers=self.api.secretary
        )
        assert response.status_code == status, response.text
        assert words in response.json()["detail"], response.json()["detail"]
        assert self.journal() == before


@pytest.fixture
def meeting(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Session_]:
    with TestClient(create_app(engine)) as client:
        api = demo_api(client, sessions)
        m = api.new_meeting(DAY, kind="enlarged", notice="Notice.")["id"]
        item = api.post(f"/meetings/{m}/agenda", title="On the budget", rapporteur_person_id=5)
        motion = api.post(
            f"/meetings/{m}/motions",
            title="On the budget",
            text="The budget is approved.\n\nThe Bureau reports in a year.\n",
            agenda_item_id=item["id"],
            submitter_body_id=api.bodies["Executive Bureau"],
        )
        api.move_on(m, "convened", "in_session")
        api.check_in(m, DAY, MEMBERS)
        yield Session_(api, sessions, m, item["id"], motion["id"])


def _approve_agenda(meeting: Session_) -> None:
    closed = meeting.api.decide(
        meeting.meeting_id, DAY, "Agenda", {"yes": MEMBERS}, approves_agenda=True
    )
    assert closed["outcome"] == "adopted"


def test_a_vote_on_an_unapproved_agenda_is_refused(meeting: Session_) -> None:
    poll = meeting.api.post(
        f"/meetings/{meeting.meeting_id}/polls",
        title="On the budget",
        kind="decision",
        method="majority",
        agenda_item_id=meeting.item_id,
    )
    meeting.refused(
        "POST", f"/polls/{poll['id']}/open", 409, "agenda of meeting", day=DAY.isoformat()
    )
    with meeting.sessions() as session:
        assert session.get(Poll, poll["id"]).state is PollState.DRAFT  # type: ignore[union-attr]
    meeting.refused("POST", f"/agenda-items/{meeting.item_id}/open", 409, "not approved yet")


def test_the_agenda_freezes_once_approved(meeting: Session_) -> None:
    _approve_agenda(meeting)
    meeting.refused(
        "POST", f"/meetings/{meeting.meeting_id}/agenda", 409, "can no longer change", title="More"
    )
    meeting.refused("POST", f"/agenda-items/{meeting.item_id}/withdraw", 409, "approved by poll")


def test_a_speech_by_an_unknown_person_or_on_a_closed_item_is_refused(meeting: Session_) -> None:
    _approve_agenda(meeting)
    item = f"/agenda-items/{meeting.item_id}"

    def speech_refused(status: int, words: str, speaker: int) -> None:
        meeting.refused(
            "POST", f"{item}/contributions", status, words, kind="speech", speaker_person_id=speaker
        )

    speech_refused(409, "the floor is given on the item under discussion", speaker=7)
    meeting.api.post(f"{item}/open", 200)
    speech_refused(404, "there is no person 9999", speaker=9999)
    speech_refused(422, "not a participant", speaker=48)
    meeting.api.post(f"{item}/contributions", kind="speech", speaker_person_id=7)
    with meeting.sessions() as session:
        speaker = session.get_one(Person, 7).full_name
    speech_refused(
        409,
        f"{speaker} has already spoken once on agenda item 1, as often as its limit allows "
        "(1 speech a person)",
        speaker=7,
    )
    meeting.api.post(f"{item}/close", 200)
    speech_refused(409, "it is closed", speaker=8)
    meeting.refused("POST", f"{item}/speakers", 409, "is closed", person_id=8)
    assert meeting.rows(Contribution) == 1


def test_an_amendment_to_a_paragraph_that_does_not_exist_is_refused(meeting: Session_) -> None:
    motion = f"/motions/{meeting.motion_id}/amendments"

    def amendment_refused(words: str, **amendment: object) -> None:
        meeting.refused("POST", motion, 422, words, proposer_person_id=7, **amendment)

    amendment_refused(
        "there is no paragraph 9: the text has 2 paragraphs", paragraph=9, new_text="x"
    )
    amendment_refused("there are no lines 2–7", first_line=2, last_line=7, new_text="x")
    amendment_refused("name either a paragraph or a first_line", new_text="x")
    amendment_refused("changes nothing", paragraph=1, new_text="The budget is approved.")
    assert meeting.rows(Amendment) == 0
    made = meeting.api.post(motion, paragraph=2, new_text="", proposer_person_id=7)
    assert "-The Bureau reports in a year." in made["diff"]
    meeting.api.post(f"/amendments/{made['id']}/decision", 200, decision="accepted")
    text = meeting.api.get(f"/motions/{meeting.motion_id}")["text"]
    assert text == "The budget is approved.\n"
    meeting.refused(
        "POST", f"/amendments/{made['id']}/decision", 409, "accepted already", decision="rejected"
    )


def test_delegates_may_not_run_the_proceedings(meeting: Session_) -> None:
    delegate = meeting.api.person(7)
    before = meeting.journal()
    for verb, path, body in [
        ("POST", f"/meetings/{meeting.meeting_id}/agenda", {"title": "Mine"}),
        ("POST", f"/meetings/{meeting.meeting_id}/state", {"state": "closed"}),
        ("POST", f"/meetings/{meeting.meeting_id}/presidium", {"person_ids": [7]}),
        ("POST", f"/motions/{meeting.motion_id}/final", {}),
    ]:
        response = meeting.api.client.request(verb, "/api" + path, json=body, headers=delegate)
        assert response.status_code == 403, (path, response.text)
        assert "a chair or a secretary" in response.json()["detail"]
    assert meeting.journal() == before
    assert meeting.rows(PresidiumMember) == 0
    # A delegate may ask for the floor and amend in their own name.
    _approve_agenda(meeting)
    meeting.api.post(f"/agenda-items/{meeting.item_id}/open", 200)
    asked = meeting.api.call("POST", f"/agenda-items/{meeting.item_id}/speakers", 201, as_person=7)
    assert asked["person_id"] == 7 and asked["time_limit_seconds"] == 300
    # A second speech is over the item's limit: said without an id, to them or of them.
    speakers = f"/api/agenda-items/{meeting.item_id}/speakers"
    again = meeting.api.client.post(speakers, json={}, headers=delegate)
    assert again.status_code == 409
    assert again.json()["detail"] == (
        "you have already spoken on agenda item 1, or asked to speak, as often as its limit "
        "allows (1 speech a person)"
    )
    for_them = meeting.api.client.post(
        speakers, json={"person_id": 7}, headers=meeting.api.secretary
    )
    assert for_them.status_code == 409
    said = for_them.json()["detail"]
    assert said.endswith(
        " has already spoken on agenda item 1, or asked to speak, as often as "
        "its limit allows (1 speech a person)"
    )
    assert "person 7" not in said


def test_a_meeting_is_named_by_its_number_kind_title_and_term(meeting: Session_) -> None:
    def name(kind: str, title: str, day: date) -> str:
        made = meeting.api.post(
            "/meetings",
            term_id=meeting.api.term_id,
            title=title,
            kind=kind,
            starts_on=day.isoformat(),
        )
        return str(made["name"])

    # The kind is said once, whether or not the title says it already.
    assert name("extraordinary", "Congress", date(2026, 7, 1)) == (
        "2nd Extraordinary Congress of the 8th General Council"
    )
    assert name("extraordinary", "extraordinary Congress", date(2026, 7, 2)) == (
        "3rd extraordinary Congress of the 8th General Council"
    )
    assert name("ordinary", "Plenary Meeting", date(2026, 7, 3)) == (
        "4th Plenary Meeting of the 8th General Council"
    )


def test_meeting_states_move_one_step_at_a_time(meeting: Session_) -> None:
    meeting.refused(
        "POST",
        f"/meetings/{meeting.meeting_id}/state",
        409,
        "can move on to closed only",
        state="report_published",
    )
    meeting.refused(
        "PATCH",
        f"/meetings/{meeting.meeting_id}",
        409,
        "only before the session opens",
        venue="Elsewhere",
    )


def test_the_report_waits_for_every_result_and_outcome_then_the_record_is_fixed(
    meeting: Session_,
) -> None:
    """A result counted but not announced, or a motion voted on but not settled, would be
    published by the report without the chair's word, or lost: publishing is refused until
    they are done. After it, nothing the report states changes."""
    api, m = meeting.api, meeting.meeting_id
    _approve_agenda(meeting)
    api.post(f"/motions/{meeting.motion_id}/final", 200)
    poll = api.post(
        f"/meetings/{m}/polls",
        title="Adoption of the budget",
        kind="decision",
        method="majority",
        motion_id=meeting.motion_id,
    )
    api.call("POST", f"/polls/{poll['id']}/open", day=DAY.isoformat())
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    for voter in MEMBERS[:12]:
        api.vote(poll["id"], voter, {"option": yes})
    api.call("POST", f"/polls/{poll['id']}/close")
    # A draft never opened is no result: it does not hold the report back.
    api.post(f"/meetings/{m}/polls", title="Never held", kind="decision", method="majority")
    api.move_on(m, "closed")
    state = f"/meetings/{m}/state"
    meeting.refused(
        "POST",
        state,
        409,
        "“Adoption of the budget” is counted but not published",
        state="report_published",
    )
    api.call("POST", f"/polls/{poll['id']}/publish")
    meeting.refused(
        "POST",
        state,
        409,
        "motion 1 was voted on, but its outcome is not recorded",
        state="report_published",
    )
    settled = api.post(f"/motions/{meeting.motion_id}/settle", 200)
    assert settled["state"] == "adopted"
    api.move_on(m, "report_published")

    day, fixed = DAY.isoformat(), "the report of meeting"
    changes: list[tuple[str, str, dict[str, object]]] = [
        ("POST", f"/meetings/{m}/attendance", {"person_ids": [21], "day": day}),
        ("POST", f"/meetings/{m}/attendance", {"person_ids": [1], "day": day, "present": False}),
        (
            "POST",
            f"/meetings/{m}/substitutions",
            {"member_person_id": 25, "alternate_person_id": 31, "day": day},
        ),
        ("POST", f"/meetings/{m}/proxies", {"grantor_person_id": 2, "holder_person_id": 3}),
        ("POST", f"/meetings/{m}/participants", {"person_id": 48}),
        ("PATCH", f"/meetings/{m}/participants/4", {"weight": 3}),
        ("POST", f"/motions/{meeting.motion_id}/settle", {}),
    ]
    for verb, path, body in changes:
        meeting.refused(verb, path, 409, fixed, **body)
