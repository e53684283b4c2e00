"""What many callers may do in one meeting, read at once (``meeting_permissions_of_many``: a
hall's thousands after a change of who may do what), is exactly what ``meeting_permissions``
says caller by caller — for every stored role granted to an account or a person in the
organization, the meeting's body, the meeting or another meeting, for every place and office
in the meeting, for callers holding through both their account and their person, for logins by
access card (their place alone, in their card's meeting alone), for the operator and for
nobody — and costs the same few queries however many ask."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import count_queries, demo_organization, general_council_term
from veche.actions.access import Caller, meeting_permissions, meeting_permissions_of_many
from veche.actions.actor import Actor
from veche.actions.meetings import do_create_meeting
from veche.actions.org import do_create_person, do_create_user
from veche.actions.participants import do_invite, do_update_participant
from veche.actions.roles import do_grant_role, list_roles
from veche.db import transaction
from veche.models.meetings import Office, ParticipantRole
from veche.permissions import Scope

pytestmark = pytest.mark.demo

PASSWORD = "a holder's own passphrase"
#: Where a role is granted, seen from the meeting asked about.
PLACES = ("organization", "body", "meeting", "other meeting")


def _callers(session: Session) -> tuple[int, list[Caller]]:
    """A meeting of the General Council, and callers holding every way one can hold in it."""
    organization = demo_organization(session)
    system = Caller(Actor.system("tests"), None, True, organization.id)
    term = general_council_term(session)
    today = date.today()
    meeting = do_create_meeting(session, system, term, "Plenary Meeting", starts_on=today)
    other = do_create_meeting(session, system, term, "Second Meeting", starts_on=today)
    grant_in = {
        "organization": (Scope.ORGANIZATION, organization.id),
        "body": (Scope.BODY, term.body_id),
        "meeting": (Scope.MEETING, meeting.id),
        "other meeting": (Scope.MEETING, other.id),
    }
    numbers = iter(range(1_000_000))

    def someone(with_account: bool) -> Caller:
        number = next(numbers)
        person = do_create_person(session, system, organization, f"Holder {number}")
        if not with_account:
            return Caller(Actor(None, person.full_name), person.id, False, organization.id)
        user = do_create_user(
            session, system, organization, f"holder-{number}", PASSWORD, person=person
        )
        return Caller(Actor(user.id, user.username), person.id, False, organization.id)

    callers = []
    for role in list_roles(session):
        for place in PLACES:
            for holder in ("account", "person"):
                caller = someone(with_account=holder == "account")
                scope, scope_id = grant_in[place]
                to = (
                    {"user_id": caller.actor.user_id}
                    if holder == "account"
                    else {"person_id": caller.person_id}
                )
                do_grant_role(session, system, role.name, scope=scope, scope_id=scope_id, **to)
                callers.append(caller)
    for seat in ParticipantRole:
        for office in (None, *Office):
            caller = someone(with_account=True)
            assert caller.person_id is not None
            do_invite(session, system, meeting, caller.person_id, role=seat)
            if office is not None:
                do_update_participant(session, system, meeting, caller.person_id, office=office)
            callers.append(caller)
    # Through both: a seat for the person, a grant to the account, and one with the account
    # alone (its person not named).
    both = someone(with_account=True)
    assert both.person_id is not None
    do_invite(session, system, meeting, both.person_id, role=ParticipantRole.OBSERVER)
    do_grant_role(
        session, system, "secretary", scope=Scope.BODY, scope_id=term.body_id,
        user_id=both.actor.user_id,
    )  # fmt: skip
    account_alone = Caller(both.actor, None, False, organization.id)
    nobody = Caller(Actor(None, "anonymous"), None, False, organization.id)
    unseated = someone(with_account=False)
    # Logged in with an access card of this meeting or of another: only the place counts.
    cards = [
        replace(caller, actor=Actor(None, "card holder"), card_meeting_id=card_meeting)
        for caller in (*callers, both, unseated)
        if caller.person_id is not None
        for card_meeting in (meeting.id, other.id)
    ]
    session.flush()
    session.info.clear()  # no answer remembered from before the grants
    return meeting.id, [*callers, both, account_alone, nobody, unseated, system, *cards]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_read_at_once_each_caller_holds_what_they_hold_one_by_one(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        meeting_id, callers = _callers(session)
    with sessions() as session:
        one_by_one = [meeting_permissions(session, caller, meeting_id) for caller in callers]
        with count_queries(engine) as statements:
            at_once = meeting_permissions_of_many(session, callers, meeting_id)
    assert at_once == one_by_one
    # Two queries for the callers (their grants; their places), one for what the roles grant.
    assert len(statements) == 3
    assert any("meeting.see" in may for may in at_once), "someone sees the meeting"
    assert frozenset() in at_once, "and someone does not"

    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )
    @given(asked=st.lists(st.sampled_from(callers), max_size=30))
    def check(asked: list[Caller]) -> None:
        """Any callers, in any order, some twice: each answer is that caller's own."""
        with sessions() as session:
            expected = [meeting_permissions(session, caller, meeting_id) for caller in asked]
            assert meeting_permissions_of_many(session, asked, meeting_id) == expected

    check()
