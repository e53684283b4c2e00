"""Inviting a participant, or changing one's office or weight, is announced to the meeting's
pages (``participants_changed``): the permissions the pages keep for the meeting are read
again at once (``veche.web.fragment_cache``), and the chair's console counts the quorum's
weights anew."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from httpx2 import Response

from tests.assembly import Assembly
from veche.actions.events import LiveEvent, LiveEventType


def _changes(assembly: Assembly) -> dict[str, Callable[[], Response]]:
    meeting, member = assembly.meeting_id, assembly.members[0]
    api = assembly.client

    def invite() -> Response:
        person = api.post(
            "/api/people", json={"full_name": "Ada Guest"}, headers=assembly.secretary
        )
        assert person.status_code == 201, person.text
        return api.post(
            f"/api/meetings/{meeting}/participants",
            json={"person_id": person.json()["id"], "role": "observer"},
            headers=assembly.secretary,
        )

    def change(**fields: object) -> Callable[[], Response]:
        return lambda: api.patch(
            f"/api/meetings/{meeting}/participants/{member}",
            json=fields,
            headers=assembly.secretary,
        )

    return {"invite": invite, "office": change(office="teller"), "weight": change(weight=3)}


@pytest.mark.parametrize("change", ["invite", "office", "weight"])
def test_a_change_of_participants_is_announced_to_the_meetings_pages(
    assembly: Assembly, events: list[LiveEvent], change: str
) -> None:
    answer = _changes(assembly)[change]()
    assert answer.status_code in (200, 201), answer.text
    announced = [
        event.type
        for event in events
        if event.meeting_id == assembly.meeting_id
        and event.type == LiveEventType.PARTICIPANTS_CHANGED
    ]
    assert announced == [LiveEventType.PARTICIPANTS_CHANGED]


def test_a_refused_change_announces_nothing(assembly: Assembly, events: list[LiveEvent]) -> None:
    answer = assembly.client.patch(
        f"/api/meetings/{assembly.meeting_id}/participants/{assembly.members[0]}",
        json={"weight": 0},
        headers=assembly.secretary,
    )
    assert answer.status_code == 422, answer.text
    assert events == []
