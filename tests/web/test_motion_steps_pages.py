"""A motion's way through the pages: tabled on its agenda item, its text frozen, put to a 2/3
vote under that item, recorded adopted into the resolutions registry, or withdrawn; each
control shown only to those who may use it, each step that cannot be undone confirmed, and
every refusal said on the page again, changing nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.web.page_client import Browser
from tests.web.sitting import DELEGATE, PRESENT, SittingPages, journal_length
from veche.models import Amendment, Motion, Poll, Resolution
from veche.models.motions import MotionState, SponsorRole

#: These prove what the pages show and do; the actions they call run through the API on both
#: databases (tests/test_meeting_record.py, tests/web/test_api_walkthrough.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


class Steps(SittingPages):
    @property
    def drafts(self) -> str:
        return f"/meetings/{self.meeting}/motions"

    def page(self, motion_id: int | None = None) -> str:
        return f"{self.drafts}/{motion_id or self.sitting.motion_id}"

    def table(self, browser: Browser, title: str, text: str, **sponsors: str) -> Motion:
        """Table a draft on the item under discussion through ``browser``'s page, which sends
        it to the motion's page; the motion stored, with its sponsors."""
        form = {"title": title, "text": text, "agenda_item_id": str(self.sitting.item_id)}
        tabled = browser.post(self.drafts, {**form, **sponsors})
        assert tabled.status_code == 303, tabled.text
        with self.sessions() as session:
            motion = session.scalars(
                select(Motion).where(Motion.title == title).options(selectinload(Motion.sponsors))
            ).one()
        assert tabled.headers["location"] == self.page(motion.id)
        return motion

    def motion(self, motion_id: int | None = None) -> Motion:
        with self.sessions() as session:
            motion = session.get(Motion, motion_id or self.sitting.motion_id)
            assert motion is not None
            session.expunge(motion)
            return motion


#: The fixture each test takes: the sitting served as ``Steps``.
steps = Steps.fixture()


def test_a_draft_is_tabled_on_the_item_under_discussion(steps: Steps) -> None:
    item = steps.sitting.item_id
    bureau = steps.api.bodies["Executive Bureau"]
    desk = steps.secretary.get(steps.drafts).text
    assert "Table the draft" in desk
    assert f'<option value="{item}" selected>1. On the budget (under discussion)</option>' in desk
    assert f'<option value="{bureau}">Executive Bureau</option>' in desk
    phone = steps.delegate.get(steps.drafts).text
    assert "You table it in your own name." in phone and 'name="submitter_body_id"' not in phone

    reserve_text = "1. The reserve stays.\n2. The Bureau reports.\n"
    reserve = steps.table(
        steps.secretary, "On the reserve", reserve_text, submitter_body_id=str(bureau)
    )
    assert (reserve.agenda_item_id, reserve.submitter_body_id) == (item, bureau)
    library_text = "1. The library opens on Sundays.\n"
    library = steps.table(
        steps.delegate, "On the library", library_text, submitter_person_ids=str(DELEGATE)
    )
    assert [(s.person_id, s.role) for s in library.sponsors] == [(DELEGATE, SponsorRole.SUBMITTER)]

    before = journal_length(steps.sessions)
    for browser, form, status, says in [
        (steps.delegate, {"submitter_person_ids": "8"}, 403, "in your own name"),
        (steps.secretary, {"submitter_body_id": ""}, 422, "choose a body under “Submitted by”"),
    ]:
        refused = browser.post(
            steps.drafts,
            {"title": "Kept as typed", "text": "1. Words kept.", "agenda_item_id": "", **form},
        )
        assert refused.status_code == status, refused.text
        assert says in refused.text and 'role="alert"' in refused.text
        assert (
            'value="Kept as typed"' in refused.text and ">1. Words kept.</textarea>" in refused.text
        )
    assert journal_length(steps.sessions) == before


def test_a_member_holding_an_office_tables_in_their_own_name_unless_unticked(
    steps: Steps,
) -> None:
    """A member who chairs sees both "Submitted by" and "In my own name", this one ticked, so
    that the draft is theirs as it comes; unticked with no body, the refusal names the form's
    two fields as the page labels them."""
    steps.api.call(
        "PATCH", f"/meetings/{steps.meeting}/participants/{DELEGATE}", 200, office="chair"
    )
    form = steps.delegate.get(steps.drafts).text
    assert 'name="submitter_body_id"' in form
    assert (
        f'<input type="checkbox" id="motion-mine" name="submitter_person_ids" '
        f'value="{DELEGATE}" checked>' in form
    )
    before = journal_length(steps.sessions)
    sent = {"title": "On the hall", "text": "1. The hall is heated.", "submitter_body_id": ""}
    refused = steps.delegate.post(steps.drafts, sent)
    assert refused.status_code == 422, refused.text
    assert (
        "Say who tables the draft: choose a body under “Submitted by”, or tick “In my own "
        "name”, or both." in refused.text
    )
    # Shown again as it was sent: the box as left, unticked.
    assert f'value="{DELEGATE}" checked>' not in refused.text
    assert journal_length(steps.sessions) == before
    mine = steps.table(
        steps.delegate, "On the hall", "1. The hall is heated.", submitter_person_ids=str(DELEGATE)
    )
    assert [(s.person_id, s.role) for s in mine.sponsors] == [(DELEGATE, SponsorRole.SUBMITTER)]


def _steps_of(page: str) -> set[str]:
    names = {
        "final": "Freeze the final text",
        "vote": "Make the vote ready",
        "settle": "Record the outcome",
        "withdraw": "Withdraw the motion",
    }
    return {step for step, words in names.items() if words in page}


def test_a_draft_is_frozen_put_to_a_two_thirds_vote_and_adopted(steps: Steps) -> None:
    proposed = steps.delegate.post(
        f"{steps.page()}/amendments",
        {"paragraph": "2", "new_text": "The Bureau reports in six months."},
    )
    assert proposed.status_code == 303, proposed.text
    assert _steps_of(steps.delegate.get(steps.page()).text) == set()
    assert _steps_of(steps.observer.get(steps.page()).text) == set()
    desk = steps.secretary.get(steps.page()).text
    assert _steps_of(desk) == {"final", "withdraw"}
    assert "Decide amendment(s) 1 first" in desk

    confirmed = {"confirmed": "yes"}
    pending = steps.secretary.post(f"{steps.page()}/final", confirmed)
    assert pending.status_code == 409 and "decide amendment(s) 1" in pending.text
    assert 'data-testid="problem-final"' in pending.text
    with steps.sessions() as session:
        amendment = session.scalars(select(Amendment)).one().id
    rejected = steps.secretary.post(
        f"{steps.page()}/amendments/{amendment}/decision", {"decision": "rejected"}
    )
    assert rejected.status_code == 303
    before = journal_length(steps.sessions)
    unconfirmed = steps.secretary.post(f"{steps.page()}/final", {"panel_outcome": "None."})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    not_theirs = steps.delegate.post(f"{steps.page()}/final", confirmed)
    assert not_theirs.status_code == 403
    assert journal_length(steps.sessions) == before
    assert steps.motion().state is MotionState.DRAFT

    frozen = steps.secretary.post(f"{steps.page()}/final", confirmed)
    assert frozen.status_code == 303, frozen.text
    assert steps.motion().state is MotionState.FINAL
    desk = steps.secretary.get(steps.page()).text
    assert _steps_of(desk) == {"vote", "withdraw"}
    assert "Propose the amendment" not in desk

    bad_share = steps.secretary.post(
        f"{steps.page()}/vote",
        {"kind": "decision", "title": "Adoption", "rule": "qualified", "fraction": "two thirds"},
    )
    assert bad_share.status_code == 422 and 'data-testid="problem-vote"' in bad_share.text
    assert 'value="two thirds"' in bad_share.text
    ready = steps.secretary.post(
        f"{steps.page()}/vote",
        {
            "kind": "decision",
            "title": "Adoption of the budget",
            "rule": "qualified",
            "fraction": "2/3",
            "base": "cast",
            "vote_by": "ballot",
        },
    )
    assert ready.status_code == 303, ready.text
    with steps.sessions() as session:
        poll = session.scalars(select(Poll).where(Poll.motion_id == steps.sitting.motion_id)).one()
        # Under the motion's item: the minutes and the communiqué report it there.
        assert poll.agenda_item_id == steps.sitting.item_id
        assert poll.method_options["fraction"] == "2/3"
        poll_id, options = poll.id, {o.label: o.id for o in poll.options}
    assert _steps_of(steps.secretary.get(steps.page()).text) == {"withdraw"}

    steps.api.call("POST", f"/polls/{poll_id}/open", day=steps.sitting.day.isoformat())
    for voter in PRESENT:
        steps.api.vote(poll_id, voter, {"option": options["yes" if voter <= 12 else "no"]})
    closed = steps.api.call("POST", f"/polls/{poll_id}/close")
    assert closed["outcome"] == "adopted", closed  # 12 of 16: more than two thirds
    # Not recorded before its result is published: "adopted" would show wherever the motion
    # is listed, to those the result is still kept from.
    assert 'data-testid="settle-after-publishing"' in steps.secretary.get(steps.page()).text
    early = steps.secretary.post(f"{steps.page()}/settle", {"effective_on": "", **confirmed})
    assert early.status_code == 409 and "not yet published" in early.text
    assert steps.motion().state is MotionState.FINAL
    steps.api.call("POST", f"/polls/{poll_id}/publish")
    # Nothing said that the outcome waited to be recorded until publishing the report failed.
    motion_link = f'href="{steps.page()}#stage">Record the outcome of motion 1: On the budget'
    console = steps.secretary.get(f"/meetings/{steps.meeting}/console").text
    assert 'data-testid="to-record"' in console and motion_link in console
    desk_page = f"/secretary/meetings/{steps.meeting}"
    stage = steps.secretary.get(desk_page).text.split('data-testid="stage-waiting"')[1]
    assert motion_link in stage.split("</div>")[0]
    first_day = steps.sitting.day.isoformat()
    assert (
        f'name="effective_on" type="date" min="{first_day}"'
        in steps.secretary.get(steps.page()).text
    )
    too_early = steps.secretary.post(
        f"{steps.page()}/settle", {"effective_on": "2000-01-01", **confirmed}
    )
    assert too_early.status_code == 422
    assert f"first day ({first_day}) at the earliest, not 2000-01-01" in too_early.text
    assert 'id="problem-settle" tabindex="-1" autofocus' in too_early.text

    desk = steps.secretary.get(steps.page()).text
    assert "Record the outcome" in desk and "Its outcome: adopted." in desk
    assert "Record the outcome" not in steps.delegate.get(steps.page()).text
    unconfirmed = steps.secretary.post(f"{steps.page()}/settle", {"effective_on": ""})
    assert unconfirmed.status_code == 422 and "Tick the box" in unconfirmed.text
    assert steps.motion().state is MotionState.FINAL
    settled = steps.secretary.post(f"{steps.page()}/settle", {"effective_on": "", **confirmed})
    assert settled.status_code == 303, settled.text
    assert steps.motion().state is MotionState.ADOPTED
    shown = steps.secretary.get(steps.page()).text
    assert "Motion 1 is adopted as resolution 1." in shown
    assert "Adopted as resolution 1" in shown
    assert (
        'data-testid="to-record"'
        not in steps.secretary.get(f"/meetings/{steps.meeting}/console").text
    )
    assert "Record the outcome of motion 1" not in steps.secretary.get(desk_page).text
    with steps.sessions() as session:
        resolution = session.scalars(select(Resolution)).one()
        assert (resolution.poll_id, resolution.votes_yes, resolution.votes_no) == (poll_id, 12, 4)
    registry = steps.api.get(f"/resolutions?meeting_id={steps.sitting.meeting_id}")
    assert [r["title"] for r in registry["resolutions"]] == ["On the budget"]
    again = steps.secretary.post(f"{steps.page()}/settle", confirmed)
    assert again.status_code == 409 and "only a final draft" in again.text


def test_a_draft_is_withdrawn_only_when_confirmed_and_by_those_who_manage(steps: Steps) -> None:
    not_theirs = steps.delegate.post(f"{steps.page()}/withdraw", {"confirmed": "yes"})
    assert not_theirs.status_code == 403
    unconfirmed = steps.secretary.post(f"{steps.page()}/withdraw", {})
    assert unconfirmed.status_code == 422 and 'data-testid="problem-withdraw"' in unconfirmed.text
    assert steps.motion().state is MotionState.DRAFT
    withdrawn = steps.secretary.post(f"{steps.page()}/withdraw", {"confirmed": "yes"})
    assert withdrawn.status_code == 303
    assert steps.motion().state is MotionState.WITHDRAWN
    page = steps.secretary.get(steps.page()).text
    assert "Withdrawn by its submitters." in page and _steps_of(page) == set()
