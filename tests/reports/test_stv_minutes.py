"""The minutes give an election counted in rounds round by round — the quota, each candidate's
votes after each round and what it gained or lost, who was elected or excluded and whose votes
moved — and name the meeting in their headings with its number, body and dates."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.apps import create_app
from tests.reports.pdf_glyphs import drawn
from tests.web.sitting import PRESENT, PreparedSitting
from veche.models import Meeting
from veche.reports import build_report, rendered
from veche.reports.document import Document
from veche.reports.render import to_markdown
from veche.reports.rounds import ROUNDS_PER_TABLE, rounds_blocks
from veche.tally import Profile, count

#: Candidates in four scripts, one of them written right to left.
CANDIDATES = ["Ada Arnold", "Анна Ковалёва", "张伟", "ليلى حداد"]
ADA, ANNA, WEI, LAILA = CANDIDATES
#: Sixteen ballots, by the candidates' places: Ada is elected at once with four votes to spare,
#: her surplus goes on at 0.4 a vote, Laila is excluded and her votes elect Anna.
RANKINGS = [[0, 1]] * 7 + [[0, 2]] * 3 + [[1]] * 2 + [[2, 3]] * 2 + [[3, 1]] * 2
ROUNDS = [
    f"| {ADA} | 10 | 6 (−4) | 6 |",
    f"| {ANNA} | 2 | 4.8 (+2.8) | 6.8 (+2) |",
    f"| {WEI} | 2 | 3.2 (+1.2) | 3.2 |",
    f"| {LAILA} | 2 | 2 | 0 (−2) |",
]
DONE = [
    f"- Round 1: first preferences counted; elected: {ADA}.",
    f"- Round 2: surplus of {ADA} transferred at 0.4 a vote.",
    f"- Round 3: excluded: {LAILA}, their votes transferred; elected: {ANNA}.",
]


def _profile() -> Profile:
    return Profile.from_rankings(CANDIDATES, [(ranking, 1) for ranking in RANKINGS])


def _markdown(method: str, seats: int = 2) -> str:
    return to_markdown(
        Document("Count", blocks=rounds_blocks(count(_profile(), method, seats=seats)))
    )


@pytest.mark.demo
@pytest.mark.one_database
def test_the_minutes_give_every_round_of_an_stv_election(
    engine: Engine, sessions: sessionmaker[Session], sitting: PreparedSitting
) -> None:
    """Counted through the API, and the minutes built once and read in Markdown and PDF (the
    count is stored alike on both databases: tests/web/test_bulletin_board.py; the reports'
    routes are tested in tests/test_meeting_record.py)."""
    meeting_id, day = sitting.meeting_id, sitting.sitting.day
    with TestClient(create_app(engine)) as client:
        api = sitting.api(client)
        poll = api.post(
            f"/meetings/{meeting_id}/polls",
            title="Election of the auditors",
            kind="election",
            method="scottish-stv",
            seats=2,
            options=CANDIDATES,
            agenda_item_id=sitting.sitting.item_ids[0],
        )
        api.call("POST", f"/polls/{poll['id']}/open", day=day.isoformat())
        ids = [{o["label"]: o["id"] for o in poll["options"]}[name] for name in CANDIDATES]
        for voter, ranking in zip(PRESENT, RANKINGS, strict=True):
            api.vote(poll["id"], voter, {"ranking": [ids[place] for place in ranking]})
        closed = api.call("POST", f"/polls/{poll['id']}/close")
        assert closed["outcome"] == f"elected: {ADA}, {ANNA}", closed
        name = api.get(f"/meetings/{meeting_id}")["name"]
    with sessions() as session:
        meeting = session.get(Meeting, meeting_id)
        assert meeting is not None
        document = build_report(session, meeting, "minutes")
        communique = build_report(session, meeting, "communique")
    minutes = rendered(document, "md").decode()
    pdf = drawn(rendered(document, "pdf"))

    # The meeting by its number, body and dates, in every report's heading.
    when = f"{day.day} {day.strftime('%B')} {day.year}"
    assert name.startswith("1st Enlarged Plenary Meeting of the 8th General Council")
    assert minutes.startswith(f"# Minutes of the {name}, {when}\n")
    assert communique.title == f"Report on the {name}, {when}"
    assert "Kind: Report and discussion" in minutes and "Kind: report" not in minutes

    assert "Seats to fill: 2. Quota: 6 votes." in minutes
    assert "| Candidate | Round 1 | Round 2 | Round 3 |" in minutes
    assert [line for line in ROUNDS + DONE if line not in minutes] == []
    # The first round's totals are in the table: no table of them alone beside it.
    assert "| Choice | Votes |" not in minutes.split("Election of the auditors", 1)[1]

    assert pdf.boxes == 0
    assert {name: pdf.missing(name) for name in CANDIDATES} == {name: [] for name in CANDIDATES}


def test_meeks_count_gives_the_change_of_each_total_and_whose_votes_moved() -> None:
    """Meek's method states no transfers: what a round moved is the change of the totals, and
    the surplus that moved is the elected candidate's whose total fell."""
    text = _markdown("meek-stv")
    assert "Seats to fill: 2. Quota: 5.33 votes." in text
    assert f"| {ADA} | 10 | 5.33 (−4.67) | 5.33 |" in text
    assert f"| {ANNA} | 2 | 5.27 (+3.27) | 7.27 (+2) |" in text
    assert f"- Round 2: surplus of {ADA} transferred; excluded: {LAILA}." in text
    assert f"- Round 3: votes of {LAILA} transferred; elected: {ANNA}." in text


def test_an_instant_runoff_leaves_out_whom_it_excludes() -> None:
    rankings = [[0]] * 6 + [[1, 0]] * 4 + [[2, 1]] * 4 + [[3, 2]] * 2
    profile = Profile.from_rankings(CANDIDATES, [(ranking, 1) for ranking in rankings])
    text = to_markdown(Document("Count", blocks=rounds_blocks(count(profile, "irv", seats=1))))
    assert "One seat to fill." in text and "Quota" not in text
    assert "Non-transferable" not in text  # every ballot went on to the end
    assert f"| {LAILA} | 2 | 0 (−2) | — |" in text
    assert f"| {ADA} | 6 | 6 | 10 (+4) |" in text
    assert f"- Round 3: excluded: {ANNA}, their votes transferred; elected: {ADA}." in text


def test_a_count_of_many_rounds_goes_on_in_a_second_table() -> None:
    names = [f"Candidate {n}" for n in range(ROUNDS_PER_TABLE + 3)]
    # Each candidate's voters rank the next one second: every exclusion moves votes on.
    ballots = [([n, (n + 1) % len(names)], 10 + n) for n in range(len(names))]
    counted = count(Profile.from_rankings(names, ballots), "scottish-stv", seats=1)
    assert len(counted.rounds) > ROUNDS_PER_TABLE
    text = to_markdown(Document("Count", blocks=rounds_blocks(counted)))
    headers = [line for line in text.splitlines() if line.startswith("| Candidate |")]
    assert len(headers) == 2
    assert headers[0].count("| Round ") == ROUNDS_PER_TABLE
    assert headers[1].startswith(f"| Candidate | Round {ROUNDS_PER_TABLE + 1} |")
    assert text.count("- Round ") == len(counted.rounds)


def test_a_figure_is_whole_when_whole_else_rounded_to_two_decimals() -> None:
    from decimal import Decimal
    from fractions import Fraction

    from veche.reports._words import change, day_span, figure

    assert [figure(v) for v in (12, 1200, Decimal("6.00000"), Decimal("0E-9"))] == [
        "12",
        "1,200",
        "6",
        "0",
    ]
    # Rounded, half to even, as the caption's "to two decimals" says: never cut.
    assert [
        figure(v)
        for v in (
            Decimal("2.28571"),
            Decimal("2.67952"),
            Decimal("0.28571"),
            Decimal("2.285"),
            Fraction(22, 3),
            Fraction(15, 2),
        )
    ] == ["2.29", "2.68", "0.29", "2.28", "7.33", "7.5"]
    # Not whole, yet rounding to a whole number: its decimals say it is not exact.
    assert (figure(Decimal("3.99998")), figure(Decimal("-0.001"))) == ("4.00", "0.00")
    assert (change(Decimal("2.50")), change(-4), change(Decimal("-4.66667"))) == (
        "+2.5",
        "−4",
        "−4.67",
    )
    assert day_span(date(2026, 6, 12), date(2026, 6, 14)) == "12–14 June 2026"
    assert day_span(date(2026, 6, 30), date(2026, 7, 2)) == "30 June – 2 July 2026"
    assert day_span(date(2026, 12, 30), date(2027, 1, 2)) == "30 December 2026 – 2 January 2027"
    assert day_span(date(2026, 6, 16), date(2026, 6, 16)) == "16 June 2026"


def test_the_result_pages_chart_gives_figures_as_the_minutes_do() -> None:
    """Whole when whole ("6", not "6.00000"), else rounded to two decimals at most ("4.8")."""
    from veche.queries.sitting import chart_rounds

    stored = count(_profile(), "scottish-stv", seats=2).to_dict()
    rounds = chart_rounds(stored)
    assert [r.quota for r in rounds] == ["6", "6", "6"]
    assert [(bar.label, bar.votes) for bar in rounds[1].bars] == [
        (ADA, "6"),
        (ANNA, "4.8"),
        (WEI, "3.2"),
        (LAILA, "2"),
    ]
    meek = chart_rounds(count(_profile(), "meek-stv", seats=2).to_dict())
    assert meek[0].quota == "5.33" and meek[1].bars[1].votes == "5.27"
