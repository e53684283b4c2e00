"""The summing-up reaches the published report from the pages alone: the secretary files it on
an item of the next meeting from the agenda page's link (as the API does, refused alike),
the communiqué states its headline figures and links it, and once the report is published
the public reads the paper it cites — while every other paper, and every paper of a meeting
not yet published, stays the participants'. The report pages fit a phone and lead back to
the meeting; the summing-up page shows the meeting's tabs.

On SQLite alone (``one_database``): the filing's action runs on both databases in
tests/web/test_follow_up_documents.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.apps import create_app
from tests.helpers import general_council_term, journaled
from tests.prepared import prepared
from tests.web.follow_up_world import PASSWORD, FollowUpWorld, build_follow_up
from tests.web.page_client import SYSTEM, Browser, secretary
from veche.actions.agenda import ItemSpec, do_add_item
from veche.actions.contributions import do_add_document
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import do_change_meeting_state, do_create_meeting
from veche.db import make_sessionmaker, transaction
from veche.models import Document, Meeting, Organization
from veche.models.meetings import MeetingState

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

follow_up_world = prepared("follow_up_world", build_follow_up)

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
TITLE = "General Council — February meeting"


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):
        yield app


def _next_meeting(engine: Engine) -> tuple[int, int, int, int]:
    """The General Council's next meeting, after the first half-year the world froze: its
    id, an opening item, the follow-up's item, and another meeting's item."""
    with transaction(make_sessionmaker(engine)) as session:
        term = general_council_term(session)
        meeting = do_create_meeting(
            session, SYSTEM, term, TITLE, starts_on=date(2026, 2, 10), notice="Notice."
        )
        opening = do_add_item(session, SYSTEM, meeting, ItemSpec("Opening")).id
        follow_up = do_add_item(session, SYSTEM, meeting, ItemSpec("Follow-up of the resolutions"))
        elsewhere = do_create_meeting(
            session, SYSTEM, term, "Plenary Meeting", starts_on=date(2026, 3, 1)
        )
        other_item = do_add_item(session, SYSTEM, elsewhere, ItemSpec("Elsewhere")).id
        return meeting.id, opening, follow_up.id, other_item


def _documents(engine: Engine, meeting_id: int) -> int:
    with make_sessionmaker(engine)() as session:
        return len(session.scalars(select(Document).where(Document.meeting_id == meeting_id)).all())


def test_the_summing_up_goes_from_the_agenda_to_the_published_report(
    follow_up_world: FollowUpWorld, app: FastAPI, engine: Engine
) -> None:
    w = follow_up_world
    meeting, opening, item, other_item = _next_meeting(engine)
    desk = secretary(app)
    # The agenda page leads each item to the summing-up page's form, with the item chosen.
    agenda = desk.get(f"/secretary/meetings/{meeting}/agenda").text
    link = f"/meetings/{meeting}/summing-up?item_id={item}"
    assert f'href="{link}"' in agenda
    page = desk.get(link).text
    form = re.search(r'<form method="post" action="/meetings/\d+/summing-up".*?</form>', page, re.S)
    assert form, page
    assert re.search(rf'<option value="{item}" selected>2\. Follow-up', form.group(0))
    # Only the frozen half-year is offered: the second is still open and ends later.
    assert f'value="{w.first_period}"' in form.group(0)
    assert f'value="{w.second_period}"' not in form.group(0)
    # The summing-up page shows the meeting's tabs, as its other pages do.
    for tab in (
        f"/meetings/{meeting}/console",
        f"/secretary/meetings/{meeting}",
        f"/secretary/meetings/{meeting}/agenda",
    ):
        assert f'href="{tab}"' in page

    typed = {"cycle_id": w.cycle_id, "period_id": w.first_period, "agenda_item_id": item}
    delegate = Browser(app)
    delegate.log_in(w.delegate, PASSWORD)
    # A delegate reads the page but is offered no form, and is refused the filing.
    seen = delegate.get(f"/meetings/{meeting}/summing-up")
    assert seen.status_code == 200 and 'action="/meetings/' not in seen.text
    assert delegate.post(f"/meetings/{meeting}/summing-up", typed).status_code == 403
    # Refused as the API refuses, saying why, and nothing filed.
    for change, status, words in (
        ({"period_id": w.second_period}, 409, "is still open"),
        ({"agenda_item_id": other_item}, 404, "has no agenda item"),
        ({"agenda_item_id": "x"}, 422, ""),
    ):
        refused = desk.post(f"/meetings/{meeting}/summing-up", {**typed, **change})
        assert refused.status_code == status and words in refused.text
    assert _documents(engine, meeting) == 0

    filed = desk.post(f"/meetings/{meeting}/summing-up", typed)
    assert filed.status_code == 303
    listed = desk.get(filed.headers["location"]).text
    assert "Filed on item 2: Interim summing-up of Half-yearly reports" in listed
    (entry,) = journaled(make_sessionmaker(engine), JournalAction.FILE_SUMMING_UP)
    assert (entry["meeting_id"], entry["agenda_item_id"]) == (meeting, item)
    document = entry["document_id"]
    assert f'href="/meetings/{meeting}/documents/{document}"' in listed
    again = desk.post(f"/meetings/{meeting}/summing-up", typed)
    assert again.status_code == 409 and "already filed" in again.text

    # The communiqué states the paper's headline figures, and leads back and to the paper.
    communique = desk.get(f"/meetings/{meeting}/reports/communique")
    assert VIEWPORT in communique.text
    assert f'href="/meetings/{meeting}"' in communique.text
    assert f'href="/meetings/{meeting}/documents/{document}"' in communique.text
    headline = "1 of 2 units reported on their goals"
    assert (
        headline in communique.text and "Where the goals stand — Fulfilled: 0;" in communique.text
    )
    assert "Every branch grows its paying membership" in communique.text
    # Named as typed, numbered after it: not "the 2nd General Council — February meeting of…".
    assert f"The {TITLE} (" in communique.text

    with transaction(make_sessionmaker(engine)) as session:
        next_meeting = session.get(Meeting, meeting)
        assert next_meeting is not None
        other = do_add_document(
            session,
            SYSTEM,
            next_meeting,
            title="Internal note",
            text="Not for the public.",
            agenda_item_id=opening,
        ).id
    anonymous = Browser(app)
    download = f"/meetings/{meeting}/documents/{document}/download"
    # Before the report is published, the paper is the participants' alone.
    assert anonymous.get(download).headers["location"].startswith("/login")
    assert anonymous.get(f"/public/meetings/{meeting}/communique").status_code == 404
    with transaction(make_sessionmaker(engine)) as session:
        held = session.get(Meeting, meeting)
        assert held is not None
        for state in (
            MeetingState.CONVENED,
            MeetingState.IN_SESSION,
            MeetingState.CLOSED,
            MeetingState.REPORT_PUBLISHED,
        ):
            do_change_meeting_state(session, SYSTEM, held, state)

    public = anonymous.get(f"/public/meetings/{meeting}/communique")
    assert public.status_code == 200
    assert VIEWPORT in public.text and headline in public.text
    assert f'href="{download}"' in public.text and 'href="/public"' in public.text
    paper = anonymous.get(download)
    assert paper.status_code == 200 and "1 of 2 units reported" in paper.text
    assert "attachment" in paper.headers["content-disposition"]
    assert "Internal note" not in public.text
    # A paper the communiqué does not cite stays the participants'.
    hidden = anonymous.get(f"/meetings/{meeting}/documents/{other}/download")
    assert hidden.headers["location"].startswith("/login")
    assert desk.get(f"/meetings/{meeting}/documents/{other}/download").text == "Not for the public."
    # An organization that publishes no reports publishes no papers either.
    with transaction(make_sessionmaker(engine)) as session:
        session.scalars(select(Organization)).one().publishes_reports = False
    assert anonymous.get(download).headers["location"].startswith("/login")
    assert desk.get(download).status_code == 200


def test_the_reports_fit_a_phone_and_lead_back_to_the_meeting(
    follow_up_world: FollowUpWorld, app: FastAPI
) -> None:
    w = follow_up_world
    delegate = Browser(app)
    delegate.log_in(w.delegate, PASSWORD)
    at = f"/meetings/{w.meeting_id}"
    summing_up = delegate.get(f"{at}/summing-up/{w.cycle_id}?period_id={w.first_period}").text
    assert VIEWPORT in summing_up
    assert f'href="{at}/summing-up"' in summing_up and f'href="{at}"' in summing_up
    assert f'href="{at}/summing-up/{w.cycle_id}?format=pdf&amp;period_id={w.first_period}"' in (
        summing_up
    )
    minutes = delegate.get(f"{at}/reports/minutes").text
    assert VIEWPORT in minutes and f'href="{at}"' in minutes
    public = Browser(app).get(f"/public/meetings/{w.meeting_id}/communique").text
    assert VIEWPORT in public and 'href="/public"' in public
    # The chair runs the floor but reads no follow-up: told who files, offered no form.
    chair = Browser(app)
    chair.log_in(w.chair, PASSWORD)
    listed = chair.get(f"{at}/summing-up").text
    assert (
        'data-testid="filing-needs-follow-up"' in listed
        and 'method="post" action="/meetings' not in listed
    )
    assert f'href="{at}/console"' in listed  # the meeting's tabs, as on its other pages
