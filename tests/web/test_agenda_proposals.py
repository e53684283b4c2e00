"""Delegates propose changes to the draft agenda; the chair or the secretary accepts or rejects."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.helpers import row_count
from tests.meeting_api import Api, ApiKeys, demo_api_on, keys_of
from tests.prepared import prepared
from tests.web.page_client import delegates, secretary
from veche.actions.journal_actions import JournalAction
from veche.models import AgendaProposal, JournalEntry
from veche.queries.agenda_proposals import ProposalView

#: The pages' test (marked ``one_database``) runs on SQLite alone; proposing and deciding
#: are proven on both databases by the API tests beside it.
#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

DAY = date.today()
OUTSIDER = 48  # a person of the demo who is not invited
OBSERVER = 45


@dataclass
class Draft:
    """A meeting in session whose agenda of three items is not approved yet."""

    app: FastAPI
    api: Api
    sessions: sessionmaker[Session]
    meeting_id: int
    items: list[int]
    members: list[int]
    alternate: int
    observer: int

    def propose(self, person_id: int, expect: int = 201, **body: Any) -> Any:
        return self.api.call(
            "POST",
            f"/meetings/{self.meeting_id}/agenda/proposals",
            expect,
            as_person=person_id,
            **body,
        )

    def agenda(self) -> list[str]:
        answer = self.api.get(f"/meetings/{self.meeting_id}/agenda")
        return [item["title"] for item in answer["items"]]

    def proposals(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api.get(f"/meetings/{self.meeting_id}/agenda/proposals")
        return found

    def journal(self) -> int:
        return row_count(self.sessions, JournalEntry)

    def refused(
        self,
        verb: str,
        path: str,
        status: int,
        words: str,
        as_person: int | None = None,
        **body: Any,
    ) -> None:
        """Refused with ``status`` and a message containing ``words``; nothing changes."""
        if as_person is not None:
            self.api.person(as_person)  # issuing the token is journaled: do it first
        before = (self.journal(), self.agenda(), self.proposals())
        detail = self.api.call(verb, path, status, as_person=as_person, **body)["detail"]
        assert words in detail, detail
        assert (self.journal(), self.agenda(), self.proposals()) == before

    def approve_agenda(self) -> None:
        closed = self.api.decide(
            self.meeting_id, DAY, "Agenda", {"yes": self.members}, approves_agenda=True
        )
        assert closed["outcome"] == "adopted"


@dataclass(frozen=True)
class DraftAgenda:
    """The meeting of ``Draft`` in a prepared database, with the secretary's keys."""

    meeting_id: int
    items: list[int]
    members: list[int]
    alternate: int
    keys: ApiKeys


def _draft_agenda(url: str) -> DraftAgenda:
    with demo_api_on(url) as api:
        m = api.new_meeting(DAY, kind="enlarged", notice="Notice.")["id"]
        items = [
            api.post(f"/meetings/{m}/agenda", title=title)["id"]
            for title in ("On the budget", "On housing", "Any other business")
        ]
        api.post(f"/meetings/{m}/participants", person_id=OBSERVER, role="observer")
        api.move_on(m, "convened", "in_session")
        people = api.get(f"/meetings/{m}/participants")
        members = [p["person_id"] for p in people if p["role"] == "member"]
        alternate = next(p["person_id"] for p in people if p["role"] == "alternate")
        api.check_in(m, DAY, members)
        return DraftAgenda(m, items, members, alternate, keys_of(api))


draft_agenda = prepared("draft_agenda", _draft_agenda)


@pytest.fixture
def draft(
    engine: Engine, sessions: sessionmaker[Session], draft_agenda: DraftAgenda
) -> Iterator[Draft]:
    app = create_app(engine)
    with TestClient(app) as client:
        d = draft_agenda
        api = d.keys.api(client)
        yield Draft(app, api, sessions, d.meeting_id, d.items, d.members, d.alternate, OBSERVER)


def test_delegates_propose_and_the_secretary_accepts_or_rejects(draft: Draft) -> None:
    member, m = draft.members[0], draft.meeting_id
    budget, housing, other = draft.items
    added = draft.propose(
        member, kind="add", title="On schools", item_kind="motion", rationale="Long overdue."
    )
    moved = draft.propose(draft.alternate, kind="move", agenda_item_id=housing, position=1)
    renamed = draft.propose(
        member, kind="rename", agenda_item_id=budget, title="On the 2027 budget"
    )
    removed = draft.propose(member, kind="remove", agenda_item_id=other)
    listed = draft.proposals()
    assert [(p["number"], p["kind"], p["state"]) for p in listed] == [
        (1, "add", "pending"),
        (2, "move", "pending"),
        (3, "rename", "pending"),
        (4, "remove", "pending"),
    ]
    assert listed[0]["change"] == "add “On schools” (motion)"
    # The query's own view as it is, with its change in words.
    assert set(listed[0]) == {field.name for field in fields(ProposalView)} | {"change"}
    assert listed[0]["rationale"] == "Long overdue."
    assert listed[1]["change"] == "move “On housing” to position 1"
    assert listed[1]["proposer_person_id"] == draft.alternate
    assert draft.agenda() == ["On the budget", "On housing", "Any other business"]

    before = draft.journal()
    accepted = draft.api.post(f"/agenda-proposals/{added['id']}/decision", 200, decision="accepted")
    assert accepted["state"] == "accepted" and accepted["decided_at"] is not None
    assert draft.agenda() == ["On the budget", "On housing", "Any other business", "On schools"]
    assert accepted["agenda_item_id"] not in draft.items
    # The change is made by the agenda's own action, then the acceptance is recorded.
    with draft.sessions() as session:
        actions = session.scalars(
            select(JournalEntry.action).order_by(JournalEntry.seq).offset(before)
        ).all()
    assert actions == [JournalAction.ADD_AGENDA_ITEM, JournalAction.ACCEPT_AGENDA_PROPOSAL]

    draft.api.post(f"/agenda-proposals/{moved['id']}/decision", 200, decision="accepted")
    assert draft.agenda() == ["On housing", "On the budget", "Any other business", "On schools"]
    rejected = draft.api.post(
        f"/agenda-proposals/{renamed['id']}/decision",
        200,
        decision="rejected",
        reason="The year is in the notice.",
    )
    assert rejected["state"] == "rejected" and rejected["reason"] == "The year is in the notice."
    assert "On the budget" in draft.agenda()
    draft.api.post(f"/agenda-proposals/{removed['id']}/decision", 200, decision="accepted")
    assert draft.agenda() == ["On housing", "On the budget", "On schools"]

    draft.refused(
        "POST",
        f"/agenda-proposals/{moved['id']}/decision",
        409,
        "was accepted already",
        decision="accepted",
    )
    draft.refused(
        "POST",
        f"/agenda-proposals/{renamed['id']}/decision",
        409,
        "was rejected already",
        decision="rejected",
        reason="x",
    )
    minutes = draft.api.call("GET", f"/meetings/{m}/reports/minutes").text
    assert "Changes to the agenda proposed by delegates" in minutes
    assert "| 1 | add “On schools” (motion) |" in minutes
    assert "Long overdue." in minutes
    assert "| rejected: The year is in the notice. |" in minutes
    assert minutes.count("| accepted |") == 3


def test_an_undecided_proposal_says_so_in_the_minutes_and_none_means_no_section(
    draft: Draft,
) -> None:
    minutes_path = f"/meetings/{draft.meeting_id}/reports/minutes"
    assert "proposed by delegates" not in draft.api.call("GET", minutes_path).text
    draft.propose(draft.members[1], kind="remove", agenda_item_id=draft.items[2])
    minutes = draft.api.call("GET", minutes_path).text
    assert "| remove “Any other business” |" in minutes and "| not decided |" in minutes


def test_observers_outsiders_and_delegates_are_refused_where_they_have_no_right(
    draft: Draft,
) -> None:
    path = f"/meetings/{draft.meeting_id}/agenda/proposals"
    draft.refused(
        "POST",
        path,
        403,
        "only a member or an alternate member",
        draft.observer,
        kind="add",
        title="X",
    )
    draft.refused(
        "POST", path, 403, "not a participant of meeting", OUTSIDER, kind="add", title="X"
    )
    draft.refused(
        "POST", path, 403, "only a member or an alternate member", None, kind="add", title="X"
    )  # the secretary's account holds no seat: managers change the agenda directly
    proposal = draft.propose(draft.members[0], kind="add", title="On schools")
    delegate = draft.members[1]
    decide = f"/agenda-proposals/{proposal['id']}/decision"
    for decision in ("accepted", "rejected"):
        draft.refused(
            "POST",
            decide,
            403,
            "only a chair or a secretary",
            delegate,
            decision=decision,
            reason="no",
        )
    assert draft.api.call("GET", path, as_person=draft.observer)[0]["id"] == proposal["id"]
    draft.refused("GET", path, 403, "not a participant", OUTSIDER)


@pytest.mark.one_database
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"kind": "add", "title": "  "}, 422, "the new item's title must not be empty"),
        ({"kind": "add", "title": "X", "position": 1}, 422, "names no existing item"),
        ({"kind": "remove"}, 422, "name the agenda item to remove"),
        ({"kind": "remove", "agenda_item_id": 9999}, 404, "has no agenda item 9999"),
        ({"kind": "move", "agenda_item_id": "first", "position": 5}, 422, "between 1 and 3"),
        ({"kind": "move", "agenda_item_id": "first", "position": 1}, 422, "at position 1 already"),
        ({"kind": "rename", "agenda_item_id": "first", "title": "On the budget"}, 422, "already"),
        ({"kind": "remove", "agenda_item_id": "first", "title": "Y"}, 422, "takes no title"),
        ({"kind": "swap", "title": "Y"}, 422, "kind"),
    ],
)
def test_a_malformed_proposal_is_refused_and_changes_nothing(
    draft: Draft, body: dict[str, Any], status: int, words: str
) -> None:
    filled = {k: draft.items[0] if v == "first" else v for k, v in body.items()}
    draft.refused(
        "POST",
        f"/meetings/{draft.meeting_id}/agenda/proposals",
        status,
        words,
        draft.members[0],
        **filled,
    )


def test_a_rejection_needs_a_reason(draft: Draft) -> None:
    proposal = draft.propose(draft.members[0], kind="add", title="On schools")
    path = f"/agenda-proposals/{proposal['id']}/decision"
    draft.refused(
        "POST", path, 422, "the reason for rejecting it must not be empty", decision="rejected"
    )
    draft.refused(
        "POST",
        path,
        422,
        "the reason for rejecting it must not be empty",
        decision="rejected",
        reason="  ",
    )
    draft.refused("POST", path, 422, "decision", decision="postponed")


def test_once_the_agenda_is_approved_no_proposal_is_taken_or_applied(draft: Draft) -> None:
    pending = draft.propose(draft.members[0], kind="remove", agenda_item_id=draft.items[1])
    draft.approve_agenda()
    draft.refused(
        "POST",
        f"/meetings/{draft.meeting_id}/agenda/proposals",
        409,
        "can no longer change",
        draft.members[0],
        kind="add",
        title="Late item",
    )
    draft.refused(
        "POST",
        f"/agenda-proposals/{pending['id']}/decision",
        409,
        "approved by poll",
        decision="accepted",
    )
    with draft.sessions() as session:
        assert session.scalar(select(func.count()).select_from(AgendaProposal)) == 1


@pytest.mark.one_database
def test_the_pages_let_a_delegate_propose_and_the_secretary_decide(draft: Draft) -> None:
    member, observer = delegates(
        draft.app, draft.sessions, draft.meeting_id, [draft.members[0], draft.observer]
    )
    page = f"/meetings/{draft.meeting_id}/agenda/proposals"
    shown = member.browser.get(page)
    assert shown.status_code == 200 and "Propose a change" in shown.text
    assert "Accept proposal" not in shown.text
    assert "Propose a change" not in observer.browser.get(page).text
    forged = member.browser.client.post(page, data={"kind": "add", "title": "On schools"})
    assert forged.status_code == 403 and draft.proposals() == []
    filed = member.browser.post(
        page, {"kind": "add", "title": "On schools", "item_kind": "report", "rationale": "Why not"}
    )
    assert filed.status_code == 303, filed.text
    assert "Your proposal 1 is filed." in member.browser.get(page).text
    refused = observer.browser.post(page, {"kind": "add", "title": "Observers' item"})
    assert refused.status_code == 403 and "only a member or an alternate member" in refused.text
    bad = member.browser.post(page, {"kind": "move", "agenda_item_id": "x", "position": "1"})
    assert bad.status_code == 422 and "the agenda item must be a whole number" in bad.text
    assert len(draft.proposals()) == 1

    desk = secretary(draft.app)
    listing = desk.get(page).text
    assert "Accept proposal 1" in listing and "Reject proposal 1" in listing
    proposal_id = draft.proposals()[0]["id"]
    not_theirs = member.browser.post(f"{page}/{proposal_id}/accept")
    assert not_theirs.status_code == 403
    done = desk.post(f"{page}/{proposal_id}/accept")
    assert done.status_code == 303
    assert "Proposal 1 is accepted." in desk.get(page).text
    assert draft.agenda()[-1] == "On schools"

    second = member.browser.post(
        page,
        {
            "kind": "rename",
            "agenda_item_id": str(draft.items[0]),
            "title": "On the budget for 2027",
        },
    )
    assert second.status_code == 303
    second_id = draft.proposals()[1]["id"]
    rejected = desk.post(f"{page}/{second_id}/reject", {"reason": "Keep the notice's words."})
    assert rejected.status_code == 303
    listing = member.browser.get(page).text
    assert "rejected: Keep the notice&#39;s words." in listing
    draft.approve_agenda()
    closed = member.browser.get(page).text
    assert "Propose a change" not in closed and "no more changes can be proposed" in closed
