"""A whole enlarged plenary meeting over three days, recorded through the REST API only.

The communiqué and the minutes must state every fact recorded and nothing else: every
name of the demo organization that took no part in what a document reports is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.meeting_api import Api, demo_api
from veche.demo import _FAMILY, _GIVEN

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

D1, D2, D3 = date(2026, 6, 16), date(2026, 6, 17), date(2026, 6, 18)
VENUE = "Riverside Hall, Millbrook"
#: The demo's people by id, named as the demo names them.
NAMES = {i + 1: f"{_GIVEN[i % len(_GIVEN)]} {_FAMILY[(i * 7) % len(_FAMILY)]}" for i in range(48)}
MEMBERS_D1 = list(range(1, 27))
MEMBERS_D2 = [*range(1, 26), 27]
MEMBERS_D3 = list(range(1, 25))


@dataclass
class Item:
    """One agenda item as the test records it."""

    title: str
    rapporteur: int
    speakers: list[int]
    day: date
    motion_title: str
    motion_text: str
    votes: dict[str, list[int]]
    result: str
    co_reporter: int | None = None
    id: int = 0
    motion_id: int = 0
    seconds: dict[int, int] = field(default_factory=dict)


ITEMS = [
    Item(
        "On the Executive Bureau's report on the federation's work",
        rapporteur=5,
        co_reporter=6,
        speakers=[7, 8, 9],
        day=D1,
        motion_title="On the report of the Executive Bureau",
        motion_text="The General Council approves the report of the Executive Bureau.\n\n"
        "The Council notes that membership grew in the Northern Region.\n\n"
        "The Council instructs the Executive Bureau to publish the report.\n",
        votes={"yes": MEMBERS_D1},
        result="adopted unanimously",
    ),
    Item(
        "On wages and collective agreements for 2027",
        rapporteur=12,
        speakers=[15, 13, 14],  # the order the chair sets
        day=D1,
        motion_title="On wages and agreements",
        motion_text="Wages shall rise with prices.\n"
        "Agreements shall be renewed every two years.\n"
        "Each branch shall report on its agreements.\n",
        votes={"yes": MEMBERS_D1[:22], "no": [23, 24, 25], "abstain": [26]},
        result="adopted 22 to 3, 1 abstaining",
    ),
    Item(
        "On safety at work in the mines and docks",
        rapporteur=16,
        speakers=[17, 18, 31],
        day=D2,
        motion_title="On safety at work",
        motion_text="Every branch shall elect a safety steward.\n\nStewards shall meet twice a year.\n",
        votes={"yes": MEMBERS_D2[:20], "no": MEMBERS_D2[20:25], "abstain": [27]},
        result="adopted 20 to 5, 1 abstaining",
    ),
    Item(
        "On the federation's budget for 2027",
        rapporteur=19,
        speakers=[20, 21, 39],
        day=D2,
        motion_title="On the budget for 2027",
        motion_text="The budget for 2027 is approved as presented.\n",
        votes={"yes": MEMBERS_D2[:24], "no": [25, 27]},
        result="adopted 24 to 2",
    ),
    Item(
        "On training shop stewards",
        rapporteur=22,
        speakers=[23, 24, 45],
        day=D3,
        motion_title="On training shop stewards",
        motion_text="Each region shall hold a stewards' school every spring.\n",
        votes={"yes": MEMBERS_D3[:23], "abstain": [24]},
        result="adopted 23 to 0, 1 abstaining",
    ),
]
WITHDRAWN = "On renaming the federation's newsletter"
PANEL_WORK, PANEL_SAFETY = "Panel on work and wages", "Panel on safety"
PRESIDIUM = [1, 2, 3]
SITTING_CHAIRS = {D1: 2, D2: 3, D3: 1}
POINT_OF_ORDER = 11
HEADS_OF_DEPARTMENTS = [39, 40]
REGIONAL_CHAIRS = [45, 46, 47]
OBSERVERS = {*HEADS_OF_DEPARTMENTS, *REGIONAL_CHAIRS}
PANEL_WORK_PEOPLE, PANEL_SAFETY_PEOPLE = [10, 26, 32], [27, 33]


@pytest.fixture
def api(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Api]:
    with TestClient(create_app(engine)) as client:
        yield demo_api(client, sessions)


def _suffix(n: int) -> str:
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10 if n % 100 not in (11, 12, 13) else 0, "th")


def _record_the_meeting(api: Api) -> tuple[int, dict[str, Any]]:
    """Every step of the meeting; returns its id and what the test needs to check."""
    bureau = api.bodies["Executive Bureau"]
    meeting = api.new_meeting(
        D1, kind="enlarged", ends_on=D3.isoformat(), venue=VENUE, convened_by_body_id=bureau
    )
    m = meeting["id"]
    api.call("PATCH", f"/meetings/{m}", notice="The Executive Bureau convenes the Council.")
    api.post(
        f"/meetings/{m}/observers",
        category="heads of departments",
        person_ids=HEADS_OF_DEPARTMENTS,
    )
    api.post(
        f"/meetings/{m}/observers",
        category="chairs of regional committees",
        person_ids=REGIONAL_CHAIRS,
    )
    for item in ITEMS:
        item.id = api.post(
            f"/meetings/{m}/agenda",
            title=item.title,
            rapporteur_person_id=item.rapporteur,
            rapporteur_body_id=bureau,
            time_budget_minutes=90,
            speech_seconds=420,
        )["id"]
    dropped = api.post(f"/meetings/{m}/agenda", title=WITHDRAWN, kind="information")
    api.post(f"/agenda-items/{dropped['id']}/withdraw", expect=200)
    api.post(f"/meetings/{m}/documents", title="Draft resolutions", url="https://example.org/d")
    api.move_on(m, "convened", "in_session")

    api.check_in(m, D1, MEMBERS_D1 + list(range(31, 37)) + [39, 40, 45, 46])
    api.check_in(m, D2, [*MEMBERS_D2, 31, 39, 45])
    api.check_in(m, D3, [*MEMBERS_D3, 45])

    # The presidium is elected first: three seats, four candidates.
    election = api.post(
        f"/meetings/{m}/polls",
        title="Election of the presidium",
        kind="election",
        method="block",
        seats=3,
    )
    candidates = {}
    for person in (1, 2, 3, 4):
        option = api.post(f"/polls/{election['id']}/candidates", person_id=person)
        api.post(f"/polls/{election['id']}/candidates/{option['id']}/accept", expect=200)
        candidates[person] = option["id"]
    api.call("POST", f"/polls/{election['id']}/open", day=D1.isoformat())
    for voter in MEMBERS_D1:
        chosen = (1, 2, 3) if voter <= 20 else (2, 3, 4)
        api.vote(election["id"], voter, {"options": [candidates[p] for p in chosen]})
    api.call("POST", f"/polls/{election['id']}/close")
    seated = api.post(f"/meetings/{m}/presidium", poll_id=election["id"])
    assert sorted(s["person_id"] for s in seated) == PRESIDIUM
    sittings = {
        day: api.post(f"/meetings/{m}/sittings", day=day.isoformat(), chair_person_id=chair)["id"]
        for day, chair in SITTING_CHAIRS.items()
    }

    # Drafts go to the panels before the agenda is approved.
    motions = {}
    for n, item in enumerate(ITEMS):
        people = {"submitter_person_ids": [item.rapporteur]} if n in (1, 4) else {}
        motion = api.post(
            f"/meetings/{m}/motions",
            title=item.motion_title,
            text=item.motion_text,
            agenda_item_id=item.id,
            **({"submitter_body_id": bureau} if n not in (1, 4) else people),
        )
        item.motion_id = motion["id"]
        motions[n] = motion
    work = api.post(
        f"/meetings/{m}/panels",
        name=PANEL_WORK,
        agenda_item_ids=[ITEMS[0].id, ITEMS[1].id],
        chair_person_id=10,
        member_person_ids=PANEL_WORK_PEOPLE[1:],
    )
    safety = api.post(
        f"/meetings/{m}/panels",
        name=PANEL_SAFETY,
        agenda_item_ids=[ITEMS[2].id],
        chair_person_id=27,
        member_person_ids=PANEL_SAFETY_PEOPLE[1:],
    )
    grew = api.call(
        "POST",
        f"/motions/{ITEMS[0].motion_id}/amendments",
        201,
        as_person=10,
        paragraph=2,
        new_text="The Council notes that membership grew in all three regions.",
        panel_id=work["id"],
        reason="Every region grew.",
    )
    assert "-The Council notes that membership grew in the Northern Region." in grew["diff"]
    renew = api.call(
        "POST",
        f"/motions/{ITEMS[1].motion_id}/amendments",
        201,
        as_person=10,
        first_line=2,
        last_line=2,
        new_text="Agreements shall be renewed every year.",
        panel_id=work["id"],
    )
    refused = api.call(
        "POST",
        f"/motions/{ITEMS[2].motion_id}/amendments",
        201,
        as_person=17,
        paragraph=2,
        new_text="Stewards shall meet once a year.",
    )
    api.post(
        f"/panels/{safety['id']}/recommendations",
        motion_id=ITEMS[2].motion_id,
        text="Keep two meetings a year.",
    )
    api.post(f"/amendments/{grew['id']}/decision", expect=200, decision="accepted")
    api.post(
        f"/amendments/{renew['id']}/decision",
        expect=200,
        decision="merged",
        merged_text="Agreements shall be renewed every eighteen months.",
    )
    api.post(f"/amendments/{refused['id']}/decision", expect=200, decision="rejected")

    agenda = api.decide(
        m,
        D1,
        "Approval of the agenda",
        {"yes": MEMBERS_D1[:24], "no": [25], "abstain": [26]},
        approves_agenda=True,
    )
    assert agenda["outcome"] == "adopted"
    assert api.get(f"/meetings/{m}/agenda")["approved"]

    for n, item in enumerate(ITEMS):
        sitting = sittings[item.day]
        api.post(f"/agenda-items/{item.id}/open", expect=200)
        item.seconds[item.rapporteur] = 1805 + n
        api.post(
            f"/agenda-items/{item.id}/contributions",
            kind="report",
            speaker_person_id=item.rapporteur,
            on_behalf_of_body_id=bureau,
            title=f"Report {n + 1}",
            seconds_used=item.seconds[item.rapporteur],
            sitting_id=sitting,
        )
        if item.co_reporter:
            item.seconds[item.co_reporter] = 610
            api.post(
                f"/agenda-items/{item.id}/contributions",
                kind="co_report",
                speaker_person_id=item.co_reporter,
                on_behalf_of_body_id=api.bodies["Audit Commission"],
                seconds_used=610,
                sitting_id=sitting,
            )
        requests = {speaker: _ask_floor(api, item.id, speaker) for speaker in sorted(item.speakers)}
        api.call(
            "PUT",
            f"/agenda-items/{item.id}/speakers/order",
            request_ids=[requests[s] for s in item.speakers],
        )
        if n == 0:
            api.call(
                "POST",
                f"/agenda-items/{item.id}/speakers",
                201,
                as_person=POINT_OF_ORDER,
                kind="point_of_order",
                subject="time limits",
            )
        waiting = api.get(f"/agenda-items/{item.id}/speakers")["waiting"]
        expected_order = ([POINT_OF_ORDER] if n == 0 else []) + item.speakers
        assert [r["person_id"] for r in waiting] == expected_order
        if n == 0:
            api.post(
                f"/agenda-items/{item.id}/contributions",
                kind="point_of_order",
                speaker_person_id=POINT_OF_ORDER,
                seconds_used=45,
                sitting_id=sitting,
            )
        for k, speaker in enumerate(item.speakers):
            item.seconds[speaker] = 300 + 10 * n + k
            api.post(
                f"/agenda-items/{item.id}/contributions",
                kind="speech",
                speaker_person_id=speaker,
                summary=f"Speech {n + 1}.{k + 1}",
                seconds_used=item.seconds[speaker],
                sitting_id=sitting,
            )
        api.post(
            f"/motions/{item.motion_id}/final",
            expect=200,
            panel_outcome=f"Panels' work on item {n + 1} is done.",
        )
        api.decide(
            m, item.day, f"Vote on {item.motion_title}", item.votes, motion_id=item.motion_id
        )
        settled = api.post(f"/motions/{item.motion_id}/settle", expect=200)
        assert settled["resolution"]["result"] == item.result
        assert settled["resolution"]["number"] == n + 1
        api.post(f"/agenda-items/{item.id}/close", expect=200)
    api.post(f"/meetings/{m}/state", expect=200, state="closed")
    return m, {"meeting": meeting, "candidates": candidates}


def _ask_floor(api: Api, item_id: int, speaker: int) -> int:
    """A delegate asks for the floor; an observer is listed by the secretary."""
    if speaker in OBSERVERS:
        listed = api.call("POST", f"/agenda-items/{item_id}/speakers", 201, person_id=speaker)
        return int(listed["id"])
    asked = api.call("POST", f"/agenda-items/{item_id}/speakers", 201, as_person=speaker)
    return int(asked["id"])


def _report(api: Api, meeting_id: int, kind: str, format: str = "md") -> str:
    response = api.client.get(
        f"/api/meetings/{meeting_id}/reports/{kind}",
        params={"format": format},
        headers=api.secretary,
    )
    assert response.status_code == 200, response.text
    return response.text


def _absent(text: str, people: set[int]) -> list[str]:
    return [NAMES[p] for p in sorted(people) if NAMES[p] in text]


def test_a_three_day_enlarged_plenary_meeting(api: Api) -> None:
    meeting_id, facts = _record_the_meeting(api)
    number = facts["meeting"]["number"]
    name = f"{number}{_suffix(number)} Enlarged Plenary Meeting of the 8th General Council"
    assert facts["meeting"]["name"] == name

    communique = _report(api, meeting_id, "communique")
    said = [
        f"Report on the {name}",
        "16 June 2026",
        "18 June 2026",
        VENUE,
        "convened by the Executive Bureau",
        "27 members and 6 alternate members of the 8th General Council",
        "heads of departments (2)",
        "chairs of regional committees (2)",
        PANEL_WORK,
        PANEL_SAFETY,
    ]
    for n, item in enumerate(ITEMS, start=1):
        said += [item.title, f"Item {n}.", item.motion_title, f"Resolution No. {n}", item.result]
    assert [fact for fact in said if fact not in communique] == []
    # The election made this presidium, in order of votes received.
    assert "The meeting elected its presidium: " in communique
    in_communique = (
        set(PRESIDIUM)
        | set(SITTING_CHAIRS.values())
        | {item.rapporteur for item in ITEMS}
        | {6}
        | {s for item in ITEMS for s in item.speakers}
        | {10, 27}  # the panels' chairs
    )
    assert [NAMES[p] for p in sorted(in_communique) if NAMES[p] not in communique] == []
    assert _absent(communique, set(NAMES) - in_communique) == []
    for word in (WITHDRAWN, "Northern Region", "all three regions", "time limits", "30:05"):
        assert word not in communique
    for n, item in enumerate(ITEMS, start=1):
        speakers = ", ".join(NAMES[s] for s in item.speakers[:-1])
        assert f"{speakers} and {NAMES[item.speakers[-1]]}" in communique
        assert (
            f"{NAMES[item.rapporteur]} delivered the report on behalf of the Executive Bureau: “Report {n}”"
            in communique
        )

    minutes = _report(api, meeting_id, "minutes")
    assert f"Minutes of the {name}" in minutes
    assert WITHDRAWN in minutes
    for item in ITEMS:
        for speaker, seconds in item.seconds.items():
            assert f"{seconds // 60}:{seconds % 60:02d}" in minutes, (speaker, seconds)
    # Roll-calls of the named votes, and the tallies: 24 yes, 1 no, 1 abstain for the agenda.
    assert "| yes | 24 |" in minutes and "| no | 1 |" in minutes and "| abstain | 1 |" in minutes
    assert "| Zeno Berg | yes |" in minutes  # person 24 voted yes on the agenda
    assert "| Boris Petrov | abstain |" in minutes  # person 26
    for fate in ("accepted", "merged", "rejected"):
        assert f"| {fate} |" in minutes
    assert "membership grew in all three regions" in minutes  # the adopted text
    assert "Agreements shall be renewed every eighteen months." in minutes
    assert "Northern Region" not in minutes and "every two years" not in minutes
    assert "Keep two meetings a year." in minutes
    took_part = (
        in_communique
        | set(MEMBERS_D1)
        | set(MEMBERS_D2)  # voters in the named roll-calls and the election's tally
        | {POINT_OF_ORDER}
        | set(PANEL_WORK_PEOPLE)
        | set(PANEL_SAFETY_PEOPLE)
    )
    assert _absent(minutes, set(NAMES) - took_part) == []
    assert NAMES[4] in minutes  # a candidate who was not elected is in the tally

    book = _report(api, meeting_id, "motions")
    assert "-The Council notes that membership grew in the Northern Region." in book
    assert "+The Council notes that membership grew in all three regions." in book
    assert "+Agreements shall be renewed every eighteen months." in book

    page = _report(api, meeting_id, "communique", "html")
    assert page.startswith("<!DOCTYPE html>") and f"Report on the {name}" in page
    pdf = api.client.get(
        f"/api/meetings/{meeting_id}/reports/minutes",
        params={"format": "pdf"},
        headers=api.secretary,
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")

    invited = api.get(f"/meetings/{meeting_id}/participants")
    observers = [p for p in invited if p["role"] == "observer"]
    assert sorted((p["person_id"], p["category"]) for p in observers) == [
        (39, "heads of departments"),
        (40, "heads of departments"),
        (45, "chairs of regional committees"),
        (46, "chairs of regional committees"),
        (47, "chairs of regional committees"),
    ]
    found = api.get(f"/resolutions?meeting_id={meeting_id}&q=eighteen")
    assert [r["title"] for r in found["resolutions"]] == ["On wages and agreements"]
    everything = api.get(f"/resolutions?meeting_id={meeting_id}")
    assert everything["total"] == 5
    listed = found["resolutions"][0]
    assert set(listed) >= {"number", "text", "effective_on", "meeting", "body", "term_number"}
    assert api.get(f"/resolutions/{listed['id']}") == listed
    missing = api.call("GET", "/resolutions/999999", 404)
    assert missing["detail"] == "there is no resolution 999999"
