"""Nominations for an election from the pages: the chair finds people of the organization by
name (never a list of everyone) and nominates them or a name; each candidate answers for
themselves, or the chair on their word; the others may not, and change nothing."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.web.page_client import Browser
from tests.web.sitting import DELEGATE, OBSERVER, PreparedSitting, journal_length, serve_sitting
from veche.models import Person, PollOption
from veche.models.polls import OptionStatus

#: What the pages show and do; nominations through the API run on both databases
#: (tests/web/test_polls_api.py).
pytestmark = [pytest.mark.demo, pytest.mark.one_database]


@dataclass
class Election:
    sessions: sessionmaker[Session]
    page: str
    secretary: Browser
    delegate: Browser
    observer: Browser

    def candidates(self) -> list[tuple[str, int | None, OptionStatus]]:
        with self.sessions() as session:
            options = session.scalars(select(PollOption).order_by(PollOption.position))
            return [(o.label, o.person_id, o.status) for o in options if o.poll_id == self.poll_id]

    @property
    def poll_id(self) -> int:
        return int(self.page.rsplit("/", 2)[-2])


@pytest.fixture
def election(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> Iterator[Election]:
    with serve_sitting(engine, sessions, sitting, [DELEGATE, OBSERVER]) as served:
        poll = served.api.post(
            f"/meetings/{sitting.meeting_id}/polls",
            title="Election of the auditors",
            kind="election",
            method="scottish-stv",
            seats=2,
        )
        page = f"/meetings/{sitting.meeting_id}/polls/{poll['id']}/candidates"
        yield Election(
            sessions, page, served.secretary, served.phones[DELEGATE], served.phones[OBSERVER]
        )


def test_the_chair_finds_people_by_name_and_nominates_them(election: Election) -> None:
    with election.sessions() as session:
        name = session.get(Person, DELEGATE).full_name  # type: ignore[union-attr]
        everyone = session.scalars(select(Person.full_name)).all()
    desk = election.secretary.get(election.page).text
    assert "Nominate a candidate" in desk and "Nobody is nominated yet." in desk
    assert not any(f">{other}<" in desk for other in everyone)  # no list of everyone
    surname = name.split()[-1]
    found = election.secretary.get(f"{election.page}?q={surname}").text
    assert name in found and 'name="person_id"' in found
    fragment = election.secretary.get(
        f"{election.page}/search?q={surname[:4]}", headers={"HX-Request": "true"}
    )
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert name in fragment.text
    nobody = election.secretary.get(f"{election.page}/search?q=Zzyzx").text
    assert "Nobody of the organization is named" in nobody

    nominated = election.secretary.post(election.page, {"person_id": str(DELEGATE), "q": surname})
    assert nominated.status_code == 303, nominated.text
    assert nominated.headers["location"] == f"{election.page}?q={surname}"
    by_name = election.secretary.post(election.page, {"label": "Ines Outsider"})
    assert by_name.status_code == 303, by_name.text
    assert election.candidates() == [
        (name, DELEGATE, OptionStatus.NOMINATED),
        ("Ines Outsider", None, OptionStatus.NOMINATED),
    ]
    shown = election.secretary.get(f"{election.page}?q={surname}").text
    assert '<span class="badge">nominated</span>' in shown  # not offered twice

    before = journal_length(election.sessions)
    twice = election.secretary.post(election.page, {"person_id": str(DELEGATE)})
    assert twice.status_code == 409 and "already nominated" in twice.text
    assert 'data-testid="nomination-problem"' in twice.text
    garbled = election.secretary.post(election.page, {"person_id": "someone"})
    assert garbled.status_code == 422 and "chosen from those found" in garbled.text
    assert journal_length(election.sessions) == before


def test_each_candidate_answers_for_themselves_or_the_chair_on_their_word(
    election: Election,
) -> None:
    for form in ({"person_id": str(DELEGATE)}, {"label": "Ines Outsider"}):
        assert election.secretary.post(election.page, form).status_code == 303
    mine = election.candidates()[0][0]
    with election.sessions() as session:
        options = session.scalars(select(PollOption).where(PollOption.poll_id == election.poll_id))
        ids = {o.label: o.id for o in options}
    phone = election.delegate.get(election.page).text
    assert "I accept" in phone and "Accepts (on their word)" not in phone
    assert "Nominate a candidate" not in phone
    assert election.delegate.get(f"{election.page}/search?q=a").status_code == 403

    before = journal_length(election.sessions)
    for browser, path, form in [
        (election.delegate, election.page, {"label": "My friend"}),
        (election.delegate, f"{election.page}/{ids['Ines Outsider']}/accept", {}),
        (election.observer, f"{election.page}/{ids[mine]}/accept", {}),
    ]:
        refused = browser.post(path, form)
        assert refused.status_code == 403, (path, refused.text)
        if path.endswith("/accept"):  # said what was refused: not a poll made or opened
            assert "you may not accept the nomination of " in refused.text, refused.text
            assert "it is not yours" in refused.text
    assert journal_length(election.sessions) == before

    accepted = election.delegate.post(f"{election.page}/{ids[mine]}/accept")
    assert accepted.status_code == 303, accepted.text
    declined = election.secretary.post(f"{election.page}/{ids['Ines Outsider']}/decline")
    assert declined.status_code == 303, declined.text
    assert [status for _, _, status in election.candidates()] == [
        OptionStatus.ACCEPTED,
        OptionStatus.WITHDRAWN,
    ]
    page = election.observer.get(election.page).text
    assert "stands" in page and "does not stand" in page and "I accept" not in page


def test_a_nominee_is_told_on_their_meeting_page_and_answers_there(election: Election) -> None:
    meeting = election.page.split("/polls/")[0]
    for page in (meeting, f"{meeting}/agenda"):
        shown = election.delegate.get(page).text
        assert "Elections: nominations open" in shown and f'href="{election.page}"' in shown
        assert 'data-testid="my-nomination"' not in shown
    assert election.secretary.post(election.page, {"person_id": str(DELEGATE)}).status_code == 303
    (option_id,) = _option_ids(election)

    for page in (meeting, f"{meeting}/agenda"):
        shown = election.delegate.get(page).text
        assert "You are nominated for Election of the auditors." in shown
        assert f'action="{election.page}/{option_id}/accept"' in shown
        assert f'action="{election.page}/{option_id}/decline"' in shown
    # Nobody else is told of it, or offered to answer it.
    elsewhere = election.observer.get(meeting).text
    assert "You are nominated" not in elsewhere and f"/{option_id}/accept" not in elsewhere

    accepted = election.delegate.post(f"{election.page}/{option_id}/accept")
    assert accepted.status_code == 303
    assert [status for _, _, status in election.candidates()] == [OptionStatus.ACCEPTED]
    stands = election.delegate.get(meeting).text
    assert "You stand as a candidate for Election of the auditors" in stands
    assert "You are nominated" not in stands


def test_until_voting_opens_a_candidate_withdraws_or_the_chair_withdraws_them(
    election: Election,
) -> None:
    for form in ({"person_id": str(DELEGATE)}, {"label": "Ines Outsidr"}):
        assert election.secretary.post(election.page, form).status_code == 303
    mine, typo = _option_ids(election)
    assert election.delegate.post(f"{election.page}/{mine}/accept").status_code == 303
    phone = election.delegate.get(election.page).text
    assert f'action="{election.page}/{mine}/withdraw"' in phone and "I withdraw" in phone
    assert f"{typo}/withdraw" not in phone  # not the delegate's to withdraw
    desk = election.secretary.get(election.page).text
    assert f'action="{election.page}/{typo}/withdraw"' in desk

    before = journal_length(election.sessions)
    for browser, option in [(election.delegate, typo), (election.observer, mine)]:
        refused = browser.post(f"{election.page}/{option}/withdraw")
        assert refused.status_code == 403, refused.text
    assert journal_length(election.sessions) == before

    withdrawn = election.delegate.post(f"{election.page}/{mine}/withdraw")
    assert withdrawn.status_code == 303, withdrawn.text
    by_chair = election.secretary.post(f"{election.page}/{typo}/withdraw")
    assert by_chair.status_code == 303, by_chair.text
    assert [status for _, _, status in election.candidates()] == [OptionStatus.WITHDRAWN] * 2
    assert journal_length(election.sessions) == before + 2
    again = election.secretary.post(f"{election.page}/{typo}/withdraw")
    assert again.status_code == 409 and "already does not stand" in again.text
    assert 'data-testid="nomination-problem"' in again.text
    assert journal_length(election.sessions) == before + 2


def _option_ids(election: Election) -> list[int]:
    with election.sessions() as session:
        options = session.scalars(
            select(PollOption)
            .where(PollOption.poll_id == election.poll_id)
            .order_by(PollOption.position)
        )
        return [option.id for option in options]
