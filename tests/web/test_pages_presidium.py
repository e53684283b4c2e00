"""The desk seats the presidium and opens its sittings through the presidium page, with the
API's own inputs: by names typed, or from a closed election; refused at the form as typed."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from tests.web.desk_client import Desk
from tests.web.sitting import journal_length
from veche.models import Body, Person, PresidiumMember, Sitting
from veche.models.presidium import PresidiumSource

#: They start from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


def _page(desk: Desk) -> str:
    return f"/secretary/meetings/{desk.meeting}/presidium"


def _names(desk: Desk, person_ids: list[int]) -> list[str]:
    with desk.sessions() as session:
        people = {p.id: p.full_name for p in session.scalars(select(Person))}
    return [people[person_id] for person_id in person_ids]


def _seated(desk: Desk) -> list[tuple[int, PresidiumSource]]:
    with desk.sessions() as session:
        seats = session.scalars(
            select(PresidiumMember)
            .where(PresidiumMember.meeting_id == desk.meeting)
            .order_by(PresidiumMember.position)
        )
        return [(seat.person_id, seat.source) for seat in seats]


def test_the_desk_seats_the_presidium_typed_by_name_and_opens_a_sitting(desk: Desk) -> None:
    people = desk.assembly.members[2:5]
    names = _names(desk, people)
    shown = desk.secretary.get(_page(desk))
    assert shown.status_code == 200
    assert "No presidium is seated yet." in shown.text
    assert f'<option value="{html.escape(names[0])}">' in shown.text  # names offered

    # Typed as people type: in any case, with spaces around, places left empty between.
    typed = [f"  {names[0].upper()} ", "", names[1], names[2]]
    seated = desk.secretary.post(_page(desk), {"members": typed, "formed_by_body_id": ""})
    assert seated.status_code == 303, seated.text
    assert seated.headers["location"] == f"{_page(desk)}#formed"
    assert _seated(desk) == [(person, PresidiumSource.FORMED) for person in people]

    page = desk.secretary.get(_page(desk)).text
    assert "The presidium is seated" in page  # the message, after the redirect
    listed = page.index(html.escape(names[0])), page.index(html.escape(names[2]))
    assert listed[0] < listed[1]
    assert "Formed by the body that convened the meeting." in page
    assert "Seat the presidium a body formed" not in page  # seated once, for the meeting

    # The minutes name the presidium the page seated.
    minutes = desk.secretary.get(f"/meetings/{desk.meeting}/reports/minutes").text
    assert all(html.escape(name) in minutes for name in names)

    day = desk.assembly.day.isoformat()
    opened = desk.secretary.post(
        f"/secretary/meetings/{desk.meeting}/sittings", {"day": day, "chair_person_id": people[1]}
    )
    assert opened.status_code == 303, opened.text
    with desk.sessions() as session:
        sitting = session.scalars(select(Sitting).where(Sitting.meeting_id == desk.meeting)).one()
        assert (sitting.number, sitting.day.isoformat(), sitting.chair_person_id) == (
            1,
            day,
            people[1],
        )
    page = desk.secretary.get(_page(desk)).text
    assert f"Sitting 1 on {day}, chaired by {html.escape(names[1])}" in page


def test_a_name_no_participant_has_is_refused_at_the_form_as_typed(desk: Desk) -> None:
    name = _names(desk, [desk.assembly.members[2]])[0]
    before = journal_length(desk.sessions)
    refused = desk.secretary.post(_page(desk), {"members": [name, "Nobody Atall"]})
    assert refused.status_code == 422
    assert "no participant of the meeting is named &#39;Nobody Atall&#39;" in refused.text
    assert 'id="formed-error"' in refused.text
    assert 'value="Nobody Atall"' in refused.text and f'value="{html.escape(name)}"' in refused.text
    assert journal_length(desk.sessions) == before and _seated(desk) == []

    # The action's own refusals come back alike: a body that did not convene the meeting.
    with desk.sessions() as session:
        audit = session.scalars(select(Body).where(Body.name == "Audit Commission")).one().id
    refused = desk.secretary.post(_page(desk), {"members": [name], "formed_by_body_id": audit})
    assert refused.status_code == 422
    assert "cannot form the presidium" in refused.text
    assert f'<option value="{audit}" selected>' in refused.text
    # A body chosen that is not a number is said in the form's words.
    odd = desk.secretary.post(_page(desk), {"members": [name], "formed_by_body_id": "x"})
    assert odd.status_code == 422 and "must be chosen from the list" in odd.text
    assert journal_length(desk.sessions) == before and _seated(desk) == []


def test_a_sitting_chaired_by_one_outside_the_presidium_is_refused(desk: Desk) -> None:
    inside, outside = desk.assembly.members[2], desk.assembly.members[3]
    seated = desk.secretary.post(_page(desk), {"members": _names(desk, [inside])})
    assert seated.status_code == 303, seated.text
    before = journal_length(desk.sessions)
    day = desk.assembly.day.isoformat()
    refused = desk.secretary.post(
        f"/secretary/meetings/{desk.meeting}/sittings", {"day": day, "chair_person_id": outside}
    )
    assert refused.status_code == 422
    assert f"person {outside} is not in the presidium" in refused.text
    assert 'id="sitting-error"' in refused.text
    assert journal_length(desk.sessions) == before


def test_the_elected_of_a_closed_election_are_seated(desk: Desk) -> None:
    assembly = desk.assembly
    voters = assembly.members[:3]
    assembly.check_in(voters)
    poll = assembly.create_poll(
        title="Elect the presidium", kind="election", method="sntv", seats=2
    )
    candidates = {}
    for person_id in assembly.members[5:7]:
        option = assembly.create(f"/polls/{poll['id']}/candidates", person_id=person_id)
        accepted = assembly.client.post(
            f"/api/polls/{poll['id']}/candidates/{option['id']}/accept",
            headers=assembly.as_person(person_id),
        )
        assert accepted.status_code == 200, accepted.text
        candidates[person_id] = option["id"]
    first, second = candidates
    assembly.open(poll["id"])
    for voter, person in zip(voters, [first, first, second], strict=True):
        cast = assembly.vote(poll["id"], voter, {"option": candidates[person]})
        assert cast.status_code == 201, cast.text
    page = desk.secretary.get(_page(desk)).text
    assert "No election of this meeting can seat the presidium yet." in page
    assert "“Elect the presidium” is open; close it to know who was elected" in html.unescape(page)
    assembly.close(poll["id"])
    assert f'<option value="{poll["id"]}">Elect the presidium</option>' in (
        desk.secretary.get(_page(desk)).text
    )

    seated = desk.secretary.post(_page(desk), {"poll_id": poll["id"]})
    assert seated.status_code == 303, seated.text
    assert seated.headers["location"] == f"{_page(desk)}#elected"
    assert _seated(desk) == [(first, PresidiumSource.ELECTED), (second, PresidiumSource.ELECTED)]
    page = desk.secretary.get(_page(desk)).text
    assert "Elected in the poll “Elect the presidium”." in page

    # Seated once: a second time is refused at the form, and nothing changes.
    before = journal_length(desk.sessions)
    again = desk.secretary.post(_page(desk), {"poll_id": poll["id"]})
    assert again.status_code == 409
    assert "this meeting has its presidium already" in again.text
    assert journal_length(desk.sessions) == before


def test_a_delegate_may_neither_see_nor_seat_the_presidium(desk: Desk) -> None:
    delegate = desk.others["delegate"]
    name = _names(desk, [desk.assembly.members[2]])[0]
    before = journal_length(desk.sessions)
    assert delegate.get(_page(desk)).status_code == 403
    assert delegate.post(_page(desk), {"members": [name]}).status_code == 403
    # Refused before the names are looked for: a name no one has is refused alike.
    assert delegate.post(_page(desk), {"members": ["Nobody Atall"]}).status_code == 403
    sitting = {"day": desk.assembly.day.isoformat(), "chair_person_id": desk.assembly.members[2]}
    assert delegate.post(f"/secretary/meetings/{desk.meeting}/sittings", sitting).status_code == 403
    assert journal_length(desk.sessions) == before and _seated(desk) == []


def test_the_desk_links_the_presidium_and_the_panels(desk: Desk) -> None:
    page = desk.secretary.get(f"/secretary/meetings/{desk.meeting}").text
    assert f'href="{_page(desk)}"' in page
    assert f'href="/secretary/meetings/{desk.meeting}/panels"' in page


def test_an_election_of_names_typed_is_not_offered_and_the_page_says_how(desk: Desk) -> None:
    """An election whose candidates were typed as names (no person behind them) elects no one
    who can sit in the presidium: the page does not offer it, says why in the words seating
    would refuse it with, and says how to make an election that seats one."""
    assembly = desk.assembly
    voters = assembly.members[:3]
    assembly.check_in(voters)
    poll = assembly.create_poll(
        title="Elect by names", kind="election", method="sntv", seats=1, options=["Ann Typed"]
    )
    option = poll["options"][0]["id"]
    assembly.open(poll["id"])
    for voter in voters:
        cast = assembly.vote(poll["id"], voter, {"option": option})
        assert cast.status_code == 201, cast.text
    assembly.close(poll["id"])

    page = desk.secretary.get(_page(desk)).text
    assert 'name="poll_id"' not in page  # no election offered
    assert "No election of this meeting can seat the presidium yet." in page
    refused = html.unescape(page.split('data-testid="refused-elections"')[1].split("</ul>")[0])
    assert "“Elect by names” elected no person who can sit in the presidium" in refused
    assert "“Ann Typed” stood as a name typed, not as a person nominated" in refused
    assert f'href="/meetings/{desk.meeting}/polls/{poll["id"]}/candidates"' in refused
    how = html.unescape(page.split('data-testid="election-how"')[1].split("</p>")[0])
    assert "nominate its candidates on its candidates page" in how

    # Seating it all the same is refused in the same words, and changes nothing.
    before = journal_length(desk.sessions)
    seated = desk.secretary.post(_page(desk), {"poll_id": poll["id"]})
    assert seated.status_code == 409
    assert "“Ann Typed” stood as a name typed" in html.unescape(seated.text)
    assert journal_length(desk.sessions) == before and _seated(desk) == []
