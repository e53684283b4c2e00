"""A change sent from a page's form, made or refused on the page it came from: the pages that
keep the organization's records and set up the follow-up share it.

A refusal the secretary can mend (a rule broken, a row not found, a clash) comes back on the
same page, with the form that was sent opened, what was typed in it, and why; anything else (a
right not held) is the error page's to say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting
from veche.permissions import Permission
from veche.queries.records import BodyNode, UnitNode
from veche.web.form_fields import as_posted
from veche.web.pages._page import Page
from veche.web.pages._posted import as_typed

#: Refusals said on the form that was sent, with what was typed.
SHOWN_ON_PAGE = (InvalidInput, Conflict, NotFound)


@dataclass(frozen=True)
class Refused:
    """A form refused on a page: which (``form``), what was typed in it, and why."""

    form: str
    typed: dict[str, str | list[str]]
    problem: str


#: A page shown again with a refusal, under the refusal's status.
Again = Callable[[Refused, int], HTMLResponse]


def change_or_refuse(
    page: Page,
    sent: FormData,
    form: str,
    fields: Sequence[str],
    change: Callable[[], tuple[str, str]],
    again: Again,
) -> Response:
    """Make one change (``change`` answers where to go next, and what to say there); refused
    as ``SHOWN_ON_PAGE``, the page ``again``, the ``form`` as typed with why."""
    try:
        with page.session.begin():
            back, message = change()
    except SHOWN_ON_PAGE as refusal:
        typed: dict[str, str | list[str]] = dict(as_typed(sent, fields))
        return again(Refused(form, typed, refusal.message), refusal.status_code)
    return page.redirect(back, message)


@dataclass(frozen=True)
class MeetingForms:
    """A page of a meeting's desk whose forms each make one change: shown to those who hold
    ``needs`` (``context`` builds what its ``template`` reads), and again with a refusal at
    the form that was sent, as typed."""

    template: str
    context: Callable[[Session, Meeting], dict[str, Any]]
    needs: Permission
    #: The page's address, with ``{meeting_id}``.
    address: str

    def show(
        self, page: Page, meeting_id: int, refused: Refused | None = None, status: int = 200
    ) -> HTMLResponse:
        return page.render_meeting(
            meeting_id,
            self.template,
            lambda session, meeting: self.context(session, meeting) | refused_context(refused),
            needs=self.needs,
            status=status,
        )

    def change(
        self,
        page: Page,
        meeting_id: int,
        form: str,
        typed: Mapping[str, str | list[str]],
        change: Callable[[Meeting], str],
    ) -> Response:
        """Make one change, asking ``needs`` first, as the actions ask it, so that one who may
        not make it is refused before the names they typed are looked for; refused as
        ``SHOWN_ON_PAGE``, the page again with the ``form`` as typed and why, else back at
        the form with what was done."""
        try:
            with page.session.begin():
                message = change(page.meeting(meeting_id, needs=self.needs))
        except SHOWN_ON_PAGE as refusal:
            refused = Refused(form, dict(typed), refusal.message)
            return self.show(page, meeting_id, refused, refusal.status_code)
        return page.redirect(f"{self.address.format(meeting_id=meeting_id)}#{form}", message)


def refused_context(refused: Refused | None) -> dict[str, Any]:
    """What a page's template reads of a refusal: ``refused`` names the form, ``typed`` holds
    what was typed in it, ``problem`` says what was wrong."""
    if refused is None:
        return {"refused": "", "typed": {}, "problem": ""}
    return {"refused": refused.form, "typed": refused.typed, "problem": refused.problem}


def tree_choices(
    rows: Sequence[BodyNode | UnitNode], none: str, *, leaving_out: int | None = None
) -> list[tuple[str, str]]:
    """A tree's rows (bodies, units) as a form's choices, each indented by its depth, but
    the one ``leaving_out`` (a record is not placed under itself); first ``none``, blank."""
    return [("", none)] + [
        (str(row.id), "— " * row.depth + row.name) for row in rows if row.id != leaving_out
    ]


def blank_means(**empty: object) -> Any:
    """The validator of an edit form that reads the fields ``empty`` names, each with its
    empty value. The page always sends them, and FastAPI leaves out a field sent blank: left
    out, such a field was emptied (no parent, no e-mail address, no last day), where the API's
    JSON leaves out what it keeps as it is. A form's class takes it as an attribute
    (``_blank = blank_means(due_on=None)``)."""

    def read(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
        return empty | data

    return as_posted(read)


def in_words(member: StrEnum) -> str:
    """An enumeration's member as a person reads it: "not started", not "not_started"."""
    return _(member.value.replace("_", " "))


def enum_choices(values: type[StrEnum]) -> list[tuple[str, str]]:
    """An enumeration's members as a form's choices, each in words."""
    return [(member.value, in_words(member)) for member in values]
