"""Bearer tokens expire and can be revoked, ballots included; holders and the secretary list
them, and never see a token again."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly, client_key
from tests.helpers import count_queries, journaled
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.auth import token_callers
from veche.actions.journal_actions import JournalAction
from veche.actions.org import do_create_organization, do_create_person
from veche.actions.tokens import do_issue_token
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.errors import NotAuthenticated
from veche.models import ApiToken, JournalEntry, User
from veche.models.base import utcnow

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

LOG_IN_AGAIN = "log in again"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _issue(assembly: Assembly, person_id: int) -> dict[str, Any]:
    response = assembly.client.post(f"/api/people/{person_id}/tokens", headers=assembly.secretary)
    assert response.status_code == 201, response.text
    issued: dict[str, Any] = response.json()
    return issued


def _expire(sessions: sessionmaker[Session], token_id: int) -> None:
    with transaction(sessions) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


def _listed(assembly: Assembly, headers: dict[str, str], query: str = "") -> list[dict[str, Any]]:
    response = assembly.client.get(f"/api/tokens{query}", headers=headers)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


def test_a_token_lasts_the_configured_lifetime_then_asks_to_log_in_again(
    assembly: Assembly, sessions: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VECHE_TOKEN_LIFETIME_HOURS", "2")
    username, password = DEMO_SECRETARY
    before = utcnow()
    login = assembly.client.post(
        "/api/tokens", json={"username": username, "password": password, "label": "laptop"}
    )
    assert login.status_code == 201, login.text
    issued = login.json()
    expires = datetime.fromisoformat(issued["expires_at"])
    assert before + timedelta(hours=2) <= expires <= utcnow() + timedelta(hours=2)
    headers = _bearer(issued["token"])
    assert assembly.client.get("/api/tokens", headers=headers).status_code == 200

    _expire(sessions, issued["id"])
    refused = assembly.client.get("/api/tokens", headers=headers)
    assert refused.status_code == 401
    assert LOG_IN_AGAIN in refused.json()["detail"]


def test_an_expired_or_revoked_token_casts_no_ballot(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    expired_voter, revoked_voter, voter = assembly.members[:3]
    assembly.check_in([expired_voter, revoked_voter, voter])
    poll = assembly.create_poll(title="Adopt the agenda", kind="decision", method="majority")
    assembly.open(int(poll["id"]))
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    expired = _issue(assembly, expired_voter)
    revoked = _issue(assembly, revoked_voter)
    valid = _issue(assembly, voter)
    _expire(sessions, expired["id"])
    gone = assembly.client.delete(f"/api/tokens/{revoked['id']}", headers=assembly.secretary)
    assert gone.status_code == 204, gone.text

    def vote(token: str) -> Any:
        return assembly.client.post(
            f"/api/polls/{poll['id']}/ballots",
            json={"choice": {"option": yes}, "client_key": client_key()},
            headers=_bearer(token),
        )

    for token in (expired["token"], revoked["token"]):
        refused = vote(token)
        assert refused.status_code == 401, refused.text
        assert LOG_IN_AGAIN in refused.json()["detail"]
    assert vote(valid["token"]).status_code == 201
    count = assembly.client.get(f"/api/polls/{poll['id']}/count", headers=assembly.secretary)
    assert count.json()["electronic"] == 1


def test_ballots_sign_in_with_one_query_that_knows_expiry(
    assembly: Assembly, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    first, second = assembly.members[:2]
    valid, expired = _issue(assembly, first), _issue(assembly, second)
    _expire(sessions, expired["id"])
    with sessions() as session, session.begin(), count_queries(engine) as statements:
        found = token_callers(session, [valid["token"], expired["token"], "never-issued"])
    queries = [s for s in statements if "SELECT" in s.upper()]
    assert len(queries) == 1 and "api_token" in queries[0]
    caller = found[valid["token"]]
    assert isinstance(caller, Caller) and caller.person_id == first
    for refused in (found[expired["token"]], found["never-issued"]):
        assert isinstance(refused, NotAuthenticated) and LOG_IN_AGAIN in refused.message


def test_a_holder_lists_and_revokes_only_their_own_tokens(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    delegate = assembly.members[0]
    mine = _issue(assembly, delegate)
    spare = _issue(assembly, delegate)
    other = _issue(assembly, assembly.members[1])
    headers = _bearer(mine["token"])

    listed = _listed(assembly, headers)
    assert [t["id"] for t in listed] == [mine["id"], spare["id"]]
    assert listed[0]["person_id"] == delegate and listed[0]["user_id"] is None
    assert listed[0]["label"] == f"issued by {DEMO_SECRETARY[0]}"
    assert all("token" not in t and "token_hash" not in t for t in listed)
    assert mine["token"] not in str(listed)

    everyone = assembly.client.get("/api/tokens?all=true", headers=headers)
    assert everyone.status_code == 403 and "all=true" in everyone.json()["detail"]
    theirs = assembly.client.delete(f"/api/tokens/{other['id']}", headers=headers)
    assert theirs.status_code == 404 and "GET /api/tokens" in theirs.json()["detail"]
    assert assembly.client.get("/api/tokens", headers=_bearer(other["token"])).status_code == 200

    assert assembly.client.delete(f"/api/tokens/{spare['id']}", headers=headers).status_code == 204
    assert [t["id"] for t in _listed(assembly, headers)] == [mine["id"]]
    assert assembly.client.get("/api/tokens", headers=_bearer(spare["token"])).status_code == 401
    # Revoking the token in use logs out.
    assert assembly.client.delete(f"/api/tokens/{mine['id']}", headers=headers).status_code == 204
    assert assembly.client.get("/api/tokens", headers=headers).status_code == 401
    revoked = journaled(sessions, JournalAction.REVOKE_TOKEN)
    assert [entry["token_id"] for entry in revoked] == [spare["id"], mine["id"]]


def test_the_secretary_lists_and_revokes_any_token_of_the_organization_only(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    delegate = assembly.members[0]
    issued = _issue(assembly, delegate)
    with transaction(sessions) as session:
        system = Actor.system("tests")
        operator = Caller(system, None, True, None)
        elsewhere = do_create_organization(session, operator, "Another Union")
        stranger = do_create_person(session, operator, elsewhere, "Someone Else")
        foreign = do_issue_token(session, system, person=stranger, lifetime=timedelta(hours=1))

    everyone = _listed(assembly, assembly.secretary, "?all=true")
    holders = {t["id"]: (t["username"], t["person_id"], t["full_name"]) for t in everyone}
    assert holders[issued["id"]][1] == delegate and holders[issued["id"]][2]
    assert any(username == DEMO_SECRETARY[0] for username, _, _ in holders.values())
    assert foreign.id not in holders
    # Without all=true, the secretary sees their own logins only.
    assert issued["id"] not in {t["id"] for t in _listed(assembly, assembly.secretary)}

    abroad = assembly.client.delete(f"/api/tokens/{foreign.id}", headers=assembly.secretary)
    assert abroad.status_code == 404
    revoked = assembly.client.delete(f"/api/tokens/{issued['id']}", headers=assembly.secretary)
    assert revoked.status_code == 204
    refused = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}", headers=_bearer(issued["token"])
    )
    assert refused.status_code == 401 and LOG_IN_AGAIN in refused.json()["detail"]
    assert issued["id"] not in {t["id"] for t in _listed(assembly, assembly.secretary, "?all=true")}
    with sessions() as session:
        entry = session.scalars(
            select(JournalEntry).where(JournalEntry.action == JournalAction.REVOKE_TOKEN)
        ).one()
    assert entry.actor_name == DEMO_SECRETARY[0]
    assert entry.payload == {"token_id": issued["id"], "user_id": None, "person_id": delegate}


def test_a_revoked_token_stays_revoked_and_its_id_is_never_reused(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    delegate = assembly.members[0]
    kept, expired = _issue(assembly, delegate), _issue(assembly, delegate)
    # The newest token: SQLite would give its id to the next row, were its row deleted.
    revoked = _issue(assembly, delegate)
    _expire(sessions, expired["id"])
    headers = _bearer(kept["token"])
    assert (
        assembly.client.delete(f"/api/tokens/{revoked['id']}", headers=headers).status_code == 204
    )
    again = assembly.client.delete(f"/api/tokens/{revoked['id']}", headers=headers)
    assert again.status_code == 404
    new = _issue(assembly, delegate)
    assert new["id"] > revoked["id"]
    assert [t["id"] for t in _listed(assembly, headers)] == [kept["id"], new["id"]]
    assert assembly.client.get("/api/tokens", headers=_bearer(revoked["token"])).status_code == 401


def test_a_disabled_accounts_token_is_refused_saying_why(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    assert assembly.client.get("/api/tokens", headers=assembly.secretary).status_code == 200
    with transaction(sessions) as session:
        session.execute(update(User).where(User.username == DEMO_SECRETARY[0]).values(active=False))
    refused = assembly.client.get("/api/tokens", headers=assembly.secretary)
    assert refused.status_code == 401
    assert "disabled" in refused.json()["detail"]
