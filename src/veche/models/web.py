"""What the web pages keep: login sessions, access cards' codes, failed logins, the site key."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Entity, Timestamped
from veche.models.columns import Id, MeetingId, PersonId
from veche.models.meetings import Meeting
from veche.models.org import HeldByUserOrPerson, Person


class LoginSession(HeldByUserOrPerson, Timestamped, Base):
    """A browser's login, named by a random token whose SHA-256 alone is stored.

    It belongs to a user account (password login) or directly to a person (an
    access code); logging out deletes the row, so a copied cookie stops working.
    """

    expires_at: Mapped[datetime]
    #: The card a login by access code was made with: reprinting that card ends it, and
    #: only it (a person holds a card for each of their meetings).
    access_code_id: Mapped[int | None] = mapped_column(ForeignKey("access_code.id"), index=True)


class AccessCode(Entity):
    """An access card's code: logs a participant into one meeting, as often as needed while it
    is their newest card; only its SHA-256 is stored."""

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    person_id: Mapped[PersonId] = mapped_column(index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    used_at: Mapped[datetime | None]
    #: Set when a new card replaces this one.
    revoked_at: Mapped[datetime | None]

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person] = relationship()


class LoginFailure(Base):
    """One failed login, by the account tried and the address it came from, for throttling."""

    id: Mapped[Id]
    account: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    failed_at: Mapped[datetime] = mapped_column(index=True)


class SiteKey(Base):
    """The key that signs cookies, made once and shared by every process on the database."""

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))
