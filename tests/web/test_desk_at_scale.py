"""The secretary's desk at the scale of a congress: a page at a time, found by name, role and
presence, each person chosen for a form by a search, never a wall of every name."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import Assembly, WithAssembly, convene
from tests.helpers import count_queries
from tests.web.page_client import Browser, secretary
from veche.db import transaction
from veche.models import Attendance, Meeting, Participant, Person
from veche.models.base import utcnow
from veche.models.meetings import ParticipantRole
from veche.queries.desk import DeskFilter, Presence, desk_participants, invitable

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

#: A congress: more delegates than any hall the demo knows.
CROWD = 5_000
#: The most a desk page may weigh, however many are invited.
MOST_BYTES = 200_000
ROW = re.compile(r'<tr>\s*<th scope="row">([^<]+)')


@dataclass
class Desk(WithAssembly):
    engine: Engine
    sessions: sessionmaker[Session]
    assembly: Assembly
    secretary: Browser

    def names(self, **params: str) -> list[str]:
        page = self.secretary.get(self.desk_path, params=params)
        assert page.status_code == 200, page.text
        return ROW.findall(page.text)


@pytest.fixture
def desk(engine: Engine, sessions: sessionmaker[Session]) -> Iterator[Desk]:
    app = create_app(engine)
    with TestClient(app) as client:
        yield Desk(engine, sessions, convene(client, sessions), secretary(app))


def crowd(sessions: sessionmaker[Session], meeting_id: int, people: int) -> None:
    """``people`` delegates invited to the meeting, every other one checked in today, and as
    many people of the organization not invited: inserted in bulk, as the benchmarks do (the
    actions would take minutes for so many; they are not what is tested here)."""
    with transaction(sessions) as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        organization_id = meeting.term.body.organization_id
        now = utcnow()
        session.execute(
            insert(Person),
            [
                {"organization_id": organization_id, "full_name": name, "created_at": now}
                for n in range(people)
                for name in (f"Delegate {n:04d}", f"Guest {n:04d}")
            ],
        )
        delegates = session.scalars(
            select(Person.id).where(Person.full_name.like("Delegate %")).order_by(Person.id)
        ).all()
        session.execute(
            insert(Participant),
            [
                {
                    "meeting_id": meeting_id,
                    "person_id": person_id,
                    "role": ParticipantRole.MEMBER,
                    "category": "",
                    "weight": 1,
                    "created_at": now,
                }
                for person_id in delegates
            ],
        )
        seats = session.scalars(
            select(Participant.id)
            .join(Person, Person.id == Participant.person_id)
            .where(Participant.meeting_id == meeting_id, Person.full_name.like("Delegate %"))
            .order_by(Person.full_name)
        ).all()
        session.execute(
            insert(Attendance),
            [
                {"participant_id": seat, "day": date.today(), "checked_in_at": now}
                for seat in seats[::2]
            ],
        )


@pytest.mark.one_database
def test_the_desk_of_a_congress_stays_small_and_finds_anyone(desk: Desk) -> None:
    desk.secretary.get(desk.desk_path)
    with count_queries(desk.engine) as small:
        desk.secretary.get(desk.desk_path)
    crowd(desk.sessions, desk.meeting, CROWD)
    with count_queries(desk.engine) as large:
        page = desk.secretary.get(desk.desk_path)
    # No query per participant: as many for 5,000 as for the Council's 38.
    assert len(large) == len(small)
    assert page.status_code == 200
    assert len(page.content) < MOST_BYTES, len(page.content)
    invited = CROWD + len(desk.assembly.members) + len(desk.assembly.alternates)
    assert f"{invited} found; page 1 of {-(-invited // 50)}, by name." in page.text
    names = ROW.findall(page.text)
    assert len(names) == 50 and names == sorted(names)
    # No list of every person: the invitation's search offers no one until a name is typed.
    assert "Guest 0001" not in page.text
    assert "people to choose from: type part of a name to find one." in page.text

    assert desk.names(q="delegate 4321") == ["Delegate 4321"]
    # Every other delegate, by name, is present: the even numbers.
    matching = [n for n in range(CROWD) if "432" in f"{n:04d}"]
    assert desk.names(q="Delegate 432", presence="present") == [
        f"Delegate {n:04d}" for n in matching if n % 2 == 0
    ]
    assert desk.names(q="Delegate 432", presence="absent") == [
        f"Delegate {n:04d}" for n in matching if n % 2 == 1
    ]
    assert desk.names(q="Delegate", role="alternate") == []
    second = desk.names(page="2")
    assert len(second) == 50 and second[0] > names[-1]
    # Past the last page (the list shrank meanwhile): its last page.
    forty_three = [f"Delegate {n:04d}" for n in range(CROWD) if "43" in f"{n:04d}"]
    assert desk.names(q="Delegate 43", page="99") == forty_three[-(len(forty_three) % 50) :]

    found = desk.secretary.get(
        f"{desk.desk_path}/pick/invite", params={"find_invite": "guest 4321"}
    )
    assert found.status_code == 200
    assert re.findall(r'name="person_id" value="\d+" required checked>Guest 4321', found.text)
    many = desk.secretary.get(f"{desk.desk_path}/pick/grantor", params={"find_grantor": "Delegate"})
    assert many.text.count('name="grantor_person_id"') == 20
    assert f"The first 20 of {CROWD} found: type more of the name." in many.text
    assert desk.secretary.get(f"{desk.desk_path}/pick/nobody").status_code == 404


@pytest.mark.one_database
def test_the_desk_checks_a_person_in_and_comes_back_to_the_same_list(desk: Desk) -> None:
    member = desk.assembly.members[3]
    with desk.sessions() as session:
        person = session.get(Person, member)
        assert person is not None
        name = person.full_name
    listed = {"q": name.split()[-1], "presence": "absent"}
    assert name in desk.names(**listed)
    page = desk.secretary.get(desk.desk_path, params=listed).text
    action = re.search(r'action="(/secretary/meetings/\d+/attendance\?[^"]+)"', page)
    assert action is not None
    done = desk.secretary.post(
        action.group(1).replace("&amp;", "&"),
        {"person_id": member, "day": date.today().isoformat(), "present": "yes"},
    )
    assert done.status_code == 303
    back = done.headers["location"]
    assert back.endswith("#attendance") and "presence=absent" in back and "at=attendance" in back
    shown = desk.secretary.get(back).text
    said = re.search(r'<p class="flash" role="status" id="attendance-said">([^<]+)<', shown)
    assert said is not None and said.group(1) == f"{name} is checked in on {date.today()}."
    assert '<p class="flash" role="status">' not in shown  # not above the page as well
    assert name not in ROW.findall(shown)  # no longer absent
    # Checking out someone not checked in is refused on the desk, beside the list.
    refused = desk.secretary.post(
        f"{desk.desk_path}/attendance",
        {"person_id": desk.assembly.members[4], "present": "no"},
    )
    assert refused.status_code == 409
    assert 'class="error" role="alert" id="attendance-said"' in refused.text
    assert 'id="door-code"' in refused.text  # the desk, not an error page


@pytest.mark.one_database
def test_invitations_proxies_and_substitutes_are_chosen_by_search(desk: Desk) -> None:
    members, alternates = desk.assembly.members, desk.assembly.alternates
    with desk.sessions() as session:
        outsider = session.scalars(
            select(Person.id)
            .where(Person.id.not_in(select(Participant.person_id)))
            .order_by(Person.id)
        ).first()
        assert outsider is not None
    # Without scripts, the search form brings the desk back with the names found in place.
    with desk.sessions() as session:
        grantor = session.get(Person, members[20])
        assert grantor is not None
    page = desk.secretary.get(desk.desk_path, params={"find_grantor": grantor.full_name}).text
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id twice on the desk"
    assert re.search(
        rf'<label class="choice"><input type="radio" name="grantor_person_id" '
        rf'value="{members[20]}" required checked>{grantor.full_name}&nbsp;',
        page,
    )
    finder = re.search(r'<form id="finder-stand-ins" method="get" action="([^"]+)">', page)
    assert finder is not None and finder.group(1).endswith("#stand-ins")
    assert 'form="finder-stand-ins"' in page

    nobody = desk.secretary.post(f"{desk.desk_path}/participants", {"role": "observer"})
    assert nobody.status_code == 422
    assert "choose the person to invite: find them by name, then pick them" in nobody.text
    invited = desk.secretary.post(
        f"{desk.desk_path}/participants",
        {"person_id": outsider, "role": "observer", "category": "guests"},
    )
    assert invited.status_code == 303 and invited.headers["location"].endswith("#invite")

    missing = desk.secretary.post(f"{desk.desk_path}/proxies", {"grantor_person_id": members[20]})
    assert missing.status_code == 422 and "choose the member who holds it" in missing.text
    proxy = {"grantor_person_id": members[20], "holder_person_id": members[0]}
    given = desk.secretary.post(f"{desk.desk_path}/proxies", proxy)
    assert given.status_code == 303 and given.headers["location"].endswith("#stand-ins")
    shown = desk.secretary.get(given.headers["location"]).text
    assert "vote is entrusted to" in shown and "vote, held by" in shown
    twice = desk.secretary.post(f"{desk.desk_path}/proxies", proxy)
    assert twice.status_code == 409 and "has already given a proxy" in twice.text

    stand_in = {
        "member_person_id": members[21],
        "alternate_person_id": alternates[0],
        "day": date.today().isoformat(),
    }
    stood = desk.secretary.post(f"{desk.desk_path}/substitutions", stand_in)
    assert stood.status_code == 303
    assert " stands in for " in desk.secretary.get(stood.headers["location"]).text
    wrong = desk.secretary.post(
        f"{desk.desk_path}/substitutions", {**stand_in, "member_person_id": alternates[1]}
    )
    assert wrong.status_code == 422 and "is not a member" in wrong.text
    assert 'id="stand-ins-said"' in wrong.text


def test_the_desk_query_finds_by_name_role_and_presence(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """On both databases: the query the desk lists and searches with."""
    with TestClient(create_app(engine)) as client:
        assembly = convene(client, sessions)
        assembly.check_in(assembly.members[:3])
    today = date.today()
    with sessions() as session:
        meeting = session.get(Meeting, assembly.meeting_id)
        assert meeting is not None
        everyone, _ = desk_participants(
            session, meeting.id, today, DeskFilter(), limit=500, offset=0
        )
        present, rows = desk_participants(
            session, meeting.id, today, DeskFilter(presence=Presence.PRESENT), limit=500, offset=0
        )
        assert present == 3 and all(row.present for row in rows)
        assert sorted(row.participant.person_id for row in rows) == assembly.members[:3]
        alternates, _ = desk_participants(
            session,
            meeting.id,
            today,
            DeskFilter(role=ParticipantRole.ALTERNATE),
            limit=500,
            offset=0,
        )
        assert alternates == len(assembly.alternates)
        assert everyone == len(assembly.members) + alternates
        first = rows[0].participant.full_name
        shouted = first.upper()
        total, found = desk_participants(
            session, meeting.id, today, DeskFilter(words=shouted), limit=500, offset=0
        )
        assert (total, [row.participant.full_name for row in found]) == (1, [first])
        total, _ = desk_participants(
            session, meeting.id, today, DeskFilter(words="100%_"), limit=500, offset=0
        )
        assert total == 0
        outside, people = invitable(session, meeting, "", limit=5)
        assert outside > 0 and len(people) == 5
        assert not {p.person_id for p in people} & set(assembly.members + assembly.alternates)
