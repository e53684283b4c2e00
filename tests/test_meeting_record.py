"""A body's three-day enlarged plenary meeting, recorded from an empty database through the
REST API alone: `veche init` sets up the organization and its secretary, and everything after
it — bodies to the bureau's presidium, terms, people, seats, the meeting and all that was done
at it — goes through the API (the test of issue #16).

The communiqué and the minutes must state every fact recorded and nothing else: every person
of the organization who took no part in what a document reports is absent from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.apps import create_app
from tests.meeting_api import Api
from veche import cli
from veche.collation import natural_key
from veche.demo import _FAMILY, _GIVEN

ORGANIZATION = "Millbrook Federation of Labour"
SECRETARY = ("secretary", "minutes are kept by the first secretary")
D1, D2, D3 = date(2026, 6, 16), date(2026, 6, 17), date(2026, 6, 18)
VENUE = "Riverside Hall, Millbrook"
NUMBER = 4  # as the General Council numbers its meetings in its 8th term
NAME = "4th Enlarged Plenary Meeting of the 8th General Council"
#: Three voters named so that only a natural order sorts them: 9, 10, 11, case and accents aside.
RENAMED = {14: "délégué 9", 13: "Délégué 10", 15: "Delegue 11"}
#: The organization's people, numbered as a fresh database numbers them, named as the demo
#: names its own.
NAMES = {
    n: RENAMED.get(n, f"{_GIVEN[(n - 1) % len(_GIVEN)]} {_FAMILY[((n - 1) * 7) % len(_FAMILY)]}")
    for n in range(1, 51)
}
#: The seats of the 8th General Council; of the Executive Bureau, below it (person 7's ended
#: before the meeting); of the Bureau's presidium, below that, as of these days (person 4
#: joins it on the meeting's second day, person 26 too but came on the first day only, person
#: 5 after the meeting); and of the Audit Commission, no body below the Council.
COUNCIL_MEMBERS, COUNCIL_ALTERNATES = list(range(1, 31)), list(range(31, 39))
BUREAU_MEMBERS, BUREAU_ALTERNATES, BUREAU_LEFT = list(range(1, 8)), [8, 9], 7
PRESIDIUM_SEATS = {1: None, 2: None, 3: None, 4: D2, 26: D2, 5: date(2026, 6, 19)}
AUDIT_MEMBERS = list(range(39, 44))
MEMBERS_D1 = list(range(1, 27))
MEMBERS_D2 = [*range(1, 26), 27]
MEMBERS_D3 = list(range(1, 25))
#: The voting rights present each day, every one raised for each resolution: the members
#: present, and on the first day the guest invited as a member.
HANDS = {D1: 27, D2: 26, D3: 24}
RULE = "(rule: simple majority of votes cast: more yes than no)"


@dataclass
class Item:
    """One agenda item as the test records it: its report given by ``reporter`` (on behalf of
    the Executive Bureau when ``for_the_bureau``), or by the Bureau with no presenter named."""

    title: str
    reporter: int | None
    for_the_bureau: bool
    speakers: list[int]
    day: date
    motion_title: str
    motion_text: str
    co_reporter: int | None = None
    id: int = 0
    motion_id: int = 0
    seconds: list[int] = field(default_factory=list)

    @property
    def heard(self) -> str:
        """Who reported, as the communiqué says it."""
        title = f"“Report {ITEMS.index(self) + 1}”"
        if self.reporter is None:
            return f"The meeting heard the report of the Executive Bureau: {title}."
        bureau = " on behalf of the Executive Bureau" if self.for_the_bureau else ""
        return f"{NAMES[self.reporter]} delivered the report{bureau}: {title}."

    @property
    def given_by(self) -> str:
        """Who reported, as the minutes' table of contributions gives it."""
        if self.reporter is None:
            return "Executive Bureau"
        bureau = " (Executive Bureau)" if self.for_the_bureau else ""
        return NAMES[self.reporter] + bureau

    @property
    def adopted(self) -> str:
        return f"adopted unanimously, {HANDS[self.day]} votes in favour {RULE}, by show of hands"


ITEMS = [
    Item(
        "On the Executive Bureau's report on the federation's work",
        reporter=5,
        for_the_bureau=True,
        co_reporter=6,
        speakers=[7, 8, 9],
        day=D1,
        motion_title="On the report of the Executive Bureau",
        motion_text="The General Council approves the report of the Executive Bureau.\n\n"
        "The Council notes that membership grew in the Northern Region.\n\n"
        "The Council instructs the Executive Bureau to publish the report.\n",
    ),
    Item(
        "On wages and collective agreements for 2027",
        reporter=12,
        for_the_bureau=False,
        speakers=[15, 13, 14],  # the order the chair sets
        day=D1,
        motion_title="On wages and agreements",
        motion_text="Wages shall rise with prices.\n"
        "Agreements shall be renewed every two years.\n"
        "Each branch shall report on its agreements.\n",
    ),
    Item(
        "On safety at work in the mines and docks",
        reporter=None,
        for_the_bureau=True,
        speakers=[17, 18, 31],
        day=D2,
        motion_title="On safety at work",
        motion_text="Every branch shall elect a safety steward.\n\nStewards shall meet twice a year.\n",
    ),
    Item(
        "On the federation's budget for 2027",
        reporter=19,
        for_the_bureau=False,
        speakers=[20, 21, 39],
        day=D2,
        motion_title="On the budget for 2027",
        motion_text="The budget for 2027 is approved as presented.\n",
    ),
    Item(
        "On training shop stewards",
        reporter=22,
        for_the_bureau=True,
        speakers=[23, 24, 45],
        day=D3,
        motion_title="On training shop stewards",
        motion_text="Each region shall hold a stewards' school every spring.\n",
    ),
]
WITHDRAWN = "On renaming the federation's newsletter"
#: Panels set up once their items' discussion closed, each guided by several chairs (who sit
#: on it too), and one named with neither chair nor members yet.
PANEL_WORK, WORK_CHAIRS, WORK_MEMBERS = "Panel on work and wages", [10, 26], [32]
PANEL_SAFETY, SAFETY_CHAIRS = "Panel on safety", [27, 33]
PANEL_DRAFTING = "Drafting panel"
PRESIDIUM = [1, 2, 3]
#: The standing vote that elected the presidium: votes per candidate.
STANDING = {1: 10, 2: 8, 3: 6, 4: 3}
SITTING_CHAIRS = {D1: 2, D2: 3, D3: 1}
POINT_OF_ORDER = 11
#: Observers, invited in four categories in this order, and one in none.
HEADS_OF_DEPARTMENTS = [39, 40]
REGIONAL_CHAIRS = [45, 46, 47]
AUDITORS = [41, 42]  # members of the Audit Commission: no body below the Council
FRATERNAL_GUESTS = [49, 50]
UNCATEGORISED, INVITED_MEMBER = 48, 43
OBSERVERS = {*HEADS_OF_DEPARTMENTS, *REGIONAL_CHAIRS}
REJECTED = "Proposal to hold a second school in autumn"
REJECTED_VOTES = {"yes": [1, 2, 13], "no": [3, 4, 5, 14, 15]}
PRESIDIUM_NOW = [1, 2, 3, 4]  # its seats on a day of the meeting
#: Checked in on the first day: members, alternates, and the observers and guests who came.
PRESENT_D1 = [
    *MEMBERS_D1,
    *range(31, 37),
    39,
    40,
    45,
    46,
    *AUDITORS,
    FRATERNAL_GUESTS[0],
    UNCATEGORISED,
    INVITED_MEMBER,
]
ATTENDED = {*PRESENT_D1, 27}


def _set_up_with_veche_init(database_url: str) -> None:
    """The organization and its first secretary, as a new body starts: `veche init`."""
    username, password = SECRETARY
    done = CliRunner().invoke(
        cli.app,
        [
            "init",
            "--db",
            database_url,
            "--organization",
            ORGANIZATION,
            "--short-name",
            "MFL",
            "--username",
            username,
            "--password",
            password,
        ],
    )
    assert done.exit_code == 0, done.output


@pytest.fixture
def api(database_url: str, engine: Engine) -> Iterator[Api]:
    _set_up_with_veche_init(database_url)
    with TestClient(create_app(engine)) as client:
        yield _build_the_organization(client)


def _build_the_organization(client: TestClient) -> Api:
    """The secretary logs in and sets up the bodies, their terms, the people and their seats."""
    username, password = SECRETARY
    login = client.post("/api/tokens", json={"username": username, "password": password})
    assert login.status_code == 201, login.text
    api = Api(client, {"Authorization": f"Bearer {login.json()['token']}"}, 0, {})

    def body(name: str, **fields: Any) -> int:
        api.bodies[name] = int(api.post("/bodies", name=name, **fields)["id"])
        return api.bodies[name]

    def term(body_id: int, starts_on: str, number: int) -> int:
        return int(api.post("/terms", body_id=body_id, starts_on=starts_on, number=number)["id"])

    council = body("General Council", quorum="1/2", max_proxies_per_member=1)
    bureau = body("Executive Bureau", parent_id=council, quorum="2/3")
    presidium = body("Presidium of the Executive Bureau", parent_id=bureau)
    audit = body("Audit Commission")
    assert [b["depth"] for b in api.get(f"/bodies?under={council}")] == [0, 1, 2]
    api.term_id = term(council, "2025-05-01", 8)
    bureau_term = term(bureau, "2025-05-02", 3)
    presidium_term = term(presidium, "2025-05-02", 1)
    term(audit, "2025-05-01", 8)

    # The Council's roll and the Audit Commission's come as a member list, which makes their
    # people in the order listed; the rest are added one by one.
    roll = [
        *(f"{NAMES[p]},General Council,member" for p in COUNCIL_MEMBERS),
        *(f"{NAMES[p]},General Council,alternate" for p in COUNCIL_ALTERNATES),
        *(f"{NAMES[p]},Audit Commission,member" for p in AUDIT_MEMBERS),
    ]
    imported = client.post(
        "/api/imports/members",
        files={"file": ("roll.csv", "\n".join(["name,body,role", *roll]).encode(), "text/csv")},
        headers=api.secretary,
    )
    assert imported.json() == {"people_created": len(roll), "memberships_created": len(roll)}
    for number in range(len(roll) + 1, len(NAMES) + 1):
        api.post("/people", full_name=NAMES[number])
    people = api.get(f"/people?limit={len(NAMES)}")["people"]
    assert {p["full_name"]: p["id"] for p in people} == {name: n for n, name in NAMES.items()}

    # The Bureau's seats and its presidium's, one by one.
    def seat(
        term_id: int,
        people: list[int],
        role: str = "member",
        from_date: date | None = None,
        to_date: date | None = None,
    ) -> None:
        for person in people:
            api.post(
                "/memberships",
                person_id=person,
                term_id=term_id,
                role=role,
                from_date=from_date.isoformat() if from_date else None,
                to_date=to_date.isoformat() if to_date else None,
            )

    seat(bureau_term, [p for p in BUREAU_MEMBERS if p != BUREAU_LEFT])
    seat(bureau_term, [BUREAU_LEFT], to_date=date(2026, 6, 15))
    seat(bureau_term, BUREAU_ALTERNATES, "alternate")
    for person, joined in PRESIDIUM_SEATS.items():
        seat(presidium_term, [person], from_date=joined)
    return api


def _record_the_meeting(api: Api) -> tuple[int, dict[str, Any]]:
    """Every step of the meeting; returns its id and what the test needs to check."""
    bureau = api.bodies["Executive Bureau"]
    meeting = api.new_meeting(
        D1,
        number=NUMBER,
        kind="enlarged",
        ends_on=D3.isoformat(),
        venue=VENUE,
        convened_by_body_id=bureau,
    )
    m = meeting["id"]
    api.call("PATCH", f"/meetings/{m}", notice="The Executive Bureau convenes the Council.")
    for category, people in (
        ("heads of departments", HEADS_OF_DEPARTMENTS),
        ("chairs of regional committees", REGIONAL_CHAIRS),
        ("members of the Audit Commission", AUDITORS),
        ("guests from fraternal unions", FRATERNAL_GUESTS),
    ):
        api.post(f"/meetings/{m}/observers", category=category, person_ids=people)
    api.post(f"/meetings/{m}/participants", person_id=UNCATEGORISED)
    api.post(f"/meetings/{m}/participants", person_id=INVITED_MEMBER, role="member")
    for item in ITEMS:
        by_the_bureau = item.reporter is None or item.for_the_bureau
        item.id = api.post(
            f"/meetings/{m}/agenda",
            title=item.title,
            rapporteur_person_id=item.reporter,
            rapporteur_body_id=bureau if by_the_bureau else None,
            time_budget_minutes=90,
            speech_seconds=420,
        )["id"]
    dropped = api.post(f"/meetings/{m}/agenda", title=WITHDRAWN, kind="information")
    api.post(f"/agenda-items/{dropped['id']}/withdraw", expect=200)
    api.post(f"/meetings/{m}/documents", title="Draft resolutions", url="https://example.org/d")
    api.move_on(m, "convened", "in_session")

    api.check_in(m, D1, PRESENT_D1)
    api.check_in(m, D2, [*MEMBERS_D2, 31, 39, 45])
    api.check_in(m, D3, [*MEMBERS_D3, 45])

    # The presidium is elected first, by standing vote: three seats, four candidates.
    election = api.post(
        f"/meetings/{m}/polls",
        title="Election of the presidium",
        kind="election",
        method="sntv",
        seats=3,
        vote_by="standing",
    )
    candidates = {}
    for person in STANDING:
        option = api.post(f"/polls/{election['id']}/candidates", person_id=person)
        api.post(f"/polls/{election['id']}/candidates/{option['id']}/accept", expect=200)
        candidates[person] = option["id"]
    api.call("POST", f"/polls/{election['id']}/open", day=D1.isoformat())
    _enter_totals(api, election["id"], {candidates[p]: n for p, n in STANDING.items()}, D1)
    api.call("POST", f"/polls/{election['id']}/close")
    seated = api.post(f"/meetings/{m}/presidium", poll_id=election["id"])
    assert [s["person_id"] for s in seated] == PRESIDIUM
    sittings = {
        day: api.post(f"/meetings/{m}/sittings", day=day.isoformat(), chair_person_id=chair)["id"]
        for day, chair in SITTING_CHAIRS.items()
    }

    agenda = _by_show_of_hands(api, m, D1, "Approval of the agenda", approves_agenda=True)
    assert agenda["outcome"] == "adopted"
    assert api.get(f"/meetings/{m}/agenda")["approved"]

    # The first day: items 1 and 2 discussed, then their drafts studied in a panel, then adopted.
    for item in ITEMS[:2]:
        _discuss(api, item, sittings[item.day])
    _submit_drafts(api, m, ITEMS[:2])
    work = api.post(
        f"/meetings/{m}/panels",
        name=PANEL_WORK,
        agenda_item_ids=[ITEMS[0].id, ITEMS[1].id],
        chair_person_ids=WORK_CHAIRS,
        member_person_ids=WORK_MEMBERS,
    )
    assert work["chair_person_ids"] == WORK_CHAIRS
    grew = api.call(
        "POST",
        f"/motions/{ITEMS[0].motion_id}/amendments",
        201,
        as_person=WORK_CHAIRS[0],
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
        as_person=WORK_CHAIRS[1],
        first_line=2,
        last_line=2,
        new_text="Agreements shall be renewed every year.",
        panel_id=work["id"],
    )
    api.post(f"/amendments/{grew['id']}/decision", expect=200, decision="accepted")
    api.post(
        f"/amendments/{renew['id']}/decision",
        expect=200,
        decision="merged",
        merged_text="Agreements shall be renewed every eighteen months.",
    )
    _adopt(api, m, ITEMS[:2])

    # The second day: items 3 and 4, their drafts in two panels, one still to be staffed.
    for item in ITEMS[2:4]:
        _discuss(api, item, sittings[item.day])
    _submit_drafts(api, m, ITEMS[2:4])
    safety = api.post(
        f"/meetings/{m}/panels",
        name=PANEL_SAFETY,
        agenda_item_ids=[ITEMS[2].id],
        chair_person_ids=SAFETY_CHAIRS,
    )
    api.post(f"/meetings/{m}/panels", name=PANEL_DRAFTING, agenda_item_ids=[ITEMS[3].id])
    refused = api.call(
        "POST",
        f"/motions/{ITEMS[2].motion_id}/amendments",
        201,
        as_person=17,
        paragraph=2,
        new_text="Stewards shall meet once a year.",
    )
    api.call(
        "POST",
        f"/panels/{safety['id']}/recommendations",
        201,
        as_person=SAFETY_CHAIRS[1],
        motion_id=ITEMS[2].motion_id,
        text="Keep two meetings a year.",
    )
    api.post(f"/amendments/{refused['id']}/decision", expect=200, decision="rejected")
    _adopt(api, m, ITEMS[2:4])

    # The third day: item 5, its draft adopted, and a proposal on the item rejected by ballot.
    _discuss(api, ITEMS[4], sittings[D3])
    _submit_drafts(api, m, ITEMS[4:])
    _adopt(api, m, ITEMS[4:])
    api.decide(m, D3, REJECTED, REJECTED_VOTES, agenda_item_id=ITEMS[4].id)
    api.post(f"/meetings/{m}/state", expect=200, state="closed")
    return m, {"meeting": meeting, "election": election["id"]}


def _discuss(api: Api, item: Item, sitting: int) -> None:
    """The item taken up: its reports, a point of order on the first, the speeches in the
    order the chair sets; then its discussion closed."""
    bureau = api.bodies["Executive Bureau"]
    n = ITEMS.index(item)
    api.post(f"/agenda-items/{item.id}/open", expect=200)
    item.seconds.append(1805 + n)
    api.post(
        f"/agenda-items/{item.id}/contributions",
        kind="report",
        on_behalf_of_body_id=bureau if item.reporter is None or item.for_the_bureau else None,
        title=f"Report {n + 1}",
        seconds_used=item.seconds[-1],
        sitting_id=sitting,
        **({"speaker_person_id": item.reporter} if item.reporter else {}),
    )
    if item.co_reporter:
        item.seconds.append(610)
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
    assert [r["person_id"] for r in waiting] == ([POINT_OF_ORDER] if n == 0 else []) + item.speakers
    if n == 0:
        api.post(
            f"/agenda-items/{item.id}/contributions",
            kind="point_of_order",
            speaker_person_id=POINT_OF_ORDER,
            seconds_used=45,
            sitting_id=sitting,
        )
    for k, speaker in enumerate(item.speakers):
        item.seconds.append(300 + 10 * n + k)
        api.post(
            f"/agenda-items/{item.id}/contributions",
            kind="speech",
            speaker_person_id=speaker,
            summary=f"Speech {n + 1}.{k + 1}",
            seconds_used=item.seconds[-1],
            sitting_id=sitting,
        )
    api.post(f"/agenda-items/{item.id}/close", expect=200)


def _submit_drafts(api: Api, meeting_id: int, items: list[Item]) -> None:
    """The items' drafts, submitted once their discussion has closed: by the Executive Bureau,
    or by the person who reported."""
    states = {i["id"]: i["state"] for i in api.get(f"/meetings/{meeting_id}/agenda")["items"]}
    for item in items:
        assert states[item.id] == "closed"
        by = (
            {"submitter_person_ids": [item.reporter]}
            if item.reporter and not item.for_the_bureau
            else {"submitter_body_id": api.bodies["Executive Bureau"]}
        )
        item.motion_id = api.post(
            f"/meetings/{meeting_id}/motions",
            title=item.motion_title,
            text=item.motion_text,
            agenda_item_id=item.id,
            **by,
        )["id"]


def _adopt(api: Api, meeting_id: int, items: list[Item]) -> None:
    """Each item's final draft, adopted unanimously by show of hands: a resolution."""
    for item in items:
        n = ITEMS.index(item) + 1
        api.post(
            f"/motions/{item.motion_id}/final",
            expect=200,
            panel_outcome=f"Panels' work on item {n} is done.",
        )
        closed = _by_show_of_hands(
            api, meeting_id, item.day, item.motion_title, motion_id=item.motion_id
        )
        assert closed["outcome"] == "adopted"
        settled = api.post(f"/motions/{item.motion_id}/settle", expect=200)
        assert settled["resolution"]["result"] == "adopted unanimously, by show of hands"
        assert settled["resolution"]["number"] == n


def _by_show_of_hands(api: Api, meeting_id: int, day: date, title: str, **link: Any) -> Any:
    """A decision taken by show of hands on ``day``, every right present raised for it: the
    tellers enter the totals, and it is closed and published."""
    poll = api.post(
        f"/meetings/{meeting_id}/polls",
        title=title,
        kind="decision",
        vote_by="show_of_hands",
        **link,
    )
    api.call("POST", f"/polls/{poll['id']}/open", day=day.isoformat())
    yes = next(o["id"] for o in poll["options"] if o["label"] == "yes")
    _enter_totals(api, poll["id"], {yes: HANDS[day]}, day)
    closed = api.call("POST", f"/polls/{poll['id']}/close")
    api.call("POST", f"/polls/{poll['id']}/publish")
    return closed


def _enter_totals(api: Api, poll_id: int, totals: dict[int, int], day: date) -> None:
    entered = api.post(f"/polls/{poll_id}/totals", totals={str(k): v for k, v in totals.items()})
    assert entered == {"votes": sum(totals.values()), "rights_present": HANDS[day]}


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


def _listed(people: list[int]) -> str:
    """Their names as the reports list them: in natural order, "A, B and C"."""
    ordered = sorted((NAMES[p] for p in people), key=natural_key)
    return ", ".join(ordered[:-1]) + " and " + ordered[-1] if len(ordered) > 1 else ordered[0]


def _in_order(people: list[int]) -> str:
    """Their names in the order given, as the reports list a panel's chairs: "A, B and C"."""
    named = [NAMES[p] for p in people]
    return ", ".join(named[:-1]) + " and " + named[-1] if len(named) > 1 else named[0]


def _roll_calls(minutes: str) -> list[list[str]]:
    """The voters of each roll-call in the minutes (Markdown), in the order printed."""
    tables = []
    for part in minutes.split("Roll-call:")[1:]:
        rows = part.strip().split("\n\n")[0].splitlines()[2:]  # below the header and rule
        tables.append([row.split(" | ")[0].removeprefix("| ") for row in rows])
    return tables


def _check_the_minutes_wording(minutes: str, election: int) -> None:
    """Attendance by capacity, votes with their rule and how they were taken, who reported,
    the panels' chairs, and the minutes' formatting fixed."""
    groups = [
        ("Members of the Presidium of the Executive Bureau", PRESIDIUM_NOW),
        ("Members of the Executive Bureau", [5, 6]),
        ("Alternate members of the Executive Bureau", BUREAU_ALTERNATES),
        ("Members of the 8th General Council", [BUREAU_LEFT, *range(10, 28)]),
        ("Alternate members of the 8th General Council", list(range(31, 37))),
        ("Invited as members", [INVITED_MEMBER]),
        ("Observers: heads of departments", HEADS_OF_DEPARTMENTS),
        ("Observers: chairs of regional committees", [45, 46]),
        ("Observers: members of the Audit Commission", AUDITORS),
        ("Observers: guests from fraternal unions", FRATERNAL_GUESTS[:1]),
        ("Other observers", [UNCATEGORISED]),
    ]
    lines = [f"{words} ({len(people)}): {_listed(people)}." for words, people in groups]
    assert [line for line in lines if line not in minutes] == []
    assert [minutes.index(line) for line in lines] == sorted(minutes.index(line) for line in lines)

    assert "An enlarged meeting: observers were invited beside the members" in minutes
    assert "Kind: enlarged" not in minutes
    assert (
        f"Vote {election}: Election of the presidium — Single non-transferable vote, "
        "by standing vote, 27 votes on "
        "16 June 2026." in minutes
    )
    assert f"Outcome: elected: {', '.join(NAMES[p] for p in PRESIDIUM)} (by standing vote)." in (
        minutes
    )
    assert (
        f"The agenda was approved unanimously, 27 votes in favour {RULE}, by show of hands:"
        in minutes
    )
    assert "Majority vote (yes, no, abstain), by show of hands, 27 votes on 16 June 2026." in (
        minutes
    )
    assert f"Outcome: rejected by 3 votes to 5 {RULE}." in minutes
    for n, item in enumerate(ITEMS, start=1):
        assert f"Outcome: {item.adopted}." in minutes, n
        assert f": {item.adopted}; in force from 18 June 2026." in minutes, n
        assert f"| report | {item.given_by} | Report {n} |" in minutes, n
    assert f"| co-report | {NAMES[6]} (Audit Commission) |" in minutes
    assert f"Rapporteur: {NAMES[5]}, Executive Bureau" in minutes
    assert f"Rapporteur: {NAMES[12]}\n" in minutes
    assert "Rapporteur: Executive Bureau" in minutes
    assert "Submitted by the Executive Bureau;" in minutes
    assert f"Submitted by {NAMES[12]};" in minutes
    assert "Submitted by Executive Bureau" not in minutes
    members = _in_order([*WORK_CHAIRS, *WORK_MEMBERS])  # its chairs sit on it too
    assert f"{PANEL_WORK} — items 1, 2; chairs: {_in_order(WORK_CHAIRS)}; members: {members}." in (
        minutes
    )
    assert f"{PANEL_SAFETY} — item 3; chairs: {_in_order(SAFETY_CHAIRS)};" in minutes
    assert f"{PANEL_DRAFTING} — item 4." in minutes
    assert "chair: —" not in minutes and "members: ." not in minutes

    (called,) = _roll_calls(minutes)  # the one vote by ballot: named, so called by name
    assert sorted(called) == sorted(NAMES[p] for v in REJECTED_VOTES.values() for p in v)
    assert called == sorted(called, key=natural_key)
    assert called.index("délégué 9") < called.index("Délégué 10") < called.index("Delegue 11")


def test_a_three_day_enlarged_plenary_meeting_from_an_empty_database(api: Api) -> None:
    meeting_id, facts = _record_the_meeting(api)
    assert facts["meeting"]["name"] == NAME
    assert facts["meeting"]["number"] == NUMBER

    communique = _report(api, meeting_id, "communique")
    said = [
        f"Report on the {NAME}",
        ORGANIZATION,
        "16 June 2026",
        "18 June 2026",
        VENUE,
        "convened by the Executive Bureau",
        # Each person once, in their first capacity: the innermost body first.
        "Attending were 4 members of the Presidium of the Executive Bureau; 2 members and 2 "
        "alternate members of the Executive Bureau; 19 members and 6 alternate members of the "
        "8th General Council; 1 participant invited as a member.",
        "Observers attending: heads of departments (2); chairs of regional committees (2); "
        "members of the Audit Commission (2); guests from fraternal unions (1); "
        "other observers (1).",
        # Elected in the order of the votes they received.
        f"The meeting elected its presidium by standing vote: {_in_order(PRESIDIUM)}.",
        "The meeting approved the following agenda unanimously, 27 votes in favour "
        f"{RULE}, by show of hands:",
        f"{NAMES[6]} delivered a co-report on behalf of the Audit Commission.",
        f"{PANEL_WORK}, on items 1, 2; chaired by {_in_order(WORK_CHAIRS)}",
        f"{PANEL_SAFETY}, on item 3; chaired by {_in_order(SAFETY_CHAIRS)}",
        f"{PANEL_DRAFTING}, on item 4",
    ]
    for n, item in enumerate(ITEMS, start=1):
        said += [
            f"Item {n}. {item.title}",
            item.heard,
            f"Taking part in the discussion: {_in_order(item.speakers)}.",
            f"Resolution No. {n} “{item.motion_title}” — {item.adopted}.",
        ]
    assert [fact for fact in said if fact not in communique] == []
    # Each result is stated under its item: the last item's rejected proposal after its heading.
    last_item = communique.index(f"Item 5. {ITEMS[4].title}")
    under_it = communique[last_item : communique.index("\n#", last_item)]
    assert f"“{REJECTED}” — rejected by 3 votes to 5 {RULE}." in under_it
    assert f"Resolution No. 5 “{ITEMS[4].motion_title}” — {ITEMS[4].adopted}." in under_it
    in_communique = (
        set(PRESIDIUM)
        | set(SITTING_CHAIRS.values())
        | {item.reporter for item in ITEMS if item.reporter}
        | {6}
        | {s for item in ITEMS for s in item.speakers}
        | {*WORK_CHAIRS, *SAFETY_CHAIRS}
    )
    assert [NAMES[p] for p in sorted(in_communique) if NAMES[p] not in communique] == []
    assert _absent(communique, set(NAMES) - in_communique) == []
    for word in (WITHDRAWN, "Northern Region", "all three regions", "time limits", "30:05"):
        assert word not in communique

    minutes = _report(api, meeting_id, "minutes")
    assert f"Minutes of the {NAME}" in minutes
    assert WITHDRAWN in minutes
    for item in ITEMS:
        for seconds in item.seconds:
            assert f"{seconds // 60}:{seconds % 60:02d}" in minutes, (item.title, seconds)
    # The tellers' totals: 27 yes for the agenda; the standing vote's, candidate by candidate.
    assert "| yes | 27 |" in minutes and "| no | 0 |" in minutes
    for person, votes in STANDING.items():
        assert f"| {NAMES[person]} | {votes} |" in minutes
    for fate in ("accepted", "merged", "rejected"):
        assert f"| {fate} |" in minutes
    assert "membership grew in all three regions" in minutes  # the adopted text
    assert "Agreements shall be renewed every eighteen months." in minutes
    assert "Northern Region" not in minutes and "every two years" not in minutes
    assert "Keep two meetings a year." in minutes
    _check_the_minutes_wording(minutes, facts["election"])
    took_part = (
        in_communique
        | set(ATTENDED)  # every one by name, in their capacity
        | {POINT_OF_ORDER}
        | set(WORK_MEMBERS)
    )
    assert _absent(minutes, set(NAMES) - took_part) == []

    book = _report(api, meeting_id, "motions")
    # Amendments as a delegate reads them out, never as a line diff.
    assert "Strike out “the Northern Region” and insert “all three regions”." in book
    assert "Strike out “two years” and insert “eighteen months”." in book
    assert "@@" not in book

    page = _report(api, meeting_id, "communique", "html")
    assert page.startswith("<!DOCTYPE html>") and f"Report on the {NAME}" in page
    assert "Attending were 4 members of the Presidium of the Executive Bureau;" in page
    assert f"unanimously, 27 votes in favour {RULE}, by show of hands" in page
    page = _report(api, meeting_id, "minutes", "html")
    assert f"Members of the Presidium of the Executive Bureau (4): {_listed(PRESIDIUM_NOW)}" in page
    assert f"{PANEL_DRAFTING} — item 4." in page and "chair: —" not in page
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
        (41, "members of the Audit Commission"),
        (42, "members of the Audit Commission"),
        (45, "chairs of regional committees"),
        (46, "chairs of regional committees"),
        (47, "chairs of regional committees"),
        (48, ""),
        (49, "guests from fraternal unions"),
        (50, "guests from fraternal unions"),
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
