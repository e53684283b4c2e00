"""A published report stays as published: its communiqué and minutes are kept as rendered at
the publication, with their SHA-256 in its journal entry. The public page shows the kept
text whatever becomes of the record under it, and `veche verify` names the meeting whose
kept text was edited, or whose record no longer renders it; reports published before texts
were kept are listed as not checked. On both databases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, inspect, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import Result

import veche
from tests.apps import create_app
from tests.helpers import ADMIN, demo_organization
from tests.prepared import prepared
from tests.verifying import Verified, rehash_from
from veche import migrate
from veche.actions.journal_actions import JournalAction
from veche.actions.motions import text_sha256
from veche.actions.org_updates import do_update_organization, do_update_person
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo_meeting import load_demo_meeting
from veche.models import (
    Attendance,
    JournalEntry,
    Meeting,
    Participant,
    Person,
    Poll,
    PresidiumMember,
    PublishedReport,
)
from veche.models.meetings import MeetingState
from veche.models.polls import PollState
from veche.reports.document import (
    Bullets,
    Chart,
    Command,
    Diff,
    Document,
    Heading,
    MarkdownText,
    Paragraph,
    Table,
    Tone,
)
from veche.reports.published import document_of, document_text

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo


@dataclass(frozen=True)
class Published:
    """The demo's plenary meeting, its report published."""

    meeting_id: int
    title: str
    #: The entry that published it.
    seq: int


def _publish(url: str) -> Published:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            meeting = load_demo_meeting(session, demo_organization(session))
            session.flush()
            return Published(meeting.id, meeting.title, _publication(session, meeting.id).seq)
    finally:
        engine.dispose()


report_published = prepared("report_published", _publish)


class _Database(Verified):
    def __init__(self, url: str) -> None:
        self.url = url


def _publication(session: Session, meeting_id: int) -> JournalEntry:
    entries = session.scalars(
        select(JournalEntry)
        .where(JournalEntry.action == JournalAction.CHANGE_MEETING_STATE.value)
        .order_by(JournalEntry.seq.desc())
    )
    return next(
        entry
        for entry in entries
        if entry.payload["meeting_id"] == meeting_id
        and entry.payload["state"] == "report_published"
    )


def _problems(database_url: str, published: Published) -> list[str]:
    """What verify names wrong of the published meeting's reports (other checks may name the
    same forgery from their side)."""
    named = f"meeting {published.meeting_id} ({published.title}): its "
    return [
        problem
        for problem in _Database(database_url).problems()
        if problem.startswith(named) and ("communiqué" in problem or "minutes" in problem)
    ]


def _public_communique(engine: Engine, meeting_id: int) -> str:
    with TestClient(create_app(engine)) as client:
        page = client.get(f"/public/meetings/{meeting_id}/communique")
    assert page.status_code == 200, page.text
    return page.text


def _presidium_member(session: Session, published: Published) -> Person:
    """The first of the presidium, whom both documents name."""
    person = session.scalars(
        select(Person)
        .join(PresidiumMember, PresidiumMember.person_id == Person.id)
        .where(PresidiumMember.meeting_id == published.meeting_id)
        .order_by(PresidiumMember.position)
    ).first()
    assert person is not None
    return person


def _changed_record(published: Published) -> str:
    return (
        f"meeting {published.meeting_id} ({published.title}): its communiqué, rendered from the "
        f"record as it stands, is not the one published (journal entry {published.seq}), from "
        "its line "
    )


def test_the_publication_keeps_each_text_and_journals_its_digest(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        kept = session.scalars(
            select(PublishedReport).where(PublishedReport.meeting_id == report_published.meeting_id)
        ).all()
        digests = _publication(session, report_published.meeting_id).payload["reports_sha256"]
    assert {row.kind: text_sha256(row.text) for row in kept} == digests
    assert set(digests) == {"communique", "minutes"}
    assert {row.veche_version for row in kept} == {veche.__version__}
    result = _Database(database_url).verify()
    assert result.exit_code == 0, result.output
    assert (
        "Held the published reports of 1 meeting against their publication: each text is the "
        "one published and, where this veche published it, its record still renders it."
    ) in result.output
    assert (
        "Not re-rendered" not in result.output and "Not checked: the reports" not in result.output
    )


def test_a_name_changed_under_the_report_is_found_and_the_public_keeps_what_was_published(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        person = _presidium_member(session, report_published)
        was = person.full_name
        person.full_name = "Someone Else Entirely"
    communique, minutes = _problems(database_url, report_published)
    assert communique.startswith(_changed_record(report_published)), communique
    assert "Someone Else Entirely" in communique and was in communique
    assert communique.endswith(
        ": the record under the published report changed since, and nothing in the journal "
        "changed it"
    )
    assert minutes.startswith(
        f"meeting {report_published.meeting_id} ({report_published.title}): its minutes, "
        "rendered from the record as it stands, are not the one published"
    )
    page = _public_communique(engine, report_published.meeting_id)
    assert was in page and "Someone Else Entirely" not in page
    assert f"Journal head at publication: entry {report_published.seq}," in page


def test_a_name_corrected_through_veche_is_listed_with_its_entry_and_passes(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A name corrected through veche after the publication changes what the record renders:
    listed with the entry that changed it, not failed (a body corrects its registers without
    its published reports failing), and the report stays as published."""
    with transaction(sessions) as session:
        person = _presidium_member(session, report_published)
        was = person.full_name
        do_update_person(session, ADMIN, person, full_name="Someone Else Entirely")
    with sessions() as session:
        seq = session.scalars(select(JournalEntry.seq).order_by(JournalEntry.seq.desc())).first()
    result = _Database(database_url).verify()
    assert result.exit_code == 0, result.output
    said = " ".join(result.output.split())
    assert "Changed through veche since their publication, and standing as published:" in said
    assert f"(journal entry {seq} (update_person))" in said
    assert "Someone Else Entirely" in said
    assert was in _public_communique(engine, report_published.meeting_id)


def test_a_poll_title_changed_under_the_report_is_found(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    before = _public_communique(engine, report_published.meeting_id)
    with transaction(sessions) as session:
        polls = session.scalars(
            select(Poll).where(Poll.meeting_id == report_published.meeting_id).order_by(Poll.id)
        )
        # The minutes name each vote by its poll's title (the communiqué, by the resolution's).
        poll = next(poll for poll in polls if not poll.approves_agenda)
        poll.title = "A title written afterwards"
    (minutes,) = _problems(database_url, report_published)
    assert minutes.startswith(
        f"meeting {report_published.meeting_id} ({report_published.title}): its minutes, "
        "rendered from the record as it stands, are not the one published (journal entry "
        f"{report_published.seq}), from its line "
    )
    assert "A title written afterwards" in minutes
    assert _public_communique(engine, report_published.meeting_id) == before


def test_an_attendance_removed_under_the_report_is_found(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    before = _public_communique(engine, report_published.meeting_id)
    with transaction(sessions) as session:
        attended = session.scalars(
            select(Attendance.participant_id)
            .join(Participant, Participant.id == Attendance.participant_id)
            .where(Participant.meeting_id == report_published.meeting_id)
            .order_by(Attendance.participant_id)
        ).first()
        # On every day: the communiqué counts one attendant fewer, the minutes one a day.
        session.execute(delete(Attendance).where(Attendance.participant_id == attended))
    communique, minutes = _problems(database_url, report_published)
    assert communique.startswith(_changed_record(report_published)), communique
    assert "Attending were" in communique and "its minutes" in minutes
    assert _public_communique(engine, report_published.meeting_id) == before


def test_a_kept_text_edited_is_found(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        kept = session.scalars(
            select(PublishedReport).where(
                PublishedReport.meeting_id == report_published.meeting_id,
                PublishedReport.kind == "communique",
            )
        ).one()
        document = document_of(kept.text)
        document.add(Paragraph("The meeting also abolished the dues."))
        kept.text = document_text(document)
    assert _problems(database_url, report_published) == [
        f"meeting {report_published.meeting_id} ({report_published.title}): its published "
        f"communiqué is not the text its publication recorded (journal entry "
        f"{report_published.seq}): edited since"
    ]
    # What the page shows is the kept text, which verify names edited.
    assert "abolished the dues" in _public_communique(engine, report_published.meeting_id)


def test_a_kept_text_deleted_is_found(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        session.execute(delete(PublishedReport).where(PublishedReport.kind == "minutes"))
    assert _problems(database_url, report_published) == [
        f"meeting {report_published.meeting_id} ({report_published.title}): its published "
        f"minutes are gone, though its publication (journal entry {report_published.seq}) "
        "recorded it: deleted outside veche"
    ]


def test_a_text_kept_by_another_veche_is_hashed_not_rendered_again(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        for row in session.scalars(select(PublishedReport)):
            row.veche_version = "0.0.1"
        entry = _publication(session, report_published.meeting_id)
        entry.payload = entry.payload | {"reports_version": "0.0.1"}  # as 0.0.1 published it
        rehash_from(session, entry.seq)
        meeting = session.get(Meeting, report_published.meeting_id)
        assert meeting is not None
        meeting.title = "Renamed"  # not seen: nothing is rendered again
    result = _Database(database_url).verify()
    assert result.exit_code == 0, result.output
    m = report_published.meeting_id
    assert (
        f"Not re-rendered: the communiqué of meeting {m} (published by veche 0.0.1), the minutes "
        f"of meeting {m} (published by veche 0.0.1)."
    ) in result.output


def test_a_kept_texts_version_changed_is_found(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """Else marking the kept text as another version's would spare it the rendering again,
    and any record under it could change."""
    with transaction(sessions) as session:
        for row in session.scalars(select(PublishedReport)):
            row.veche_version = "0.0.9"
    expected = (
        f"meeting {report_published.meeting_id} ({report_published.title}): its published "
        "communiqué is marked as kept by veche 0.0.9, but its publication (journal entry "
        f"{report_published.seq}) recorded veche {veche.__version__}: changed since"
    )
    assert expected in _Database(database_url).problems()


def test_a_name_edited_beside_a_correction_through_veche_is_found(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """A change through veche since the publication accounts only for the lines that now read
    what it set: the organization renamed does not cover a name edited in the database."""
    with transaction(sessions) as session:
        organization = demo_organization(session)
        do_update_organization(session, ADMIN, organization, description="Renamed registers")
        _presidium_member(session, report_published).full_name = "Boris Forged"
    problems = _problems(database_url, report_published)
    assert problems and all("changed what reports show, but not all of this" in p for p in problems)
    assert any("Boris Forged" in problem for problem in problems)


def test_a_result_set_back_under_a_published_report_is_found(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """A report is published only once every result is: a poll closed again under it was set
    back outside veche, whatever the journal says of the poll."""
    with transaction(sessions) as session:
        poll = session.scalars(
            select(Poll).where(Poll.meeting_id == report_published.meeting_id).order_by(Poll.id)
        ).first()
        assert poll is not None
        poll.state = PollState.CLOSED
        poll_id = poll.id
    expected = (
        f"meeting {report_published.meeting_id} ({report_published.title}): its report is "
        f"published, but the result of poll {poll_id} is not: a report is published only once "
        "every result is, so the poll was set back outside veche"
    )
    assert expected in _Database(database_url).problems()


def test_a_meeting_set_back_from_published_is_found(
    report_published: Published, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """Set back to closed, its record could be changed again and its communiqué leave the
    public page."""
    with transaction(sessions) as session:
        meeting = session.get(Meeting, report_published.meeting_id)
        assert meeting is not None
        meeting.state = MeetingState.CLOSED
    expected = (
        f"meeting {report_published.meeting_id} ({report_published.title}): journal entry "
        f"{report_published.seq} publishes its report, but the meeting is now closed: changed "
        "outside veche"
    )
    assert expected in _Database(database_url).problems()


def _as_published_before(session: Session, published: Published) -> None:
    """What a publication by the version before left: no kept texts, no digests."""
    session.execute(delete(PublishedReport))
    entry = _publication(session, published.meeting_id)
    entry.payload = {
        k: v for k, v in entry.payload.items() if k not in ("reports_sha256", "reports_version")
    }
    rehash_from(session, entry.seq)


def _not_checked(result: Result, published: Published) -> None:
    assert result.exit_code == 0, result.output
    assert (
        "Not checked: the reports of 1 meeting, published before published reports were kept "
        f"(meeting {published.meeting_id})."
    ) in result.output
    assert "Held the published reports" not in result.output


def test_a_report_published_before_texts_were_kept_is_not_checked(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        _as_published_before(session, report_published)
    _not_checked(_Database(database_url).verify(), report_published)
    # Its page is rendered from the record, as it always was.
    assert "Report on the" in _public_communique(engine, report_published.meeting_id)
    # A text written in for it is no publication's: named.
    with transaction(sessions) as session:
        session.add(
            PublishedReport(
                meeting_id=report_published.meeting_id,
                kind="communique",
                text=document_text(Document("Report on nothing that happened")),
                veche_version=veche.__version__,
            )
        )
    (problem,) = _problems(database_url, report_published)
    assert problem.endswith(
        f"its published communiqué is kept, but its publication (journal entry "
        f"{report_published.seq}) records no text: written outside veche"
    )


def test_an_older_database_is_upgraded(
    report_published: Published, database_url: str, engine: Engine, sessions: sessionmaker[Session]
) -> None:
    """A database of the version before (0025): its report published with no text kept."""
    with transaction(sessions) as session:
        _as_published_before(session, report_published)
    migrate.downgrade(engine, "0025")
    assert "published_report" not in inspect(engine).get_table_names()
    migrate.upgrade(engine)
    assert migrate.is_up_to_date(engine)
    with sessions() as session:
        assert session.scalars(select(PublishedReport)).all() == []
    _not_checked(_Database(database_url).verify(), report_published)


def test_the_canonical_text_gives_back_the_document() -> None:
    table = Table(["Unit", "Value"], [["North", "1"], ["South", "2"]], "Figures", True)
    document = Document("Title", "Subtitle", source="From the record")
    document.add(
        Heading("Item 1. Dues", 3),
        Paragraph("“Quoted”, in Кириллица and عربي."),
        Bullets(["one", "two"], ordered=True),
        Table(["A"], [["x"]], tones=[[Tone.GOOD]]),
        Chart("<svg></svg>", "A chart", table),
        MarkdownText("# Motion\n\nText."),
        Diff("-old\n+new"),
        Command("Check with:", "veche verify"),
    )
    text = document_text(document)
    assert document_of(text) == document
    assert document_text(document_of(text)) == text
    assert len(text.splitlines()) == 1 + len(document.blocks)
