"""A panel's chair speaks for the panel as the meeting's chair may (``motions.manage``), though
no role grants the seat: whoever resets their password or gives them a token must hold that
in the panel's meeting, else a clerk who manages accounts could speak for the panel."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import create_app
from tests.assembly import Assembly, Convened, bearer_token

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

PASSWORD = "clerks keep the books"


@pytest.fixture
def hall(engine: Engine, convened: Convened) -> Iterator[Assembly]:
    with TestClient(create_app(engine)) as client:
        yield convened.on(client)


def _send(hall: Assembly, method: str, path: str, as_: dict[str, str], **body: Any) -> Any:
    return hall.client.request(method, f"/api{path}", json=body or None, headers=as_)


def _define_role(hall: Assembly, name: str, permissions: list[str]) -> None:
    defined = _send(
        hall, "PUT", f"/roles/{name}", hall.secretary, label=name, permissions=permissions
    )
    assert defined.status_code in (200, 201), defined.text


def _clerk(hall: Assembly) -> tuple[int, dict[str, str]]:
    """An account that manages accounts and holds, in the whole organization, all that a
    member's place gives: so only a panel's seat can put a member beyond it."""
    roles = {role["name"]: role["permissions"] for role in hall.client.get(
        "/api/roles", headers=hall.secretary
    ).json()}  # fmt: skip
    assert "motions.manage" not in roles["member"]
    _define_role(hall, "clerk", ["accounts.manage", *roles["member"]])
    clerk = hall.create("/accounts", username="clerk", password=PASSWORD)["id"]
    organization = hall.client.get("/api/organization").json()["id"]
    hall.create(
        "/role-grants", role="clerk", scope="organization", scope_id=organization, user_id=clerk
    )
    return clerk, bearer_token(hall.client, "clerk", PASSWORD)


def test_a_clerk_needs_motions_manage_to_take_over_a_panels_chair(hall: Assembly) -> None:
    clerk_id, clerk = _clerk(hall)
    chair, member = hall.members[0], hall.members[1]
    item = hall.create(f"/meetings/{hall.meeting_id}/agenda", title="Budget", kind="motion")
    hall.create(
        f"/meetings/{hall.meeting_id}/panels",
        name="Panel on the budget",
        agenda_item_ids=[item["id"]],
        chair_person_ids=[chair],
        member_person_ids=[member],
    )
    account = hall.create("/accounts", username="panel-chair", password=PASSWORD, person_id=chair)
    reset = f"/accounts/{account['id']}/password"

    # A member of the panel who does not chair it is within the clerk's reach.
    assert _send(hall, "POST", f"/people/{member}/tokens", clerk).status_code == 201
    for refused in (
        _send(hall, "POST", reset, clerk, new_password="taken over by the clerk"),
        _send(hall, "POST", f"/people/{chair}/tokens", clerk),
    ):
        assert refused.status_code == 403, refused.text
        assert "(motions.manage)" in refused.json()["detail"]
        assert "the panels they chair" in refused.json()["detail"]
    assert bearer_token(hall.client, "panel-chair", PASSWORD)  # the old password still works

    # Given what the meeting's chair holds there, the clerk may.
    _define_role(hall, "motions-clerk", ["motions.manage"])
    hall.create(
        "/role-grants",
        role="motions-clerk",
        scope="meeting",
        scope_id=hall.meeting_id,
        user_id=clerk_id,
    )
    assert _send(hall, "POST", f"/people/{chair}/tokens", clerk).status_code == 201
    new_start = _send(hall, "POST", reset, clerk, new_password="a new start for the panel")
    assert new_start.status_code == 204, new_start.text
    assert bearer_token(hall.client, "panel-chair", "a new start for the panel")
