"""Stand-ins: an alternate for an absent member on a day, and a member's proxy to another member."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from veche.actions.access import Caller, authorize
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_meeting_day, check_record_open
from veche.actions.participants import participant_in
from veche.errors import Conflict, InvalidInput, NotFound
from veche.i18n import _
from veche.models import Meeting, Participant, Participation, Person, Poll, Proxy, Substitution
from veche.models.meetings import ParticipantRole
from veche.models.polls import PollState
from veche.permissions import Permission
from veche.queries.presence import present_among


def do_substitute(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    member_person_id: int,
    alternate_person_id: int,
    day: date,
) -> Substitution:
    """Pair an alternate with an absent member for ``day``, if the body's rules allow it."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_record_open(meeting, "let an alternate stand in")
    check_meeting_day(meeting, day)
    body = meeting.term.body
    if not body.alternates_vote_for_absent:
        raise Conflict(
            f"the rules of the {body.name} do not let alternates vote for absent members"
        )
    member = participant_in(session, meeting, member_person_id)
    alternate = participant_in(session, meeting, alternate_person_id)
    if member.role != ParticipantRole.MEMBER:
        raise InvalidInput(f"{member.person.full_name} is not a member and has no vote to pass on")
    if alternate.role != ParticipantRole.ALTERNATE:
        raise InvalidInput(f"{alternate.person.full_name} is not an alternate member")
    if present_among(session, [member.id], day):
        raise Conflict(f"{member.person.full_name} is present on {day} and votes in person")
    clash = session.scalar(
        select(Substitution).where(
            Substitution.day == day,
            or_(Substitution.member_id == member.id, Substitution.alternate_id == alternate.id),
        )
    )
    if clash is not None:
        raise Conflict(
            f"{clash.alternate.person.full_name} already stands in for "
            f"{clash.member.person.full_name} on {day}"
        )
    substitution = Substitution(
        meeting_id=meeting.id, day=day, member_id=member.id, alternate_id=alternate.id
    )
    session.add(substitution)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.SUBSTITUTE,
        {
            "meeting_id": meeting.id,
            "day": day,
            "member_person_id": member_person_id,
            "alternate_person_id": alternate_person_id,
        },
    )
    return substitution


def do_grant_proxy(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    grantor_person_id: int,
    holder_person_id: int,
) -> Proxy:
    """Entrust a member's vote to another member, within the body's limit per holder.

    Proxies do not pass on: no member both gives and holds one, so no chain or cycle forms.
    """
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_record_open(meeting, "record a proxy")
    # Every rule below reads proxies that another grant may be adding at this moment: the
    # meeting's row, locked, makes grants in one meeting wait for each other (on PostgreSQL;
    # SQLite lets one writer in at a time anyway). Without the key, so that rows referring to
    # the meeting can still be written meanwhile.
    session.execute(
        select(Meeting.id).where(Meeting.id == meeting.id).with_for_update(key_share=True)
    )
    body = meeting.term.body
    grantor = participant_in(session, meeting, grantor_person_id)
    holder = participant_in(session, meeting, holder_person_id)
    if grantor.id == holder.id:
        raise InvalidInput("a member cannot hold their own proxy")
    for who in (grantor, holder):
        if who.role != ParticipantRole.MEMBER:
            raise InvalidInput(
                f"{who.person.full_name} is not a member; proxies pass between members"
            )
    if body.max_proxies_per_member < 1:
        raise Conflict(f"the rules of the {body.name} allow no proxies")
    existing = session.scalar(select(Proxy).where(Proxy.grantor_id == grantor.id))
    if existing is not None:
        raise Conflict(
            f"{grantor.person.full_name} has already given a proxy to {existing.holder.person.full_name}"
        )
    if session.scalar(select(Proxy).where(Proxy.grantor_id == holder.id)) is not None:
        raise Conflict(
            f"{holder.person.full_name} has given their own vote away and cannot hold proxies"
        )
    held_by_grantor = session.scalar(
        select(func.count()).select_from(Proxy).where(Proxy.holder_id == grantor.id)
    )
    if held_by_grantor:
        raise Conflict(
            f"{grantor.person.full_name} holds {_proxies(held_by_grantor)} and cannot give their "
            "own vote away; proxies are not passed on"
        )
    held = session.scalar(select(func.count()).where(Proxy.holder_id == holder.id)) or 0
    if held >= body.max_proxies_per_member:
        raise Conflict(
            f"{holder.person.full_name} already holds {_proxies(held)}, "
            f"the most the {body.name} allows"
        )
    proxy = Proxy(meeting_id=meeting.id, grantor_id=grantor.id, holder_id=holder.id)
    session.add(proxy)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.GRANT_PROXY,
        {
            "meeting_id": meeting.id,
            "grantor_person_id": grantor_person_id,
            "holder_person_id": holder_person_id,
        },
    )
    return proxy


def do_revoke_proxy(
    session: Session, caller: Caller, meeting: Meeting, *, grantor_person_id: int
) -> Proxy:
    """Take back the proxy a member gave (given by mistake, or the member changed their
    mind): their vote is theirs again. A ballot its holder cast with it already stands."""
    authorize(session, caller, Permission.ATTENDANCE_RECORD, meeting.id)
    check_record_open(meeting, "take back a proxy")
    grantor = participant_in(session, meeting, grantor_person_id)
    proxy = session.scalar(select(Proxy).where(Proxy.grantor_id == grantor.id))
    if proxy is None:
        raise NotFound(f"{grantor.person.full_name} has given no proxy to take back")
    holder_person_id = proxy.holder.person_id
    session.delete(proxy)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.REVOKE_PROXY,
        {
            "meeting_id": meeting.id,
            "grantor_person_id": grantor_person_id,
            "holder_person_id": holder_person_id,
        },
    )
    return proxy


def _proxies(count: int) -> str:
    """ "1 proxy", "2 proxies"."""
    return f"{count} proxy" if count == 1 else f"{count} proxies"


def proxy_on_arrival(session: Session, meeting: Meeting, person_id: int, day: date) -> str | None:
    """What the desk says of the proxy a member gave, once they are checked in on ``day``; None
    when they gave none. The proxy stands for the whole meeting, but a member present votes in
    person and their holder no longer votes for them (``veche.actions.rights``); a ballot the
    holder already cast with it in a poll still open stands, and the member has no vote left
    there (``veche.queries.polls.used_rights``)."""
    grantor = aliased(Participant)
    holder = aliased(Participant)
    names = session.execute(
        select(Person.full_name, Proxy.holder_id)
        .select_from(Proxy)
        .join(grantor, grantor.id == Proxy.grantor_id)
        .join(holder, holder.id == Proxy.holder_id)
        .join(Person, Person.id == holder.person_id)
        .where(Proxy.meeting_id == meeting.id, grantor.person_id == person_id)
    ).first()
    if names is None:
        return None
    member = session.get(Person, person_id)
    words = {"member": member.full_name if member else "", "holder": names.full_name}
    cast = session.scalars(
        select(Poll.title)
        .join(Participation, Participation.poll_id == Poll.id)
        .where(
            Poll.meeting_id == meeting.id,
            Poll.state == PollState.OPEN,
            Poll.day == day,
            Participation.right_person_id == person_id,
            Participation.cast_by_person_id != person_id,
        )
        .order_by(Poll.id)
    ).all()
    said = (
        _(
            "%(member)s gave a proxy to %(holder)s: while present, %(member)s votes in person, and "
            "%(holder)s no longer votes for them (the proxy counts again if they leave; take it back "
            "to end it)."
        )
        % words
    )
    if cast:
        polls = ", ".join(f"“{title}”" for title in cast)
        said += " " + _(
            "%(holder)s has already cast the vote of %(member)s in %(polls)s: that ballot stands, "
            "and %(member)s has no vote left there."
        ) % {**words, "polls": polls}
    return said
