"""Publishing a meeting's report makes its communiqué public: listed, readable, downloadable."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.web.page_client import Browser, delegates, secretary
from veche.actions.journal_actions import JournalAction
from veche.db import transaction
from veche.models import JournalEntry, Meeting, Organization
from veche.models.meetings import MeetingState

#: These prove what the pages show and do; the same actions run through the API, and
#: the record it is built from is read on both databases in test_meeting_record.py and
#: test_report_cli.py.
#: They start from the demo organization.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@dataclass
class Closed(WithAssembly):
    """A meeting of the demo's General Council that has just been closed, its report unpublished."""

    app: FastAPI
    sessions: sessionmaker[Session]
    assembly: Assembly

    @property
    def name(self) -> str:
        answer = self.assembly.client.get(
            f"/api/meetings/{self.meeting}", headers=self.assembly.secretary
        )
        name: str = answer.json()["name"]
        return name

    @property
    def communique(self) -> str:
        return f"/public/meetings/{self.meeting}/communique"

    def state(self) -> MeetingState:
        with self.sessions() as session:
            meeting = session.get(Meeting, self.meeting)
            assert meeting is not None
            return meeting.state


@pytest.fixture
def closed(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Closed]:
    app = create_app(engine)
    with TestClient(app) as client:
        assembly = convene(client, sessions)
        assembly.amend(notice="Notice.", venue="Riverside Hall")
        assembly.move_on("convened", "in_session", "closed")
        yield Closed(app, sessions, assembly)


def test_before_publication_the_public_sees_no_communique(closed: Closed) -> None:
    public = Browser(closed.app)
    assert public.get(closed.communique).status_code == 404
    assert public.get(closed.communique + ".pdf").status_code == 404
    assert closed.communique not in public.get("/public").text
    # The chair and the secretary still read it through the API.
    preview = closed.assembly.client.get(
        f"/api/meetings/{closed.meeting}/reports/communique",
        params={"format": "html"},
        headers=closed.assembly.secretary,
    )
    assert preview.status_code == 200 and "Report on the" in preview.text
    # And from the desk, which links the preview.
    desk = secretary(closed.app)
    path = f"/meetings/{closed.meeting}/reports/communique"
    assert f'href="{path}"' in desk.get(closed.desk_path).text
    page = desk.get(path)
    assert page.status_code == 200 and f"Report on the {closed.name}" in page.text
    pdf = desk.get(path, params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert desk.get(path, params={"format": "docx"}).status_code == 422


def test_the_desk_publishes_the_report_and_the_public_reads_it(closed: Closed) -> None:
    desk = secretary(closed.app)
    page = desk.get(closed.desk_path).text
    assert "Publish report" in page
    path = f"{closed.desk_path}/publish-report"
    forged = desk.client.post(path)
    assert forged.status_code == 403 and closed.state() is MeetingState.CLOSED
    done = desk.post(path)
    assert done.status_code == 303, done.text
    assert closed.state() is MeetingState.REPORT_PUBLISHED
    with closed.sessions() as session:
        last = session.scalars(select(JournalEntry).order_by(JournalEntry.seq.desc())).first()
        assert last is not None and last.action == JournalAction.CHANGE_MEETING_STATE
        assert last.payload["meeting_id"] == closed.meeting
        assert last.payload["state"] == "report_published"
        assert set(last.payload["reports_sha256"]) == {"communique", "minutes"}
    after = desk.get(done.headers["location"]).text
    assert "its communiqué is on the public page" in after
    assert "Publish report" not in after and closed.communique in after

    public = Browser(closed.app)
    listing = public.get("/public").text
    assert f'href="{closed.communique}"' in listing
    assert f'href="{closed.communique}.pdf"' in listing
    assert f"Report on the {closed.name}" in listing
    read = public.get(closed.communique)
    assert read.status_code == 200 and read.headers["content-type"].startswith("text/html")
    assert f"Report on the {closed.name}" in read.text
    assert "Riverside Hall" in read.text
    pdf = public.get(closed.communique + ".pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith("attachment;")


def test_a_meeting_still_in_session_cannot_publish_its_report(closed: Closed) -> None:
    desk = secretary(closed.app)
    with transaction(closed.sessions) as session:
        meeting = session.get(Meeting, closed.meeting)
        assert meeting is not None
        meeting.state = MeetingState.IN_SESSION
    assert "Publish report" not in desk.get(closed.desk_path).text
    refused = desk.post(f"{closed.desk_path}/publish-report")
    assert refused.status_code == 409 and "in session" in refused.text
    assert closed.state() is MeetingState.IN_SESSION
    assert Browser(closed.app).get(closed.communique).status_code == 404


def test_a_delegate_cannot_publish_the_report(closed: Closed) -> None:
    (member,) = delegates(closed.app, closed.sessions, closed.meeting, [closed.assembly.members[0]])
    refused = member.browser.post(f"{closed.desk_path}/publish-report")
    assert refused.status_code == 403 and closed.state() is MeetingState.CLOSED


def test_an_organization_that_does_not_publish_shows_no_communique(closed: Closed) -> None:
    closed.assembly.move_on("report_published")
    public = Browser(closed.app)
    assert public.get(closed.communique).status_code == 200
    with transaction(closed.sessions) as session:
        organization = session.scalars(select(Organization)).one()
        organization.publishes_reports = False
    assert public.get("/public").status_code == 404
    hidden = public.get(closed.communique)
    assert hidden.status_code == 404 and "does not publish its reports" in hidden.text
    assert public.get(closed.communique + ".pdf").status_code == 404
    desk = secretary(closed.app)
    page = desk.get(closed.desk_path).text
    assert "The report is published." in page and closed.communique not in page
