"""Access codes: a printed card per participant that logs them into their meeting.

A card works as often as its holder needs it (after logging out, on a second device) until
the meeting's last day and one more, and until a new card is printed for its holder: the
newest card is the only one that works. Only the code's hash is kept.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.orm import Session

from veche.actions.access import Caller, authorize, participant_of
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.errors import Conflict, InvalidInput, NotAuthenticated, NotFound
from veche.models import AccessCode, LoginSession, Meeting, Participant, Person
from veche.models.base import utcnow
from veche.permissions import Permission

#: Letters and digits that cannot be mistaken for one another on a card (no 0/O, 1/I/L).
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: "ABCD-EFGH-JKMN": 12 symbols of 31, 31**12 ≈ 7.9e17 codes, about 59.5 bits.
#:
#: Why guessing one is hopeless: logins with a code are throttled per address (the policy
#: ACCESS_CODES of veche.web.ratelimit) to 200 failures in 15 minutes, which is 200 × 4 ×
#: 24 × 365 ≈ 7.0 million guesses a year. Even with 10,000 cards valid at once, a guess
#: finds one with a chance of 1e4 / 7.9e17 ≈ 1.3e-14: one address expects a hit in about
#: 11 million years, and a botnet of 100,000 addresses in 110, while a card works
#: only until its meeting's last day and one more. Addresses are cheap (IPv6), so the
#: server's own speed is the limit that counts: a thousand failed logins a second, all
#: year, still has a chance of only 4e-4 — so the cap is generous to a hall behind one
#: router and need not be tighter.
GROUPS, GROUP_LENGTH = 3, 4
#: A code still works the day after the meeting's last day (sittings that run past midnight).
GRACE = timedelta(days=1)


@dataclass(frozen=True)
class IssuedCode:
    """A code as printed on a participant's card; the plain code exists only here."""

    person_id: int
    full_name: str
    role: str
    code: str


def normalize_code(text: str) -> str:
    """What was typed, without spaces or dashes, in capitals."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def _new_code() -> str:
    symbols = "".join(secrets.choice(ALPHABET) for _ in range(GROUPS * GROUP_LENGTH))
    return "-".join(
        symbols[start : start + GROUP_LENGTH] for start in range(0, len(symbols), GROUP_LENGTH)
    )


def do_issue_access_codes(
    session: Session, caller: Caller, meeting: Meeting, person_ids: list[int] | None = None
) -> list[IssuedCode]:
    """New codes for the meeting's participants (or those named); their earlier codes, used
    or not, stop working, and so do the logins made with them (``_replace_cards``)."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    if meeting.ends_on < date.today() - GRACE:
        raise InvalidInput("this meeting is over; its access codes would not work")
    query = (
        select(Participant)
        .join(Person, Person.id == Participant.person_id)
        .where(Participant.meeting_id == meeting.id)
        .order_by(Person.full_name, Person.id)
    )
    if person_ids is not None:
        query = query.where(Participant.person_id.in_(person_ids))
    participants = session.scalars(query).all()
    if not participants:
        raise InvalidInput("this meeting has no such participants to issue codes to")
    chosen = [p.person_id for p in participants]
    _replace_cards(session, meeting, chosen)
    issued = []
    for participant in participants:
        code = _new_code()
        session.add(
            AccessCode(
                meeting_id=meeting.id, person_id=participant.person_id, code_hash=code_digest(code)
            )
        )
        issued.append(
            IssuedCode(
                participant.person_id, participant.person.full_name, participant.role.value, code
            )
        )
    session.flush()
    # The journal names who got a card, never the codes.
    record(
        session,
        caller.actor,
        JournalAction.ISSUE_ACCESS_CODES,
        {"meeting_id": meeting.id, "person_ids": chosen},
    )
    return issued


def _replace_cards(session: Session, meeting: Meeting, person_ids: list[int]) -> None:
    """Void the cards these people hold for the meeting, and end the logins made with them:
    a card reprinted is most often a card lost, and whoever found it may have logged in
    already. The holder's logins made with their cards for other meetings stand."""
    cards = session.execute(
        select(AccessCode.id, AccessCode.person_id).where(
            AccessCode.meeting_id == meeting.id,
            AccessCode.person_id.in_(person_ids),
            AccessCode.revoked_at.is_(None),
        )
    ).all()
    if not cards:
        return
    card_ids = [card.id for card in cards]
    session.execute(
        update(AccessCode).where(AccessCode.id.in_(card_ids)).values(revoked_at=utcnow())
    )
    # A login from before migration 0024 names no card: it may have been made with one of
    # these, so it ends as well.
    unnamed = and_(
        LoginSession.access_code_id.is_(None),
        LoginSession.user_id.is_(None),
        LoginSession.person_id.in_([card.person_id for card in cards]),
    )
    session.execute(
        delete(LoginSession).where(or_(LoginSession.access_code_id.in_(card_ids), unnamed))
    )


def do_redeem_access_code(session: Session, code: str) -> AccessCode:
    """The card a code logs in with, as often as it is used, while it is its holder's newest
    and its meeting not over; the same message for every failure, not to help guessing."""
    invalid = NotAuthenticated(
        "this access code is not valid: check it, or ask the secretary for a new card"
    )
    if len(normalize_code(code)) != GROUPS * GROUP_LENGTH:
        raise invalid
    found = session.scalar(select(AccessCode).where(AccessCode.code_hash == code_digest(code)))
    if found is None or _replaced(session, found):
        raise invalid
    if found.meeting.ends_on < date.today() - GRACE:
        raise invalid
    if participant_of(session, found.meeting_id, found.person_id) is None:
        raise invalid
    if found.used_at is None:
        found.used_at = utcnow()  # its first use; later logins are journaled as logins
        session.flush()
    return found


def _replaced(session: Session, card: AccessCode) -> bool:
    """Whether a newer card of the same person and meeting was printed after ``card``.

    A card printed again revokes the earlier ones; a newer card is looked for too, so that a
    card printed before that rule (when a used card was left unrevoked) is replaced all the same.
    """
    if card.revoked_at is not None:
        return True
    newer = session.scalar(
        select(AccessCode.id).where(
            AccessCode.meeting_id == card.meeting_id,
            AccessCode.person_id == card.person_id,
            AccessCode.id > card.id,
        )
    )
    return newer is not None


def card_for_check_in(session: Session, meeting: Meeting, code: str) -> AccessCode:
    """The card a code was printed on, for checking its holder in at the door of ``meeting``.

    The desk only identifies the holder, who may log in with the card too (and a card used to
    log in still identifies them on the meeting's later days). Only the holder's newest card
    counts, so a lost card stops working at the door once a new one is printed.
    """
    if len(normalize_code(code)) != GROUPS * GROUP_LENGTH:
        raise InvalidInput(
            f"an access code has {GROUPS * GROUP_LENGTH} letters and digits "
            f"(like ABCD-EFGH-JKMN), not {len(normalize_code(code))}: check what was typed"
        )
    card = session.scalar(select(AccessCode).where(AccessCode.code_hash == code_digest(code)))
    if card is None:
        raise NotFound("no access card has this code: check it, or print the person a new card")
    if card.meeting_id != meeting.id:
        raise InvalidInput(
            f"this access card is for another meeting, not meeting {meeting.id}: "
            "the holder needs a card of this meeting"
        )
    if card.meeting.ends_on < date.today() - GRACE:
        raise Conflict(f"this access card expired when “{meeting.title}” ended")
    if _replaced(session, card):
        raise Conflict(
            f"this access card of {card.person.full_name} was replaced by a newer one; "
            "ask for the newest card"
        )
    return card
