"""A seat given after a meeting of its term was made invites its holder to that meeting, and to
every meeting of the term not yet closed within the seat's dates; through the API, on both
databases."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.assembly import Assembly
from tests.helpers import journaled
from veche.actions.journal_actions import JournalAction

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _roles(assembly: Assembly, meeting_id: int) -> dict[int, str]:
    response = assembly.client.get(
        f"/api/meetings/{meeting_id}/participants", headers=assembly.secretary
    )
    assert response.status_code == 200, response.text
    return {row["person_id"]: row["role"] for row in response.json()}


def _term_id(assembly: Assembly) -> int:
    response = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}", headers=assembly.secretary
    )
    return int(response.json()["term_id"])


def _meeting(assembly: Assembly, title: str, day: date, *states: str) -> int:
    made: dict[str, Any] = assembly.create(
        "/meetings",
        term_id=_term_id(assembly),
        title=title,
        starts_on=day.isoformat(),
        notice=f"{title} is convened.",
    )
    for state in states:
        moved = assembly.client.post(
            f"/api/meetings/{made['id']}/state", json={"state": state}, headers=assembly.secretary
        )
        assert moved.status_code == 200, moved.text
    return int(made["id"])


def test_a_seat_given_after_convening_invites_to_the_meetings_ahead(
    assembly: Assembly, sessions: sessionmaker[Session]
) -> None:
    today = date.today()
    assembly.amend(notice="The Council is convened.")
    assembly.move_on("convened", "in_session")
    closed = _meeting(assembly, "Spring Meeting", today, "convened", "in_session", "closed")
    later = _meeting(assembly, "Autumn Meeting", today + timedelta(days=30))
    newcomer = assembly.create("/people", full_name="Ines Newcomer")["id"]
    alternate = assembly.create("/people", full_name="Olek Standby")["id"]
    seat = assembly.create("/memberships", person_id=newcomer, term_id=_term_id(assembly))
    assembly.create(
        "/memberships", person_id=alternate, term_id=_term_id(assembly), role="alternate"
    )

    assert _roles(assembly, assembly.meeting_id)[newcomer] == "member"  # in session
    assert _roles(assembly, later)[newcomer] == "member"  # a draft ahead
    assert _roles(assembly, assembly.meeting_id)[alternate] == "alternate"
    assert newcomer not in _roles(assembly, closed)  # its record is complete
    invited = [
        entry
        for entry in journaled(sessions, JournalAction.INVITE)
        if entry["person_id"] == newcomer
    ]
    assert sorted(entry["meeting_id"] for entry in invited) == sorted([assembly.meeting_id, later])
    assert all(
        entry["membership_id"] == seat["id"] and entry["role"] == "member" for entry in invited
    )


def test_a_seat_invites_only_to_meetings_within_its_dates_and_keeps_an_invitation(
    assembly: Assembly,
) -> None:
    today = date.today()
    later = _meeting(assembly, "Autumn Meeting", today + timedelta(days=30))
    starting_later = assembly.create("/people", full_name="Ines Newcomer")["id"]
    assembly.create(
        "/memberships",
        person_id=starting_later,
        term_id=_term_id(assembly),
        from_date=(today + timedelta(days=1)).isoformat(),
    )
    assert starting_later not in _roles(assembly, assembly.meeting_id)
    assert _roles(assembly, later)[starting_later] == "member"

    observer = assembly.create("/people", full_name="Olek Watcher")["id"]
    assembly.create(
        f"/meetings/{assembly.meeting_id}/participants", person_id=observer, role="observer"
    )
    assembly.create("/memberships", person_id=observer, term_id=_term_id(assembly))
    assert _roles(assembly, assembly.meeting_id)[observer] == "observer"
    assert _roles(assembly, later)[observer] == "member"
