"""The two forms that file a paper, the documents page's and the agenda desk's for one item:
the same fields in the same words, and both take a text or Markdown file."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from tests.web.desk_client import Desk
from veche.models import AgendaItem, Document
from veche.web.pages.documents import MAX_FILE_BYTES

#: They start from the demo organization; the papers' storage is proven on both databases in
#: test_proceedings_api.py and test_meeting_record.py.
pytestmark = [pytest.mark.demo, pytest.mark.one_database]

MINUTES = "# Budget for next year\n\nThe Board proposes **€12,000** — «for the archive».\n"


class _FormLabels(HTMLParser):
    """The texts of the labels of the form posted to ``action``, in order."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action = action
        self.in_form = False
        self.label: list[str] | None = None
        self.labels: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "form":
            self.in_form = dict(attrs).get("action") == self.action
        elif tag == "label" and self.in_form:
            self.label = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.in_form = False
        elif tag == "label" and self.label is not None:
            self.labels.append("".join(self.label).strip())
            self.label = None

    def handle_data(self, data: str) -> None:
        if self.label is not None:
            self.label.append(data)


def _labels(page: str, action: str) -> list[str]:
    parser = _FormLabels(action)
    parser.feed(page)
    return parser.labels


def _agenda(desk: Desk) -> str:
    return f"/secretary/meetings/{desk.meeting}/agenda"


def _items(desk: Desk, *titles: str) -> list[int]:
    for title in titles:
        added = desk.secretary.post(f"{_agenda(desk)}/items", {"title": title})
        assert added.status_code == 303, added.text
    with desk.sessions() as session:
        return list(
            session.scalars(
                select(AgendaItem.id)
                .where(AgendaItem.meeting_id == desk.meeting)
                .order_by(AgendaItem.position)
            )
        )


def _file_on_item(desk: Desk, item_id: int, upload: bytes, **form: str) -> Any:
    return desk.secretary.post(
        f"{_agenda(desk)}/items/{item_id}/documents",
        form,
        files={"file": ("budget.md", upload, "text/markdown")},
    )


def _papers(desk: Desk) -> int:
    with desk.sessions() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def test_the_agenda_desk_files_a_markdown_file_on_its_item(desk: Desk) -> None:
    _, budget = _items(desk, "Opening", "Budget for next year")
    filed = _file_on_item(desk, budget, MINUTES.encode(), title="Draft budget")
    assert filed.status_code == 303, filed.text
    assert filed.headers["location"] == _agenda(desk)
    page = desk.secretary.get(_agenda(desk)).text
    assert '<p class="flash" role="status">Draft budget is filed on item 2</p>' in page
    listed = desk.assembly.client.get(
        f"/api/meetings/{desk.meeting}/documents", headers=desk.assembly.secretary
    )
    assert listed.status_code == 200
    (paper,) = listed.json()
    assert (paper["title"], paper["url"], paper["agenda_item_id"]) == ("Draft budget", "", budget)
    download = desk.secretary.get(f"/meetings/{desk.meeting}/documents/{paper['id']}/download")
    assert download.status_code == 200 and download.text == MINUTES.strip()


@pytest.mark.parametrize(
    ("upload", "typed", "message"),
    [
        (MINUTES.encode(), "Typed in as well.", "give the paper's text or a file, not both"),
        (b"%PDF-1.7\xff\xfe", "", "the file is not UTF-8 text"),
        (b"a" * (MAX_FILE_BYTES + 1), "", "the file is larger than 2 MB"),
    ],
    ids=["text-and-file", "not-utf-8", "too-large"],
)
def test_a_file_the_agenda_desk_cannot_take_is_refused_on_the_page_and_files_nothing(
    desk: Desk, upload: bytes, typed: str, message: str
) -> None:
    (item,) = _items(desk, "Budget for next year")
    refused = _file_on_item(desk, item, upload, title="Draft budget", text=typed)
    assert refused.status_code == 422, refused.text
    assert f'role="alert" id="agenda-error">{escape(message)}' in refused.text
    assert _papers(desk) == 0


def test_both_forms_ask_for_a_paper_in_the_same_words(desk: Desk) -> None:
    first, second = _items(desk, "Opening", "Budget for next year")
    documents = f"/meetings/{desk.meeting}/documents"
    on_documents = _labels(desk.secretary.get(documents).text, documents)
    assert on_documents == [
        "Title",
        "Agenda item",
        "Link (https://…)",
        "Text or Markdown file",
        "Or the text itself",
    ]
    agenda = desk.secretary.get(_agenda(desk)).text
    for item in (first, second):
        on_item = _labels(agenda, f"{_agenda(desk)}/items/{item}/documents")
        assert on_item == [label for label in on_documents if label != "Agenda item"]
        assert f'for="doc-file-{item}"' in agenda and f'id="doc-file-{item}"' in agenda
    assert agenda.count('enctype="multipart/form-data"') == 2
