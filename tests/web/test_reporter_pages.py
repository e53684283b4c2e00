"""A unit's reporter on the pages, from logging in to the periods past: they land on their
reports, read the reports and report cards of the periods whose filing has ended, withdraw a
report submitted with a wrong figure to correct it (until the secretary decides), and add and
remove evidence files; and the API's withdrawal, on both databases.

The pages on SQLite alone (``one_database``), as in tests/web/test_follow_up_pages.py; the
withdrawal's action on both, through the API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import journaled
from tests.prepared import prepared
from tests.web.follow_up_world import MINES, PASSWORD, RAIL, FollowUpWorld, build_follow_up
from tests.web.page_client import Browser, secretary
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.indicators import IndicatorSpec, do_create_indicator
from veche.actions.journal_actions import JournalAction
from veche.actions.reporting import do_close_period
from veche.db import transaction
from veche.models import Goal, Organization, ReportingPeriod, Unit
from veche.models.follow_up import Measure, RollupRule

pytestmark = pytest.mark.demo

follow_up_world = prepared("follow_up_world", build_follow_up)
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):
        yield app


def _logged_in(app: FastAPI, username: str) -> Browser:
    browser = Browser(app)
    browser.log_in(username, PASSWORD)
    return browser


def _operator(session: Session) -> Caller:
    organization = session.scalars(select(Organization)).one()
    return Caller(Actor.system("tests"), None, True, organization.id)


def _form(w: FollowUpWorld) -> str:
    return f"/reporting/periods/{w.second_period}/units/{w.units[RAIL]}"


def _submit(reporter: Browser, w: FollowUpWorld, figure: str) -> None:
    answer = reporter.post(_form(w), {f"value_{w.indicator_id}": figure, "intent": "submit"})
    assert answer.status_code == 303, answer.text


@pytest.mark.one_database
def test_a_reporter_lands_on_their_reports_and_reads_the_periods_past(
    follow_up_world: FollowUpWorld, app: FastAPI
) -> None:
    w = follow_up_world
    # One who only reports lands on their reports; a delegate still on their meetings.
    landed = Browser(app).post("/login", {"username": w.reporter, "password": PASSWORD})
    assert landed.headers["location"] == "/reporting"
    delegate = Browser(app).post("/login", {"username": w.delegate, "password": PASSWORD})
    assert delegate.headers["location"] == "/meetings"

    reporter = _logged_in(app, w.reporter)
    # The way to one's reports is offered on the meetings page to reporters alone.
    assert "Filing your unit" in reporter.get("/meetings").text
    assert "Filing your unit" not in _logged_in(app, w.delegate).get("/meetings").text
    listed = reporter.get("/reporting").text
    due, past = listed.split(">Past periods<")
    assert f"{RAIL} · First half of 2026" in due
    first = f"/reporting/periods/{w.first_period}/units/{w.units[RAIL]}"
    card = f"/report-cards/periods/{w.first_period}/units/{w.units[RAIL]}"
    assert f'href="{first}">{RAIL} · Second half of 2025<' in past
    assert "frozen: its figures are final" in past and ">locked<" in past
    assert f'href="{card}"' in past
    # The report of a frozen period reads as filed, saying why it no longer changes, and
    # leads to the unit's report card.
    report = reporter.get(first).text
    assert "<fieldset disabled" in report and 'value="230"' in report
    assert re.search(r'data-testid="unchangeable">The period is frozen', report)
    assert f'href="{card}"' in report
    assert reporter.get(card).status_code == 200
    # Another unit's card is refused for reading, not for filing.
    refused = reporter.get(f"/report-cards/periods/{w.first_period}/units/{w.units[MINES]}")
    assert refused.status_code == 403
    assert f"you may not read {MINES}&#39;s progress reports or report card" in refused.text
    assert "may file" not in refused.text


@pytest.mark.one_database
def test_a_reporter_withdraws_a_report_submitted_with_a_wrong_figure(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    reporter = _logged_in(app, w.reporter)
    _submit(reporter, w, "2800")  # 280 meant
    withdraw = f"{_form(w)}/withdraw"
    shown = reporter.get(_form(w)).text
    assert "awaits the secretary&#39;s decision. Found a mistake? Withdraw it" in shown
    assert f'action="{withdraw}"' in shown
    # Only the unit's reporter withdraws it.
    assert _logged_in(app, w.delegate).post(withdraw).status_code == 403

    answer = reporter.post(withdraw)
    assert answer.status_code == 303
    draft = reporter.get(_form(w)).text
    assert "Report withdrawn: it is a draft again." in draft and ">a draft<" in draft
    assert 'value="2800"' in draft and "<fieldset disabled" not in draft
    entry = journaled(sessions, JournalAction.WITHDRAW_PROGRESS_REPORT)[-1]
    assert entry["state"] == "draft"
    assert [(i, Decimal(v)) for i, v in entry["values"]] == [(w.indicator_id, Decimal(2800))]
    # Withdrawn again, a draft: refused on the page, saying why, nothing changed.
    again = reporter.post(withdraw)
    assert again.status_code == 409
    assert "it is draft, not submitted; it is still a draft" in again.text

    _submit(reporter, w, "280")
    desk = secretary(app)
    page = desk.get(f"/secretary/follow-up/periods/{w.second_period}").text
    found = re.search(r'action="(/secretary/follow-up/reports/\d+/decision)"', page)
    assert found
    assert desk.post(found.group(1), {"decision": "accepted"}).status_code == 303
    before = len(journaled(sessions, JournalAction.WITHDRAW_PROGRESS_REPORT))
    late = reporter.post(withdraw)
    assert late.status_code == 409
    assert "it is accepted, not submitted; the secretary has decided on it" in late.text
    assert len(journaled(sessions, JournalAction.WITHDRAW_PROGRESS_REPORT)) == before
    accepted = reporter.get(_form(w)).text
    assert "This report was accepted and no longer changes" in accepted
    assert f'action="{withdraw}"' not in accepted


@pytest.mark.one_database
def test_a_reporter_adds_and_removes_evidence_on_the_report_page(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    reporter = _logged_in(app, w.reporter)
    add = f"{_form(w)}/evidence"

    def upload(browser: Browser, name: str, data: bytes, kind: str) -> Any:
        return browser.post(add, files={"file": (name, data, kind)})

    # Before the report is saved there is nothing to add files to: said at the file field.
    assert "Save the report as a draft to add files to it." in reporter.get(_form(w)).text
    early = upload(reporter, "minutes.pdf", PDF, "application/pdf")
    assert early.status_code == 409
    assert re.search(r'id="evidence-error">[^<]*save it as a draft before adding', early.text)

    assert reporter.post(_form(w), {"narrative": "See the minutes.", "intent": "save"}).is_redirect
    # Another unit's reporter or a delegate may not add files.
    assert upload(_logged_in(app, w.delegate), "x.pdf", PDF, "application/pdf").status_code == 403
    # A file that is not what it says, and no file chosen: each said at the field.
    fake = upload(reporter, "fake.pdf", b"not a pdf", "application/pdf")
    assert fake.status_code == 422
    assert re.search(r'id="evidence-error">fake.pdf is not a application/pdf file', fake.text)
    assert 'aria-invalid="true" aria-describedby="evidence-hint evidence-error"' in fake.text
    none = upload(reporter, "", b"", "application/octet-stream")
    assert none.status_code == 422 and "choose a file to add as evidence" in none.text
    assert journaled(sessions, JournalAction.ADD_EVIDENCE) == []

    added = upload(reporter, "minutes march.pdf", PDF, "application/pdf")
    assert added.status_code == 303
    page = reporter.get(_form(w)).text
    assert "Evidence added: minutes march.pdf." in page
    link = re.search(r'href="(/report-cards/evidence/\d+)" download>minutes march.pdf<', page)
    assert link and reporter.get(link.group(1)).content == PDF
    remove = re.search(r'action="(/reporting/evidence/\d+/remove)"', page)
    assert remove and 'aria-label="Remove minutes march.pdf"' in page
    assert _logged_in(app, w.delegate).post(remove.group(1)).status_code == 403
    assert reporter.post(remove.group(1)).headers["location"] == _form(w)
    assert "minutes march.pdf" not in reporter.get(_form(w)).text
    assert len(journaled(sessions, JournalAction.REMOVE_EVIDENCE)) == 1


@pytest.mark.one_database
def test_a_card_says_a_region_has_no_goals_of_its_own_rather_than_no_report_yet(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    with sessions() as session:
        region = session.scalars(select(Unit.id).where(Unit.name == "Northern Region")).one()
    desk = secretary(app)
    card = desk.get(f"/report-cards/periods/{w.second_period}/units/{region}").text
    assert re.search(r'data-testid="report-state">This unit has no goals of its own', card)
    assert "none yet" not in card
    branch = desk.get(f"/report-cards/periods/{w.second_period}/units/{w.units[MINES]}").text
    assert re.search(r'data-testid="report-state">This unit\'s own report: none yet', branch)


@pytest.mark.one_database
def test_a_target_that_is_not_the_units_own_is_worded_alike_whatever_its_roll_up(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    with transaction(sessions) as session:
        goal = session.get(Goal, w.goal_id)
        assert goal is not None
        spec = IndicatorSpec(
            "Plots in use",
            Measure.PERCENT,
            target_value=Decimal(60),
            rollup=RollupRule.MEAN,
        )
        do_create_indicator(session, _operator(session), goal, spec)
    page = _logged_in(app, w.reporter).get(_form(w)).text
    assert re.search(r"<dt>The whole organization&#39;s target</dt><dd>60", page)
    assert "<dt>Target</dt>" not in page


def test_the_api_withdraws_a_submitted_report_until_it_is_decided(
    follow_up_world: FollowUpWorld, app: FastAPI, sessions: sessionmaker[Session]
) -> None:
    w = follow_up_world
    client = TestClient(app)
    token = client.post("/api/tokens", json={"username": w.reporter, "password": PASSWORD})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    report = f"/api/periods/{w.second_period}/units/{w.units[RAIL]}/report"
    values = {"values": [{"indicator_id": w.indicator_id, "value": "80"}]}
    assert client.put(report, json=values, headers=headers).status_code == 200
    early = client.post(f"{report}/withdraw", headers=headers)
    assert early.status_code == 409 and "still a draft" in early.json()["detail"]
    assert client.post(f"{report}/submit", headers=headers).status_code == 200
    withdrawn = client.post(f"{report}/withdraw", headers=headers)
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["state"] == "draft" and withdrawn.json()["submitted_at"] is None
    assert client.put(report, json=values, headers=headers).status_code == 200  # correctable
    assert client.post(f"{report}/submit", headers=headers).status_code == 200
    # Once the filing has ended, the secretary returns it: the reporter cannot take it back.
    with transaction(sessions) as session:
        period = session.get(ReportingPeriod, w.second_period)
        assert period is not None
        do_close_period(session, _operator(session), period)
    closed = client.post(f"{report}/withdraw", headers=headers)
    assert closed.status_code == 409
    assert "ask the secretary to return it to you" in closed.json()["detail"]
    mines = f"/api/periods/{w.second_period}/units/{w.units[MINES]}/report/withdraw"
    assert client.post(mines, headers=headers).status_code == 403
    assert client.get(report, headers=headers).json()["report"]["state"] == "submitted"
