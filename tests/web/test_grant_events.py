"""A role granted or withdrawn, or what a role grants changed, is announced to the meetings it
reaches whose pages are open (``grants_changed``): the permissions their pages keep are read
again at once (``veche.web.fragment_cache``), not within minutes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assembly import Assembly
from veche.actions.events import LiveEvent, LiveEventType


def _call(assembly: Assembly, method: str, path: str, body: Any = None) -> Any:
    answer = assembly.client.request(method, f"/api{path}", json=body, headers=assembly.secretary)
    assert answer.status_code in (200, 201, 204), answer.text
    return answer.json() if answer.content else None


def _announced(events: list[LiveEvent], meeting_id: int) -> int:
    return sum(
        1
        for event in events
        if event.meeting_id == meeting_id and event.type == LiveEventType.GRANTS_CHANGED
    )


def _scopes(assembly: Assembly) -> dict[str, int]:
    term = _call(assembly, "GET", f"/meetings/{assembly.meeting_id}")["term_id"]
    (body,) = [
        found["id"]
        for found in _call(assembly, "GET", "/bodies")
        if term in [held["id"] for held in found["terms"]]
    ]
    return {
        "meeting": assembly.meeting_id,
        "body": body,
        "organization": _call(assembly, "GET", "/organization")["id"],
    }


@pytest.mark.parametrize("scope", ["meeting", "body", "organization"])
def test_a_grant_and_its_withdrawal_are_announced_to_the_meeting_it_reaches(
    assembly: Assembly, events: list[LiveEvent], scope: str
) -> None:
    scope_id = _scopes(assembly)[scope]
    granted = _call(
        assembly,
        "POST",
        "/role-grants",
        {"role": "teller", "scope": scope, "scope_id": scope_id, "person_id": assembly.members[0]},
    )
    assert _announced(events, assembly.meeting_id) == 1
    _call(assembly, "DELETE", f"/role-grants/{granted['id']}")
    assert _announced(events, assembly.meeting_id) == 2


def test_a_roles_new_permissions_are_announced_and_a_units_grant_is_not(
    assembly: Assembly, events: list[LiveEvent]
) -> None:
    _call(assembly, "PUT", "/roles/vote_clerk", {"permissions": ["meeting.see"]})
    assert _announced(events, assembly.meeting_id) == 1
    unit = _call(assembly, "GET", "/units")[0]["id"]
    _call(
        assembly,
        "POST",
        "/role-grants",
        {"role": "reporter", "scope": "unit", "scope_id": unit, "person_id": assembly.members[0]},
    )
    assert _announced(events, assembly.meeting_id) == 1
