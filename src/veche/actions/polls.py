"""Polls and elections: create, nominate, open, cast, enter paper ballots, close, publish."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from veche.actions.access import Caller, access_poll, authorize, holds, meeting_row, refusal
from veche.actions.agenda import check_agenda_approved
from veche.actions.choices import check_choice, counting_method
from veche.actions.events import LiveEventType, queue_event
from veche.actions.journal import record
from veche.actions.journal_actions import JournalAction
from veche.actions.meetings import check_meeting_day, check_not_closed, check_person_of
from veche.actions.org import check_name
from veche.actions.rights import rights_in_hall
from veche.errors import Conflict, Forbidden, InvalidInput, NotFound
from veche.models import (
    AgendaItem,
    Ballot,
    Meeting,
    Motion,
    Participation,
    Poll,
    PollOption,
    PollSecret,
)
from veche.models.base import utcnow
from veche.models.motions import MotionState
from veche.models.polls import (
    POLL_TRANSITIONS,
    BallotSource,
    OptionStatus,
    PollKind,
    PollState,
    RevotePolicy,
    Secrecy,
    VoteBy,
)
from veche.permissions import Permission
from veche.queries.agenda import agenda_approval, agenda_items
from veche.queries.attendance import rights_total
from veche.sealing import configured_server_key
from veche.tally import BallotShape, Profile, TallyError, count

DECISION_OPTIONS = ("yes", "no", "abstain")
#: What a poll fills in itself from the meeting's attendance, so never a chair's option.
SUPPLIED_OPTIONS = ("members_present", "members_total")


def not_in_state(poll_id: int, state: PollState, doing: str, needed: str) -> Conflict:
    return Conflict(f"cannot {doing} poll {poll_id}: it is {state.value}, not {needed}")


def do_create_poll(
    session: Session,
    caller: Caller,
    meeting: Meeting,
    *,
    title: str,
    kind: PollKind,
    method: str | None = None,
    seats: int = 1,
    secrecy: Secrecy | None = None,
    revote: RevotePolicy = RevotePolicy.NONE,
    options: list[str] | None = None,
    method_options: dict[str, Any] | None = None,
    max_score: int = 10,
    electronic: bool = True,
    description: str = "",
    subject: PollSubject | None = None,
    board_shows_choices: bool = True,
    vote_by: VoteBy = VoteBy.BALLOT,
) -> Poll:
    """A poll in draft; decisions get yes / no / abstain, choices their options.

    A decision is counted by ``majority`` (the method it takes when none is named); a choice
    and an election name theirs. An election's ``options`` are candidates who stand on the
    chair's word: each is nominated and accepts at once, and the journal says so; others are
    nominated later (``do_nominate``) and answer for themselves.

    A poll is taken by ballot, secret unless ``secrecy`` says named; or, by ``vote_by``,
    counted in the hall (a show of hands, a standing vote), which is open and takes no
    ballot: the tellers enter its totals (``actions.counted_votes``).
    """
    authorize(session, caller, Permission.POLLS_RUN, meeting.id)
    check_not_closed(meeting, "create a poll")
    title = check_name(title, "the poll's title", max_length=300)
    subject = _check_subject(session, meeting, kind, subject or PollSubject())
    method_options = dict(method_options or {})
    if method is None:
        if kind is not PollKind.DECISION:
            raise InvalidInput(f"choose a counting method for the {kind.value}")
        method = "majority"
    _check_method(kind, method, seats, method_options)
    secrecy = _check_vote_by(vote_by, method, secrecy, revote)
    if vote_by is VoteBy.BALLOT and secrecy is Secrecy.NAMED and not electronic:
        raise InvalidInput(
            "a named vote needs electronic ballots: a paper ballot carries no voter's name, so "
            "a vote on paper alone has no roll-call; let members vote electronically, or make "
            "the vote secret"
        )
    if max_score < 1:
        raise InvalidInput(f"the highest score must be at least 1, not {max_score}")
    labels = list(DECISION_OPTIONS) if kind is PollKind.DECISION else list(options or [])
    if kind is PollKind.DECISION and options:
        raise InvalidInput("a decision's options are always yes, no and abstain; give none")
    if kind is PollKind.CHOICE and len(labels) < 2:
        raise InvalidInput("a choice needs at least two options")
    labels = [check_name(label, "an option", max_length=300) for label in labels]
    if len(set(labels)) != len(labels):
        raise InvalidInput("two options have the same text")
    candidates, labels = (labels, []) if kind is PollKind.ELECTION else ([], labels)
    poll = Poll(
        meeting_id=meeting.id,
        title=title,
        description=description,
        kind=kind,
        method=method,
        method_options=method_options,
        seats=seats,
        max_score=max_score,
        secrecy=secrecy,
        revote=revote,
        state=PollState.DRAFT,
        electronic=electronic and vote_by is VoteBy.BALLOT,
        vote_by=vote_by,
        board_shows_choices=board_shows_choices,
        receipt_key=secrets.token_hex(32),
        approves_agenda=subject.approves_agenda,
        agenda_item_id=subject.agenda_item_id,
        motion_id=subject.motion_id,
    )
    session.add(poll)
    session.flush()
    for position, label in enumerate(labels):
        session.add(
            PollOption(
                poll_id=poll.id, label=label, position=position, status=OptionStatus.ACCEPTED
            )
        )
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.CREATE_POLL,
        {
            "poll_id": poll.id,
            "meeting_id": meeting.id,
            "title": title,
            "kind": kind,
            "method": method,
            "seats": seats,
            "secrecy": secrecy,
            "revote": revote,
            "options": labels,
            "method_options": method_options,
            "approves_agenda": subject.approves_agenda,
            "agenda_item_id": subject.agenda_item_id,
            "motion_id": subject.motion_id,
            "board_shows_choices": board_shows_choices,
            "vote_by": vote_by,
        },
    )
    queue_event(session, meeting.id, LiveEventType.POLL_CREATED, poll_id=poll.id)
    for name in candidates:
        candidate = do_nominate(session, caller, poll, person_id=None, label=name)
        do_answer_nomination(session, caller, poll, candidate.id, accept=True)
    return poll


@dataclass(frozen=True)
class PollSubject:
    """What a poll decides beside its question: the agenda, an item's business, or a motion."""

    approves_agenda: bool = False
    agenda_item_id: int | None = None
    motion_id: int | None = None


def _check_subject(
    session: Session, meeting: Meeting, kind: PollKind, subject: PollSubject
) -> PollSubject:
    if subject.approves_agenda and (subject.agenda_item_id or subject.motion_id):
        raise InvalidInput("a poll that approves the agenda belongs to no single item or motion")
    if (subject.approves_agenda or subject.motion_id) and kind is not PollKind.DECISION:
        raise InvalidInput("the agenda and motions are approved by decisions (yes / no / abstain)")
    item_id = subject.agenda_item_id
    if subject.motion_id is not None:
        motion = meeting_row(session, Motion, subject.motion_id, meeting.id, "motion")
        if item_id is not None and motion.agenda_item_id != item_id:
            raise InvalidInput(
                f"motion {motion.number} belongs to another agenda item than {item_id}"
            )
        item_id = motion.agenda_item_id
    if item_id is not None:
        meeting_row(session, AgendaItem, item_id, meeting.id, "agenda item")
    return PollSubject(subject.approves_agenda, item_id, subject.motion_id)


def _check_subject_ready(session: Session, poll: Poll) -> None:
    """A poll on the agenda's business waits for the approved agenda; a motion for its final draft."""
    if poll.approves_agenda:
        if not agenda_items(session, poll.meeting_id):
            raise Conflict(f"cannot open “{poll.title}”: the agenda has no items to approve")
        if agenda_approval(session, poll.meeting_id) is not None:
            raise Conflict(f"cannot open “{poll.title}”: the agenda is approved already")
    if poll.agenda_item_id is not None or poll.motion_id is not None:
        check_agenda_approved(session, poll.meeting, f"open poll {poll.id}")
    if poll.motion_id is not None:
        motion = session.get(Motion, poll.motion_id)
        if motion is not None and motion.state is not MotionState.FINAL:
            raise Conflict(
                f"cannot open “{poll.title}”: motion {motion.number} is {motion.state.value}; "
                "the vote is on the final draft"
            )


def _check_method(kind: PollKind, method: str, seats: int, method_options: dict[str, Any]) -> None:
    counting = counting_method(method)
    if kind is PollKind.DECISION and not counting.decision:
        raise InvalidInput("a decision is counted by 'majority'")
    if kind is not PollKind.DECISION and counting.decision:
        raise InvalidInput(f"'{method}' counts yes/no/abstain decisions only")
    try:
        counting.check_seats(seats)
        counting.check_options(method_options, supplied=SUPPLIED_OPTIONS)
    except TallyError as error:
        raise InvalidInput(str(error)) from None
    if kind is PollKind.DECISION:
        _check_majority_rule(method_options)


#: How a vote counted in the hall is named in messages and reports.
VOTE_BY_WORDS = {
    VoteBy.BALLOT: "ballot",
    VoteBy.SHOW_OF_HANDS: "show of hands",
    VoteBy.STANDING: "standing vote",
}

#: How a vote by ballot is named, by its secrecy (``voted_how``).
_BALLOT_WORDS = {
    Secrecy.SECRET: "secret ballot",
    Secrecy.NAMED: "named ballot (roll-call)",
}


def voted_how(vote_by: VoteBy | str, secrecy: Secrecy | str) -> str:
    """How a poll is voted, in the words every page and every exported file use: counted in
    the hall ("show of hands", "standing vote"), else a "secret ballot" or a "named ballot
    (roll-call)". Untranslated, as the readers pass it through ``_``; a poll's enums or the
    record's values alike. A vote in the hall is open whatever its secrecy, so it is never
    called a named ballot."""
    by = VoteBy(vote_by)
    return VOTE_BY_WORDS[by] if by is not VoteBy.BALLOT else _BALLOT_WORDS[Secrecy(secrecy)]


_SHAPE_WORDS = {
    BallotShape.APPROVAL: "approval",
    BallotShape.RANKING: "ranked",
    BallotShape.SCORE: "scored",
}


def _check_vote_by(
    vote_by: VoteBy, method: str, secrecy: Secrecy | None, revote: RevotePolicy
) -> Secrecy:
    """The poll's secrecy: as given for a ballot (secret if not given); a vote counted in the
    hall is open, and counts one choice per voter, once."""
    if vote_by is VoteBy.BALLOT:
        return secrecy or Secrecy.SECRET
    words = VOTE_BY_WORDS[vote_by]
    if secrecy is Secrecy.SECRET:
        raise InvalidInput(
            f"a {words} cannot be secret: the hall sees how each member votes; take a secret "
            "vote by ballot, or leave the secrecy out"
        )
    shape = counting_method(method).ballot
    if shape is not BallotShape.SINGLE:
        raise InvalidInput(
            f"a {words} counts one choice per voter, and '{method}' needs "
            f"{_SHAPE_WORDS[shape]} ballots; take this vote by ballot, or count it by a "
            "method of one choice (majority, plurality, sntv)"
        )
    if revote is not RevotePolicy.NONE:
        raise InvalidInput(f"a {words} is counted once; a later vote replaces no ballot")
    return Secrecy.NAMED


def _check_majority_rule(method_options: dict[str, Any]) -> None:
    """The counting engine is the one judge of a majority rule (a share of 5/3, a base it
    does not know): the rule is tried on an empty count now, so that a poll it would refuse
    to count at the close is never created."""
    empty = Profile.from_rankings(list(DECISION_OPTIONS), [])
    try:
        count(empty, "majority", members_present=0, members_total=0, **method_options)
    except TallyError as error:
        raise InvalidInput(f"the majority rule: {error}") from None


def do_nominate(
    session: Session, caller: Caller, poll: Poll, *, person_id: int | None, label: str | None
) -> PollOption:
    """Nominate a candidate for an election in draft; they stand once they accept."""
    authorize(session, caller, Permission.POLLS_RUN, poll.meeting_id)
    if poll.kind is not PollKind.ELECTION:
        raise InvalidInput(f"“{poll.title}” is not an election; its options are fixed")
    if poll.state is not PollState.DRAFT:
        raise not_in_state(poll.id, poll.state, "nominate candidates in", "draft")
    person = check_person_of(session, poll.meeting, person_id) if person_id is not None else None
    name = check_name(label or (person.full_name if person else ""), "the candidate's name", 300)
    if session.scalar(
        select(PollOption).where(PollOption.poll_id == poll.id, PollOption.label == name)
    ):
        raise Conflict(f"{name} is already nominated in “{poll.title}”")
    position = (
        session.scalar(
            select(func.count()).select_from(PollOption).where(PollOption.poll_id == poll.id)
        )
        or 0
    )
    candidate = PollOption(
        poll_id=poll.id,
        label=name,
        position=position,
        person_id=person.id if person else None,
        status=OptionStatus.NOMINATED,
    )
    session.add(candidate)
    session.flush()
    record(
        session,
        caller.actor,
        JournalAction.NOMINATE,
        {"poll_id": poll.id, "option_id": candidate.id, "label": name, "person_id": person_id},
    )
    return candidate


def do_answer_nomination(
    session: Session, caller: Caller, poll: Poll, option_id: int, *, accept: bool
) -> PollOption:
    """The candidate (or the chair on their word) accepts or declines a nomination."""
    candidate = _candidate(
        session, caller, poll, option_id, "accept" if accept else "decline", "nomination"
    )
    if poll.state is not PollState.DRAFT:
        raise not_in_state(poll.id, poll.state, "answer nominations in", "draft")
    candidate.status = OptionStatus.ACCEPTED if accept else OptionStatus.WITHDRAWN
    record(
        session,
        caller.actor,
        JournalAction.ACCEPT_NOMINATION if accept else JournalAction.DECLINE_NOMINATION,
        {"poll_id": poll.id, "option_id": option_id},
    )
    return candidate


def do_withdraw_candidate(
    session: Session, caller: Caller, poll: Poll, option_id: int
) -> PollOption:
    """Take a candidate off the election before voting opens: the candidate themselves (who
    accepted and no longer stands), or the chair (a name mistyped, a withdrawal on their
    word)."""
    candidate = _candidate(session, caller, poll, option_id, "withdraw", "candidacy")
    if poll.state is not PollState.DRAFT:
        raise Conflict(
            f"cannot withdraw {candidate.label} from “{poll.title}”: it is {poll.state.value}, "
            "and a candidate is withdrawn only until voting opens"
        )
    if candidate.status is OptionStatus.WITHDRAWN:
        raise Conflict(f"{candidate.label} already does not stand in “{poll.title}”")
    candidate.status = OptionStatus.WITHDRAWN
    record(
        session,
        caller.actor,
        JournalAction.WITHDRAW_CANDIDATE,
        {"poll_id": poll.id, "option_id": option_id},
    )
    return candidate


def _candidate(
    session: Session, caller: Caller, poll: Poll, option_id: int, doing: str, what: str
) -> PollOption:
    """A candidate of an election, if the caller may answer for them: themselves, or whoever
    runs the polls; another is told that they may not ``doing`` (accept) the ``what``
    (nomination), not theirs. A decision's or a choice's options are no candidates:
    withdrawn, they would leave a poll that cannot be counted."""
    candidate = session.get(PollOption, option_id)
    if candidate is None or candidate.poll_id != poll.id:
        raise NotFound(f"poll {poll.id} has no candidate {option_id}")
    own = candidate.person_id is not None and candidate.person_id == caller.person_id
    if not own and not holds(session, caller, Permission.POLLS_RUN, poll.meeting_id):
        raise Forbidden(
            f"you may not {doing} the {what} of {candidate.label} in “{poll.title}”: it is not "
            f"yours, and {refusal(session, Permission.POLLS_RUN, poll.meeting_id)}"
        )
    if poll.kind is not PollKind.ELECTION:
        raise Conflict(
            f"“{poll.title}” is not an election: its options are not candidates, and stand "
            "as it was created with them"
        )
    return candidate


def ballot_options(poll: Poll) -> list[PollOption]:
    """What stands on the ballot: accepted options, in order."""
    return [option for option in poll.options if option.status is OptionStatus.ACCEPTED]


def do_open_poll(session: Session, caller: Caller, poll_id: int, day: date | None = None) -> Poll:
    """Open voting on ``day`` (today) once the candidates stand and the subject is ready."""
    poll = access_poll(session, caller, poll_id, lock=True)
    authorize(session, caller, Permission.POLLS_RUN, poll.meeting_id)
    POLL_TRANSITIONS.check_step(poll.state, PollState.OPEN, f"poll {poll.id}")
    # A closed meeting's record is complete: no vote is taken in it any more.
    check_not_closed(poll.meeting, f"open “{poll.title}”")
    standing = ballot_options(poll)
    if poll.kind is PollKind.ELECTION and len(standing) < poll.seats:
        raise Conflict(
            f"cannot open “{poll.title}”: {len(standing)} candidate(s) have accepted "
            f"nomination for {poll.seats} seat(s)"
        )
    _check_subject_ready(session, poll)
    poll.day = check_meeting_day(poll.meeting, day or date.today())
    poll.state = PollState.OPEN
    poll.opened_at = utcnow()
    if poll.secrecy is Secrecy.SECRET and poll.electronic:
        # Its ballots are stored sealed with this key until the count (veche.sealing).
        poll.seal_key, wrapped = configured_server_key().new_poll_key()
        session.add(PollSecret(poll_id=poll.id, wrapped_key=wrapped))
    record(session, caller.actor, JournalAction.OPEN_POLL, {"poll_id": poll.id, "day": poll.day})
    queue_event(session, poll.meeting_id, LiveEventType.POLL_OPENED, poll_id=poll.id)
    return poll


#: The most ballots one paper lot may count: a number typed by a teller is refused above it
#: (larger counts go in several lots), so that none can overflow a database integer.
MAX_PAPER_COUNT = 10_000_000


@dataclass(frozen=True)
class PaperLot:
    """A number of identical paper ballots counted by the tellers."""

    choice: Any
    count: int


@dataclass(frozen=True)
class PollRights:
    """A poll's ballots against the voting rights that may have cast them, every right counted
    by its weight (a delegate of weight 3 is three votes) — the one measure of "present" that
    the quorum, the ceiling on ballots and a majority of members present all use.

    Proxies and substitutes are rights like a member's own: ten members present, one holding
    an absent member's proxy, are eleven rights; counting the ten people instead made an
    eleventh ballot look like one too many, and a poll that nobody had cheated in could
    then not be closed.
    """

    total: int  # every member's right
    in_hall: int  # rights usable now (in person, by proxy, by substitute) not yet used
    electronic: int  # rights used electronically, at the weight they were used with
    paper: int  # paper ballots (or votes counted in the hall) entered; they name no right

    @property
    def unused(self) -> int:
        """Rights in the hall that neither an electronic nor a paper ballot has used."""
        return max(self.in_hall - self.paper, 0)

    @property
    def present(self) -> int:
        """The rights present for this poll: those used electronically (their holders may
        have left since), and the rest in the hall — or as many as the paper ballots counted
        for them, when some who voted on paper have left before the close."""
        return self.electronic + max(self.in_hall, self.paper)

    @property
    def summary(self) -> str:
        """The numbers behind ``unused``, as a refusal names them."""
        paper = f", {self.paper:,} on paper" if self.paper else ""
        return (
            f"{self.electronic + self.in_hall:,} rights, "
            f"{self.electronic:,} used electronically{paper}"
        )

    def paper_refusal(self, adding: int) -> Conflict | None:
        """Why a lot (the paper ballots entered at once) of ``adding`` ballots would be more
        than the rights present, if it would."""
        if adding <= self.unused:
            return None
        return Conflict(
            f"this lot adds {adding:,} ballots but only {self.unused:,} voting rights are "
            f"unused ({self.summary}); check the count, or check in the members who voted"
        )


def poll_rights(session: Session, poll_id: int, meeting_id: int, day: date) -> PollRights:
    """The poll's ballots and rights as they stand, for a poll held on ``day``."""
    used: dict[int, int] = {
        person: weight
        for person, weight in session.execute(
            select(Participation.right_person_id, Participation.weight).where(
                Participation.poll_id == poll_id
            )
        )
    }
    usable = rights_in_hall(session, meeting_id, day)
    paper = session.scalar(
        select(func.coalesce(func.sum(Ballot.weight), 0)).where(
            Ballot.poll_id == poll_id, Ballot.source != BallotSource.ELECTRONIC
        )
    )
    return PollRights(
        total=rights_total(session, meeting_id),
        in_hall=sum(weight for person, weight in usable.items() if person not in used),
        electronic=sum(used.values()),
        paper=int(paper or 0),
    )


def do_enter_paper_ballots(
    session: Session,
    caller: Caller,
    poll: Poll,
    lots: list[PaperLot],
    *,
    lot_key: str | None = None,
) -> int:
    """Add counted paper ballots to an open poll; returns how many ballots the lots hold.

    With a ``lot_key`` (random, chosen by the tellers' form) the same lots sent again — a
    double click, a resend on bad Wi-Fi — are recognised and not added twice: the ballots'
    receipts are derived from the key, so the second sending finds the first one's.
    """
    authorize(session, caller, Permission.PAPER_ENTER, poll.meeting_id)
    # Locked, so that lots entered at two tables, and electronic ballots, are measured
    # against the unused rights one after the other (electronic ballots take a shared lock).
    day = check_still_open(session, poll, "enter paper ballots in")
    check_has_paper(poll)
    if not lots:
        raise InvalidInput("no paper ballots given")
    checked = check_paper_lots(poll, lots)
    total = sum(lot_count for _, lot_count in checked)
    receipts = paper_receipts(poll, len(checked), lot_key)
    if lot_key is not None and session.get(Ballot, (poll.id, receipts[0])) is not None:
        _check_same_lots(session, poll, lot_key, checked)
        return total  # these lots were entered already
    refusal = poll_rights(session, poll.id, poll.meeting_id, day).paper_refusal(total)
    if refusal is not None:
        raise refusal
    try:
        with session.begin_nested():
            session.add_all(paper_ballots(poll, receipts, checked))
    except IntegrityError:
        if lot_key is None:
            raise
        return total  # the same lots, sent twice at once: the other sending stored them
    record(
        session,
        caller.actor,
        JournalAction.ENTER_PAPER_BALLOTS,
        {"poll_id": poll.id, "lots": journalled_lots(receipts, checked)},
    )
    queue_event(session, poll.meeting_id, LiveEventType.BALLOT_RECEIVED, poll_id=poll.id)
    return total


def check_still_open(session: Session, poll: Poll, doing: str, *, final: str = "") -> date:
    """The day of a poll that is open, its state locked for the ballots about to change; 409
    otherwise, saying ``final`` of a poll already counted when it is given."""
    state = session.scalar(select(Poll.state).where(Poll.id == poll.id).with_for_update())
    state = state or poll.state
    if final and state in (PollState.CLOSED, PollState.PUBLISHED):
        raise Conflict(f"cannot {doing} poll {poll.id}: it is {state.value}, so counted; {final}")
    if state is not PollState.OPEN or poll.day is None:
        raise not_in_state(poll.id, state, doing, "open")
    return poll.day


def check_paper_lots(poll: Poll, lots: list[PaperLot]) -> list[tuple[Any, int]]:
    """The lots' choices as stored, with their counts; 422 naming the lot that is wrong."""
    options = ballot_options(poll)
    checked = []
    for number, lot in enumerate(lots, start=1):
        if (
            isinstance(lot.count, bool)
            or not isinstance(lot.count, int)
            or not 1 <= lot.count <= MAX_PAPER_COUNT
        ):
            raise InvalidInput(
                f"paper lot {number}: the count must be a whole number from 1 to "
                f"{MAX_PAPER_COUNT:,}; enter a larger count in several lots"
            )
        try:
            choice = check_choice(
                poll.method, lot.choice, options, seats=poll.seats, max_score=poll.max_score
            )
        except InvalidInput as error:
            raise InvalidInput(f"paper lot {number}: {error.message}") from None
        checked.append((choice, lot.count))
    return checked


def paper_ballots(poll: Poll, receipts: list[str], lots: list[tuple[Any, int]]) -> list[Ballot]:
    """The rows of checked paper lots, one a lot, under their receipts."""
    return [
        Ballot(
            poll_id=poll.id,
            receipt=receipt,
            choice=choice,
            weight=lot_count,
            source=BallotSource.PAPER,
        )
        for receipt, (choice, lot_count) in zip(receipts, lots, strict=True)
    ]


def journalled_lots(receipts: list[str], lots: list[tuple[Any, int]]) -> list[dict[str, Any]]:
    """Checked paper lots as their journal entry records them: each with the receipt of its
    row, so that the lot withdrawn is the row it stored, not one alike."""
    return [
        {"choice": choice, "count": lot_count, "receipt": receipt}
        for receipt, (choice, lot_count) in zip(receipts, lots, strict=True)
    ]


def check_has_paper(poll: Poll) -> None:
    """A poll counted in the hall has no paper ballots (409): its totals are entered."""
    if poll.vote_by is not VoteBy.BALLOT:
        raise Conflict(
            f"poll {poll.id} is taken by {VOTE_BY_WORDS[poll.vote_by]}: it has no paper "
            "ballots; the tellers enter its totals"
        )


#: What every paper receipt starts with: never a hexadecimal digit, as electronic ones are.
_PAPER = "p"
#: Whether a poll has paper ballots. Electronic receipts are hexadecimal, so every paper
#: receipt sorts after them all: the question reads the poll's paper ballots alone off the
#: ballots' key, not each of its electronic ones (it is asked for every group of ballots).
_HAS_PAPER = (
    select(Ballot.receipt)
    .where(
        Ballot.poll_id == bindparam("poll_id"),
        Ballot.receipt >= _PAPER,
        Ballot.source == BallotSource.PAPER,
    )
    .limit(1)
)


def has_paper_ballots(session: Session, poll_id: int) -> bool:
    return session.scalar(_HAS_PAPER, {"poll_id": poll_id}) is not None


def _check_same_lots(
    session: Session, poll: Poll, lot_key: str, lots: list[tuple[Any, int]]
) -> None:
    """The lots sent again under a key are the lots it was first sent with: other lots under
    it would be answered as entered while nothing of them is stored."""
    # One receipt more than the lots: a first sending of more lots stored it.
    receipts = paper_receipts(poll, len(lots) + 1, lot_key)
    stored = {
        ballot.receipt: (ballot.choice, ballot.weight)
        for ballot in session.scalars(
            select(Ballot).where(Ballot.poll_id == poll.id, Ballot.receipt.in_(receipts))
        )
    }
    if [stored.get(receipt) for receipt in receipts] != [*lots, None]:
        raise Conflict(
            "these paper lots were sent under a key already used for other lots; they are not "
            "added: reload the form to enter them as new lots"
        )


def paper_receipts(poll: Poll, count: int, lot_key: str | None = None) -> list[str]:
    """Receipts for paper lots ("p…", never an electronic receipt's shape): random, or
    derived from the tellers' lot key so that sending the lots again finds them."""
    if lot_key is None:
        return [_PAPER + secrets.token_hex(15) for _ in range(count)]
    key = bytes.fromhex(poll.receipt_key)
    return [
        _PAPER + hmac.new(key, f"paper:{lot_key}:{i}".encode(), hashlib.sha256).hexdigest()[:30]
        for i in range(count)
    ]


def check_step_once(poll: Poll, state: PollState) -> bool:
    """Whether ``poll`` is still to step to ``state``, which it may (409 where it may not);
    False once it is there or past it, where the step asked again changes nothing."""
    if POLL_TRANSITIONS.reached(poll.state, state):
        return False
    POLL_TRANSITIONS.check_step(poll.state, state, f"poll {poll.id}")
    return True


def do_publish_poll(session: Session, caller: Caller, poll_id: int) -> Poll:
    poll = access_poll(session, caller, poll_id, lock=True)
    authorize(session, caller, Permission.POLLS_RUN, poll.meeting_id)
    if not check_step_once(poll, PollState.PUBLISHED):
        return poll
    poll.state = PollState.PUBLISHED
    poll.published_at = utcnow()
    record(
        session,
        caller.actor,
        JournalAction.PUBLISH_POLL,
        {"poll_id": poll.id, "outcome": poll.outcome},
    )
    queue_event(session, poll.meeting_id, LiveEventType.POLL_PUBLISHED, poll_id=poll.id)
    return poll
