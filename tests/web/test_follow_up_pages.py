"""The follow-up's pages through the test client: a unit's reporter files the period's report
(each refused field said at the field, nothing saved), the secretary's desk returns it with a
reason and accepts it once corrected, shows the roll-up's coverage and charts, and closes and
freezes the period; delegates and the chair read the summing-up from their meeting's pages.

On SQLite alone (``one_database``): the reports, their review and the period's steps are
stored by the actions that tests/web/test_follow_up_api.py runs on both databases."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app
from tests.prepared import prepared
from tests.web.follow_up_world import MINES, PASSWORD, RAIL, FollowUpWorld, build_follow_up
from tests.web.page_client import Browser, secretary

pytestmark = [pytest.mark.demo, pytest.mark.one_database]

follow_up_world = prepared("follow_up_world", build_follow_up)


@pytest.fixture
def app(engine: Engine) -> Iterator[FastAPI]:
    app = create_app(engine)
    with TestClient(app):  # started, as a server starts it
        yield app


def _logged_in(app: FastAPI, username: str) -> Browser:
    browser = Browser(app)
    browser.log_in(username, PASSWORD)
    return browser


def _field(page: str, name: str) -> str:
    """The form control named ``name``, as the page writes it."""
    found = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{name}"[^>]*>', page)
    assert found, name
    return found.group(0)


def _due_and_past(listed: str) -> tuple[str, str]:
    """The reporter's list: the reports to file, and those of the periods past."""
    due, past = listed.split(">Past periods<")
    return due, past


def _error_at(page: str, name: str, said_as: str = "") -> str:
    """The error said under the field ``name`` (whose id is ``said_as``-error, or its own),
    which the field names as its description."""
    said_as = said_as or name
    found = re.search(rf'<p class="field-error" id="{said_as}-error"[^>]*>([^<]*)</p>', page)
    assert found, f"no error at {name}"
    field = _field(page, name)
    assert 'aria-invalid="true"' in field and f"{said_as}-error" in field
    return found.group(1)


def test_a_reporter_files_the_report_from_the_form(
    follow_up_world: FollowUpWorld, app: FastAPI
) -> None:
    w = follow_up_world
    reporter = _logged_in(app, w.reporter)
    assert 'href="/reporting"' in reporter.get("/meetings").text  # where the reporter lands
    due, past = _due_and_past(reporter.get("/reporting").text)
    assert f"{RAIL} · First half of 2026" in due and "Second half of 2025" not in due  # frozen
    assert MINES not in due + past  # not theirs
    form_page = f"/reporting/periods/{w.second_period}/units/{w.units[RAIL]}"
    form = reporter.get(form_page)
    assert form.status_code == 200
    # Baseline and target are the unit's for the period, the last value its frozen figure.
    assert re.search(r"<dt>Baseline</dt><dd>200</dd>", form.text)
    assert re.search(r"<dt>Target for this period</dt><dd>300</dd>", form.text)
    assert "<dd>230 (Second half of 2025)</dd>" in form.text
    # A part of a sum without a target of its own is shown the whole organization's as that.
    mines = secretary(app).get(f"/reporting/periods/{w.second_period}/units/{w.units[MINES]}")
    assert re.search(r"<dt>The whole organization&#39;s target</dt><dd>1,200</dd>", mines.text)
    value, status, reason = (
        f"value_{w.indicator_id}",
        f"status_{w.goal_id}",
        f"reason_{w.goal_id}",
    )

    # A figure that is no number, then a count that is no whole number: each at its field,
    # with what was typed kept, and nothing saved.
    refused = reporter.post(
        form_page, {value: "two hundred", "narrative": "Kept.", "intent": "save"}
    )
    assert refused.status_code == 422
    assert "&#39;two hundred&#39; is not a number" in _error_at(refused.text, value)
    assert 'value="two hundred"' in _field(refused.text, value)
    assert ">Kept.</textarea>" in refused.text
    # A decimal comma, as many countries write: told to use a point.
    comma = reporter.post(form_page, {value: "7,5", "intent": "save"})
    assert comma.status_code == 422
    assert "write decimals with a point, as 7.5" in _error_at(comma.text, value)
    refused = reporter.post(form_page, {value: "260.5", "intent": "save"})
    assert refused.status_code == 422
    assert "a whole number from 0, not 260.5" in _error_at(refused.text, value)
    # A status that needs a reason, without one: said at the reason.
    refused = reporter.post(form_page, {value: "260", status: "at_risk", "intent": "submit"})
    assert refused.status_code == 422
    assert "say why (reason)" in _error_at(refused.text, reason)
    chosen = re.search(r'<option value="at_risk"[^>]*>', refused.text)
    assert chosen and "selected" in chosen.group(0)
    assert "not begun" in reporter.get(form_page).text
    too_long = reporter.post(form_page, {"narrative": "x" * 20_001, "intent": "save"})
    assert too_long.status_code == 422
    assert "at most 20000 characters" in _error_at(too_long.text, "narrative")
    # A line the form has no field for (sent by hand) is said over the form.
    stray = reporter.post(form_page, {"value_999999": "5", "intent": "save"})
    assert stray.status_code == 422
    assert re.search(
        r'id="form-error">indicator 999999 does not measure a goal assigned', stray.text
    )

    filled = {
        value: "1260",
        status: "at_risk",
        reason: "Two depots closed.",
        "narrative": "Slower **than planned**.\n\n<script>alert(1)</script>",
    }
    saved = reporter.post(form_page, {**filled, "intent": "save"})
    assert saved.status_code == 303
    draft = reporter.get(form_page).text
    assert "Draft saved." in draft and ">a draft<" in draft
    assert 'value="1260"' in _field(draft, value)  # as typed, not as written: 1,260
    assert ">Two depots closed.</textarea>" in draft
    submitted = reporter.post(form_page, {**filled, "intent": "submit"})
    assert submitted.status_code == 303
    shown = reporter.get(form_page).text
    assert ">awaiting a decision<" in shown and "Submit the report" not in shown
    assert "<fieldset disabled" in shown
    # Another unit's report, and the secretary's desk, are not the reporter's.
    assert (
        reporter.get(f"/reporting/periods/{w.second_period}/units/{w.units[MINES]}").status_code
        == 403
    )
    assert reporter.get("/secretary/follow-up").status_code == 403
    assert reporter.post(form_page, {value: "1", "intent": "save"}).status_code == 409
    # The desk shows the narrative as the Markdown it is written in, its raw HTML as text.
    desk = secretary(app).get(f"/secretary/follow-up/periods/{w.second_period}").text
    assert "<p>Slower <strong>than planned</strong>.</p>" in desk
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in desk and "<script>alert" not in desk


def _submit(reporter: Browser, w: FollowUpWorld, figure: str) -> None:
    answer = reporter.post(
        f"/reporting/periods/{w.second_period}/units/{w.units[RAIL]}",
        {f"value_{w.indicator_id}": figure, f"status_{w.goal_id}": "on_track", "intent": "submit"},
    )
    assert answer.status_code == 303, answer.text


def _report_id(desk: str) -> int:
    found = re.search(r'action="/secretary/follow-up/reports/(\d+)/decision"', desk)
    assert found
    return int(found.group(1))


def test_the_secretary_reviews_and_freezes_and_the_meeting_reads_the_summing_up(
    follow_up_world: FollowUpWorld, app: FastAPI
) -> None:
    w = follow_up_world
    reporter = _logged_in(app, w.reporter)
    desk = secretary(app)
    _submit(reporter, w, "280")
    home = desk.get("/secretary").text
    assert 'href="/secretary/follow-up"' in home
    cycles = desk.get("/secretary/follow-up").text
    assert (
        "Half-yearly reports" in cycles
        and f'href="/secretary/follow-up/periods/{w.second_period}"' in cycles
    )
    at = f"/secretary/follow-up/periods/{w.second_period}"
    page = desk.get(at).text
    assert re.search(
        rf"<th scope=\"row\">{MINES}</th>\s*<td><span class=\"badge state-none\">not begun", page
    )
    assert re.search(
        rf"<th scope=\"row\">{RAIL}</th>\s*<td><span class=\"badge state-submitted\">", page
    )
    assert "0 of 2 units reported" in page
    report = _report_id(page)
    decide = f"/secretary/follow-up/reports/{report}/decision"

    # Returned without saying what to correct: refused at the reason, still awaiting.
    refused = desk.post(decide, {"decision": "returned", "reason": "  "})
    assert refused.status_code == 422
    assert "say what Rail and Transport Branch should correct" in _error_at(
        refused.text, "reason", f"report-{report}"
    )
    assert (
        desk.post(
            decide, {"decision": "returned", "reason": "Count the new depot too."}
        ).status_code
        == 303
    )
    returned = reporter.get(f"/reporting/periods/{w.second_period}/units/{w.units[RAIL]}").text
    assert "Returned for correction:</strong> Count the new depot too." in returned
    assert desk.post(decide, {"decision": "accepted"}).status_code == 409  # returned, not submitted

    _submit(reporter, w, "310")
    assert desk.post(decide, {"decision": "accepted"}).status_code == 303
    page = desk.get(at).text
    assert "1 of 2 units reported" in page
    # The chart is drawn, named and told in words, with its table beside it.
    assert re.search(r'<svg [^>]*role="img"[^>]*aria-labelledby="chart-1-title chart-1-desc"', page)
    # In a frame that scrolls on a phone, where the chart keeps a width its words are read at.
    assert re.search(r'<div class="scroll chart-frame" role="region" tabindex="0"[^>]*><svg ', page)
    assert "Actual: Second half of 2025: 230; First half of 2026: 310. Target: 1,200." in page
    assert re.search(r"<td>First half of 2026</td><td>310</td><td>1 / 2</td>", page)

    # Frozen only once closed: a freeze first is refused on the desk.
    move = f"/secretary/follow-up/periods/{w.second_period}/state"
    freeze = {"state": "frozen", "confirmed": "yes"}
    refused = desk.post(move, freeze)
    assert refused.status_code == 409
    assert re.search(r'id="period-error">cannot [^<]*First half of 2026', refused.text)
    # Neither a closing nor a freeze can be undone: without its box ticked, each is refused
    # and nothing moves.
    unconfirmed = desk.post(move, {"state": "closed"})
    assert unconfirmed.status_code == 422
    assert 'id="period-error">tick the box to close the filing' in unconfirmed.text
    assert 'id="confirm-closed" name="confirmed" value="yes" required' in unconfirmed.text
    assert re.search(r'data-testid="period-state">open<', desk.get(at).text)
    assert desk.post(move, {"state": "closed", "confirmed": "yes"}).status_code == 303
    unconfirmed = desk.post(move, {"state": "frozen"})
    assert unconfirmed.status_code == 422
    assert 'id="period-error">tick the box to freeze' in unconfirmed.text
    assert 'name="confirmed" value="yes" required' in unconfirmed.text
    assert re.search(r'data-testid="period-state">closed<', desk.get(at).text)
    assert desk.post(move, freeze).status_code == 303
    frozen = desk.get(at).text
    assert (
        re.search(r'data-testid="period-state">frozen<', frozen) and "Frozen: the figures" in frozen
    )
    due, past = _due_and_past(reporter.get("/reporting").text)
    assert "First half of 2026" not in due and f"{RAIL} · First half of 2026" in past

    # Delegates and the chair find the summing-up from their meeting's pages.
    delegate, chair = _logged_in(app, w.delegate), _logged_in(app, w.chair)
    link = f'href="/meetings/{w.meeting_id}/summing-up"'
    assert link in delegate.get(f"/meetings/{w.meeting_id}").text
    assert link in chair.get(f"/meetings/{w.meeting_id}/console").text
    listed = delegate.get(f"/meetings/{w.meeting_id}/summing-up").text
    document = f"/meetings/{w.meeting_id}/summing-up/{w.cycle_id}?period_id={w.second_period}"
    assert document.replace("?", "?") in listed.replace("&amp;", "&")
    read = delegate.get(document)
    assert read.status_code == 200 and read.headers["content-type"].startswith("text/html")
    assert "1 of 2 units reported on their goals" in read.text
    assert "<svg" in read.text and "First half of 2026: 310" in read.text
    assert reporter.get(document).status_code == 403  # no participant of the meeting
    assert delegate.get("/secretary/follow-up").status_code == 403
