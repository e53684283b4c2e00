"""What each change of a meeting's people asks for, declared once: invitations, offices and
voting weights, attendance at the desk and at the door, access cards, substitutes and
proxies. The API takes each
model as its JSON body and the secretary's desk as its form (``Annotated[Model, Form()]``);
each model makes its change through the same action.

The code of an access card is read here too, once for the door and the login page alike
(``CardCodeIn``): typed with dashes or spaces, in small letters, or scanned from the card's
QR code as the whole address of the login page."""

from __future__ import annotations

import string
import unicodedata
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, Field, model_validator
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.access_codes import ALPHABET, IssuedCode, do_issue_access_codes
from veche.actions.attendance import (
    CheckIn,
    do_check_in,
    do_check_in_by_code,
    do_check_out,
    do_undo_check_in,
)
from veche.actions.org_updates import KEEP, Kept
from veche.actions.participants import MAX_WEIGHT, do_invite, do_update_participant
from veche.actions.stand_ins import do_grant_proxy, do_substitute
from veche.errors import Conflict, InvalidInput
from veche.i18n import _
from veche.models import Meeting, Participant
from veche.models.meetings import Office, ParticipantRole
from veche.queries.desk import cards_printed_since
from veche.queries.sitting import meeting_day
from veche.web.api.types import Id

# --- Invitations and offices ---------------------------------------------------------------


class InviteIn(BaseModel):
    """A person invited by name: an observer (with a category for the report) or a delegate."""

    person_id: Id
    role: ParticipantRole = ParticipantRole.OBSERVER
    category: str = Field(default="", max_length=200)
    weight: int = Field(default=1, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}")

    def invite(self, session: Session, caller: Caller, meeting: Meeting) -> Participant:
        """The participant (``do_invite``)."""
        return do_invite(session, caller, meeting, **self.model_dump())


class InviteForm(BaseModel):
    """``InviteIn`` as the desk posts it: the person chosen from the names a search found (a
    form sent before anyone was chosen says so)."""

    person_id: Id | None = None
    role: ParticipantRole = ParticipantRole.OBSERVER
    category: str = Field(default="", max_length=200)

    def invite(self, session: Session, caller: Caller, meeting: Meeting) -> Participant:
        chosen = _chosen(self.person_id, _("the person to invite"))
        invited = InviteIn(person_id=chosen, role=self.role, category=self.category)
        return invited.invite(session, caller, meeting)


class ParticipantUpdate(BaseModel):
    """A participant's office or voting weight; what is left out stays as it is."""

    office: Office | None = Field(
        default=None, description="chair, secretary or teller; null for none"
    )
    weight: int | None = Field(
        default=None, ge=1, le=MAX_WEIGHT, description=f"1 to {MAX_WEIGHT:,}"
    )

    def office_given(self) -> Office | Kept | None:
        """The office to hold from now, or ``KEEP`` when the change names none."""
        return self.office if "office" in self.model_fields_set else KEEP

    def update(
        self, session: Session, caller: Caller, meeting: Meeting, person_id: int
    ) -> Participant:
        """The participant as changed (``do_update_participant``)."""
        return do_update_participant(
            session, caller, meeting, person_id, office=self.office_given(), weight=self.weight
        )


class OfficeForm(ParticipantUpdate):
    """``ParticipantUpdate`` as the desk posts it for one participant, named in the form: the
    office is chosen from a list whose first entry (none) is sent empty, so the form always
    gives one."""

    person_id: Id

    def office_given(self) -> Office | Kept | None:
        return self.office


# --- Attendance ----------------------------------------------------------------------------


class AttendanceIn(BaseModel):
    """People checked in (or out) for a day of the meeting, one or many at once."""

    person_ids: list[Id] = Field(min_length=1, max_length=10_000)
    day: date | None = Field(
        default=None,
        description="today's date when left out, kept within the meeting's days (its first "
        "day before it, its last after it)",
    )
    present: bool = Field(default=True, description="false checks them out")

    def record(self, session: Session, caller: Caller, meeting: Meeting) -> date:
        """Each one checked in (``do_check_in``) or out (``do_check_out``); the day."""
        day = self.day or meeting_day(meeting, date.today())
        for person_id in self.person_ids:
            if self.present:
                do_check_in(session, caller, meeting, person_id, day)
            else:
                do_check_out(session, caller, meeting, person_id, day)
        return day


class _OneParticipant(BaseModel):
    """A desk form that names one participant (``person_id``: their row's, or the one chosen
    from a list) where the API takes a list of them; an empty choice names nobody."""

    @model_validator(mode="before")
    @classmethod
    def _as_list(cls, data: Any) -> Any:
        if isinstance(data, dict) and "person_ids" not in data:
            chosen = data.get("person_id")
            if chosen not in (None, ""):
                return {**data, "person_ids": [chosen]}
        return data


class AttendanceForm(_OneParticipant, AttendanceIn):
    """``AttendanceIn`` as a row of the desk's list posts it: one participant."""


class CheckInUndoIn(BaseModel):
    """A check-in made by mistake, taken back: one participant's on one day."""

    person_id: Id
    day: date | None = Field(
        default=None,
        description="today's date when left out, kept within the meeting's days",
    )

    def undo(self, session: Session, caller: Caller, meeting: Meeting) -> date:
        """The check-in undone (``do_undo_check_in``); the day."""
        day = self.day or meeting_day(meeting, date.today())
        do_undo_check_in(session, caller, meeting, self.person_id, day)
        return day


#: Symbols read alike on a printed card. Where a code's alphabet keeps one symbol of a group
#: and leaves out the others, what was typed is read as the one it keeps ("O" as "0" if
#: codes have zeros and no O); a group none of whose symbols the alphabet has is refused by
#: name (``check_code_symbols``).
LOOK_ALIKES = ("0O", "1IL")
#: The longest text taken for a code: the whole address of the login page that a card's QR
#: code holds, with the code after '#', on any host.
MOST_CODE_CHARACTERS = 2000


def _look_alike_reading() -> dict[int, str]:
    reading: dict[int, str] = {}
    for group in LOOK_ALIKES:
        kept = [symbol for symbol in group if symbol in ALPHABET]
        if len(kept) == 1:
            reading |= {ord(symbol): kept[0] for symbol in group if symbol != kept[0]}
    return reading


_READING = _look_alike_reading()


def card_code(text: str) -> str:
    """The code of an access card from what was typed or scanned: of a card's whole address
    (``https://host/login/code#ABCD-EFGH-JKMN``) the part after '#'; in capitals, without
    dashes or spaces, full-width letters as plain ones; look-alikes read as the symbols
    codes use."""
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    text = unicodedata.normalize("NFKC", text).upper()
    return "".join(ch for ch in text if ch.isalnum()).translate(_READING)


def check_code_symbols(code: str) -> str:
    """``code`` (read by ``card_code``), or InvalidInput naming the symbols no code has."""
    strangers = sorted({ch for ch in code if ch not in ALPHABET})
    if not strangers:
        return code
    words = {"symbols": ", ".join(strangers), "alphabet": _alphabet_words()}
    if not all(ch.isascii() for ch in strangers):
        raise InvalidInput(
            _(
                "an access code has no %(symbols)s: type it in Latin letters (%(alphabet)s); "
                "check the keyboard's language"
            )
            % words
        )
    raise InvalidInput(
        _("an access code has no %(symbols)s: codes use %(alphabet)s; check the card again") % words
    )


def _alphabet_words() -> str:
    """The symbols of the codes, in words: "the digits 2 to 9 and the letters but I, L, O"."""
    digits = [ch for ch in ALPHABET if ch.isdigit()]
    left_out = [ch for ch in string.ascii_uppercase if ch not in ALPHABET]
    return _("the digits %(first)s to %(last)s and the letters but %(letters)s") % {
        "first": min(digits),
        "last": max(digits),
        "letters": ", ".join(left_out),
    }


#: An access card's code as a form or a JSON body gives it (see ``card_code``).
CardCode = Annotated[
    str,
    Field(
        min_length=1,
        max_length=MOST_CODE_CHARACTERS,
        description="as printed on the card (ABCD-EFGH-JKMN), in any case, with or without "
        "dashes; or the whole address its QR code holds, the code after '#'",
    ),
    AfterValidator(card_code),
]


class CardCodeIn(BaseModel):
    """The code on an access card, typed or scanned: at the door, and on the login page."""

    code: CardCode


class CodeCheckInIn(CardCodeIn):
    """At the door: the holder of an access card, checked in by its code, typed or scanned."""

    day: date | None = Field(default=None, description="today when left out")

    def check_in(self, session: Session, caller: Caller, meeting: Meeting) -> CheckIn:
        """The holder's presence, and whether they were present already
        (``do_check_in_by_code``)."""
        code = check_code_symbols(self.code)
        return do_check_in_by_code(session, caller, meeting, code, self.day)


# --- Access cards --------------------------------------------------------------------------


class AccessCardsIn(BaseModel):
    """New access cards, one per participant: every one of them, or those named."""

    person_ids: list[Id] | None = Field(
        default=None, max_length=10_000, description="every participant when left out"
    )

    def issue(self, session: Session, caller: Caller, meeting: Meeting) -> list[IssuedCode]:
        """The cards with their codes, shown this once (``do_issue_access_codes``)."""
        return do_issue_access_codes(session, caller, meeting, self.person_ids)


class CardsAlreadyPrinted(Conflict):
    """A card form sent again: the cards it asks for were printed after it was shown."""

    def __init__(self, printed: int) -> None:
        super().__init__(
            _(
                "these cards were already printed after this form was shown (%(count)s in "
                "all), and their codes are shown only once"
            )
            % {"count": printed}
        )
        self.printed = printed


class AccessCardsForm(_OneParticipant, AccessCardsIn):
    """``AccessCardsIn`` as the desk posts it: one participant's new card, or everyone's.

    The desk's form carries the newest card of the meeting when it was shown
    (``printed_up_to``): sent again (a reload of the sheet, a second click), it finds the
    cards it asked for printed since and prints nothing, for new cards would void the ones
    just printed. New cards are then printed from a form shown again, on purpose."""

    printed_up_to: int | None = Field(default=None, ge=0)

    def issue(self, session: Session, caller: Caller, meeting: Meeting) -> list[IssuedCode]:
        if self.printed_up_to is not None:
            printed = cards_printed_since(session, meeting.id, self.printed_up_to, self.person_ids)
            if printed:
                raise CardsAlreadyPrinted(printed)
        return super().issue(session, caller, meeting)


# --- Substitutes and proxies ---------------------------------------------------------------


class SubstitutionIn(BaseModel):
    """An alternate standing in for an absent member on a day."""

    member_person_id: Id
    alternate_person_id: Id
    day: date

    def substitute(self, session: Session, caller: Caller, meeting: Meeting) -> None:
        """The alternate paired with the member (``do_substitute``)."""
        do_substitute(session, caller, meeting, **self.model_dump())


class ProxyIn(BaseModel):
    """A member's vote entrusted to another member."""

    grantor_person_id: Id
    holder_person_id: Id

    def grant(self, session: Session, caller: Caller, meeting: Meeting) -> None:
        """The proxy granted (``do_grant_proxy``)."""
        do_grant_proxy(session, caller, meeting, **self.model_dump())


class SubstitutionForm(BaseModel):
    """``SubstitutionIn`` as the desk posts it: each person chosen from the names a search
    found (a form sent before both are chosen says who is missing), on the desk's day."""

    member_person_id: Id | None = None
    alternate_person_id: Id | None = None
    day: date

    def substitute(self, session: Session, caller: Caller, meeting: Meeting) -> SubstitutionIn:
        """The substitution made, each person chosen."""
        stand_in = SubstitutionIn(
            member_person_id=_chosen(self.member_person_id, _("the absent member")),
            alternate_person_id=_chosen(self.alternate_person_id, _("the alternate")),
            day=self.day,
        )
        stand_in.substitute(session, caller, meeting)
        return stand_in


class ProxyForm(BaseModel):
    """``ProxyIn`` as the desk posts it: each member chosen from the names a search found (a
    form sent before both are chosen says who is missing)."""

    grantor_person_id: Id | None = None
    holder_person_id: Id | None = None

    def grant(self, session: Session, caller: Caller, meeting: Meeting) -> ProxyIn:
        """The proxy granted, each member chosen."""
        proxy = ProxyIn(
            grantor_person_id=_chosen(self.grantor_person_id, _("the member who gives the vote")),
            holder_person_id=_chosen(self.holder_person_id, _("the member who holds it")),
        )
        proxy.grant(session, caller, meeting)
        return proxy


def _chosen(person_id: int | None, who: str) -> int:
    """A person chosen on a desk form from the names a search found, or a refusal saying who
    is still to be chosen."""
    if person_id is None:
        raise InvalidInput(_("choose %(who)s: find them by name, then pick them") % {"who": who})
    return person_id
