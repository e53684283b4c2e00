"""Who may do what, as data: named permissions, the roles that grant them, the scopes of a grant.

A permission names one kind of change or sight (``polls.run``: create, open, close, publish
and cancel a meeting's polls). A role is a named set of permissions, stored in the database
(``role`` and ``role_permission``), so that a body can define its own roles — a vote clerk
who runs polls and nothing else — without a change of code. A person or an account holds a
role in a scope (``role_grant``): the whole organization, one body (every meeting of its
terms), one meeting, or one unit.

Two kinds of grant are implied by facts the meeting already records, so that they are never
kept twice: a participant holds the role named after their place in the meeting (``member``,
``alternate``, ``observer``) and the role named after their office (``chair``, ``secretary``,
``teller``), both in that meeting's scope.

Each action names the permission it needs and asks ``veche.actions.access.authorize`` for it;
routes never decide. Which role grants which permission is read from the database only; a new
database starts with the roles migration 0008 stores (administrator, chair, secretary, teller,
member, alternate, observer) and the unit reporter of migration 0020, which an administrator
may change like any other data.
"""

from __future__ import annotations

import enum


class Scope(enum.StrEnum):
    """Where a grant holds. A meeting lies in its term's body, which lies in the organization."""

    ORGANIZATION = "organization"
    BODY = "body"
    MEETING = "meeting"
    UNIT = "unit"


class Permission(enum.StrEnum):
    """Every permission an action can need, with the scope it is asked in."""

    # The organization's records.
    ORGANIZATION_MANAGE = "organization.manage"
    ACCOUNTS_MANAGE = "accounts.manage"
    MEETING_CONVENE = "meeting.convene"
    # A meeting's business, asked in the meeting's scope.
    MEETING_SEE = "meeting.see"
    MEETING_RUN = "meeting.run"
    ATTENDANCE_RECORD = "attendance.record"
    AGENDA_MANAGE = "agenda.manage"
    FLOOR_RUN = "floor.run"
    MOTIONS_MANAGE = "motions.manage"
    POLLS_RUN = "polls.run"
    PAPER_ENTER = "paper.enter"
    RESULTS_SEE_CLOSED = "results.see_closed"
    # What a participant does in their own name.
    FLOOR_REQUEST = "floor.request"
    AGENDA_PROPOSE = "agenda.propose"
    AMENDMENT_PROPOSE = "amendment.propose"
    # The follow-up of resolutions: goals, indicators, targets, reporting cycles, reports.
    FOLLOW_UP_MANAGE = "follow_up.manage"
    FOLLOW_UP_READ = "follow_up.read"
    # Asked in the unit whose report it is (a grant in a unit holds in the units below).
    FOLLOW_UP_REPORT = "follow_up.report"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]

    @property
    def scope(self) -> Scope:
        """The scope the permission is asked in (a grant in an enclosing scope holds too)."""
        if self in ORGANIZATION_PERMISSIONS:
            return Scope.BODY if self is Permission.MEETING_CONVENE else Scope.ORGANIZATION
        if self in UNIT_PERMISSIONS:
            return Scope.UNIT
        return Scope.MEETING


ORGANIZATION_PERMISSIONS = frozenset(
    {
        Permission.ORGANIZATION_MANAGE,
        Permission.ACCOUNTS_MANAGE,
        Permission.MEETING_CONVENE,
        Permission.FOLLOW_UP_MANAGE,
        Permission.FOLLOW_UP_READ,
    }
)
UNIT_PERMISSIONS = frozenset({Permission.FOLLOW_UP_REPORT})

#: What each permission allows, as a refusal names it: "only those who may … may do this".
DESCRIPTIONS: dict[Permission, str] = {
    Permission.ORGANIZATION_MANAGE: "change the organization's people, bodies, terms and units",
    Permission.ACCOUNTS_MANAGE: "issue and list other people's accounts and tokens",
    Permission.MEETING_CONVENE: "convene a meeting of the body",
    Permission.MEETING_SEE: "see the meeting",
    Permission.MEETING_RUN: "run the meeting: its state, notice, participants and presidium",
    Permission.ATTENDANCE_RECORD: "record attendance, substitutes, proxies and access cards",
    Permission.AGENDA_MANAGE: "change the agenda and take up its items",
    Permission.FLOOR_RUN: (
        "keep the speakers list and the record of contributions, and choose what the "
        "projector shows"
    ),
    Permission.MOTIONS_MANAGE: "manage motions, amendments, panels and resolutions",
    Permission.POLLS_RUN: "create, open, close, publish and cancel polls",
    Permission.PAPER_ENTER: "enter counted paper ballots and the totals of a show of hands",
    Permission.RESULTS_SEE_CLOSED: "see a closed poll's result before it is published",
    Permission.FLOOR_REQUEST: "ask for the floor",
    Permission.AGENDA_PROPOSE: "propose changes to the draft agenda",
    Permission.AMENDMENT_PROPOSE: "propose amendments",
    Permission.FOLLOW_UP_MANAGE: (
        "manage the follow-up of resolutions: goals, indicators, targets, reporting cycles, "
        "and the review of progress reports"
    ),
    Permission.FOLLOW_UP_READ: "read the follow-up of resolutions and every unit's reports",
    Permission.FOLLOW_UP_REPORT: "file the unit's progress reports",
}

#: The role an account created as an administrator is granted, in the organization's scope.
ADMINISTRATOR = "administrator"
