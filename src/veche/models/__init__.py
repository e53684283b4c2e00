"""SQLAlchemy tables, one module per area; importing this package registers them all."""

from veche.models.base import Base
from veche.models.journal import JournalEntry, JournalHead
from veche.models.meetings import Attendance, Meeting, Participant, Proxy, Substitution
from veche.models.org import ApiToken, Body, Membership, Organization, Person, Term, Unit, User
from veche.models.polls import Ballot, Participation, Poll, PollOption

__all__ = [
    "ApiToken",
    "Attendance",
    "Ballot",
    "Base",
    "Body",
    "JournalEntry",
    "JournalHead",
    "Meeting",
    "Membership",
    "Organization",
    "Participant",
    "Participation",
    "Person",
    "Poll",
    "PollOption",
    "Proxy",
    "Substitution",
    "Term",
    "Unit",
    "User",
]
