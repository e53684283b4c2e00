"""Another meeting of the term an assembly's meeting belongs to, asked for through the API."""

from __future__ import annotations

from typing import Any

from tests.assembly import Assembly


def another_meeting(assembly: Assembly, title: str) -> dict[str, Any]:
    """The body of ``POST /api/meetings`` for a meeting titled ``title`` of the assembly's
    term on the assembly's day; the term is read from the API, as a client would."""
    meeting = assembly.client.get(
        f"/api/meetings/{assembly.meeting_id}", headers=assembly.secretary
    )
    assert meeting.status_code == 200, meeting.text
    return {
        "term_id": meeting.json()["term_id"],
        "title": title,
        "starts_on": assembly.day.isoformat(),
    }
