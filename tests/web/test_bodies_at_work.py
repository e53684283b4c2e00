"""Reports, drafts and panels as bodies work, through the API on both databases: a body gives a
report with or without a presenter, a panel has several chairs, and drafts and panels come to
an item after its discussion closes, until its decision is taken or the meeting closes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api
from tests.web.sitting import (
    PRESENT,
    PreparedSitting,
    Sitting,
    WithSitting,
    journal_length,
    serve_sitting,
)
from veche.models import Meeting, Person
from veche.models.debate import ContributionKind
from veche.queries.record import read_record
from veche.reports.communique import communique
from veche.reports.render import to_markdown

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo


@dataclass
class Floor(WithSitting):
    """The sitting through the secretary's API: item 1 under discussion, with the Executive
    Bureau's draft on it; item 2 still to come."""

    api: Api
    sessions: sessionmaker[Session]
    sitting: Sitting

    @property
    def items(self) -> list[int]:
        return self.sitting.item_ids

    def body(self, name: str) -> int:
        return self.api.bodies[name]

    def name(self, person_id: int) -> str:
        with self.sessions() as session:
            person = session.get(Person, person_id)
            assert person is not None
            return person.full_name

    def refused(self, path: str, status: int, words: str, **body: Any) -> None:
        """The secretary's request fails with ``status`` and ``words``; nothing is journaled."""
        before = journal_length(self.sessions)
        answer = self.api.call("POST", path, status, **body)
        assert words in answer["detail"], answer["detail"]
        assert journal_length(self.sessions) == before

    def report(self, kind: str) -> str:
        answer = self.api.client.get(
            f"/api/meetings/{self.meeting}/reports/{kind}", headers=self.api.secretary
        )
        assert answer.status_code == 200, answer.text
        return answer.text

    def draft(self, item_id: int | None, expect: int = 201) -> Any:
        return self.api.call(
            "POST",
            f"/meetings/{self.meeting}/motions",
            expect,
            title="A late draft",
            text="The Council agrees.\n",
            agenda_item_id=item_id,
            submitter_body_id=self.body("Executive Bureau"),
        )


@pytest.fixture
def floor(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Floor]:
    with TestClient(create_app(engine)) as client:
        yield Floor(sitting.api(client), sessions, sitting.sitting)


def test_a_report_is_given_by_a_body_a_person_or_a_body_presented_by_a_person(
    floor: Floor,
) -> None:
    bureau, audit = floor.body("Executive Bureau"), floor.body("Audit Commission")
    path = f"/agenda-items/{floor.items[0]}/contributions"
    by_body = floor.api.post(path, kind="report", on_behalf_of_body_id=bureau, title="The year")
    assert (by_body["speaker_person_id"], by_body["speaker"]) == (None, None)
    assert by_body["on_behalf_of_body_id"] == bureau
    presented = floor.api.post(
        path, kind="co_report", speaker_person_id=5, on_behalf_of_body_id=audit
    )
    assert presented["speaker"] == floor.name(5)
    floor.refused(path, 422, "say who gave the report: a person", kind="report", title="Whose?")
    floor.refused(
        path, 422, "a speech is given by a person", kind="speech", on_behalf_of_body_id=bureau
    )
    listed = floor.api.get(path)
    assert [(c["kind"], c["speaker_person_id"], c["on_behalf_of_body_id"]) for c in listed] == [
        ("report", None, bureau),
        ("co_report", 5, audit),
    ]

    communique = floor.report("communique")
    assert "The meeting heard the report of the Executive Bureau: “The year”." in communique
    assert f"{floor.name(5)} delivered a co-report on behalf of the Audit Commission." in communique
    minutes = floor.report("minutes")
    assert "| report | Executive Bureau | The year |" in minutes
    assert f"| co-report | {floor.name(5)} (Audit Commission) |" in minutes


def test_who_may_give_what_every_kind_with_and_without_a_person_and_a_body(floor: Floor) -> None:
    path = f"/agenda-items/{floor.items[0]}/contributions"
    speakers = iter(PRESENT)  # a new speaker each time: a speech per person on the item
    given = 0
    for kind in ContributionKind:
        for person in (True, False):
            for body in (floor.body("Executive Bureau"), None):
                fields: dict[str, Any] = {"kind": kind.value, "on_behalf_of_body_id": body}
                if person:
                    fields["speaker_person_id"] = next(speakers)
                by_a_body = kind in (ContributionKind.REPORT, ContributionKind.CO_REPORT)
                if person or (body is not None and by_a_body):
                    floor.api.post(path, **fields)
                    given += 1
                else:
                    floor.refused(path, 422, "speaker_person_id", **fields)
    assert given == len(ContributionKind) * 2 + 2
    assert len(floor.api.get(path)) == given


def test_a_panel_has_as_many_chairs_as_it_needs(floor: Floor) -> None:
    path = f"/meetings/{floor.meeting}/panels"
    panel = floor.api.post(
        path,
        name="Panel on the budget",
        agenda_item_ids=floor.items,
        chair_person_ids=[3, 1, 2],
        member_person_ids=[7, 1],
    )
    assert panel["chair_person_ids"] == [3, 1, 2]
    assert panel["member_person_ids"] == [1, 2, 3, 7]
    assert floor.api.get(path) == [panel]
    advice = f"/panels/{panel['id']}/recommendations"
    for chair in (3, 2):
        floor.api.call(
            "POST", advice, 201, as_person=chair, motion_id=floor.sitting.motion_id, text="Agreed."
        )
    refused = floor.api.call(
        "POST", advice, 403, as_person=7, motion_id=floor.sitting.motion_id, text="Mine."
    )
    assert f"only a chair of the panel “{panel['name']}”" in refused["detail"]
    floor.refused(
        path,
        422,
        "send chair_person_ids",
        name="Old",
        agenda_item_ids=floor.items,
        chair_person_id=4,
    )
    floor.refused(
        path,
        422,
        "listed twice among the panel's chairs",
        name="Twice",
        agenda_item_ids=floor.items,
        chair_person_ids=[4, 4],
    )

    chairs = f"{floor.name(3)}, {floor.name(1)} and {floor.name(2)}"
    assert f"chaired by {chairs}" in floor.report("communique")
    assert f"chairs: {chairs}; members:" in floor.report("minutes")


def test_drafts_and_panels_come_after_the_discussion_until_the_decision(floor: Floor) -> None:
    first, second = floor.items
    meeting, motion = floor.meeting, floor.sitting.motion_id
    panels = f"/meetings/{meeting}/panels"
    names = (f"Panel {n}" for n in count(1))
    floor.api.post(f"/agenda-items/{first}/close", 200)
    # The body discussed the item; now it studies the drafts, a late one among them.
    assert floor.draft(first)["agenda_item_id"] == first
    floor.api.post(panels, name=next(names), agenda_item_ids=[first], chair_person_ids=[3])

    floor.api.post(f"/motions/{motion}/final", 200)
    decided = floor.api.decide(
        meeting, floor.sitting.day, "On the budget", {"yes": PRESENT}, motion_id=motion
    )
    taken = (
        f"cannot submit a motion on agenda item 1: its decision was taken by vote "
        f"{decided['id']} ('On the budget') on {floor.sitting.day.isoformat()}; drafts come "
        "before the item's vote: submit this one on another item, or on none"
    )
    floor.refused(
        f"/meetings/{meeting}/motions",
        409,
        taken,
        title="Too late",
        text="The Council agrees.\n",
        agenda_item_id=first,
        submitter_body_id=floor.body("Executive Bureau"),
    )
    floor.refused(
        panels,
        409,
        "a panel studies the drafts before the vote; leave this item out",
        name=next(names),
        agenda_item_ids=[second, first],
    )
    # An item decided by a vote on itself, not on a draft, takes no more drafts either.
    floor.api.decide(
        meeting, floor.sitting.day, "On item 2", {"yes": PRESENT}, agenda_item_id=second
    )
    floor.refused(panels, 409, "its decision was taken", name=next(names), agenda_item_ids=[second])
    assert floor.draft(None)["agenda_item_id"] is None

    floor.api.post(f"/meetings/{meeting}/state", 200, state="closed")
    floor.refused(
        f"/meetings/{meeting}/motions",
        409,
        f"cannot submit a motion: meeting {meeting} is closed",
        title="After the end",
        text="The Council agrees.\n",
    )
    floor.refused(
        panels,
        409,
        f"cannot create a panel: meeting {meeting} is closed",
        name="Late",
        agenda_item_ids=[second],
    )


@pytest.mark.one_database
def test_the_pages_show_a_bodys_report_and_every_chair(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    # The pages read what the API tests above store on both databases: SQLite is enough here.
    with serve_sitting(engine, sessions, sitting, [7]) as served:
        floor = Floor(served.api, sessions, sitting.sitting)
        floor.api.post(
            f"/agenda-items/{floor.items[0]}/contributions",
            kind="report",
            on_behalf_of_body_id=floor.body("Executive Bureau"),
            title="The year",
        )
        floor.api.post(
            f"/meetings/{floor.meeting}/panels",
            name="Panel on the budget",
            agenda_item_ids=[floor.items[0]],
            chair_person_ids=[3, 1],
        )
        m = floor.meeting
        for page in (f"/meetings/{m}/console", f"/meetings/{m}/projector"):
            shown = served.secretary.get(page)
            assert shown.status_code == 200, (page, shown.text)
            # A report is not a speech from the floor: nobody is shown speaking.
            assert 'data-testid="speaker"' not in shown.text
        assert served.phones[7].get(f"/meetings/{m}/floor").status_code == 200
        communique = served.secretary.get(f"/meetings/{m}/reports/communique").text
        assert "The meeting heard the report of the Executive Bureau" in communique
        assert f"chaired by {floor.name(3)} and {floor.name(1)}" in communique
        minutes = served.phones[7].get(f"/meetings/{m}/reports/minutes").text
        assert f"chairs: {floor.name(3)} and {floor.name(1)}" in minutes


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("rapporteur", "body", "said"),
    [
        (
            "Ana Lind",
            "Executive Bureau",
            "Ana Lind delivered the report on behalf of the Executive Bureau.",
        ),
        (None, "Executive Bureau", "The meeting heard the report of the Executive Bureau."),
        ("Ana Lind", None, "Ana Lind delivered the report."),
    ],
)
def test_with_no_report_recorded_the_communique_names_the_agendas_rapporteur(
    sessions: sessionmaker[Session],
    sitting: PreparedSitting,
    rapporteur: str | None,
    body: str | None,
    said: str,
) -> None:
    # The record is read on both databases by the tests above; this is about its wording.
    with sessions() as session:
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None
        record = read_record(session, meeting)
    item = replace(record.items[0], rapporteur=rapporteur, rapporteur_body=body, contributions=[])
    assert said in to_markdown(communique(replace(record, items=[item])))
    planned = replace(item, state="planned")  # not taken up: nobody has reported yet
    assert said not in to_markdown(communique(replace(record, items=[planned])))
