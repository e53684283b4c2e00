"""What seating the presidium and opening a sitting ask for, declared once: the API's JSON
body and the presidium page's form, each making its change through the same action."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_poll
from veche.actions.presidium import do_add_sitting, do_form_presidium, do_seat_elected_presidium
from veche.collation import typed_name
from veche.errors import InvalidInput
from veche.models import Meeting, PresidiumMember, Sitting
from veche.queries.proceedings import participants
from veche.web.api.types import Id
from veche.web.form_fields import typed_numbers
from veche.web.inputs_agenda import rapporteur_names

#: A participant's name as a page's field takes it.
TypedName = Annotated[str, Field(max_length=300)]


def named_participants(
    session: Session, meeting_id: int, names: Iterable[str], what: str
) -> list[int]:
    """The persons of the names typed, in their order, blanks left out: each name one the
    pages offer for the meeting's participants (``rapporteur_names``: a namesake's with their
    role and number); a name no participant has is refused, saying ``what`` to choose."""
    typed = [name for name in names if name.strip()]
    if not typed:
        return []
    offered = {
        typed_name(name): person
        for name, person in rapporteur_names(participants(session, meeting_id)).items()
    }
    found = []
    for name in typed:
        person = offered.get(typed_name(name))
        if person is None:
            raise InvalidInput(
                f"no participant of the meeting is named {name.strip()!r}: choose {what} "
                "from the names offered, or invite them first"
            )
        found.append(person)
    return found


class PresidiumIn(BaseModel):
    """The presidium: the people a body formed it of, in order, or the elected of an
    election poll of the meeting."""

    person_ids: list[Id] = Field(default_factory=list, max_length=200)
    formed_by_body_id: Id | None = None
    poll_id: Id | None = Field(default=None, description="an election poll that elected it")

    def seat(self, session: Session, caller: Caller, meeting: Meeting) -> list[PresidiumMember]:
        """The presidium seated (``do_form_presidium``, or ``do_seat_elected_presidium``)."""
        if self.poll_id is not None:
            if self.person_ids or self.formed_by_body_id is not None:
                raise InvalidInput("give either poll_id or person_ids, not both")
            poll = access_poll(session, caller, self.poll_id)
            return do_seat_elected_presidium(session, caller, meeting, poll)
        return do_form_presidium(
            session, caller, meeting, self.person_ids, formed_by_body_id=self.formed_by_body_id
        )


#: The presidium form's lists, with the words of their refusals.
PRESIDIUM_CHOICES = {
    "formed_by_body_id": "the body that formed the presidium must be chosen from the list",
    "poll_id": "the election must be chosen from the list",
}


class PresidiumForm(PresidiumIn):
    """``PresidiumIn`` as the presidium page posts it: the members typed by name, in order
    (the page offers the participants' names as they are typed), the body and the election
    chosen from lists (left empty: the convening body, no election)."""

    members: list[TypedName] = Field(default_factory=list, max_length=200)

    _numbers = typed_numbers(PRESIDIUM_CHOICES)

    def seat(self, session: Session, caller: Caller, meeting: Meeting) -> list[PresidiumMember]:
        named = named_participants(
            session, meeting.id, self.members, "each member of the presidium"
        )
        given = self.model_copy(update={"person_ids": [*self.person_ids, *named]})
        return PresidiumIn.seat(given, session, caller, meeting)


class SittingIn(BaseModel):
    """The meeting's next sitting: its day, and the member of the presidium who chairs it."""

    day: date
    chair_person_id: Id

    def add(self, session: Session, caller: Caller, meeting: Meeting) -> Sitting:
        """The sitting, numbered after the last (``do_add_sitting``)."""
        return do_add_sitting(
            session, caller, meeting, day=self.day, chair_person_id=self.chair_person_id
        )


class SittingForm(SittingIn):
    """``SittingIn`` as the presidium page posts it: the chair chosen among the presidium."""

    _numbers = typed_numbers({"chair_person_id": "the chair must be chosen from the presidium"})
