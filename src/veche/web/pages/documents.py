"""A meeting's papers on the pages: the secretary files them, every participant reads them."""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from veche.actions.access import access_meeting_row
from veche.errors import InvalidInput, NotAuthenticated
from veche.i18n import _
from veche.models import Document, Meeting
from veche.queries.papers import document_list
from veche.queries.summing_up_papers import public_summing_up
from veche.web.deps import SessionDep, ViewerDep
from veche.web.inputs_debate import MAX_DOCUMENT_TEXT, DocumentForm, DocumentIn
from veche.web.pages._page import PageDep, add_meeting_view

router = APIRouter()

#: The longest text a document may hold, typed in or uploaded, as through the API.
MAX_TEXT = MAX_DOCUMENT_TEXT
#: The largest file read for it (UTF-8 takes up to four bytes a character).
MAX_FILE_BYTES = 4 * MAX_TEXT


add_meeting_view(
    router,
    "/meetings/{meeting_id}/documents",
    "documents",
    "meeting/documents.html",
    document_list,
    about="The meeting's papers; the chair and the secretary file new ones here.",
    with_permissions=True,
)
add_meeting_view(
    router,
    "/meetings/{meeting_id}/documents/list",
    "documents_fragment",
    "meeting/_documents_list.html",
    document_list,
    about="The list of papers on the meeting page, re-fetched when one is filed.",
)


#: A paper's form as a page posts it: the documents page's, or the agenda desk's for one item.
Paper = TypeVar("Paper", bound=DocumentIn)


def uploaded(file: UploadFile | None) -> bytes | None:
    """The file sent beside a paper's form, or None where none was chosen; a byte past
    ``MAX_FILE_BYTES`` is read, so that ``with_file_text`` can tell the file is too large.
    The file is spooled already: it is read from the routes' worker thread, as the database
    is, never from the event loop."""
    if file is None or not file.filename:
        return None
    return file.file.read(MAX_FILE_BYTES + 1)


def with_file_text(form: Paper, data: bytes | None) -> Paper:
    """The paper with an uploaded file's text as its text, for every form that files one."""
    if data is None:
        return form
    if form.text.strip():
        raise InvalidInput("give the paper's text or a file, not both")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the file is not UTF-8 text: upload a text or Markdown file, "
            "or give the link where the paper is published"
        ) from None
    if len(text) > MAX_TEXT:
        raise InvalidInput(f"the file's text is longer than {MAX_TEXT} characters")
    return form.model_copy(update={"text": text})


@router.post("/meetings/{meeting_id}/documents")
def add_document(
    meeting_id: int,
    page: PageDep,
    form: Annotated[DocumentForm, Form()],
    file: UploadFile | None = None,
) -> Response:
    """File a paper: a link, a text typed in, or a text or Markdown file."""
    form = with_file_text(form, uploaded(file))
    with page.session.begin():
        meeting = page.meeting(meeting_id)
        filed = form.add(page.session, page.caller, meeting).title
    return page.redirect(
        f"/meetings/{meeting_id}/documents",
        _("Filed: %(title)s") % {"title": filed},
    )


@router.get("/meetings/{meeting_id}/documents/{document_id}", response_class=HTMLResponse)
def document_page(meeting_id: int, document_id: int, page: PageDep) -> HTMLResponse:
    """One paper to read on the page (Markdown shown as formatted text)."""

    def paper(session: Session, meeting: Meeting) -> dict[str, Any]:
        document = page.row(Document, document_id, meeting.id, "document")
        return {"meeting": meeting, "document": document}

    return page.render_meeting(meeting_id, "meeting/document.html", paper, with_permissions=True)


def file_name(document: Document) -> str:
    """A plain file name from the title: "Draft resolutions" → "draft-resolutions.md"."""
    stem = re.sub(r"[^a-z0-9]+", "-", document.title.lower()).strip("-")[:80]
    return f"{stem or f'document-{document.id}'}.md"


@router.get("/meetings/{meeting_id}/documents/{document_id}/download")
def download(meeting_id: int, document_id: int, session: SessionDep, viewer: ViewerDep) -> Response:
    """The paper's text as a file; a paper published elsewhere is opened at its address.
    A summing-up cited by the meeting's published communiqué is the public's to read too;
    any other paper is its meeting's participants' (a login asked, then 403)."""
    document = public_summing_up(session, meeting_id, document_id)
    if document is None:
        if viewer is None:
            raise NotAuthenticated("log in to see this page")
        document = access_meeting_row(
            session, viewer, Document, document_id, meeting_id, "document"
        )
    if not document.text:
        return RedirectResponse(document.url, status_code=303)
    name = file_name(document)
    return Response(
        document.text,
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
        },
    )
