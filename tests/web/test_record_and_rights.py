"""What an attacker inside the organization tried at a sitting, refused or kept from them: a
closed poll's result read in the minutes before it is published, a voting right given while
a poll is open, a motion signed in others' names, a presidium formed by a body with no say in
the meeting — and a refusal that told a chair to be a chair."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import voter
from tests.meeting_api import Api
from tests.web.page_client import delegates
from tests.web.sitting import DELEGATE, OBSERVER, PRESENT, PreparedSitting, journal_length
from veche.actions.access import Caller
from veche.actions.presidium import _check_forms_presidium
from veche.db import transaction
from veche.errors import InvalidInput
from veche.models import Body, Meeting, Poll, Term
from veche.models.polls import PollState
from veche.queries.record import read_record
from veche.reports import build_report, rendered
from veche.reports.render import to_markdown

#: The sitting (tests/web/sitting.py) starts from the demo organization.
pytestmark = pytest.mark.demo


@pytest.fixture
def api(engine: Engine, sitting: PreparedSitting) -> Iterator[Api]:
    with TestClient(create_app(engine)) as client:
        yield sitting.api(client)


def _named_poll(api: Api, sitting: PreparedSitting, title: str, votes: dict[str, list[int]]) -> int:
    """A named decision, voted ``votes`` (choice → voters) and closed, not published."""
    poll: dict[str, Any] = api.post(
        f"/meetings/{sitting.meeting_id}/polls",
        title=title,
        kind="decision",
        method="majority",
        secrecy="named",
    )
    api.call("POST", f"/polls/{poll['id']}/open", day=sitting.sitting.day.isoformat())
    options = {o["label"]: o["id"] for o in poll["options"]}
    for choice, voters in votes.items():
        for person_id in voters:
            api.vote(poll["id"], person_id, {"option": options[choice]})
    api.call("POST", f"/polls/{poll['id']}/close")
    return int(poll["id"])


def test_a_closed_polls_result_stays_out_of_the_documents_until_it_is_published(
    api: Api, sitting: PreparedSitting, sessions: sessionmaker[Session]
) -> None:
    m = sitting.meeting_id
    poll = _named_poll(api, sitting, "Close the canteen", {"yes": [1, 2], "no": [3, 4, 5]})
    refused = api.client.get(f"/api/polls/{poll}/roll-call", headers=api.person(OBSERVER))
    assert refused.status_code == 403 and "once it is published" in refused.text
    api.call("PATCH", f"/meetings/{m}/participants/{DELEGATE}", office="chair")

    def read(reader: Caller | None, kind: str) -> str:
        with sessions() as session:
            meeting = session.get(Meeting, m)
            assert meeting is not None
            return rendered(build_report(session, meeting, kind, reader=reader), "md").decode()

    # Neither an observer nor a member reads it in any document (a PDF is drawn from the same).
    for person in (OBSERVER, PRESENT[2]):
        for kind in ("minutes", "communique", "motions"):
            text = read(voter(person), kind)
            assert "Close the canteen" not in text, (person, kind)
    assert "Vote 1: Agenda" in read(voter(OBSERVER), "minutes")  # published, so there
    # The chair sees results once closed, and so does whoever runs the server.
    for reader in (voter(DELEGATE), None):
        minutes = read(reader, "minutes")
        assert f"Vote {poll}: Close the canteen" in minutes and "Roll-call:" in minutes
        assert "“Close the canteen” — rejected" in read(reader, "communique")

    api.call("POST", f"/polls/{poll}/publish")
    assert f"Vote {poll}: Close the canteen" in read(voter(OBSERVER), "minutes")
    assert "“Close the canteen” — rejected" in read(voter(OBSERVER), "communique")


def test_the_documents_served_keep_a_closed_result_from_who_may_not_see_it(
    api: Api, sitting: PreparedSitting, sessions: sessionmaker[Session]
) -> None:
    m = sitting.meeting_id
    poll = _named_poll(api, sitting, "Close the canteen", {"yes": [1, 2], "no": [3, 4, 5]})
    for kind in ("minutes", "communique"):
        told = api.client.get(f"/api/meetings/{m}/reports/{kind}", headers=api.secretary).text
        assert "Close the canteen" in told, kind
        hidden = api.client.get(
            f"/api/meetings/{m}/reports/{kind}", headers=api.person(OBSERVER)
        ).text
        assert "Close the canteen" not in hidden, kind
    phone = delegates(api.client.app, sessions, m, [OBSERVER])[0].browser  # type: ignore[arg-type]
    page = phone.get(f"/meetings/{m}/reports/minutes")
    assert page.status_code == 200 and "Close the canteen" not in page.text
    assert "Vote 1: Agenda" in page.text, poll


def test_a_vote_told_of_anyway_is_told_without_its_figures(
    sitting: PreparedSitting, sessions: sessionmaker[Session]
) -> None:
    """The agenda's approval is known to all (the agenda page shows it): before its result is
    published, the minutes say the agenda was approved, and not by how many."""
    with transaction(sessions) as session:
        approval = session.scalars(
            select(Poll).where(Poll.meeting_id == sitting.meeting_id, Poll.approves_agenda)
        ).one()
        approval.state = PollState.CLOSED
        approval_id = approval.id
        session.flush()
        meeting = session.get(Meeting, sitting.meeting_id)
        assert meeting is not None
        record = read_record(session, meeting, sees_closed=False)
        observer = voter(OBSERVER)
        minutes = to_markdown(build_report(session, meeting, "minutes", reader=observer))
        communique = to_markdown(build_report(session, meeting, "communique", reader=observer))
        whole = to_markdown(build_report(session, meeting, "minutes"))
        session.rollback()
    assert record.agenda_poll is not None and not record.agenda_poll.result_shown
    assert (record.agenda_poll.vote, record.agenda_poll.roll_call) == (None, [])
    assert "The agenda was approved:" in minutes and f"Vote {approval_id}:" not in minutes
    assert "The meeting approved the following agenda:" in communique
    assert "votes in favour" not in communique
    assert f"Vote {approval_id}: Agenda" in whole


def test_no_voting_right_is_given_while_a_poll_is_open(api: Api, sitting: PreparedSitting) -> None:
    m = sitting.meeting_id
    guests = [api.post("/people", full_name=f"Guest {n}")["id"] for n in range(3)]
    poll = api.post(f"/meetings/{m}/polls", title="Adjourn", kind="decision", method="majority")
    api.call("POST", f"/polls/{poll['id']}/open", day=sitting.sitting.day.isoformat())
    still_open = f"poll {poll['id']} is still open; close or cancel it first"
    weighed = api.call("PATCH", f"/meetings/{m}/participants/{DELEGATE}", 409, weight=5)
    assert weighed["detail"].endswith(still_open), weighed
    for role, guest, said in (
        ("member", guests[0], "a member"),
        ("alternate", guests[1], "an alternate member"),
    ):
        refused = api.post(
            f"/meetings/{m}/participants", 409, person_id=guest, role=role, weight=1_000_000
        )
        assert refused["detail"] == f"cannot invite person {guest} as {said}: {still_open}"
    # A seat in the meeting's term, which would place its holder in the meeting: the same.
    seated = api.post("/memberships", 409, person_id=guests[1], term_id=api.term_id)
    assert seated["detail"] == (
        f"cannot give person {guests[1]} a place in meeting {m}: {still_open}"
    ), seated
    invited = {p["person_id"] for p in api.get(f"/meetings/{m}/participants")}
    assert not invited & set(guests[:2])
    # An observer votes in nothing: invited as before.
    api.post(f"/meetings/{m}/participants", person_id=guests[2], role="observer")
    api.call("POST", f"/polls/{poll['id']}/close")
    api.post(f"/meetings/{m}/participants", person_id=guests[0], role="member", weight=2)


def test_a_motion_is_signed_by_others_only_through_the_secretary(
    api: Api, sitting: PreparedSitting, sessions: sessionmaker[Session]
) -> None:
    m = sitting.meeting_id
    path = f"/meetings/{m}/motions"
    bureau = api.bodies["Executive Bureau"]
    text: dict[str, Any] = {"title": "On the canteen", "text": "1. The canteen stays open."}
    api.person(OBSERVER)  # its token, journalled
    before = journal_length(sessions)
    attempts: list[tuple[int, dict[str, Any], str]] = [
        (DELEGATE, {"submitter_person_ids": [DELEGATE, 2]}, "in your own name alone"),
        (DELEGATE, {"submitter_person_ids": [2]}, "in your own name alone"),
        (DELEGATE, {"submitter_person_ids": [DELEGATE], "supporter_person_ids": [3, 4]}, "adds"),
        (
            DELEGATE,
            {"submitter_person_ids": [DELEGATE], "submitter_body_id": bureau},
            "a body's motion",
        ),
        (DELEGATE, {"submitter_body_id": bureau}, "in your own name alone"),
        (OBSERVER, {"submitter_person_ids": [OBSERVER]}, "the right to propose amendments"),
    ]
    for person, signed, says in attempts:
        refused = api.call("POST", path, 403, as_person=person, **text, **signed)
        assert says in refused["detail"], (signed, refused)
    assert journal_length(sessions) == before
    own = api.call("POST", path, 201, as_person=DELEGATE, **text, submitter_person_ids=[DELEGATE])
    api.call("POST", f"/motions/{own['id']}/supporters", 201, as_person=PRESENT[2])
    # The secretary records a paper motion as it was signed.
    paper = api.call(
        "POST",
        path,
        201,
        **text,
        submitter_body_id=bureau,
        submitter_person_ids=[2],
        supporter_person_ids=[3],
    )
    book = api.get(f"/motions/{paper['id']}")
    assert book["submitter_body_id"] == bureau, book
    # The drafts page offers the form to those it would take it from: a delegate, not an
    # observer.
    observer, delegate = delegates(api.client.app, sessions, m, [OBSERVER, DELEGATE])  # type: ignore[arg-type]
    assert "Table a draft" not in observer.browser.get(f"/meetings/{m}/motions").text
    assert "Table a draft" in delegate.browser.get(f"/meetings/{m}/motions").text


@pytest.mark.one_database  # a refusal's words, decided before anything is stored
def test_a_refusal_says_the_permission_is_the_whole_organizations(
    api: Api, sitting: PreparedSitting
) -> None:
    m, item = sitting.meeting_id, sitting.sitting.item_ids[1]
    api.call("PATCH", f"/meetings/{m}/participants/{DELEGATE}", office="chair")
    refused = api.call(
        "POST", f"/agenda-items/{item}/summing-up", 403, as_person=DELEGATE, cycle_id=1
    )
    assert refused["detail"] == (
        "only a chair or a secretary for the whole organization (a role held in one meeting "
        "is not enough), or an administrator, may read the follow-up of resolutions and every "
        "unit's reports"
    ), refused
    # A meeting's own permission is still asked of the meeting.
    member = api.call(
        "POST",
        f"/meetings/{m}/polls",
        403,
        as_person=PRESENT[2],
        title="Adjourn",
        kind="decision",
        method="majority",
    )
    assert f"of meeting {m}, or an administrator, may" in member["detail"], member


def test_a_presidium_is_formed_by_the_meeting_s_body_one_above_it_or_its_convener(
    api: Api, sitting: PreparedSitting, sessions: sessionmaker[Session]
) -> None:
    m = sitting.meeting_id
    before = journal_length(sessions)
    for body in ("Audit Commission", "Executive Bureau"):
        refused = api.post(
            f"/meetings/{m}/presidium", 422, person_ids=[2], formed_by_body_id=api.bodies[body]
        )
        assert f"the {body} cannot form the presidium of meeting {m}" in refused["detail"]
        assert "General Council" in refused["detail"]
    assert journal_length(sessions) == before and api.get(f"/meetings/{m}/presidium") == []
    api.post(
        f"/meetings/{m}/presidium", person_ids=[2], formed_by_body_id=api.bodies["General Council"]
    )


def test_the_convening_body_forms_the_presidium_though_it_sits_below() -> None:
    council = Body(id=1, name="General Council", parent=None)
    bureau = Body(id=2, name="Executive Bureau", parent=council)
    audit = Body(id=3, name="Audit Commission", parent=None)
    meeting = Meeting(id=9, term=Term(body=council), convened_by_body_id=bureau.id)
    assert _check_forms_presidium(meeting, bureau) is bureau
    assert _check_forms_presidium(meeting, council) is council
    with pytest.raises(InvalidInput, match="the Audit Commission cannot form"):
        _check_forms_presidium(meeting, audit)
