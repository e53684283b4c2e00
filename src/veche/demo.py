"""The demo organization: a fictional federation of unions, so a newcomer sees something real."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.org import (
    do_add_membership,
    do_create_body,
    do_create_organization,
    do_create_person,
    do_create_term,
    do_create_unit,
    do_create_user,
)
from veche.models import Organization, Person, Term, Unit
from veche.models.org import MembershipRole
from veche.quorum import Quorum

DEMO_NAME = "Riverlands Federation of Trade Unions"
#: Printed in the README: the demo's secretary logs in with these.
DEMO_SECRETARY = ("secretary", "riverlands-demo")

_REGIONS = {
    "Northern Region": [
        "Rail and Transport Branch",
        "Hill Mines Branch",
        "Northern Teachers' Branch",
    ],
    "Coastal Region": ["Dockers' Branch", "Fisheries Branch", "Coastal Health Workers' Branch"],
    "Valley Region": ["Textile Branch", "Food and Farm Branch", "Valley Builders' Branch"],
}

_GIVEN = [
    "Ada",
    "Boris",
    "Clara",
    "Dmitri",
    "Elin",
    "Farid",
    "Greta",
    "Hamid",
    "Ines",
    "Jonas",
    "Kira",
    "Lev",
    "Mara",
    "Nils",
    "Olga",
    "Pavel",
    "Rosa",
    "Sami",
    "Tove",
    "Umar",
    "Vera",
    "Wim",
    "Yara",
    "Zeno",
]
_FAMILY = [
    "Arnold",
    "Berg",
    "Castell",
    "Dahl",
    "Engel",
    "Falk",
    "Gorin",
    "Holm",
    "Ivers",
    "Jansen",
    "Kovac",
    "Lind",
    "Moreau",
    "Novak",
    "Ortiz",
    "Petrov",
    "Quist",
    "Ruiz",
    "Stern",
    "Toivo",
]


def demo_loaded(session: Session) -> bool:
    return session.scalar(select(Organization).where(Organization.name == DEMO_NAME)) is not None


def load_demo(session: Session, *, meeting: bool = False) -> Organization:
    """Create the demo organization with its bodies, terms, units, people and a secretary;
    with ``meeting``, also a whole enlarged plenary meeting of the General Council, its
    report published (tests that count ballots or journal entries leave it out)."""
    loader = Caller(Actor.system("demo"), None, True, None)
    org = do_create_organization(
        session,
        loader,
        DEMO_NAME,
        short_name="RFTU",
        description="A fictional federation of nine union branches in three regions.",
    )
    units = _load_units(session, loader, org)
    branches = [unit for unit in units if unit.kind == "branch"]
    people = [
        do_create_person(
            session,
            loader,
            org,
            f"{_GIVEN[i % len(_GIVEN)]} {_FAMILY[(i * 7) % len(_FAMILY)]}",
            email=f"person{i + 1}@riverlands.example",
            unit=branches[i % len(branches)],
        )
        for i in range(48)
    ]

    council = do_create_body(
        session,
        loader,
        org,
        "General Council",
        description="The federation's governing body between congresses.",
        quorum=Quorum(1, 2),
        alternates_vote_for_absent=True,
        max_proxies_per_member=1,
    )
    bureau = do_create_body(
        session,
        loader,
        org,
        "Executive Bureau",
        parent=council,
        description="Runs the federation's work between meetings of the General Council.",
        quorum=Quorum(2, 3),
    )
    audit = do_create_body(
        session,
        loader,
        org,
        "Audit Commission",
        description="Checks the federation's accounts and reports to the Congress.",
    )
    for number, starts in ((7, date(2021, 5, 1)), (8, date(2025, 5, 1))):
        do_create_term(
            session,
            loader,
            council,
            starts,
            number=number,
            ends_on=date(2025, 4, 30) if number == 7 else None,
        )
    council_term = council.terms[-1]
    bureau_term = do_create_term(session, loader, bureau, date(2025, 5, 2), number=3)
    audit_term = do_create_term(session, loader, audit, date(2025, 5, 1), number=8)

    _seat(session, loader, people[:30], council_term, MembershipRole.MEMBER)
    _seat(session, loader, people[30:38], council_term, MembershipRole.ALTERNATE)
    _seat(session, loader, people[:7], bureau_term, MembershipRole.MEMBER)
    _seat(session, loader, people[38:43], audit_term, MembershipRole.MEMBER)

    username, password = DEMO_SECRETARY
    do_create_user(session, loader, org, username, password, person=people[43], administrator=True)
    if meeting:
        from veche.demo_follow_up import load_demo_follow_up
        from veche.demo_meeting import load_demo_meeting

        load_demo_follow_up(session, load_demo_meeting(session, org))
    return org


def _load_units(session: Session, loader: Caller, org: Organization) -> list[Unit]:
    units = []
    for region_name, branch_names in _REGIONS.items():
        region = do_create_unit(session, loader, org, region_name, kind="region")
        units.append(region)
        units += [
            do_create_unit(session, loader, org, name, kind="branch", parent=region)
            for name in branch_names
        ]
    return units


def _seat(
    session: Session, loader: Caller, people: list[Person], term: Term, role: MembershipRole
) -> None:
    for person in people:
        do_add_membership(session, loader, person, term, role, from_date=term.starts_on)
