"""The follow-up in public: the page and the units' report cards answer only when the
organization publishes its follow-up (404 otherwise), show the figures of accepted reports
alone, and the report card serves those logged in with the unit's own report's state too.

On SQLite alone: they prove what the pages show and to whom; the figures are read by the same
queries as the API's, whose tests run on both databases (tests/web/test_follow_up_api.py)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.follow_up_demo import load_demo_with_follow_up
from tests.web.page_client import SYSTEM, Browser, secretary
from veche.actions.progress import check_report, do_accept_report
from veche.db import transaction
from veche.demo_follow_up import AWAITING_BRANCH, BRANCH_FIGURES
from veche.models import ProgressReport, ReportingPeriod, Unit

pytestmark = [pytest.mark.demo, pytest.mark.one_database]


def _covered(page: str) -> str:
    """The share of members covered, as the card's indicators table shows it."""
    row = re.search(r"Members covered by a collective agreement</th>\s*<td>([^<]*)</td>", page)
    assert row, page
    return row.group(1)


def test_the_public_follow_up_shows_accepted_figures_once_opted_in(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    load_demo_with_follow_up(sessions)
    with sessions() as session:
        awaiting = session.scalars(select(Unit).where(Unit.name == AWAITING_BRANCH)).one()
        second = session.scalars(select(ReportingPeriod).order_by(ReportingPeriod.id)).all()[-1]
        report_id = session.scalars(
            select(ProgressReport.id).where(
                ProgressReport.unit_id == awaiting.id, ProgressReport.period_id == second.id
            )
        ).one()
    app = create_app(engine)
    with TestClient(app):
        public = Browser(app)
        desk = secretary(app)
        card = f"/follow-up/periods/{second.id}/units/{awaiting.id}"
        inside = f"/report-cards/periods/{second.id}/units/{awaiting.id}"

        page = public.get("/follow-up")
        assert page.status_code == 200, page.text
        assert "Only the figures of progress reports that have been accepted" in page.text
        assert "<svg" in page.text and card in page.text
        # The branch's report awaits a decision: in public it has not reported, and its state
        # is not told; the secretary's card tells it.
        awaiting_figures = BRANCH_FIGURES[AWAITING_BRANCH][1]
        assert awaiting_figures is not None
        submitted = f"{awaiting_figures[1]} %"
        shown = public.get(card)
        assert shown.status_code == 200 and _covered(shown.text) == "not reported"
        assert 'data-testid="report-state"' not in shown.text
        assert "awaiting a decision" in desk.get(inside).text
        assert public.get(inside).status_code in (303, 401)  # the inside card asks for a login

        with transaction(sessions) as session:
            secretary_of = replace(SYSTEM, organization_id=awaiting.organization_id)
            do_accept_report(session, secretary_of, check_report(session, secretary_of, report_id))
        assert _covered(public.get(card).text) == submitted

        # Opting out takes both public pages away (and leaves the reports public); the inside
        # card stays.
        # The follow-up desk says whether it is public, and leads to where that is changed.
        told = desk.get("/secretary/follow-up").text
        assert 'The accepted figures are public: <a href="/follow-up">' in told
        assert 'href="/secretary#organization"' in told
        saved = desk.post("/secretary/organization", {"publishes_follow_up": "false"})
        assert saved.status_code == 303, saved.text
        assert (
            "The follow-up is shown to those logged in only."
            in desk.get("/secretary/follow-up").text
        )
        assert public.get("/follow-up").status_code == 404
        assert public.get(card).status_code == 404
        assert desk.get(inside).status_code == 200
        organization = desk.get("/api/organization").json()
        assert (organization["publishes_follow_up"], organization["publishes_reports"]) == (
            False,
            True,
        )
