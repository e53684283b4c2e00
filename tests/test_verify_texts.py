"""`veche verify` hashes every motion version and adopted resolution again against the
journal: a text, a resolution's votes or its result rewritten in the database makes it exit 1
naming the motion or resolution; texts journalled before they were hashed are skipped and
counted. On both databases."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from tests.helpers import demo_organization
from tests.prepared import prepared
from tests.verifying import rehash_from
from veche.actions.journal_actions import JournalAction
from veche.actions.motions import text_sha256
from veche.cli import app
from veche.db import make_engine, make_sessionmaker, transaction
from veche.demo_meeting import load_demo_meeting
from veche.models import JournalEntry, Motion, MotionVersion, Resolution

#: Every test here starts from the demo organization (see tests/conftest.py).
pytestmark = pytest.mark.demo

runner = CliRunner()

#: The entries that journal a text's hash.
_HASHING = (
    JournalAction.SUBMIT_MOTION,
    JournalAction.DECIDE_AMENDMENT,
    JournalAction.FINALIZE_MOTION,
    JournalAction.ADOPT_RESOLUTION,
)


@dataclass(frozen=True)
class Adopted:
    """The demo's plenary meeting: motions submitted, amended, finalized and adopted."""

    resolutions: int
    versions: int


def _adopt(url: str) -> Adopted:
    engine = make_engine(url)
    try:
        with transaction(make_sessionmaker(engine)) as session:
            load_demo_meeting(session, demo_organization(session))
            session.flush()
            return Adopted(
                len(session.scalars(select(Resolution.id)).all()),
                len(session.scalars(select(MotionVersion.id)).all()),
            )
    finally:
        engine.dispose()


verify_adopted = prepared("verify_adopted", _adopt)


def _verify(database_url: str) -> Result:
    return runner.invoke(app, ["verify", "--db", database_url])


def _problems(database_url: str) -> list[str]:
    result = _verify(database_url)
    assert result.exit_code == 1, result.output
    return [line[2:] for line in result.output.splitlines() if line.startswith("- ")]


def _resolution(session: Session) -> Resolution:
    resolution = session.scalars(select(Resolution).order_by(Resolution.id)).first()
    assert resolution is not None
    return resolution


def _adoption_seq(session: Session, resolution_id: int) -> int:
    for seq, payload in session.execute(
        select(JournalEntry.seq, JournalEntry.payload).where(
            JournalEntry.action == JournalAction.ADOPT_RESOLUTION.value
        )
    ):
        if payload["resolution_id"] == resolution_id:
            return int(seq)
    raise AssertionError(f"no adoption of resolution {resolution_id}")


def test_the_texts_journalled_hold(verify_adopted: Adopted, database_url: str) -> None:
    assert verify_adopted.resolutions and verify_adopted.versions > verify_adopted.resolutions
    result = _verify(database_url)
    assert result.exit_code == 0, result.output
    assert (
        f"Hashed the texts of {verify_adopted.resolutions} resolutions and "
        f"{verify_adopted.versions} motion versions again: each matches the journal."
    ) in result.output
    assert "Not checked" not in result.output


def test_a_resolution_rewritten_is_found(
    verify_adopted: Adopted, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        resolution = _resolution(session)
        named = f"resolution {resolution.id} ({resolution.title})"
        seq = _adoption_seq(session, resolution.id)
        session.execute(
            update(Resolution)
            .where(Resolution.id == resolution.id)
            .values(text=resolution.text.replace("The", "No"), votes_yes=30)
        )
    problems = _problems(database_url)
    assert problems[0] == (
        f"{named}: its text and votes are not what its adoption recorded (journal entry {seq}): "
        "rewritten since"
    )
    # The published minutes quote the text: its meeting's record no longer renders them.
    assert len(problems) == 2
    assert "its minutes, rendered from the record as it stands, are not" in problems[1]


def test_a_motion_version_rewritten_is_found(
    verify_adopted: Adopted, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        version = session.scalars(
            select(MotionVersion).order_by(MotionVersion.number.desc(), MotionVersion.id)
        ).first()
        assert version is not None and version.number > 1  # made by an amendment
        motion = session.get(Motion, version.motion_id)
        assert motion is not None
        expected = (
            f"motion {motion.id} ({motion.title}): the text of its version {version.number} is "
            "not the one journalled (entry "
        )
        version.text += "\nThe Council abolishes the dues."
    (problem,) = _problems(database_url)
    assert problem.startswith(expected) and problem.endswith("): rewritten since")


def test_a_resolution_the_journal_never_adopted_is_found(
    verify_adopted: Adopted, database_url: str, sessions: sessionmaker[Session]
) -> None:
    with transaction(sessions) as session:
        resolution = _resolution(session)
        adopted, title = resolution.id, resolution.title
        seq = _adoption_seq(session, adopted)
        session.execute(
            update(Resolution).where(Resolution.id == adopted).values(id=adopted + 1000)
        )
    assert _problems(database_url) == [
        f"resolution {adopted + 1000} ({title}): the journal records no adoption of it",
        f"resolution {adopted}: journal entry {seq} records its adoption, but it no longer exists",
    ]


def test_texts_journalled_before_they_were_hashed_are_skipped(
    verify_adopted: Adopted, database_url: str, sessions: sessionmaker[Session]
) -> None:
    """A journal written by the version before: no hashes, titles or votes in these entries."""
    with transaction(sessions) as session:
        entries = session.scalars(
            select(JournalEntry)
            .where(JournalEntry.action.in_([action.value for action in _HASHING]))
            .order_by(JournalEntry.seq)
        ).all()
        for entry in entries:
            assert "text_sha256" in entry.payload or entry.payload.get("decision") == "rejected"
            entry.payload = {
                key: value
                for key, value in entry.payload.items()
                if key not in ("text_sha256", "title", "votes")
            }
        rehash_from(session, entries[0].seq)
    result = _verify(database_url)
    assert result.exit_code == 0, result.output
    assert (
        f"Not checked: the texts of {verify_adopted.resolutions} resolutions and "
        f"{verify_adopted.versions} motion versions, journalled before texts were hashed."
    ) in result.output
    assert "Hashed the texts" not in result.output
    # What those entries did record is still held: the result in words.
    with transaction(sessions) as session:
        resolution = _resolution(session)
        resolution.result = "adopted unanimously, to great applause"
        named = f"resolution {resolution.id} ({resolution.title})"
        seq = _adoption_seq(session, resolution.id)
    assert _problems(database_url) == [
        f"{named}: its result is not what its adoption recorded (journal entry {seq}): "
        "rewritten since"
    ]


def test_the_hash_is_of_the_text_as_stored(
    verify_adopted: Adopted, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        resolution = _resolution(session)
        seq = _adoption_seq(session, resolution.id)
        entry = session.get(JournalEntry, seq)
        assert entry is not None
        assert entry.payload["text_sha256"] == text_sha256(resolution.text)
        assert entry.payload["votes"] == {
            "yes": resolution.votes_yes,
            "no": resolution.votes_no,
            "abstain": resolution.votes_abstain,
        }
        assert resolution.text not in str(entry.payload)
