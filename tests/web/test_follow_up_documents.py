"""The follow-up's documents through the API, on both databases: evidence on a unit's report
(uploaded by its reporter while the report is a draft, checked, journaled by its digest,
listed and downloaded by those who read the follow-up), and the interim summing-up filed as a
paper on an item of a later meeting — frozen as filed — which the meeting's communiqué
cites."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import journaled
from tests.meeting_api import Api
from tests.web.page_client import secretary
from tests.web.sitting import PreparedSitting
from tests.web.test_follow_up_api import _adopt_resolution
from veche.actions.journal_actions import JournalAction
from veche.models import Document

#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = pytest.mark.demo

RAIL = "Rail and Transport Branch"
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)


def _upload(
    api: Api, path: str, person: int, name: str, kind: str, data: bytes, expect: int
) -> Any:
    answer = api.client.post(
        f"/api{path}", files={"file": (name, data, kind)}, headers=api.person(person)
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


def test_evidence_and_the_summing_up_filed_as_a_paper(
    engine: Engine,
    sessions: sessionmaker[Session],
    sitting: PreparedSitting,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = create_app(engine)
    with TestClient(app) as client:
        api = sitting.api(client)
        rail = next(unit["id"] for unit in api.get("/units") if unit["name"] == RAIL)
        resolution = _adopt_resolution(api, sitting)
        goal = api.post("/goals", resolution_id=resolution["id"], title="Balanced books")["id"]
        api.post(f"/goals/{goal}/assignments", unit_id=rail)
        cycle = api.post("/cycles", term_id=api.term_id, name="Half-yearly reports")["id"]
        first, second = (
            api.post(f"/cycles/{cycle}/periods", name=name, starts_on=s, ends_on=e, due_on=e)["id"]
            for name, s, e in (
                ("Until yesterday", "2025-06-01", str(sitting.sitting.day - timedelta(days=1))),
                ("From today", str(sitting.sitting.day), str(sitting.sitting.day + timedelta(60))),
            )
        )
        reporter = api.post("/people", full_name="Ada Railwright")["id"]
        api.post("/role-grants", role="reporter", scope="unit", scope_id=rail, person_id=reporter)
        report = f"/periods/{first}/units/{rail}/report"

        _evidence(api, sessions, monkeypatch, report, reporter, goal)
        # The report card the secretary reads shows the report and its evidence to download.
        desk = secretary(app)
        card = desk.get(f"/report-cards/periods/{first}/units/{rail}")
        assert "Books balanced." in card.text and "minutes march.pdf" in card.text
        link = re.search(r'href="(/report-cards/evidence/\d+)" download', card.text)
        assert link and desk.get(link.group(1)).content == PDF
        _summing_up(api, sessions, sitting, cycle, first, second, report, goal)


def _evidence(
    api: Api,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
    report: str,
    reporter: int,
    goal: int,
) -> None:
    evidence = f"{report}/evidence"
    # No report yet: evidence waits for the draft.
    assert (
        "save it as a draft"
        in _upload(api, evidence, reporter, "m.pdf", "application/pdf", PDF, 409)["detail"]
    )
    api.call("PUT", report, as_person=reporter, narrative="Books balanced.")
    added = _upload(api, evidence, reporter, "../minutes march.pdf", "application/pdf", PDF, 201)
    assert added["filename"] == "minutes march.pdf" and added["size"] == len(PDF)
    assert added["sha256"] == hashlib.sha256(PDF).hexdigest()
    photo = _upload(api, evidence, reporter, "site.png", "image/png", PNG, 201)
    for name, kind, data, words in (
        ("a.zip", "application/zip", b"PK\x03\x04", "evidence is a PDF"),
        ("b.pdf", "application/pdf", PNG, "is not a application/pdf file"),
        ("c.txt", "text/plain", b"\xff\xfe", "not UTF-8 text"),
        ("notes/", "text/plain", b"x", "give the file a name"),
    ):
        assert words in _upload(api, evidence, reporter, name, kind, data, 422)["detail"]
    monkeypatch.setattr("veche.web.inputs_evidence.MAX_EVIDENCE_BYTES", len(PDF) - 1)
    assert (
        "larger than"
        in _upload(api, evidence, reporter, "m.pdf", "application/pdf", PDF, 422)["detail"]
    )
    monkeypatch.undo()
    # Someone who neither reports for the unit nor reads the follow-up is refused.
    stranger = api.post("/people", full_name="Nils Stranger")["id"]
    _upload(api, evidence, stranger, "m.pdf", "application/pdf", PDF, 403)
    api.call("GET", evidence, 403, as_person=stranger)

    journal = journaled(sessions, JournalAction.ADD_EVIDENCE)
    assert [entry["sha256"] for entry in journal] == [added["sha256"], photo["sha256"]]
    assert all("content" not in entry for entry in journal)
    # The secretary reads the follow-up: lists and downloads.
    assert [one["id"] for one in api.get(evidence)] == [added["id"], photo["id"]]
    download = api.call("GET", f"/evidence/{added['id']}")
    assert download.content == PDF and download.headers["content-type"] == "application/pdf"
    assert "attachment" in download.headers["content-disposition"]
    api.call("DELETE", f"/evidence/{photo['id']}", 204, as_person=reporter)
    assert journaled(sessions, JournalAction.REMOVE_EVIDENCE)[0]["evidence_id"] == photo["id"]

    api.call(
        "PUT",
        report,
        as_person=reporter,
        narrative="Books balanced.",
        statuses=[{"goal_id": goal, "status": "on_track"}],
    )
    api.call("POST", f"{report}/submit", as_person=reporter)
    assert (
        "draft or returned"
        in _upload(api, evidence, reporter, "late.pdf", "application/pdf", PDF, 409)["detail"]
    )
    api.call("DELETE", f"/evidence/{added['id']}", 409, as_person=reporter)
    assert len(api.call("GET", evidence, as_person=reporter)) == 1  # its reporter reads it too


def _summing_up(
    api: Api,
    sessions: sessionmaker[Session],
    sitting: PreparedSitting,
    cycle: int,
    first: int,
    second: int,
    report: str,
    goal: int,
) -> None:
    item = sitting.sitting.item_ids[1]
    file = f"/agenda-items/{item}/summing-up"
    assert "still open" in api.post(file, 409, cycle_id=cycle)["detail"]
    report_id = api.call("GET", report)["report"]["id"]
    api.call("POST", f"/reports/{report_id}/decision", decision="accepted")
    for period in (first, second):
        api.call("POST", f"/periods/{period}/state", state="closed")
    # The second period ends after the meeting (sitting today) begins.
    assert (
        "goes to a later meeting" in api.post(file, 422, cycle_id=cycle, period_id=second)["detail"]
    )

    filed = api.post(file, cycle_id=cycle, period_id=first)
    assert filed["meeting_id"] == sitting.meeting_id and filed["agenda_item_id"] == item
    assert "already filed" in api.post(file, 409, cycle_id=cycle, period_id=first)["detail"]
    with sessions() as session:
        paper = session.get(Document, filed["document_id"])
        assert paper is not None
        frozen = paper.text
    assert filed["sha256"] == hashlib.sha256(frozen.encode()).hexdigest()
    assert "Balanced books" in frozen and "1 of 1 units reported" in frozen
    (entry,) = journaled(sessions, JournalAction.FILE_SUMMING_UP)
    assert (entry["document_id"], entry["sha256"]) == (filed["document_id"], filed["sha256"])

    # The figures change later (the body gives its verdict); the paper stays as filed.
    api.post(f"/goals/{goal}/status", 200, status="done", reason="Books closed early.")
    now = api.call("GET", f"/cycles/{cycle}/summing-up?period_id={first}").text
    assert "Books closed early." in now and "Books closed early." not in frozen
    with sessions() as session:
        again = session.get(Document, filed["document_id"])
        assert again is not None and again.text == frozen

    communique = api.call(
        "GET", f"/meetings/{sitting.meeting_id}/reports/communique?format=md"
    ).text
    assert filed["title"] in communique and filed["sha256"] in communique
