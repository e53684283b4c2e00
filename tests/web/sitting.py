"""A meeting in session with its agenda approved and an item under discussion, made through the
REST API: for the pages of the floor, the drafts and the documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.meeting_api import Api
from veche.models import Body, JournalEntry, Term

MOTION_TEXT = (
    "The Council approves the budget.\n"
    "Spending stays within the income.\n"
    "\n"
    "The Bureau reports in a year.\n"
)
#: Members checked in: more than half of the General Council's thirty, so votes carry.
PRESENT = list(range(1, 17))


@dataclass
class Sitting:
    meeting_id: int
    item_ids: list[int]
    motion_id: int
    day: date


def secretary_api(
    client: TestClient, headers: dict[str, str], sessions: sessionmaker[Session]
) -> Api:
    """An ``Api`` for a demo already loaded: the General Council's 8th term and the bodies."""
    with sessions() as session:
        term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
        assert term is not None and term.body.name == "General Council"
        bodies = {b.name: b.id for b in session.scalars(select(Body))}
        term_id = term.id
    return Api(client, headers, term_id, bodies)


def open_sitting(
    api: Api,
    *,
    items: int = 2,
    observers: tuple[int, ...] = (),
    day: date | None = None,
) -> Sitting:
    """Convene an enlarged meeting on ``day`` (today), approve its agenda and take up item 1."""
    day = day or date.today()
    m = api.post(
        "/meetings",
        term_id=api.term_id,
        title="Plenary Meeting",
        kind="enlarged",
        starts_on=day.isoformat(),
        notice="The Bureau convenes the Council.",
    )["id"]
    item_ids = [
        api.post(
            f"/meetings/{m}/agenda",
            title=f"Item {n}" if n > 1 else "On the budget",
            speech_seconds=120,
        )["id"]
        for n in range(1, items + 1)
    ]
    motion = api.post(
        f"/meetings/{m}/motions",
        title="On the budget",
        text=MOTION_TEXT,
        agenda_item_id=item_ids[0],
        submitter_body_id=api.bodies["Executive Bureau"],
    )
    if observers:
        api.post(
            f"/meetings/{m}/observers", category="heads of departments", person_ids=list(observers)
        )
    api.post(f"/meetings/{m}/state", 200, state="convened")
    api.post(f"/meetings/{m}/state", 200, state="in_session")
    api.check_in(m, day, PRESENT)
    closed = api.decide(m, day, "Agenda", {"yes": PRESENT}, approves_agenda=True)
    assert closed["outcome"] == "adopted", closed
    api.post(f"/agenda-items/{item_ids[0]}/open", 200)
    return Sitting(m, item_ids, motion["id"], day)


def journal_length(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(JournalEntry)) or 0
