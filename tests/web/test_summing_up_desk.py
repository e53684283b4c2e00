"""The follow-up desk leads to the summing-up's filing: it says what a summing-up is and lists
the meetings that still take papers (open or to come, newest first, those the reader may
see), each linking to its summing-up page, where the secretary finds the filing's form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import ADMIN, demo_organization, general_council_term, term_members, voter
from tests.prepared import prepared
from tests.web.follow_up_world import FollowUpWorld, build_follow_up
from tests.web.page_client import secretary
from veche.actions.agenda import ItemSpec, do_add_item
from veche.actions.meetings import do_change_meeting_state, do_create_meeting
from veche.actions.org import do_create_person
from veche.db import make_sessionmaker, transaction
from veche.models.meetings import MeetingState
from veche.queries.summing_up_meetings import meetings_to_sum_up_in

pytestmark = pytest.mark.demo

follow_up_world = prepared("follow_up_world", build_follow_up)

DESK = "/secretary/follow-up"
#: The meetings made here, after the world's frozen half-year: two to come, one closed.
MADE = (
    ("February meeting", date(2026, 2, 10)),
    ("March meeting", date(2026, 3, 1)),
    ("Closed meeting", date(2026, 1, 20)),
)


def _make_meetings(session: Session) -> dict[str, int]:
    """The meetings of ``MADE`` by title: the March meeting with an item to file on, the
    closed one closed."""
    term = general_council_term(session)
    made = {
        title: do_create_meeting(session, ADMIN, term, title, starts_on=on, notice="Notice.")
        for title, on in MADE
    }
    do_add_item(session, ADMIN, made["March meeting"], ItemSpec("Follow-up of the resolutions"))
    for state in (MeetingState.CONVENED, MeetingState.IN_SESSION, MeetingState.CLOSED):
        do_change_meeting_state(session, ADMIN, made["Closed meeting"], state)
    return {title: meeting.id for title, meeting in made.items()}


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):
        yield app


@pytest.mark.one_database
def test_the_desk_links_the_meetings_where_the_summing_up_is_filed(
    follow_up_world: FollowUpWorld, app: FastAPI, engine: Engine
) -> None:
    w = follow_up_world
    with transaction(make_sessionmaker(engine)) as session:
        made = _make_meetings(session)
    desk = secretary(app)
    page = desk.get(DESK)
    assert page.status_code == 200
    section = page.text.split('data-testid="summing-up-meetings"')[1].split("</section>")[0]
    assert "A summing-up says where the goals of the resolutions stand" in section
    linked = [int(i) for i in re.findall(r'href="/meetings/(\d+)/summing-up"', section)]
    # Newest first; the closed meeting, and the world's meeting long closed, take no papers.
    assert linked.index(made["March meeting"]) < linked.index(made["February meeting"])
    assert made["Closed meeting"] not in linked and w.meeting_id not in linked
    assert "The summing-up in March meeting</a>" in section
    assert "General Council · 2026-03-01 · draft" in section

    # The link works for the secretary: the meeting's page, with the filing's form offering
    # the frozen half-year and the meeting's item.
    filing = desk.get(f"/meetings/{made['March meeting']}/summing-up")
    assert filing.status_code == 200
    form = re.search(
        r'<form method="post" action="/meetings/\d+/summing-up".*?</form>', filing.text, re.S
    )
    assert form, filing.text
    assert f'value="{w.first_period}"' in form.group(0) and "Follow-up of the resolutions" in (
        form.group(0)
    )


def test_the_meetings_listed_are_those_open_or_to_come_that_the_reader_sees(
    sessions: sessionmaker[Session],
) -> None:
    with transaction(sessions) as session:
        organization = demo_organization(session)
        made = _make_meetings(session)
        member = term_members(session, general_council_term(session))[0]
        stranger = do_create_person(session, ADMIN, organization, "Nobody Invited").id
    with sessions() as session:
        everything = meetings_to_sum_up_in(session, ADMIN, organization.id)
        listed = [m.id for m in everything.meetings]
        assert listed.index(made["March meeting"]) < listed.index(made["February meeting"])
        assert made["Closed meeting"] not in listed
        assert everything.more == 0
        first = meetings_to_sum_up_in(session, ADMIN, organization.id, limit=1)
        assert [m.id for m in first.meetings] == listed[:1] and first.more == len(listed) - 1
        # A member of the body sees the meetings they are invited to; a stranger sees none.
        seen = [
            m.id for m in meetings_to_sum_up_in(session, voter(member), organization.id).meetings
        ]
        assert made["March meeting"] in seen and made["February meeting"] in seen
        assert meetings_to_sum_up_in(session, voter(stranger), organization.id).meetings == []
