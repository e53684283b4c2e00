"""Tokens: log in with a password, or have the secretary issue one to a person."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from veche.actions.auth import do_issue_token, do_login
from veche.errors import Forbidden, NotFound
from veche.models import Person
from veche.web.deps import CallerDep, SessionDep

router = APIRouter(tags=["authentication"])


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(BaseModel):
    token: str
    token_type: str = "bearer"


@router.post("/tokens", status_code=201)
def login(body: Login, session: SessionDep) -> TokenOut:
    """Exchange a user name and password for a bearer token."""
    with session.begin():
        return TokenOut(token=do_login(session, body.username, body.password))


@router.post("/people/{person_id}/tokens", status_code=201)
def issue_person_token(person_id: int, caller: CallerDep, session: SessionDep) -> TokenOut:
    """An administrator issues a bearer token to a person (a delegate without an account)."""
    with session.begin():
        if not caller.is_admin:
            raise Forbidden("only an administrator may issue tokens to people")
        person = session.get(Person, person_id)
        if person is None or person.organization_id != caller.organization_id:
            raise NotFound(f"there is no person {person_id} in this organization")
        return TokenOut(token=do_issue_token(session, caller.actor, person=person))
