"""SQLAlchemy tables, one module per area; importing this package registers them all."""

from veche.models.access import Role, RoleGrant, RolePermission
from veche.models.agenda import AgendaItem
from veche.models.agenda_proposals import AgendaProposal
from veche.models.base import Base
from veche.models.debate import Contribution, Document, FloorRequest
from veche.models.follow_up import (
    Goal,
    GoalAssignment,
    Indicator,
    IndicatorTarget,
    IndicatorWeight,
    ProgressReport,
    ReportGoalStatus,
    ReportingCycle,
    ReportingPeriod,
    ReportValue,
)
from veche.models.follow_up_documents import EvidenceDocument, SummingUpPaper
from veche.models.frozen_records import FrozenRecord, FrozenUnitRecord
from veche.models.journal import JournalEntry, JournalHead
from veche.models.meetings import (
    Attendance,
    Meeting,
    Participant,
    Proxy,
    PublishedReport,
    Substitution,
)
from veche.models.motions import (
    Amendment,
    Motion,
    MotionSponsor,
    MotionVersion,
    Panel,
    PanelChair,
    PanelItem,
    PanelMember,
    Recommendation,
    Resolution,
)
from veche.models.org import ApiToken, Body, Membership, Organization, Person, Term, Unit, User
from veche.models.polls import Ballot, Participation, Poll, PollOption, PollSecret
from veche.models.presidium import PresidiumMember, Sitting
from veche.models.projector import Projector
from veche.models.web import AccessCode, LoginFailure, LoginSession, SiteKey

__all__ = [
    "AccessCode",
    "AgendaItem",
    "AgendaProposal",
    "Amendment",
    "ApiToken",
    "Attendance",
    "Ballot",
    "Base",
    "Body",
    "Contribution",
    "Document",
    "EvidenceDocument",
    "FloorRequest",
    "FrozenRecord",
    "FrozenUnitRecord",
    "Goal",
    "GoalAssignment",
    "Indicator",
    "IndicatorTarget",
    "IndicatorWeight",
    "JournalEntry",
    "JournalHead",
    "LoginFailure",
    "LoginSession",
    "Meeting",
    "Membership",
    "Motion",
    "MotionSponsor",
    "MotionVersion",
    "Organization",
    "Panel",
    "PanelChair",
    "PanelItem",
    "PanelMember",
    "Participant",
    "Participation",
    "Person",
    "Poll",
    "PollOption",
    "PollSecret",
    "PresidiumMember",
    "ProgressReport",
    "Projector",
    "Proxy",
    "PublishedReport",
    "Recommendation",
    "ReportGoalStatus",
    "ReportValue",
    "ReportingCycle",
    "ReportingPeriod",
    "Resolution",
    "Role",
    "RoleGrant",
    "RolePermission",
    "SiteKey",
    "Sitting",
    "Substitution",
    "SummingUpPaper",
    "Term",
    "Unit",
    "User",
]
