"""What the chair puts on the projector, declared once: the API's JSON body and the console's
form, each making the change through the same action."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.projector import MAX_MESSAGE, ProjectorChoice, do_show_on_projector
from veche.models import Meeting, Projector
from veche.models.projector import ProjectorShows
from veche.web.api.types import Id
from veche.web.form_fields import as_posted, typed_numbers


class ProjectorIn(BaseModel):
    """What the projector shows: the meeting as it goes (`follow`), the item under discussion,
    the speaker, one poll (`poll_id`), a message (`message`), or nothing (`blank`)."""

    shows: ProjectorShows
    poll_id: Id | None = Field(
        default=None,
        description="with `poll`: the poll shown — its question, the ballots received while "
        "it is open, its result once published",
    )
    message: str = Field(
        default="", max_length=MAX_MESSAGE, description="with `message`: the words shown"
    )

    def choice(self) -> ProjectorChoice:
        return ProjectorChoice(self.shows, self.poll_id, self.message)

    def show(self, session: Session, caller: Caller, meeting: Meeting) -> Projector:
        return do_show_on_projector(session, caller, meeting, self.choice())


class ProjectorForm(ProjectorIn):
    """``ProjectorIn`` as the chair's control posts it. The form sends its poll and its
    message whatever is chosen; each counts only with its own choice. ``back`` is the page the
    control was on."""

    back: Literal["console", "control"] = "console"

    @as_posted
    def _only_what_the_choice_takes(cls, taken: dict[str, Any]) -> dict[str, Any]:
        if taken.get("shows") != ProjectorShows.POLL.value:
            taken.pop("poll_id", None)
        if taken.get("shows") != ProjectorShows.MESSAGE.value:
            taken.pop("message", None)
        return taken

    _numbers = typed_numbers({"poll_id": "the poll must be chosen from the list"})
