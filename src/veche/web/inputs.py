"""What each change asks for, declared once: the API takes a model as its JSON body and the
pages as their form (``Annotated[Model, Form()]``), and each model makes its change through
the same action, so that the two front-ends take the same input and answer it alike."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import UploadFile
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller, OrganizationRow, caller_organization, organization_row
from veche.actions.imports import ImportSummary, import_members
from veche.actions.meetings import do_create_meeting
from veche.actions.org import (
    do_add_membership,
    do_create_body,
    do_create_person,
    do_create_term,
    do_create_user,
)
from veche.actions.polls import PollSubject, do_create_poll
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Body, Meeting, Membership, Person, Poll, Term, Unit, User
from veche.models.meetings import MeetingKind
from veche.models.org import MembershipRole
from veche.models.polls import PollKind, RevotePolicy, Secrecy, VoteBy
from veche.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from veche.passwords import RULE as PASSWORD_RULE
from veche.quorum import DEFAULT_QUORUM, Quorum
from veche.tally import TallyError
from veche.tally.methods._options import fraction_option
from veche.web.api.types import Id
from veche.web.form_fields import as_posted


def optional_row(
    session: Session,
    caller: Caller,
    model: type[OrganizationRow],
    row_id: int | None,
    what: str,
) -> OrganizationRow | None:
    """The row of the caller's organization an id field names (404 if another's), or
    ``None`` when the field is left empty."""
    return None if row_id is None else organization_row(session, caller, model, row_id, what)


# --- Polls ---------------------------------------------------------------------------------

#: The rule that needs a share and a base: "at least 3/5 of the members present".
CUSTOM_RULE = "qualified"
#: A decision's majority in the chair's words, beside the engine's own ``method_options``.
MAJORITY_FIELDS = ("rule", "fraction", "base", "abstentions_count")


class PollIn(BaseModel):
    """A new poll in draft: a decision, a choice among options, or an election."""

    title: str = Field(min_length=1, max_length=300)
    kind: PollKind
    method: str | None = Field(
        default=None,
        description="a counting method of `veche count --list-methods`; a decision is "
        "counted by `majority`, the method it takes when none is named",
    )
    seats: int = Field(default=1, ge=1, le=1000)
    vote_by: VoteBy = Field(
        default=VoteBy.BALLOT,
        description="ballot; or show_of_hands or standing: counted in the hall, the tellers "
        "enter the totals (a method of one choice, never secret)",
    )
    secrecy: Secrecy | None = Field(
        default=None,
        description="secret or named; left out, a ballot is secret and a vote counted in the "
        "hall named (open)",
    )
    revote: RevotePolicy = RevotePolicy.NONE
    options: list[str] = Field(
        default_factory=list,
        max_length=1000,
        description="a choice's options; an election's candidates who stand on the chair's "
        "word that they accept (others are nominated later and answer for themselves)",
    )
    method_options: dict[str, Any] = Field(
        default_factory=dict,
        description="the counting method's options as the engine names them; a decision's "
        "majority may be given as `rule`, `fraction`, `base` and `abstentions_count` instead",
    )
    rule: str | None = Field(
        default=None,
        max_length=40,
        description="a decision's majority: simple, absolute-of-cast, absolute-of-present, "
        "absolute-of-members, qualified (a share of your choice) or unanimity",
    )
    fraction: str = Field(
        default="",
        max_length=40,
        description="for the rule qualified: the share of yes votes required, such as 2/3",
    )
    base: str = Field(
        default="cast",
        max_length=20,
        description="for the rule qualified: a share of the votes cast, of the members "
        "present, or of all members (cast, present, members)",
    )
    abstentions_count: bool = Field(
        default=False, description="whether abstentions count as votes cast"
    )
    max_score: int = Field(default=10, ge=1, le=1000)
    electronic: bool = True
    description: str = Field(default="", max_length=10_000)
    approves_agenda: bool = Field(default=False, description="a decision approving the agenda")
    agenda_item_id: Id | None = Field(default=None, description="the agenda item it belongs to")
    motion_id: Id | None = Field(default=None, description="the motion it decides")
    board_shows_choices: bool = Field(
        default=True,
        description="whether the bulletin board shows each counted ballot's choice beside its "
        "receipt, and offers the ballots as a file to recount; false lists receipts alone "
        "(ranked ballots of a small electorate can be as telling as a signature)",
    )

    def counting_options(self) -> dict[str, Any]:
        """The counting method's options: as given, or the majority a decision's rule names."""
        if self.rule is None:
            if self.fraction.strip() or self.abstentions_count:
                raise InvalidInput(
                    "name the majority's rule (such as 'qualified' for a share of your "
                    "choice) with its fraction or abstentions_count"
                )
            return self.method_options
        if self.kind is not PollKind.DECISION:
            raise InvalidInput(
                f"a majority rule is for decisions; a {self.kind.value} takes the options "
                "of its counting method (method_options)"
            )
        if self.method_options:
            raise InvalidInput(
                "give a decision's majority either as rule, fraction, base and "
                "abstentions_count or as method_options, not both"
            )
        return majority_options(self.rule, self.fraction, self.base, self.abstentions_count)

    def create(self, session: Session, caller: Caller, meeting: Meeting) -> Poll:
        """The poll asked for, in draft (``do_create_poll``)."""
        return do_create_poll(
            session,
            caller,
            meeting,
            title=self.title,
            kind=self.kind,
            method=self.method,
            seats=self.seats,
            secrecy=self.secrecy,
            revote=self.revote,
            options=self.options,
            method_options=self.counting_options(),
            max_score=self.max_score,
            electronic=self.electronic,
            description=self.description,
            subject=PollSubject(self.approves_agenda, self.agenda_item_id, self.motion_id),
            board_shows_choices=self.board_shows_choices,
            vote_by=self.vote_by,
        )


#: The console's kind for a decision that approves the agenda (``approves_agenda``).
AGENDA_KIND = "agenda"


class PollForm(PollIn):
    """``PollIn`` as the chair's console posts it. Without scripts a form sends every field
    it shows, whatever the kind chosen: what a decision does not take (a method: it is
    counted by majority; options: they are yes, no and abstain; seats) and the majority a
    choice or an election does not have are left out, and a decision's rule is simple unless
    another is chosen; so is the secrecy of a ballot, when the vote is counted in the hall.
    The options come as one text, a line each. The kind ``agenda`` is a decision approving the
    agenda, on no item. A poll belongs to the agenda item chosen, or, deciding a motion, to
    the motion's item; an item or a motion left unchosen is none."""

    @as_posted
    def _as_posted(cls, posted: dict[str, Any]) -> dict[str, Any]:
        for name in ("agenda_item_id", "motion_id"):
            if isinstance(posted.get(name), str) and not posted[name].strip():
                posted.pop(name)
        if posted.get("kind") == AGENDA_KIND:
            posted.update(kind=PollKind.DECISION, approves_agenda=True)
            posted.pop("agenda_item_id", None)
            posted.pop("motion_id", None)
        if "options" in posted:
            posted["options"] = _lines(posted["options"])
        if posted.get("kind") == PollKind.DECISION:
            for name in ("method", "options", "seats"):
                posted.pop(name, None)
            posted.setdefault("rule", "simple")
            if "motion_id" in posted:
                posted.pop("agenda_item_id", None)
        else:
            for name in (*MAJORITY_FIELDS, "motion_id"):
                posted.pop(name, None)
        if posted.get("vote_by", VoteBy.BALLOT) != VoteBy.BALLOT:
            posted.pop("secrecy", None)
        return posted


def _lines(value: Any) -> Any:
    """The non-empty lines of a text (or of each text of a list), stripped."""
    texts = [value] if isinstance(value, str) else value
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        return value  # the field's own validation says what is wrong
    return [line.strip() for text in texts for line in text.splitlines() if line.strip()]


def majority_options(
    rule: str, fraction: str, base: str, abstentions_count: bool
) -> dict[str, Any]:
    """The poll's method options for the rule chosen, or InvalidInput saying what is wrong;
    the members present and in office are the poll's to supply at the close."""
    options: dict[str, Any] = {"rule": rule}
    if rule == CUSTOM_RULE:
        options["fraction"] = _share(fraction)
        options["base"] = base
    elif fraction.strip():
        raise InvalidInput(
            _("a share such as 2/3 goes with the rule 'a share of your choice', not %(rule)s")
            % {"rule": rule}
        )
    if abstentions_count:
        options["abstentions_count"] = True
    return options  # creating the poll tries the rule on the counting engine


def _share(text: str) -> str:
    """A share as the engine reads it, kept as an exact "n/d"."""
    if not text.strip():
        raise InvalidInput(
            _("give the share of yes votes required, such as 2/3 or 3/5, for a custom majority")
        )
    try:
        share = fraction_option("fraction", text)
    except TallyError:
        raise InvalidInput(
            _("the share of yes votes required must be a fraction such as 2/3, not %(text)r")
            % {"text": text.strip()}
        ) from None
    return f"{share.numerator}/{share.denominator}"


# --- Meetings ------------------------------------------------------------------------------


#: The highest number a meeting (or a term) may be given: far above any body's count.
MAX_NUMBER = 10_000


class MeetingIn(BaseModel):
    """A meeting of a term, convened with its members and alternates invited; numbered as
    the body numbers it, or the term's next."""

    term_id: Id
    title: str = Field(min_length=1, max_length=300)
    starts_on: date = Field(description="the first day, within the term's dates")
    ends_on: date | None = Field(default=None, description="the last day; the first if left out")
    kind: MeetingKind = MeetingKind.ORDINARY
    venue: str = Field(default="", max_length=300)
    convened_by_body_id: Id | None = None
    notice: str = Field(default="", max_length=100_000)
    number: int | None = Field(
        default=None,
        ge=1,
        le=MAX_NUMBER,
        description="its number in the term (the 8th meeting: 8), unique in the term; the "
        "next after the term's highest if left out",
    )

    def convene(self, session: Session, caller: Caller) -> Meeting:
        term = organization_row(session, caller, Term, self.term_id, "term")
        convener = optional_row(session, caller, Body, self.convened_by_body_id, "body")
        given = self.model_dump(exclude={"term_id", "convened_by_body_id"})
        return do_create_meeting(session, caller, term, **given, convened_by=convener)


# --- The organization ----------------------------------------------------------------------


class BodyIn(BaseModel):
    """A body of the organization: a council, a bureau, a commission."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=2000)
    quorum: str = Field(
        default=str(DEFAULT_QUORUM),
        max_length=20,
        description="the share of members a quorum needs",
    )
    parent_id: Id | None = Field(default=None, description="the body it belongs to, if any")
    alternates_vote_for_absent: bool = True
    max_proxies_per_member: int = Field(default=0, ge=0, le=1000)

    def create(self, session: Session, caller: Caller) -> Body:
        quorum = Quorum.parse(self.quorum)
        parent = optional_row(session, caller, Body, self.parent_id, "body")
        organization = caller_organization(session, caller)
        given = self.model_dump(exclude={"quorum", "parent_id"})
        return do_create_body(session, caller, organization, **given, quorum=quorum, parent=parent)


class TermIn(BaseModel):
    """A new term of a body; its number follows the last one unless given."""

    body_id: Id
    starts_on: date
    ends_on: date | None = None
    number: int | None = Field(default=None, ge=1, le=MAX_NUMBER)

    def open(self, session: Session, caller: Caller) -> Term:
        body = organization_row(session, caller, Body, self.body_id, "body")
        return do_create_term(
            session, caller, body, self.starts_on, number=self.number, ends_on=self.ends_on
        )


class PersonIn(BaseModel):
    """A person of the organization (a member, a guest); seats and accounts come after."""

    full_name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    unit_id: Id | None = Field(default=None, description="the unit (branch) they belong to")

    def create(self, session: Session, caller: Caller) -> Person:
        unit = optional_row(session, caller, Unit, self.unit_id, "unit")
        organization = caller_organization(session, caller)
        given = self.model_dump(exclude={"unit_id"})
        return do_create_person(session, caller, organization, **given, unit=unit)


class MembershipIn(BaseModel):
    """A seat: a person is a member or an alternate of a body in one of its terms."""

    person_id: Id
    term_id: Id
    role: MembershipRole = MembershipRole.MEMBER
    from_date: date | None = Field(default=None, description="from the term's start if left out")
    to_date: date | None = Field(default=None, description="to the term's end if left out")

    def add(self, session: Session, caller: Caller) -> Membership:
        person = organization_row(session, caller, Person, self.person_id, "person")
        term = organization_row(session, caller, Term, self.term_id, "term")
        given = self.model_dump(exclude={"person_id", "term_id"})
        return do_add_membership(session, caller, person, term, **given)


class UserIn(BaseModel):
    """An account that logs in with a password, for one of the organization's people or none."""

    username: str = Field(min_length=1, max_length=100)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH, description=PASSWORD_RULE)
    person_id: Id | None = None
    administrator: bool = Field(default=False, description="holds every right in the organization")

    def create(self, session: Session, caller: Caller) -> User:
        person = optional_row(session, caller, Person, self.person_id, "person")
        organization = caller_organization(session, caller)
        given = self.model_dump(exclude={"person_id"})
        return do_create_user(session, caller, organization, **given, person=person)


#: The largest member list a secretary may upload at once.
MAX_IMPORT_BYTES = 5_000_000


def read_member_list(file: UploadFile) -> tuple[str, str]:
    """An uploaded member list's text and the name it is known by, or InvalidInput. Read
    from a worker thread, as the route that imports it works with the database there."""
    data = file.file.read(MAX_IMPORT_BYTES + 1)
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_IMPORT_BYTES // 1_000_000} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text; save it as CSV (UTF-8)") from None
    return text, file.filename or "the uploaded file"


def import_member_list(session: Session, caller: Caller, text: str, source: str) -> ImportSummary:
    """Import people and seats into the caller's organization: every row, or none."""
    return import_members(session, caller, caller_organization(session, caller), text, source)
