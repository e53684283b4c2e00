"""A multipart form's text is read as UTF-8 or refused (422, naming the field), never stored
as the Latin-1 the form reader would fall back to; a file's content is left to its route."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from tests.web.sitting import SittingPages, journal_length
from veche.models import Document

#: Through the paper form, which takes text fields and a file in one multipart body; a
#: middleware in front of every route reads it, so one route proves it for all. The
#: refusal happens before any database work, so one database is enough.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

BOUNDARY = "veche-test-boundary"
CYRILLIC_1251 = "Устав".encode("cp1251")  # "Õñòàâ" once read as Latin-1
HALF_A_CHARACTER = b"\xed\xa0\x80"  # a lone surrogate as UTF-8 would write it
NOT_UTF8 = "holds bytes that are not UTF-8"


class Papers(SittingPages):
    @property
    def path(self) -> str:
        return f"/meetings/{self.sitting.meeting_id}/documents"

    def post(
        self,
        fields: dict[str, bytes],
        upload: tuple[bytes, bytes] | None = None,
        content_type: str = f"multipart/form-data; boundary={BOUNDARY}",
    ) -> Any:
        """Post the form as the secretary's browser, its bytes written out by hand so that
        a field may hold any of them."""
        fields = {"csrf_token": self.secretary.csrf_token().encode(), **fields}
        parts = [_part(b'name="%s"' % name.encode(), value) for name, value in fields.items()]
        if upload is not None:
            file_name, content = upload
            parts.append(_part(b'name="file"; filename="%s"' % file_name, content))
        body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
        return self.secretary.client.post(
            self.path, content=body, headers={"content-type": content_type}
        )

    def titles(self) -> list[str]:
        with self.sessions() as session:
            return list(session.scalars(select(Document.title).order_by(Document.id)))


def _part(disposition: bytes, value: bytes) -> bytes:
    return (
        f"--{BOUNDARY}\r\nContent-Disposition: form-data; ".encode()
        + disposition
        + b"\r\n\r\n"
        + value
        + b"\r\n"
    )


#: The fixture each test takes: the sitting served as ``Papers``.
papers = Papers.fixture()


@pytest.mark.parametrize(
    ("fields", "upload", "refused"),
    [
        ({"title": CYRILLIC_1251}, (b"a.md", b"Text."), "title: " + NOT_UTF8),
        ({"title": b"Minutes", "text": b"Cut " + HALF_A_CHARACTER}, None, "text: " + NOT_UTF8),
        ({"title": b"Minutes", "text": b"Cut \xd0"}, None, "text: " + NOT_UTF8),
        ({"title": b"Minutes"}, (CYRILLIC_1251 + b".md", b"Text."), "file: the file&#39;s name"),
    ],
    ids=["another-encoding", "half-a-character", "cut-at-the-end", "file-name"],
)
def test_a_text_field_not_in_utf8_is_refused_and_changes_nothing(
    papers: Papers,
    fields: dict[str, bytes],
    upload: tuple[bytes, bytes] | None,
    refused: str,
) -> None:
    titles, journal = papers.titles(), journal_length(papers.sessions)
    response = papers.post(fields, upload)
    assert response.status_code == 422, response.text
    assert refused in response.text
    assert papers.titles() == titles and journal_length(papers.sessions) == journal


def test_a_form_in_utf8_is_stored_as_typed(papers: Papers) -> None:
    title = "Устав «Riverlands» — 2026"
    response = papers.post({"title": title.encode()}, ("устав.md".encode(), "Статья 1.".encode()))
    assert response.status_code == 303, response.text
    assert papers.titles()[-1] == title


def test_a_files_content_is_left_to_its_route(papers: Papers) -> None:
    """A file is bytes: the paper's route refuses one that is not text in its own words."""
    response = papers.post({"title": b"Scan"}, (b"scan.md", b"%PDF-1.7\xff\xfe"))
    assert response.status_code == 422, response.text
    assert "not UTF-8 text" in response.text and NOT_UTF8 not in response.text


def test_a_form_naming_a_charset_python_does_not_know_is_refused(papers: Papers) -> None:
    """The form reader would decode every field of it as Latin-1."""
    titles = papers.titles()
    response = papers.post(
        {"title": "Устав".encode(), "text": b"Article 1."},
        content_type=f"multipart/form-data; boundary={BOUNDARY}; charset=x-unknown",
    )
    assert response.status_code == 422, response.text
    assert "a form is read as UTF-8" in response.text
    assert papers.titles() == titles
