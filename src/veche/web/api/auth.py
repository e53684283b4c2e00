"""Tokens: log in with a password, or have the secretary issue one to a person; list and
revoke them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from veche.actions.actor import Actor
from veche.actions.tokens import (
    IssuedToken,
    TokenInfo,
    do_issue_person_token,
    do_issue_token,
    do_revoke_token,
    list_tokens,
)
from veche.config import Settings
from veche.models import User
from veche.web.api.refusals import REFUSALS, Refusal
from veche.web.api.rows import Transaction
from veche.web.api.types import Id
from veche.web.deps import CallerDep
from veche.web.logins import log_in_with_password

router = APIRouter(tags=["authentication"], responses=REFUSALS)
#: Logins are throttled (veche.web.logins): too many failures are answered 429.
THROTTLED: dict[int | str, dict[str, object]] = {
    429: {"model": Refusal, "description": "too many failed logins: wait Retry-After seconds"}
}


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)
    label: str = Field(
        default="", max_length=100, description="a name to tell this token by: 'my phone'"
    )


class TokenOut(BaseModel):
    id: int
    token: str
    token_type: str = "bearer"
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedToken) -> TokenOut:
        return cls(id=issued.id, token=issued.token, expires_at=issued.expires_at)


@router.post("/tokens", status_code=201, responses=THROTTLED)
def login(body: Login, request: Request) -> TokenOut:
    """Exchange a user name and password for a bearer token, which works until
    ``expires_at``. Failures are throttled together with the login page's: 429, with
    Retry-After, after too many."""
    lifetime = Settings().token_lifetime

    def issue(session: Session, user: User) -> IssuedToken:
        return do_issue_token(
            session,
            Actor.of(user),
            user=user,
            person=user.person,
            lifetime=lifetime,
            label=body.label,
        )

    return TokenOut.of(log_in_with_password(request, body.username, body.password, issue))


@router.get("/tokens")
def tokens(
    caller: CallerDep,
    session: Transaction,
    everyone: Annotated[bool, Query(alias="all")] = False,
) -> list[TokenInfo]:
    """The caller's tokens that still work; ``all=true``: an administrator's list of every
    such token of the organization."""
    return list_tokens(session, caller, everyone=everyone)


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(token_id: Id, caller: CallerDep, session: Transaction) -> Response:
    """Revoke one of the caller's tokens (an administrator: any of the organization's); it
    stops working at once."""
    do_revoke_token(session, caller, token_id)
    return Response(status_code=204)


@router.post("/people/{person_id}/tokens", status_code=201)
def issue_person_token(person_id: Id, caller: CallerDep, session: Transaction) -> TokenOut:
    """An administrator issues a bearer token to a person (a delegate without an account)."""
    issued = do_issue_person_token(session, caller, person_id, lifetime=Settings().token_lifetime)
    return TokenOut.of(issued)
