"""Polls and elections: options, who took part, and ballots kept apart from voters when secret."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Index, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from veche.models.base import Base, Entity
from veche.models.columns import AgendaItemId, MeetingId, MotionId, PersonId, PollId, enum_type
from veche.models.meetings import Meeting
from veche.models.org import Person
from veche.models.states import Transitions


class PollKind(enum.StrEnum):
    DECISION = "decision"  # yes / no / abstain
    CHOICE = "choice"  # one or more of several options
    ELECTION = "election"  # seats filled from accepted candidates


class Secrecy(enum.StrEnum):
    NAMED = "named"  # roll-call: voter and choice recorded and shown
    SECRET = "secret"


class VoteBy(enum.StrEnum):
    """How the members vote: by ballot (electronic or paper), or in the open in the hall,
    where the tellers count and enter the totals."""

    BALLOT = "ballot"
    SHOW_OF_HANDS = "show_of_hands"
    STANDING = "standing"  # a standing (rising) vote


class RevotePolicy(enum.StrEnum):
    NONE = "none"
    LAST_COUNTS = "last_counts"  # a voter may replace their ballot until the poll closes


class PollState(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


#: draft → open → closed → published; a poll in draft or open may be cancelled instead.
POLL_TRANSITIONS = Transitions(
    {
        PollState.DRAFT: (PollState.OPEN, PollState.CANCELLED),
        PollState.OPEN: (PollState.CLOSED, PollState.CANCELLED),
        PollState.CLOSED: (PollState.PUBLISHED,),
    },
    steps={
        "open": PollState.OPEN,
        "close": PollState.CLOSED,
        "publish": PollState.PUBLISHED,
        "cancel": PollState.CANCELLED,
    },
)


class Poll(Entity):
    """One decision or election in a meeting, counted by a `veche.tally` method at close."""

    meeting_id: Mapped[MeetingId] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[PollKind] = mapped_column(enum_type(PollKind, "poll_kind"))
    method: Mapped[str] = mapped_column(String(40))
    method_options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    seats: Mapped[int] = mapped_column(default=1)
    #: Highest score a voter may give, for score voting.
    max_score: Mapped[int] = mapped_column(default=10)
    secrecy: Mapped[Secrecy] = mapped_column(enum_type(Secrecy, "secrecy"))
    revote: Mapped[RevotePolicy] = mapped_column(enum_type(RevotePolicy, "revote_policy"))
    state: Mapped[PollState] = mapped_column(enum_type(PollState, "poll_state"))
    #: Whether electronic ballots are taken; paper-only polls are entered by tellers.
    electronic: Mapped[bool] = mapped_column(default=True)
    #: By ballot, or counted in the hall (a show of hands, a standing vote): then no ballot is
    #: taken, and the tellers enter the totals once (``actions.counted_votes``).
    vote_by: Mapped[VoteBy] = mapped_column(
        enum_type(VoteBy, "vote_by"), default=VoteBy.BALLOT, server_default=VoteBy.BALLOT.value
    )
    #: The meeting day the poll was opened on: presence is checked against that day.
    day: Mapped[date | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    #: Secret key for deriving receipts from the voter's client key (HMAC); never shown.
    receipt_key: Mapped[str] = mapped_column(String(64))
    #: A secret poll's public key (hex): its ballots are sealed with it until the count.
    seal_key: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    outcome: Mapped[str | None] = mapped_column(Text)
    #: At close, SHA-256 over every counted ballot (receipt, source, weight, choice; see
    #: actions.closing.ballot_digest): the journal commits to it and `veche verify` checks it.
    ballot_digest: Mapped[str | None] = mapped_column(String(64))
    #: Whether the bulletin board shows each counted ballot's content beside its receipt, so
    #: that anyone can recount; off, it lists the receipts alone (ranked ballots of a small
    #: electorate can be as telling as a signature).
    board_shows_choices: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: A decision that approves the meeting's agenda when it is adopted.
    approves_agenda: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: The agenda item the poll belongs to: it opens only once the agenda is approved.
    agenda_item_id: Mapped[AgendaItemId | None] = mapped_column(index=True)
    #: The motion this poll decides; adopting it makes the motion a resolution.
    motion_id: Mapped[MotionId | None] = mapped_column(index=True)

    meeting: Mapped[Meeting] = relationship()
    options: Mapped[list[PollOption]] = relationship(
        back_populates="poll", order_by="PollOption.position"
    )


class OptionStatus(enum.StrEnum):
    NOMINATED = "nominated"  # a candidate who has not yet accepted
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


class PollOption(Entity):
    """An answer, an option or a candidate (who must accept nomination to stand)."""

    __table_args__ = (UniqueConstraint("poll_id", "label"),)

    poll_id: Mapped[PollId]
    label: Mapped[str] = mapped_column(String(300))
    position: Mapped[int]
    person_id: Mapped[PersonId | None]
    status: Mapped[OptionStatus] = mapped_column(enum_type(OptionStatus, "option_status"))

    poll: Mapped[Poll] = relationship(back_populates="options")
    person: Mapped[Person | None] = relationship()


class RightKind(enum.StrEnum):
    OWN = "own"
    PROXY = "proxy"  # held for a member who entrusted their vote
    SUBSTITUTE = "substitute"  # an alternate voting for an absent member


class Participation(Base):
    """That a voting right was used in a poll — never what was chosen.

    The primary key (poll, the person whose right it is) makes the database
    enforce one vote per right. There is no time and no running number, so
    nothing here orders voters in the sequence their ballots arrived.
    """

    __table_args__ = (
        # One ballot per client key and poll: a key sent for two rights at once (two
        # server processes racing) stores one ballot; the other is answered as its resend.
        Index("ix_participation_key_digest", "poll_id", "key_digest", unique=True),
        {"sqlite_with_rowid": False},
    )

    poll_id: Mapped[PollId] = mapped_column(primary_key=True)
    right_person_id: Mapped[PersonId] = mapped_column(primary_key=True)
    cast_by_person_id: Mapped[PersonId] = mapped_column(index=True)
    kind: Mapped[RightKind] = mapped_column(enum_type(RightKind, "right_kind"))
    weight: Mapped[int]
    #: Recognises the ballot sent again (or replaced) by the one who holds its client key:
    #: an HMAC of that key, which no one can turn into the ballot's receipt without it.
    #: Emptied when a secret poll is counted, and when a poll is cancelled.
    key_digest: Mapped[str | None] = mapped_column(String(64))
    #: While a secret poll is open, the ballot cast with this right, sealed with the poll's
    #: public key (veche.sealing); opened, shuffled into ``ballot`` and emptied at the count.
    sealed: Mapped[bytes | None]


class PollSecret(Base):
    """A secret poll's private key, wrapped with the server key (veche.sealing), from its
    opening to its count; deleted then, so that its sealed ballots can never be opened again."""

    poll_id: Mapped[PollId] = mapped_column(primary_key=True)
    wrapped_key: Mapped[bytes]


class BallotSource(enum.StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"
    #: The tellers' total for one option of a vote counted in the hall (``VoteBy``): a row's
    #: weight is the number of votes.
    COUNTED = "counted"


class Ballot(Base):
    """What was chosen, under a random receipt.

    Secret ballots come here only when their poll is counted, all in one transaction and
    in a random order, from their sealed form (``Participation.sealed``): they carry no
    voter, no time, and nothing of the order they were cast in. Named ballots are stored
    as they are cast, naming their voter, openly; so are the tellers' paper ballots, and
    the totals of a vote counted in the hall (one row per option, its votes as its weight).
    """

    __table_args__ = ({"sqlite_with_rowid": False},)

    poll_id: Mapped[PollId] = mapped_column(primary_key=True)
    receipt: Mapped[str] = mapped_column(String(32), primary_key=True)
    choice: Mapped[dict[str, Any]] = mapped_column(JSON)
    weight: Mapped[int]
    source: Mapped[BallotSource] = mapped_column(enum_type(BallotSource, "ballot_source"))
    #: Named polls only: whose right this ballot used. Always empty in secret polls.
    voter_person_id: Mapped[PersonId | None]
    cast_by_person_id: Mapped[PersonId | None]
