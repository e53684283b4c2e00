"""Documents through the pages: the secretary files links, texts and files; every participant
reads and downloads them; others may not file, and bad papers are refused and change nothing."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.helpers import row_count
from tests.web.page_client import Browser
from tests.web.sitting import SittingPages, journal_length
from veche.models import Document
from veche.web.pages.documents import file_name

#: These prove what the pages show and do; the same actions run through the API, and
#: papers are stored on both databases in test_proceedings_api.py and test_meeting_record.py.
#: They start from the demo organization, in a meeting in session (the ``sitting`` fixture).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


class Papers(SittingPages):
    @property
    def path(self) -> str:
        return f"/meetings/{self.meeting}/documents"

    def file(
        self, browser: Browser, upload: tuple[str, bytes] | None = None, **form: object
    ) -> Any:
        files = {"file": (upload[0], upload[1], "text/markdown")} if upload else None
        return browser.client.post(
            self.path, data={"csrf_token": browser.csrf_token(), **form}, files=files
        )

    def count(self) -> int:
        return row_count(self.sessions, Document)

    def ids(self) -> dict[str, int]:
        with self.sessions() as session:
            return {d.title: d.id for d in session.scalars(select(Document))}


#: The fixture each test takes: the sitting served as ``Papers``.
papers = Papers.fixture()


def test_filed_papers_are_listed_read_and_downloaded_by_participants(papers: Papers) -> None:
    link = papers.file(papers.secretary, title="Annual accounts", url="https://example.org/acc.pdf")
    assert link.status_code == 303, link.text
    typed = papers.file(
        papers.secretary,
        title="Report of the Bureau",
        text="# The year\n\nMembership **grew**.\n\n<script>alert(1)</script>\n",
        agenda_item_id=str(papers.sitting.item_id),
    )
    assert typed.status_code == 303, typed.text
    uploaded = papers.file(
        papers.secretary,
        ("statutes.md", "Article 1. Name — «Riverlands».\n".encode()),
        title="Draft statutes",
    )
    assert uploaded.status_code == 303, uploaded.text
    ids = papers.ids()
    for browser in (papers.delegate, papers.observer):
        room = browser.get(f"/meetings/{papers.sitting.meeting_id}").text
        assert 'href="https://example.org/acc.pdf"' in room
        assert f'{papers.path}/{ids["Report of the Bureau"]}"' in room
        assert "item 1" in room
        read = browser.get(f"{papers.path}/{ids['Report of the Bureau']}")
        assert read.status_code == 200
        assert "<h1>The year</h1>" in read.text and "<strong>grew</strong>" in read.text
        assert "<script>alert(1)</script>" not in read.text
        download = browser.get(f"{papers.path}/{ids['Draft statutes']}/download")
        assert download.status_code == 200
        assert download.text == "Article 1. Name — «Riverlands»."
        assert 'filename="draft-statutes.md"' in download.headers["content-disposition"]
        away = browser.get(f"{papers.path}/{ids['Annual accounts']}/download")
        assert away.status_code == 303 and away.headers["location"] == "https://example.org/acc.pdf"
    listing = papers.delegate.get(papers.path).text
    assert "File a document" not in listing and "Draft statutes" in listing
    assert "File a document" in papers.secretary.get(papers.path).text


def test_only_the_chair_or_secretary_files_and_bad_papers_change_nothing(papers: Papers) -> None:
    before, journal = papers.count(), journal_length(papers.sessions)
    for browser in (papers.delegate, papers.observer):
        refused = papers.file(browser, title="Mine", text="Words.")
        assert refused.status_code == 403 and "a chair or a secretary" in refused.text
    bad = [
        (papers.file(papers.secretary, title="Script", url="javascript:alert(1)"), "https://"),
        (papers.file(papers.secretary, title="Nothing"), "needs a url or a text"),
        (
            papers.file(papers.secretary, ("scan.pdf", b"%PDF-1.7\xff\xfe"), title="Scan"),
            "not UTF-8 text",
        ),
        (
            papers.file(papers.secretary, ("a.md", b"File."), title="Both", text="Typed."),
            "not both",
        ),
        (
            papers.file(papers.secretary, title="Lost", text="x", agenda_item_id="999999"),
            "no agenda item 999999",
        ),
        (papers.file(papers.secretary, title="Odd", text="x", agenda_item_id="first"), "number"),
        (papers.file(papers.secretary, text="Untitled."), "title"),
    ]
    for response, words in bad:
        assert 400 <= response.status_code < 500, response.text
        assert words in response.text, response.text
    forged = papers.secretary.client.post(papers.path, data={"title": "Forged", "text": "x"})
    assert forged.status_code == 403
    assert papers.count() == before and journal_length(papers.sessions) == journal
    assert papers.delegate.get(f"{papers.path}/999999").status_code == 404


def test_the_api_refuses_a_document_url_that_is_not_a_web_address(papers: Papers) -> None:
    response = papers.api.client.post(
        f"/api{papers.path}",
        json={"title": "Script", "url": "javascript:alert(1)"},
        headers=papers.api.secretary,
    )
    assert response.status_code == 422
    assert "must be a web address starting with https://" in response.json()["detail"]
    assert papers.count() == 0


def test_a_file_name_comes_from_the_title() -> None:
    assert file_name(Document(id=3, title="Report of the Bureau, 2026!")) == (
        "report-of-the-bureau-2026.md"
    )
    assert file_name(Document(id=3, title="«»")) == "document-3.md"
