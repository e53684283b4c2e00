"""What each change of the set-up, accounts and roles asks for, declared once. The API takes
each model as its JSON body and the pages as their form (``Annotated[Model, Form()]``);
``veche init`` builds ``SetupIn`` from its options. Each model makes its change through one
action. (A new account is ``veche.web.inputs.UserIn``.)"""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.accounts import (
    NO_ACCOUNT,
    NewPassword,
    do_change_own_password,
    do_reset_password,
)
from veche.actions.roles import GrantInfo, do_grant_role
from veche.actions.setup import FirstStart, SetUp, do_set_up
from veche.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from veche.models import User
from veche.passwords import MAX_LENGTH, RULE
from veche.permissions import Scope
from veche.web.api.types import Id
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


class GrantIn(BaseModel):
    """A role granted to an account or a person, in the organization or a part of it."""

    role: str = Field(min_length=1, max_length=60)
    scope: Scope
    scope_id: Id = Field(description="the organization's, body's, meeting's or unit's id")
    user_id: Id | None = Field(default=None, description="an account, or else …")
    person_id: Id | None = Field(default=None, description="… a person (a delegate)")

    def grant(self, session: Session, caller: Caller) -> GrantInfo:
        return do_grant_role(session, caller, self.role, **self.model_dump(exclude={"role"}))
