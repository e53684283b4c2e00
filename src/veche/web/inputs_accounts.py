"""What each change of the set-up, accounts and roles asks for, declared once. The API takes
each model as its JSON body and the pages as their form (``Annotated[Model, Form()]``);
``veche init`` builds ``SetupIn`` from its options. Each model makes its change through one
action. (A new account is ``veche.web.inputs.UserIn``.) The accounts page names the person and
the account typed, not chosen from lists that would hold a congress's thousands:
``UserForm`` and ``GrantForm`` find whom the name typed names and make the same change."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller, manage_organization
from veche.actions.accounts import (
    NO_ACCOUNT,
    NewPassword,
    do_change_own_password,
    do_reset_password,
)
from veche.actions.roles import GrantInfo, do_grant_role
from veche.actions.setup import FirstStart, SetUp, do_set_up
from veche.collation import typed_name
from veche.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from veche.models import Organization, User
from veche.passwords import MAX_LENGTH, RULE
from veche.permissions import Scope
from veche.queries.accounts import PersonChoice, accounts_named, managed_organization, people_named
from veche.web.api.types import Id
from veche.web.form_fields import as_posted
from veche.web.inputs import UserIn
from veche.web.logins import log_in_with_password


class SetupIn(BaseModel):
    """The first start: the organization and its first secretary's login (an administrator)."""

    organization: str = Field(min_length=1, max_length=200, description="its full name")
    short_name: str = Field(
        default="", max_length=40, description="what the pages' header shows; optional"
    )
    username: str = Field(min_length=1, max_length=100, description="the first secretary's")
    password: str = Field(min_length=1, max_length=MAX_LENGTH, description=RULE)

    def set_up(self, session: Session, via: str) -> SetUp:
        """The organization and its first account (``do_set_up``), once."""
        start = FirstStart(self.organization, self.short_name, self.username, self.password)
        return do_set_up(session, start, via=via)


class PasswordResetIn(BaseModel):
    """A new password for someone's account, set by those who manage accounts."""

    new_password: str = Field(min_length=1, max_length=MAX_LENGTH, description=RULE)

    def reset(self, session: Session, caller: Caller, account_id: int, *, keep: str | None) -> User:
        """Hashed first, then set in the session's transaction (``do_reset_password``)."""
        new = NewPassword.of(self.new_password)
        with session.begin():
            return do_reset_password(session, caller, account_id, new, keep=keep)


class PasswordChangeIn(BaseModel):
    """One's own new password, with the current one to prove it is theirs."""

    current_password: str = Field(min_length=1, max_length=MAX_LENGTH)
    new_password: str = Field(min_length=1, max_length=MAX_LENGTH, description=RULE)

    def change(self, request: Request, caller: Caller, *, keep: str | None) -> None:
        """Check the current password as a login does (throttled together with the logins,
        so that a borrowed session cannot guess it), then change it
        (``do_change_own_password``); the login ``keep`` names stays."""
        if caller.actor.user_id is None:
            raise Conflict(NO_ACCOUNT)
        if self.new_password == self.current_password:
            raise InvalidInput("the new password is the one you have now; choose another")
        new = NewPassword.of(self.new_password, caller.actor.name)

        def change(session: Session, user: User) -> None:
            do_change_own_password(session, caller, user, new, keep=keep)

        try:
            log_in_with_password(request, caller.actor.name, self.current_password, change)
        except NotAuthenticated:
            raise Forbidden("the current password is not right; nothing was changed") from None


class PasswordChangeForm(PasswordChangeIn):
    """``PasswordChangeIn`` as the page posts it: the new password typed twice, since a
    password field hides what is typed and a slip would lock its owner out."""

    new_password_again: str = Field(min_length=1, max_length=MAX_LENGTH)

    def change(self, request: Request, caller: Caller, *, keep: str | None) -> None:
        if self.new_password_again != self.new_password:
            raise InvalidInput("the new password and its repetition differ: type the same twice")
        super().change(request, caller, keep=keep)


class GrantIn(BaseModel):
    """A role granted to an account or a person, in the organization or a part of it."""

    role: str = Field(min_length=1, max_length=60)
    scope: Scope
    scope_id: Id = Field(description="the organization's, body's, meeting's or unit's id")
    user_id: Id | None = Field(default=None, description="an account, or else …")
    person_id: Id | None = Field(default=None, description="… a person (a delegate)")

    def grant(self, session: Session, caller: Caller) -> GrantInfo:
        return do_grant_role(session, caller, self.role, **self.model_dump(exclude={"role"}))


# --- Names typed on the accounts page -------------------------------------------------------


class RefusedAt(InvalidInput):
    """A name typed in a form's field that names no one, or more than one: said at the field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


#: The namesakes a refusal names, for the secretary to copy one; more are counted.
NAMESAKES_SAID = 5

#: A name told apart from its namesakes: "Anna Petrova <anna@example.org>" or
#: "Anna Petrova (person 17)", as ``person_labels`` writes it.
_TOLD_APART = re.compile(r"(?P<name>.*?)\s*(?:<(?P<email>[^<>]*)>|\(person (?P<number>\d{1,9})\))")


def namesake_label(person: PersonChoice) -> str:
    """A person's name with what tells them from their namesakes: the e-mail address, unique
    in the organization, or else their number."""
    if person.email:
        return f"{person.full_name} <{person.email}>"
    return f"{person.full_name} (person {person.id})"


def person_labels(people: Iterable[PersonChoice]) -> list[str]:
    """The names the accounts page offers for the people without an account: the full name,
    or for namesakes ``namesake_label``, so that each names one."""
    listed = list(people)
    counted = Counter(typed_name(person.full_name) for person in listed)
    return [
        person.full_name if counted[typed_name(person.full_name)] == 1 else namesake_label(person)
        for person in listed
    ]


def _person_named(session: Session, organization: Organization, typed: str) -> int:
    """The person without an account whom ``typed`` names (a full name, or a namesake's
    label), or the refusal at the field, saying how to name them."""
    told = _TOLD_APART.fullmatch(typed)
    name = told["name"] if told else typed
    named = people_named(session, organization, name)
    if told:
        email, number = (told["email"] or "").strip().casefold(), told["number"]
        named = [
            person
            for person in named
            if (email and (person.email or "").casefold() == email)
            or (number and person.id == int(number))
        ]
    free = [person for person in named if person.username is None]
    if len(free) == 1:
        return free[0].id
    if not named:
        raise RefusedAt(
            "person",
            f"no person of the organization is named {typed!r}: type the full name as the "
            "people's page gives it, or leave it empty for a login of its own",
        )
    if not free:
        logins = ", ".join(repr(person.username) for person in named)
        who = typed if len(named) == 1 else f"everyone named {typed}"
        raise RefusedAt("person", f"{who} has a login already: {logins}")
    labels = [repr(namesake_label(person)) for person in free]
    more = len(labels) - NAMESAKES_SAID
    listed = ", ".join(labels[:NAMESAKES_SAID]) + (f" and {more} more" if more > 0 else "")
    raise RefusedAt(
        "person",
        f"{len(free)} people without a login are named {typed!r}: type the name with the "
        f"e-mail address or number of the one you mean, as one of {listed}",
    )


class UserForm(UserIn):
    """``UserIn`` as the accounts page posts it: the person typed by name (``person_labels``),
    or left empty for a login of its own. A form without the field gives the person by id,
    as the API."""

    person: str | None = Field(default=None, max_length=500)

    def user(self, session: Session, caller: Caller) -> UserIn:
        """The account asked for, its person found by the name typed, else refused at the
        field. Only those who manage accounts learn whether a name is the organization's."""
        fields = self.model_dump(exclude={"person"})
        if self.person is not None:
            organization = managed_organization(session, caller)
            typed = " ".join(self.person.split())
            fields["person_id"] = _person_named(session, organization, typed) if typed else None
        return UserIn(**fields)

    def create(self, session: Session, caller: Caller) -> User:
        return self.user(session, caller).create(session, caller)


def _where_read(cls: Any, data: dict[str, Any]) -> dict[str, Any]:
    """The scope and its id as the page's one choice sends them, "body:3"; a choice that is
    no such pair is left for the fields' own checks to refuse."""
    where = data.pop("where", None)
    if isinstance(where, str) and where.count(":") == 1:
        data["scope"], data["scope_id"] = where.split(":")
    return data


class GrantForm(GrantIn):
    """``GrantIn`` as the accounts page posts it: the account typed, by its user name or its
    holder's full name, and where, as one choice ("body:3"). A form without those fields
    gives the account by id and the scope by its two fields, as the API."""

    account: str | None = Field(default=None, max_length=500)

    _where = as_posted(_where_read)

    def granted(self, session: Session, caller: Caller) -> GrantIn:
        """The grant asked for, to the active account the name typed names, else refused at
        the field. Only those who grant roles learn whether a name is an account's."""
        fields = self.model_dump(exclude={"account"})
        # A field left empty is not sent: the account typed, or else the API's ids, is asked for.
        if self.account is not None or (self.user_id is None and self.person_id is None):
            organization = manage_organization(session, caller)
            typed = " ".join((self.account or "").split())
            if not typed:
                raise RefusedAt("account", "type the account's user name, or its holder's name")
            found = accounts_named(session, organization, typed)
            if not found:
                raise RefusedAt(
                    "account",
                    f"no account has the user name {typed!r}, nor a holder of that name: "
                    "type a user name as the list of accounts gives it",
                )
            if len(found) > 1:
                names = ", ".join(repr(account.username) for account in found)
                raise RefusedAt(
                    "account",
                    f"{len(found)} accounts are held by people named {typed!r}: type the user "
                    f"name of the one you mean: {names}",
                )
            (account,) = found
            if not account.active:
                raise RefusedAt(
                    "account",
                    f"the account {account.username!r} is deactivated: activate it before "
                    "granting it a role",
                )
            fields |= {"user_id": account.id, "person_id": None}
        return GrantIn(**fields)

    def grant(self, session: Session, caller: Caller) -> GrantInfo:
        return self.granted(session, caller).grant(session, caller)
