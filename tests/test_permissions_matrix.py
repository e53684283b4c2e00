"""The permission matrix: every declared permission, tried by a holder of every stored role in
every scope, through the API and the pages — done where the role grants it there, refused (403)
everywhere else.

What each role grants is read from the database (``list_roles``), never repeated here, so the
matrix follows the data: change a role and the expectations change with it. Beside the stored
roles, the matrix defines one role per permission that grants it alone (``only-polls-run``), so
that a route asking for more than its action's one permission is caught.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.assembly import bearer_token
from tests.helpers import demo_organization, general_council_term
from tests.meeting_api import Api, secretary_api
from tests.web.sitting import MOTION_TEXT
from veche.actions.access import Caller, held_permissions
from veche.actions.actor import Actor
from veche.actions.meetings import do_create_meeting
from veche.actions.org import do_create_person, do_create_unit, do_create_user
from veche.actions.participants import do_invite
from veche.actions.roles import do_define_role, do_grant_role, list_roles
from veche.actions.tokens import do_issue_token
from veche.db import transaction
from veche.demo import DEMO_SECRETARY
from veche.models import Body, Term, Unit
from veche.models.meetings import ParticipantRole
from veche.permissions import Permission, Scope

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

PASSWORD = "holder-password"
PROBE_PASSWORD = "a probe's passphrase"
#: Where a holder's role is granted, seen from the meeting the probes act in: a grant in the
#: organization, in the meeting's body or in the meeting reaches it; one in another meeting
#: reaches nothing here.
PLACES = ("organization", "body", "meeting", "other meeting")


def reaches(place: str, asked: Scope) -> bool:
    """Whether a grant in ``place`` holds where a permission is asked (the probed meeting, its
    body or its organization): a grant holds in its scope and the scopes inside it."""
    return {
        "organization": True,
        "body": asked in (Scope.BODY, Scope.MEETING),
        "meeting": asked is Scope.MEETING,
        "other meeting": False,
    }[place]


def alone(permission: Permission) -> str:
    """The name of the role this module defines to grant ``permission`` and nothing else."""
    return "only-" + permission.value.replace(".", "-").replace("_", "-")


#: The place each role granting one permission alone is granted in: where it is asked.
OWN_PLACE = {
    Scope.ORGANIZATION: "organization",
    Scope.BODY: "body",
    Scope.MEETING: "meeting",
    # The matrix grants nothing in a unit: a grant in the organization reaches every unit
    # (tests/web/test_follow_up_api.py grants the reporter's role in a unit).
    Scope.UNIT: "organization",
}


@dataclass
class Place:
    """The meeting the probes act in, the rows they act on, and its secretary's API client."""

    secretary: Api
    organization_id: int
    body_id: int
    bureau_id: int
    term_id: int
    meeting_id: int
    other_meeting_id: int
    item_id: int
    motion_id: int
    open_poll_id: int
    yes_id: int
    closed_poll_id: int
    #: A member without an office, whom the probes give no office and check in.
    member_id: int
    #: A person of the organization in no meeting, to whom the probes issue tokens (a token
    #: for one who may do more than the prober is refused: tests/web/test_clerk_reach.py).
    person_id: int
    #: An open reporting period of the term, and a unit that reports in it.
    period_id: int
    unit_id: int
    day: str = field(default_factory=lambda: date.today().isoformat())
    numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def fresh(self, what: str) -> str:
        return f"{what} {next(self.numbers)}"

    def amendment(self) -> int:
        """A new amendment to the motion's second paragraph, proposed by a member."""
        amendment = self.secretary.post(
            f"/motions/{self.motion_id}/amendments",
            paragraph=2,
            new_text=self.fresh("The Bureau reports in a month, number"),
            proposer_person_id=self.member_id,
        )
        return int(amendment["id"])

    def account(self, *, active: bool = True) -> int:
        """A new account with no role, made by the secretary (deactivated if not ``active``)."""
        made = self.secretary.post(
            "/accounts", username=f"probe-{next(self.numbers)}", password=PROBE_PASSWORD
        )
        if not active:
            self.secretary.post(f"/accounts/{made['id']}/deactivate", 200)
        return int(made["id"])

    def grant(self) -> int:
        """A grant of the observer's role in the organization to a new account."""
        grant = self.secretary.post(
            "/role-grants",
            role="observer",
            scope="organization",
            scope_id=self.organization_id,
            user_id=self.account(),
        )
        return int(grant["id"])


Make = Callable[[Place], tuple[str, dict[str, Any] | None]]


@dataclass(frozen=True)
class Call:
    """One request: how it is made (fresh for each try), and the status that says it was done.

    ``shown`` is for a page that answers everyone who may see the meeting and shows the
    permission's fruit (a closed poll's result) only to those who hold it.
    """

    method: str
    make: Make
    done: int
    shown: Callable[[str], bool] | None = None


@dataclass(frozen=True)
class Probe:
    """A permission tried through the API and, where a page does the same, through the pages.

    ``also``: permissions that let their holder make the same request (those who keep the
    speakers list put anyone on it, themselves included).
    """

    api: Call
    page: Call | None = None
    also: frozenset[Permission] = frozenset()
    #: Further routes that ask for the same permission, each with its door ("API", "page").
    more: tuple[tuple[str, Call], ...] = ()


def _decide_amendment(p: Place) -> tuple[str, dict[str, Any] | None]:
    at = f"/meetings/{p.meeting_id}/motions/{p.motion_id}/amendments/{p.amendment()}"
    return f"{at}/decision", {"decision": "rejected"}


def _new_poll(p: Place) -> dict[str, Any]:
    return {"title": p.fresh("Question"), "kind": "decision", "method": "majority"}


PROBES: dict[Permission, Probe] = {
    Permission.ORGANIZATION_MANAGE: Probe(
        Call("PUT", lambda p: ("/roles/probe-role", {"permissions": []}), 200),
        Call("POST", lambda p: ("/secretary/people", {"full_name": p.fresh("Newcomer")}), 303),
        more=(
            (
                "API",
                Call(
                    "POST",
                    lambda p: (
                        "/role-grants",
                        {
                            "role": "observer",
                            "scope": "organization",
                            "scope_id": p.organization_id,
                            "user_id": p.account(),
                        },
                    ),
                    201,
                ),
            ),
            (
                "page",
                Call(
                    "POST",
                    lambda p: (
                        "/secretary/accounts/grants",
                        {
                            "role": "observer",
                            "scope": "organization",
                            "scope_id": p.organization_id,
                            "user_id": p.account(),
                        },
                    ),
                    303,
                ),
            ),
            (
                "page",
                Call(
                    "POST", lambda p: (f"/secretary/accounts/grants/{p.grant()}/revoke", None), 303
                ),
            ),
        ),
    ),
    Permission.ACCOUNTS_MANAGE: Probe(
        Call(
            "POST",
            lambda p: (
                "/accounts",
                {"username": p.fresh("api").replace(" ", "-"), "password": PROBE_PASSWORD},
            ),
            201,
        ),
        Call(
            "POST",
            lambda p: (
                "/secretary/accounts",
                {"username": p.fresh("page").replace(" ", "-"), "password": PROBE_PASSWORD},
            ),
            303,
        ),
        more=(
            ("API", Call("POST", lambda p: (f"/people/{p.person_id}/tokens", None), 201)),
            ("API", Call("GET", lambda p: ("/accounts", None), 200)),
            (
                "API",
                Call(
                    "POST",
                    lambda p: (
                        f"/accounts/{p.account()}/password",
                        {"new_password": PROBE_PASSWORD + " again"},
                    ),
                    204,
                ),
            ),
            ("API", Call("POST", lambda p: (f"/accounts/{p.account()}/deactivate", None), 200)),
            (
                "API",
                Call(
                    "POST",
                    lambda p: (f"/accounts/{p.account(active=False)}/activate", None),
                    200,
                ),
            ),
            ("page", Call("GET", lambda p: ("/secretary/accounts", None), 200)),
            (
                "page",
                Call(
                    "POST",
                    lambda p: (
                        f"/secretary/accounts/{p.account()}/password",
                        {"new_password": PROBE_PASSWORD + " again"},
                    ),
                    303,
                ),
            ),
            (
                "page",
                Call(
                    "POST", lambda p: (f"/secretary/accounts/{p.account()}/deactivate", None), 303
                ),
            ),
            (
                "page",
                Call(
                    "POST",
                    lambda p: (f"/secretary/accounts/{p.account(active=False)}/activate", None),
                    303,
                ),
            ),
        ),
    ),
    Permission.MEETING_CONVENE: Probe(
        Call(
            "POST",
            lambda p: (
                "/meetings",
                {"term_id": p.term_id, "title": p.fresh("Meeting"), "starts_on": p.day},
            ),
            201,
        ),
        Call(
            "POST",
            lambda p: (
                "/secretary/meetings",
                {"term_id": p.term_id, "title": p.fresh("Meeting"), "starts_on": p.day},
            ),
            303,
        ),
    ),
    Permission.MEETING_SEE: Probe(
        Call("GET", lambda p: (f"/meetings/{p.meeting_id}", None), 200),
        Call("GET", lambda p: (f"/meetings/{p.meeting_id}", None), 200),
    ),
    Permission.MEETING_RUN: Probe(
        Call(
            "PATCH",
            lambda p: (f"/meetings/{p.meeting_id}/participants/{p.member_id}", {"office": None}),
            200,
        ),
        Call(
            "POST",
            lambda p: (
                f"/secretary/meetings/{p.meeting_id}/offices",
                {"person_id": p.member_id, "office": ""},
            ),
            303,
        ),
    ),
    Permission.ATTENDANCE_RECORD: Probe(
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/attendance",
                {"person_ids": [p.member_id], "day": p.day},
            ),
            200,
        ),
        Call(
            "POST",
            lambda p: (
                f"/secretary/meetings/{p.meeting_id}/attendance",
                {"person_id": p.member_id, "present": "yes"},
            ),
            303,
        ),
    ),
    Permission.AGENDA_MANAGE: Probe(
        Call(
            "POST", lambda p: (f"/meetings/{p.meeting_id}/agenda", {"title": p.fresh("Item")}), 201
        ),
        Call(
            "POST",
            lambda p: (
                f"/secretary/meetings/{p.meeting_id}/agenda/items",
                {"title": p.fresh("Item")},
            ),
            303,
        ),
    ),
    Permission.FLOOR_RUN: Probe(
        Call(
            "POST", lambda p: (f"/agenda-items/{p.item_id}/speakers/close", {"closed": False}), 200
        ),
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/console/floor/close",
                {"item_id": p.item_id, "closed": "false"},
            ),
            303,
        ),
        more=(
            (
                "API",
                Call(
                    "PUT", lambda p: (f"/meetings/{p.meeting_id}/projector", {"shows": "item"}), 200
                ),
            ),
            (
                "page",
                Call(
                    "POST",
                    lambda p: (f"/meetings/{p.meeting_id}/console/projector", {"shows": "item"}),
                    303,
                ),
            ),
        ),
    ),
    Permission.MOTIONS_MANAGE: Probe(
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/motions",
                {
                    "title": p.fresh("Motion"),
                    "text": "The Council resolves.",
                    "submitter_body_id": p.bureau_id,
                },
            ),
            201,
        ),
        Call("POST", _decide_amendment, 303),
    ),
    Permission.POLLS_RUN: Probe(
        Call("POST", lambda p: (f"/meetings/{p.meeting_id}/polls", _new_poll(p)), 201),
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/console/polls",
                {"title": p.fresh("Question"), "kind": "decision"},
            ),
            303,
        ),
    ),
    # The same lot sent again with its key is recognised, not added: the probes can repeat.
    Permission.PAPER_ENTER: Probe(
        Call(
            "POST",
            lambda p: (
                f"/polls/{p.open_poll_id}/paper",
                {
                    "lots": [{"choice": {"option": p.yes_id}, "count": 1}],
                    "lot_key": "matrix-api-lot-key",
                },
            ),
            201,
        ),
        Call(
            "POST",
            lambda p: (
                f"/secretary/meetings/{p.meeting_id}/polls/{p.open_poll_id}/paper",
                {f"count_{p.yes_id}": "1", "lot_key": "matrix-page-lot-key"},
            ),
            303,
        ),
    ),
    Permission.RESULTS_SEE_CLOSED: Probe(
        Call("GET", lambda p: (f"/polls/{p.closed_poll_id}/result", None), 200),
        Call(
            "GET",
            lambda p: (f"/meetings/{p.meeting_id}/room", None),
            200,
            shown=lambda page: 'class="outcome"' in page,
        ),
    ),
    Permission.FLOOR_REQUEST: Probe(
        Call("POST", lambda p: (f"/agenda-items/{p.item_id}/speakers", {"kind": "speech"}), 201),
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/floor/requests",
                {"item_id": p.item_id, "kind": "speech"},
            ),
            303,
        ),
        also=frozenset({Permission.FLOOR_RUN}),
    ),
    Permission.AGENDA_PROPOSE: Probe(
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/agenda/proposals",
                {"kind": "add", "title": p.fresh("Proposed item")},
            ),
            201,
        ),
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/agenda/proposals",
                {"kind": "add", "title": p.fresh("Proposed item")},
            ),
            303,
        ),
    ),
    Permission.AMENDMENT_PROPOSE: Probe(
        Call(
            "POST",
            lambda p: (
                f"/motions/{p.motion_id}/amendments",
                {"paragraph": 1, "new_text": p.fresh("The Council adopts budget")},
            ),
            201,
        ),
        Call(
            "POST",
            lambda p: (
                f"/meetings/{p.meeting_id}/motions/{p.motion_id}/amendments",
                {"paragraph": "1", "new_text": p.fresh("The Council adopts budget")},
            ),
            303,
        ),
    ),
    Permission.FOLLOW_UP_MANAGE: Probe(
        Call(
            "POST",
            lambda p: ("/cycles", {"term_id": p.term_id, "name": p.fresh("Reporting cycle")}),
            201,
        )
    ),
    Permission.FOLLOW_UP_READ: Probe(Call("GET", lambda p: ("/cycles", None), 200)),
    Permission.FOLLOW_UP_REPORT: Probe(
        Call(
            "PUT",
            lambda p: (
                f"/periods/{p.period_id}/units/{p.unit_id}/report",
                {"narrative": p.fresh("Progress")},
            ),
            200,
        )
    ),
}


def test_every_permission_has_a_probe() -> None:
    assert set(PROBES) == set(Permission)


def _system(session: Session) -> Caller:
    """The operator, acting for the demo organization (so that its checked actions run)."""
    organization = demo_organization(session)
    return Caller(Actor.system("tests"), None, unrestricted=True, organization_id=organization.id)


def _place(client: TestClient, sessions: sessionmaker[Session]) -> Place:
    """A meeting of the General Council in session, made through the API by the demo's
    secretary, its agenda not yet approved: an item with room for many speeches, a draft
    motion, a poll open for paper ballots and a closed one whose result is not published."""
    api = secretary_api(client, bearer_token(client, *DEMO_SECRETARY), sessions)
    with sessions() as session:
        organization_id = demo_organization(session).id
    today = date.today().isoformat()
    meeting, other = (
        api.post("/meetings", term_id=api.term_id, title=title, starts_on=today, notice="Come.")
        for title in ("Plenary Meeting", "Other Meeting")
    )
    meeting, other = meeting["id"], other["id"]
    item = api.post(f"/meetings/{meeting}/agenda", title="On the budget", speeches_per_person=10)
    motion = api.post(
        f"/meetings/{meeting}/motions",
        title="On the budget",
        text=MOTION_TEXT,
        agenda_item_id=item["id"],
        submitter_body_id=api.bodies["Executive Bureau"],
    )
    for state in ("convened", "in_session"):
        api.post(f"/meetings/{meeting}/state", 200, state=state)
    members = [
        row["person_id"]
        for row in api.get(f"/meetings/{meeting}/participants")
        if row["role"] == "member"
    ]
    api.check_in(meeting, date.today(), members[:16])
    polls = []
    for title in ("Paper question", "Closed question"):
        poll = api.post(
            f"/meetings/{meeting}/polls", title=title, kind="decision", method="majority"
        )
        api.post(f"/polls/{poll['id']}/open", 200)
        polls.append((poll["id"], next(o["id"] for o in poll["options"] if o["label"] == "yes")))
    (open_poll, yes), (closed_poll, closed_yes) = polls
    api.post(f"/polls/{closed_poll}/paper", lots=[{"choice": {"option": closed_yes}, "count": 3}])
    api.post(f"/polls/{closed_poll}/close", 200)
    cycle = api.post("/cycles", term_id=api.term_id, name="Quarterly reports")
    period = api.post(
        f"/cycles/{cycle['id']}/periods",
        name="This quarter",
        starts_on=today,
        ends_on=today,
        due_on=today,
    )
    unit = next(unit["id"] for unit in api.get("/units") if unit["depth"] == 1)
    return Place(
        secretary=api,
        organization_id=organization_id,
        body_id=api.bodies["General Council"],
        bureau_id=api.bodies["Executive Bureau"],
        term_id=api.term_id,
        meeting_id=meeting,
        other_meeting_id=other,
        item_id=item["id"],
        motion_id=motion["id"],
        open_poll_id=open_poll,
        yes_id=yes,
        closed_poll_id=closed_poll,
        member_id=members[20],
        person_id=api.post("/people", full_name="Token Holder")["id"],
        period_id=period["id"],
        unit_id=unit,
    )


@dataclass
class Holder:
    """An account holding one role in one place, and the permissions probed as it.

    ``seated``: also an observer of the meeting. An observer holds ``meeting.see``, which
    every probe of a meeting's business asks first; seeing the meeting itself is probed by a
    holder who takes no part in it.
    """

    role: str
    place: str
    seated: bool
    probes: frozenset[Permission]
    username: str = ""
    token: dict[str, str] = field(default_factory=dict)
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)
    csrf: str = ""

    def __str__(self) -> str:
        seat = ", seated as an observer" if self.seated else ""
        return f"{self.role} in the {self.place}{seat}"


def _wanted(roles: dict[str, frozenset[Permission]], where: str) -> list[Holder]:
    """For every stored role granted in ``where``, a seated holder who probes everything but
    seeing the meeting, and one who takes no part and probes that; for each role that grants
    one permission alone, if ``where`` is where that permission is asked, a holder who probes
    that permission.

    A granted role acts through its permissions alone, never its name, so of two roles that
    grant the same set (the chair and the secretary, a member and an alternate) the first
    stands for both."""
    only = {alone(permission): permission for permission in Permission}
    seeing = frozenset({Permission.MEETING_SEE})
    wanted = []
    tried: set[frozenset[Permission]] = set()
    for role, grants in roles.items():
        if role not in only:
            if grants in tried:
                continue
            tried.add(grants)
            wanted.append(Holder(role, where, True, frozenset(Permission) - seeing))
            wanted.append(Holder(role, where, False, seeing))
        elif OWN_PLACE[only[role].scope] == where:
            seated = only[role].scope is Scope.MEETING and only[role] not in seeing
            wanted.append(Holder(role, where, seated, frozenset({only[role]})))
    return wanted


def _holders(
    place: Place, sessions: sessionmaker[Session], where: str
) -> tuple[list[Holder], dict[str, frozenset[Permission]]]:
    """The holders of roles granted in ``where``, made in one transaction, and what each
    stored role grants; the seated ones are then invited as observers, all at once."""
    grant_in = {
        "organization": (Scope.ORGANIZATION, place.organization_id),
        "body": (Scope.BODY, place.body_id),
        "meeting": (Scope.MEETING, place.meeting_id),
        "other meeting": (Scope.MEETING, place.other_meeting_id),
    }
    seated = []
    with transaction(sessions) as session:
        system = _system(session)
        organization = demo_organization(session)
        for permission in Permission:
            do_define_role(session, system, alone(permission), [permission])
        roles = {role.name: frozenset(role.permissions) for role in list_roles(session)}
        holders = _wanted(roles, where)
        for number, holder in enumerate(holders):
            person = do_create_person(session, system, organization, f"Holder {number}")
            holder.username = f"holder-{number}"
            user = do_create_user(
                session, system, organization, holder.username, PASSWORD, person=person
            )
            scope, scope_id = grant_in[holder.place]
            do_grant_role(
                session, system, holder.role, scope=scope, scope_id=scope_id, user_id=user.id
            )
            if holder.seated:
                seated.append(person.id)
            issued = do_issue_token(
                session, system.actor, user=user, person=person, lifetime=timedelta(hours=1)
            )
            holder.token = {"Authorization": f"Bearer {issued.token}"}
    place.secretary.post(
        f"/meetings/{place.meeting_id}/observers", category="holders", person_ids=seated
    )
    return holders, roles


def _csrf(client: TestClient) -> str:
    page = client.get("/login").text
    start = page.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    return page[start : page.index('"', start)]


def _log_in_all(client: TestClient, holders: list[Holder]) -> None:
    """Log each holder in through the login page, in a browser of their own (its cookies
    kept). Every browser starts from the same cookie, so one form's token serves all logins."""
    client.cookies = httpx.Cookies()
    token = _csrf(client)
    fresh = httpx.Cookies(client.cookies)
    for holder in holders:
        client.cookies = fresh
        form = {"csrf_token": token, "username": holder.username, "password": PASSWORD}
        response = client.post("/login", data=form)
        assert response.status_code == 303, response.text
        holder.csrf = _csrf(client)  # logging in changes the form's token
        holder.cookies = httpx.Cookies(client.cookies)


def _verdict(call: Call, response: httpx.Response) -> str:
    status = response.status_code
    if status == 303 and response.headers["location"].startswith("/login"):
        return "logged out"
    if call.shown is not None and status == call.done:
        return "allowed" if call.shown(response.text) else "refused"
    if status == call.done:
        return "allowed"
    if status == 403:
        return "refused"
    return f"unexpected {status}: {response.text[:300]}"


def _expected(
    permission: Permission, holder: Holder, roles: dict[str, frozenset[Permission]]
) -> str:
    """Allowed iff the holder's role grants the permission where it is asked, or their seat
    does (an observer's role, in the meeting); a meeting's business also needs the meeting seen."""

    def held(wanted: Permission) -> bool:
        granted = wanted in roles[holder.role] and reaches(holder.place, wanted.scope)
        seated = holder.seated and wanted.scope is Scope.MEETING and wanted in roles["observer"]
        return granted or seated

    sees = permission.scope is not Scope.MEETING or held(Permission.MEETING_SEE)
    allowed = sees and any(held(p) for p in {permission, *PROBES[permission].also})
    return "allowed" if allowed else "refused"


def _try(client: TestClient, place: Place, holder: Holder, call: Call, api: bool) -> str:
    path, body = call.make(place)
    if api:
        response = client.request(call.method, "/api" + path, json=body, headers=holder.token)
    else:
        client.cookies = holder.cookies
        form = None if call.method == "GET" else {"csrf_token": holder.csrf, **(body or {})}
        response = client.request(call.method, path, data=form)
    return _verdict(call, response)


@pytest.mark.one_database
@pytest.mark.parametrize("where", PLACES)
def test_every_permission_of_every_role_granted_in(where: str, engine: Engine) -> None:
    """One test per place of the grant, so that the places can be tried in parallel. The
    expectations say both "done" and "refused" for every probe across the places (the
    organization's administrator may do everything, a grant in another meeting nothing)."""
    app = create_app(engine)
    wrong = []
    with TestClient(app, follow_redirects=False) as client:
        place = _place(client, app.state.sessions)
        holders, roles = _holders(place, app.state.sessions, where)
        _log_in_all(client, holders)
        for holder in holders:
            for permission in sorted(holder.probes):
                probe = PROBES[permission]
                expected = _expected(permission, holder, roles)
                doors = [("API", probe.api)] + ([("page", probe.page)] if probe.page else [])
                doors += probe.more
                for door, call in doors:
                    verdict = _try(client, place, holder, call, api=door == "API")
                    if verdict != expected:
                        wrong.append(f"{permission} by {holder}, {door}: {verdict}")
    assert not wrong, "\n".join(wrong)


def test_a_grant_holds_in_its_scope_and_the_scopes_inside_it(
    sessions: sessionmaker[Session],
) -> None:
    """A grant in the organization holds everywhere in it; in a body, in its meetings; in a
    meeting, there alone; in a unit, in the units below it and not above. A caller holds what
    their account and their person are granted, and in a meeting what their place there gives."""
    today = date.today()
    with transaction(sessions) as session:
        system = _system(session)
        organization = demo_organization(session)
        council = general_council_term(session)
        audit = session.scalars(
            select(Term).join(Body).where(Body.name == "Audit Commission")
        ).one()
        meeting = do_create_meeting(session, system, council, "Plenary Meeting", starts_on=today)
        other = do_create_meeting(session, system, council, "Second Meeting", starts_on=today)
        elsewhere = do_create_meeting(session, system, audit, "Audit Meeting", starts_on=today)
        region, far_region = session.scalars(
            select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id).limit(2)
        ).all()
        branch = session.scalars(select(Unit).where(Unit.parent_id == region.id).limit(1)).one()
        far_branch = session.scalars(
            select(Unit).where(Unit.parent_id == far_region.id).limit(1)
        ).one()
        section = do_create_unit(session, system, organization, "Section", parent=branch)
        person = do_create_person(session, system, organization, "Grant Holder")
        user = do_create_user(
            session, system, organization, "grant-holder", PASSWORD, person=person
        )
        # One role per scope, each with a permission of its own, so that the permissions held
        # say which grants reached; the account holds some grants and the person the others.
        grants = {
            "in-organization": (Scope.ORGANIZATION, organization.id, Permission.ACCOUNTS_MANAGE),
            "in-body": (Scope.BODY, council.body_id, Permission.MEETING_CONVENE),
            "in-meeting": (Scope.MEETING, meeting.id, Permission.POLLS_RUN),
            "in-region": (Scope.UNIT, region.id, Permission.FLOOR_RUN),
            "in-branch": (Scope.UNIT, branch.id, Permission.PAPER_ENTER),
        }
        for name, (scope, scope_id, permission) in grants.items():
            do_define_role(session, system, name, [permission])
            holder = {"person_id": person.id} if scope is Scope.UNIT else {"user_id": user.id}
            do_grant_role(session, system, name, scope=scope, scope_id=scope_id, **holder)
        do_invite(session, system, other, person.id, role=ParticipantRole.MEMBER)
        member = frozenset(next(r for r in list_roles(session) if r.name == "member").permissions)
        account_and_person = Caller(
            Actor(user.id, user.username), person.id, False, organization.id
        )
        account_only = Caller(Actor(user.id, user.username), None, False, organization.id)
        person_only = Caller(Actor(None, person.full_name), person.id, False, organization.id)
        places = {
            "organization": (Scope.ORGANIZATION, organization.id),
            "council": (Scope.BODY, council.body_id),
            "audit commission": (Scope.BODY, audit.body_id),
            "meeting": (Scope.MEETING, meeting.id),
            "other meeting": (Scope.MEETING, other.id),
            "audit meeting": (Scope.MEETING, elsewhere.id),
            "region": (Scope.UNIT, region.id),
            "branch": (Scope.UNIT, branch.id),
            "section": (Scope.UNIT, section.id),
            "far region": (Scope.UNIT, far_region.id),
            "far branch": (Scope.UNIT, far_branch.id),
        }
    accounts, convene, polls, floor, paper = (
        Permission.ACCOUNTS_MANAGE,
        Permission.MEETING_CONVENE,
        Permission.POLLS_RUN,
        Permission.FLOOR_RUN,
        Permission.PAPER_ENTER,
    )
    # What (the account with its person, the account alone, the person alone) holds in each.
    expected = {
        "organization": ({accounts}, {accounts}, set()),
        "council": ({accounts, convene}, {accounts, convene}, set()),
        "audit commission": ({accounts}, {accounts}, set()),
        "meeting": ({accounts, convene, polls}, {accounts, convene, polls}, set()),
        "other meeting": ({accounts, convene} | member, {accounts, convene}, set(member)),
        "audit meeting": ({accounts}, {accounts}, set()),
        "region": ({accounts, floor}, {accounts}, {floor}),
        "branch": ({accounts, floor, paper}, {accounts}, {floor, paper}),
        "section": ({accounts, floor, paper}, {accounts}, {floor, paper}),
        "far region": ({accounts}, {accounts}, set()),
        "far branch": ({accounts}, {accounts}, set()),
    }
    with sessions() as session:
        found = {
            name: tuple(
                set(held_permissions(session, caller, scope, scope_id))
                for caller in (account_and_person, account_only, person_only)
            )
            for name, (scope, scope_id) in places.items()
        }
    assert found == expected
