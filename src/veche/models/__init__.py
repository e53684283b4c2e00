"""SQLAlchemy tables, one module per area; importing this package registers them all."""

from veche.models.base import Base
from veche.models.journal import JournalEntry, JournalHead
from veche.models.org import Body, Membership, Organization, Person, Term, Unit, User

__all__ = [
    "Base",
    "Body",
    "JournalEntry",
    "JournalHead",
    "Membership",
    "Organization",
    "Person",
    "Term",
    "Unit",
    "User",
]
