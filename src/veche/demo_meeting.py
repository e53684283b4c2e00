"""The demo's enlarged plenary meeting: three days recorded through the actions, report published."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._text import Target
from veche.actions.access import Caller
from veche.actions.actor import Actor
from veche.actions.agenda import ItemSpec, do_add_item, do_close_item, do_open_item
from veche.actions.attendance import do_check_in
from veche.actions.closing import do_close_poll
from veche.actions.contributions import ContributionSpec, do_record_contribution
from veche.actions.meetings import do_change_meeting_state, do_create_meeting
from veche.actions.motions import (
    AmendmentSpec,
    MotionSpec,
    do_decide_amendment,
    do_finalize_motion,
    do_propose_amendment,
    do_submit_motion,
)
from veche.actions.panels import do_create_panel, do_recommend
from veche.actions.participants import do_invite_observers
from veche.actions.polls import (
    PaperLot,
    PollSubject,
    do_answer_nomination,
    do_create_poll,
    do_enter_paper_ballots,
    do_nominate,
    do_open_poll,
    do_publish_poll,
)
from veche.actions.presidium import do_add_sitting, do_seat_elected_presidium
from veche.actions.resolutions import do_settle_motion
from veche.models import Body, Meeting, Organization, Person, Poll, Term
from veche.models.debate import ContributionKind
from veche.models.meetings import MeetingKind, MeetingState
from veche.models.motions import AmendmentState
from veche.models.polls import PollKind

DAYS = (date(2025, 11, 18), date(2025, 11, 19), date(2025, 11, 20))

#: Items: title, rapporteur, speakers, day, motion title, motion text, (yes, no, abstain).
_ITEMS = [
    (
        "On the Executive Bureau's report on the federation's work",
        5,
        [7, 8, 9],
        0,
        "On the report of the Executive Bureau",
        "The General Council approves the report of the Executive Bureau.\n\n"
        "The Council notes that membership grew in the Northern Region.\n\n"
        "The Council instructs the Executive Bureau to publish the report.\n",
        (26, 0, 0),
    ),
    (
        "On wages and collective agreements for 2026",
        12,
        [13, 14, 15],
        0,
        "On wages and agreements",
        "Wages shall rise with prices.\nAgreements shall be renewed every two years.\n"
        "Each branch shall report on its agreements.\n",
        (22, 3, 1),
    ),
    (
        "On safety at work in the mines and docks",
        16,
        [17, 18, 31],
        1,
        "On safety at work",
        "Every branch shall elect a safety steward.\n\nStewards shall meet twice a year.\n",
        (20, 5, 1),
    ),
    (
        "On the federation's budget for 2026",
        19,
        [20, 21, 39],
        1,
        "On the budget for 2026",
        "The budget for 2026 is approved as presented.\n",
        (24, 2, 0),
    ),
    (
        "On training shop stewards",
        22,
        [23, 24, 45],
        2,
        "On training shop stewards",
        "Each region shall hold a stewards' school every spring.\n",
        (23, 0, 1),
    ),
]


def load_demo_meeting(session: Session, org: Organization) -> Meeting:
    """The 8th General Council's enlarged plenary meeting, from convocation to published report."""
    chair = Caller(Actor.system("demo"), None, True, org.id)
    people = {
        p.id: p for p in session.scalars(select(Person).where(Person.organization_id == org.id))
    }
    ids = sorted(people)  # the demo's people in the order it made them: 1st, 2nd …
    person = ids.__getitem__
    bodies = {
        b.name: b for b in session.scalars(select(Body).where(Body.organization_id == org.id))
    }
    council = bodies["General Council"]
    term = session.scalars(
        select(Term).where(Term.body_id == council.id).order_by(Term.number.desc())
    ).first()
    assert term is not None
    bureau = bodies["Executive Bureau"]
    meeting = do_create_meeting(
        session,
        chair,
        term,
        "Plenary Meeting",
        starts_on=DAYS[0],
        ends_on=DAYS[-1],
        kind=MeetingKind.ENLARGED,
        venue="Riverside Hall, Millbrook",
        convened_by=bureau,
        notice="The Executive Bureau convenes the General Council in enlarged session.\n\n"
        "Proposed agenda: the Bureau's report; wages; safety at work; the budget; "
        "training shop stewards.\n",
    )
    do_invite_observers(session, chair, meeting, "heads of departments", [person(38), person(39)])
    do_invite_observers(
        session, chair, meeting, "chairs of regional committees", [person(44), person(45)]
    )
    items = [
        do_add_item(
            session,
            chair,
            meeting,
            ItemSpec(
                title=title,
                rapporteur_person_id=person(rapporteur - 1),
                rapporteur_body_id=bureau.id,
                time_budget_minutes=90,
            ),
        )
        for title, rapporteur, *_ in _ITEMS
    ]
    do_change_meeting_state(session, chair, meeting, MeetingState.CONVENED)
    do_change_meeting_state(session, chair, meeting, MeetingState.IN_SESSION)
    members = [person(i) for i in range(26)]
    for day in DAYS:
        for who in [*members, *(person(i) for i in range(30, 36)), person(38), person(44)]:
            do_check_in(session, chair, meeting, who, day)

    election = do_create_poll(
        session,
        chair,
        meeting,
        title="Election of the presidium",
        kind=PollKind.ELECTION,
        method="block",
        seats=3,
    )
    candidates = [
        do_nominate(session, chair, election, person_id=person(i), label=None) for i in range(4)
    ]
    for candidate in candidates:
        do_answer_nomination(session, chair, election, candidate.id, accept=True)
    do_open_poll(session, chair, election.id, DAYS[0])
    first, second, third, fourth = (c.id for c in candidates)
    do_enter_paper_ballots(
        session,
        chair,
        election,
        [
            PaperLot({"options": [first, second, third]}, 20),
            PaperLot({"options": [second, third, fourth]}, 6),
        ],
    )
    do_close_poll(session, chair, election.id)
    do_publish_poll(session, chair, election.id)
    do_seat_elected_presidium(session, chair, meeting, election)
    sittings = [
        do_add_sitting(session, chair, meeting, day=day, chair_person_id=person(n))
        for day, n in zip(DAYS, (1, 2, 0), strict=True)
    ]

    motions = [
        do_submit_motion(
            session,
            chair,
            meeting,
            MotionSpec(
                title=motion_title, text=text, agenda_item_id=item.id, submitter_body_id=bureau.id
            ),
        )
        for item, (_, _, _, _, motion_title, text, _) in zip(items, _ITEMS, strict=True)
    ]
    work = do_create_panel(
        session,
        chair,
        meeting,
        name="Panel on work and wages",
        agenda_item_ids=[items[0].id, items[1].id],
        chair_person_ids=[person(9)],
        member_person_ids=[person(25), person(31)],
    )
    safety = do_create_panel(
        session,
        chair,
        meeting,
        name="Panel on safety",
        agenda_item_ids=[items[2].id],
        chair_person_ids=[person(26)],
        member_person_ids=[person(32)],
    )
    grew = do_propose_amendment(
        session,
        chair,
        motions[0],
        AmendmentSpec(
            Target(paragraph=2),
            "The Council notes that membership grew in all three regions.",
            reason="Every region grew.",
            panel_id=work.id,
        ),
    )
    renew = do_propose_amendment(
        session,
        chair,
        motions[1],
        AmendmentSpec(
            Target(first_line=2, last_line=2),
            "Agreements shall be renewed every year.",
            panel_id=work.id,
        ),
    )
    do_recommend(session, chair, safety, motions[2], "Keep two meetings a year.")
    do_decide_amendment(session, chair, grew, AmendmentState.ACCEPTED)
    do_decide_amendment(
        session,
        chair,
        renew,
        AmendmentState.MERGED,
        merged_text="Agreements shall be renewed every eighteen months.",
    )

    _decide(
        session,
        chair,
        meeting,
        "Approval of the agenda",
        DAYS[0],
        (24, 1, 1),
        PollSubject(approves_agenda=True),
    )
    for n, (item, motion, spec) in enumerate(zip(items, motions, _ITEMS, strict=True)):
        _, rapporteur, speakers, day_index, motion_title, _, votes = spec
        sitting = sittings[day_index].id
        do_open_item(session, chair, item)
        do_record_contribution(
            session,
            chair,
            item,
            ContributionSpec(
                ContributionKind.REPORT,
                person(rapporteur - 1),
                title=item.title,
                summary="The report reviewed the year's work and set out the draft.",
                seconds_used=1800 + 60 * n,
                on_behalf_of_body_id=bureau.id,
                sitting_id=sitting,
            ),
        )
        for k, speaker in enumerate(speakers):
            do_record_contribution(
                session,
                chair,
                item,
                ContributionSpec(
                    ContributionKind.SPEECH,
                    person(speaker - 1),
                    summary="Spoke in support of the draft.",
                    seconds_used=280 + 15 * k,
                    sitting_id=sitting,
                ),
            )
        do_finalize_motion(
            session, chair, motion, panel_outcome="The panels' amendments are in the final draft."
        )
        _decide(
            session,
            chair,
            meeting,
            f"Vote on {motion_title}",
            DAYS[day_index],
            votes,
            PollSubject(motion_id=motion.id),
        )
        do_settle_motion(session, chair, motion)
        do_close_item(session, chair, item)
    do_change_meeting_state(session, chair, meeting, MeetingState.CLOSED)
    do_change_meeting_state(session, chair, meeting, MeetingState.REPORT_PUBLISHED)
    return meeting


def _decide(
    session: Session,
    chair: Caller,
    meeting: Meeting,
    title: str,
    day: date,
    votes: tuple[int, int, int],
    subject: PollSubject,
) -> Poll:
    """A decision counted on paper by the tellers: yes, no and abstain lots."""
    poll = do_create_poll(
        session,
        chair,
        meeting,
        title=title,
        kind=PollKind.DECISION,
        method="majority",
        subject=subject,
    )
    do_open_poll(session, chair, poll.id, day)
    options = {o.label: o.id for o in poll.options}
    lots = [
        PaperLot({"option": options[label]}, count)
        for label, count in zip(("yes", "no", "abstain"), votes, strict=True)
        if count
    ]
    do_enter_paper_ballots(session, chair, poll, lots)
    do_close_poll(session, chair, poll.id)
    return do_publish_poll(session, chair, poll.id)
