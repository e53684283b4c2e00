"""The secretary builds a meeting's agenda: items in order, their rapporteurs, budgets and papers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from veche.actions.agenda import check_agenda_item, do_withdraw_item
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import AgendaItem, Meeting
from veche.models.agenda import ItemKind, ItemState
from veche.models.polls import PollKind, PollState
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.proceedings import documents, participants
from veche.queries.roster import bodies_with_terms
from veche.queries.sitting import meeting_polls
from veche.reports._words import item_kinds
from veche.web.inputs import PollIn
from veche.web.inputs_agenda import ItemForm, MoveIn, rapporteur_names
from veche.web.inputs_debate import DocumentIn
from veche.web.pages._page import Page, PageDep
from veche.web.pages.documents import uploaded, with_file_text

router = APIRouter()

#: Refusals shown on the agenda page itself, so the secretary keeps the page and what was typed.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)


def kind_labels() -> list[tuple[ItemKind, str]]:
    """Every kind of agenda item with its words (``veche.reports._words``, as the minutes say it)."""
    return item_kinds()


def _page(meeting_id: int) -> str:
    return f"/secretary/meetings/{meeting_id}/agenda"


def agenda_context(session: Session, meeting: Meeting) -> dict[str, Any]:
    papers: dict[int, list[Any]] = defaultdict(list)
    for document in documents(session, meeting.id):
        if document.agenda_item_id is not None:
            papers[document.agenda_item_id].append(document)
    everything = agenda_items(session, meeting.id, withdrawn=True)
    names = rapporteur_names(participants(session, meeting.id))
    return {
        "meeting": meeting,
        "items": [item for item in everything if item.state is not ItemState.WITHDRAWN],
        "withdrawn": [item for item in everything if item.state is ItemState.WITHDRAWN],
        "approval": agenda_approval(session, meeting.id),
        "pending_polls": [
            poll
            for poll in meeting_polls(session, meeting)
            if poll.approves_agenda and poll.state in (PollState.DRAFT, PollState.OPEN)
        ],
        "papers": papers,
        "rapporteur_names": names,
        "rapporteur_of": {person: name for name, person in names.items()},
        "bodies": bodies_with_terms(session, meeting.term.body.organization),
        "kinds": kind_labels(),
        "kind_names": dict(kind_labels()),
    }


@router.get("/secretary/meetings/{meeting_id}/agenda", response_class=HTMLResponse)
def agenda_page(meeting_id: int, page: PageDep) -> HTMLResponse:
    """The agenda in order with the forms to build it, and whether a poll has approved it."""
    return _agenda_page(page, meeting_id, {})


def _change(
    page: Page,
    meeting_id: int,
    change: Callable[[Meeting], str],
    typed: dict[str, Any] | None = None,
) -> Response:
    """Run one change of the agenda; a refusal is shown on the agenda page with what was typed."""
    try:
        with page.session.begin():
            message = change(page.meeting(meeting_id))
    except SHOWN_ON_PAGE as error:
        shown = {"error": error.message, "typed": typed or {}}
        return _agenda_page(page, meeting_id, shown, status=error.status_code)
    return page.redirect(_page(meeting_id), message)


def _item_change(
    page: Page, meeting_id: int, item_id: int, change: Callable[[AgendaItem], str]
) -> Response:
    """Run one change of an item of the meeting's agenda, as ``_change`` runs it; an item not
    on it is refused there too."""
    return _change(
        page,
        meeting_id,
        lambda meeting: change(check_agenda_item(page.session, page.caller, meeting, item_id)),
    )


def _agenda_page(
    page: Page, meeting_id: int, refusal: dict[str, Any], *, status: int = 200
) -> HTMLResponse:
    # The page needs agenda.manage; each of its forms' actions checks its own permission.
    return page.render_meeting(
        meeting_id,
        "secretary/secretary_agenda.html",
        lambda session, meeting: agenda_context(session, meeting) | refusal,
        needs=Permission.AGENDA_MANAGE,
        with_permissions=True,
        status=status,
    )


@router.post("/secretary/meetings/{meeting_id}/agenda/items")
def add_item(meeting_id: int, page: PageDep, form: Annotated[ItemForm, Form()]) -> Response:
    """Propose an item at the end of the agenda."""

    def add(meeting: Meeting) -> str:
        item = form.add(page.session, page.caller, meeting)
        return _("Item %(position)s added: %(title)s") % {
            "position": item.position,
            "title": item.title,
        }

    return _change(page, meeting_id, add, typed=form.model_dump())


@router.post("/secretary/meetings/{meeting_id}/agenda/items/{item_id}")
def update_item(
    meeting_id: int, item_id: int, page: PageDep, form: Annotated[ItemForm, Form()]
) -> Response:
    """Change an item: its wording until the agenda is approved, its speaking rules any time."""

    def update(item: AgendaItem) -> str:
        position = form.update(page.session, page.caller, item).position
        return _("Item %(position)s updated") % {"position": position}

    return _item_change(page, meeting_id, item_id, update)


@router.post("/secretary/meetings/{meeting_id}/agenda/items/{item_id}/move")
def move_item(
    meeting_id: int, item_id: int, page: PageDep, form: Annotated[MoveIn, Form()]
) -> Response:
    """Move an item one place up or down."""

    def move(item: AgendaItem) -> str:
        moved = form.move(page.session, page.caller, item)
        return _("%(title)s is now item %(position)s") % {
            "title": moved.title,
            "position": moved.position,
        }

    return _item_change(page, meeting_id, item_id, move)


@router.post("/secretary/meetings/{meeting_id}/agenda/items/{item_id}/withdraw")
def withdraw_item(meeting_id: int, item_id: int, page: PageDep) -> Response:
    """Take an item off the agenda; the items after it move up."""

    def withdraw(item: AgendaItem) -> str:
        title = do_withdraw_item(page.session, page.caller, item).title
        return _("Withdrawn: %(title)s") % {"title": title}

    return _item_change(page, meeting_id, item_id, withdraw)


@router.post("/secretary/meetings/{meeting_id}/agenda/items/{item_id}/documents")
def attach_document(
    meeting_id: int,
    item_id: int,
    page: PageDep,
    form: Annotated[DocumentIn, Form()],
    file: UploadFile | None = None,
) -> Response:
    """File a paper on an item: a link, a text typed in, or a text or Markdown file."""
    data = uploaded(file)

    def attach(meeting: Meeting) -> str:
        # The file is read into the paper inside the change, so that the agenda page shows
        # its refusal as it shows the others.
        paper = with_file_text(form, data).model_copy(update={"agenda_item_id": item_id})
        # The item is the action's to find in the meeting, once it has asked who may file.
        document = paper.add(page.session, page.caller, meeting)
        item = page.session.get(AgendaItem, item_id)
        assert item is not None  # the action found it
        return _("%(title)s is filed on item %(position)s") % {
            "title": document.title,
            "position": item.position,
        }

    return _change(page, meeting_id, attach)


@router.post("/secretary/meetings/{meeting_id}/agenda/approval-poll")
def put_to_the_vote(meeting_id: int, page: PageDep) -> Response:
    """A decision in draft that approves the agenda once adopted; the chair opens it."""

    def create(meeting: Meeting) -> str:
        approval = PollIn(
            title=_("Approve the agenda"),
            kind=PollKind.DECISION,
            method="majority",
            approves_agenda=True,
        )
        poll = approval.create(page.session, page.caller, meeting)
        return _("Poll created: %(title)s. The chair opens it from the console.") % {
            "title": poll.title
        }

    return _change(page, meeting_id, create)
