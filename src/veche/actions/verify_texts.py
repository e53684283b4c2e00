"""Checking adopted resolutions and motions' texts against the journal (``veche verify``).

A motion's text is journalled as a SHA-256 (``motions.text_sha256``) by each entry that makes
or freezes one of its versions: its submission (version 1), an amendment accepted or merged
(the version it made) and the final draft (the version put to the vote). A resolution's
adoption journals the SHA-256 of its text, its title, its votes and the result in words.
Here every stored version is hashed again against its latest entry, and every resolution is
held against the entry of its adoption: a text, a title or a figure rewritten is named as a
problem of its motion or resolution, and so is a resolution the journal never adopted.

Entries written before texts were hashed carry no hash: those texts are counted as not
checked (a resolution's number, result and date of effect, which they hold, still are).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from veche.actions._findings import Findings
from veche.actions.journal_actions import JournalAction
from veche.actions.motions import text_sha256
from veche.models import JournalEntry, Motion, MotionVersion, Resolution


@dataclass
class TextsCheck(Findings[str]):
    """The outcome of checking the motions' and resolutions' texts against the journal."""

    #: Resolutions and motion versions whose text was hashed again and matched.
    resolutions: int = 0
    versions: int = 0
    #: Those journalled before texts were hashed: their text could not be checked.
    unhashed_resolutions: int = 0
    unhashed_versions: int = 0


@dataclass(frozen=True)
class _Hashed:
    seq: int
    sha256: str


@dataclass(frozen=True)
class _Adoption:
    seq: int
    payload: dict[str, Any]


#: The entries that journal a motion version's hash, and where they name the version.
_VERSIONS = {
    JournalAction.SUBMIT_MOTION.value: None,  # always the first
    JournalAction.DECIDE_AMENDMENT.value: "result_version",
    JournalAction.FINALIZE_MOTION.value: "version",
}


def verify_texts(session: Session) -> TextsCheck:
    """Hash every motion version and resolution again and compare with the journal."""
    check = TextsCheck()
    versions, adoptions = _journalled(session)
    _check_versions(session, versions, check)
    _check_resolutions(session, adoptions, check)
    return check


@dataclass
class _Adoptions:
    """Each resolution's adoption, by the resolution's id, or by its motion's where an
    entry names no resolution."""

    by_resolution: dict[int, _Adoption]
    by_motion: dict[int, _Adoption]

    def take(self, resolution: Resolution) -> _Adoption | None:
        found = self.by_resolution.pop(resolution.id, None)
        return found or self.by_motion.pop(resolution.motion_id, None)


def _journalled(session: Session) -> tuple[dict[tuple[int, int], _Hashed], _Adoptions]:
    """The latest hash journalled for each motion version, and each resolution's adoption."""
    versions: dict[tuple[int, int], _Hashed] = {}
    adoptions = _Adoptions({}, {})
    rows = session.execute(
        select(JournalEntry.seq, JournalEntry.action, JournalEntry.payload)
        .where(JournalEntry.action.in_([*_VERSIONS, JournalAction.ADOPT_RESOLUTION.value]))
        .order_by(JournalEntry.seq)
        .execution_options(yield_per=2000)
    )
    for seq, action, payload in rows:
        if not isinstance(payload, dict):
            continue
        if action == JournalAction.ADOPT_RESOLUTION.value:
            resolution_id, motion_id = _id(payload, "resolution_id"), _id(payload, "motion_id")
            if resolution_id is not None:
                adoptions.by_resolution[resolution_id] = _Adoption(seq, payload)
            elif motion_id is not None:
                adoptions.by_motion[motion_id] = _Adoption(seq, payload)
            continue
        motion_id, sha256 = _id(payload, "motion_id"), payload.get("text_sha256")
        named = _VERSIONS[action]
        number = 1 if named is None else _id(payload, named)
        if motion_id is not None and number is not None and isinstance(sha256, str):
            versions[(motion_id, number)] = _Hashed(seq, sha256)
    return versions, adoptions


def _check_versions(
    session: Session, versions: dict[tuple[int, int], _Hashed], check: TextsCheck
) -> None:
    rows = session.execute(
        select(MotionVersion.motion_id, MotionVersion.number, MotionVersion.text, Motion.title)
        .join(Motion, Motion.id == MotionVersion.motion_id)
        .order_by(MotionVersion.motion_id, MotionVersion.number)
        .execution_options(yield_per=500)
    )
    for motion_id, number, text, title in rows:
        hashed = versions.pop((motion_id, number), None)
        if hashed is None:
            check.unhashed_versions += 1
        elif text_sha256(text) != hashed.sha256:
            check.problems.append(
                f"motion {motion_id} ({title}): the text of its version {number} is not the one "
                f"journalled (entry {hashed.seq}): rewritten since"
            )
        else:
            check.versions += 1
    for (motion_id, number), hashed in sorted(versions.items()):
        check.problems.append(
            f"motion {motion_id}: its version {number}, journalled in entry {hashed.seq}, "
            "no longer exists"
        )


#: What an adoption's entry says of its resolution: its key, what it is called, and how the
#: row shows it.
_ADOPTED: tuple[tuple[str, str, Callable[[Resolution], object]], ...] = (
    ("motion_id", "motion", lambda r: r.motion_id),
    ("poll_id", "poll", lambda r: r.poll_id),
    ("number", "number", lambda r: r.number),
    ("title", "title", lambda r: r.title),
    ("result", "result", lambda r: r.result),
    ("effective_on", "date of effect", lambda r: _day(r.effective_on)),
    (
        "votes",
        "votes",
        lambda r: {"yes": r.votes_yes, "no": r.votes_no, "abstain": r.votes_abstain},
    ),
)


def _check_resolutions(session: Session, adoptions: _Adoptions, check: TextsCheck) -> None:
    resolutions = session.scalars(
        select(Resolution).order_by(Resolution.id).execution_options(yield_per=500)
    )
    for resolution in resolutions:
        named = f"resolution {resolution.id} ({resolution.title})"
        adoption = adoptions.take(resolution)
        if adoption is None:
            check.problems.append(f"{named}: the journal records no adoption of it")
            continue
        payload = adoption.payload
        changed = [
            words
            for key, words, shown in _ADOPTED
            if key in payload and payload[key] != shown(resolution)
        ]
        sha256 = payload.get("text_sha256")
        if not isinstance(sha256, str):
            check.unhashed_resolutions += 1
        elif text_sha256(resolution.text) != sha256:
            changed.insert(0, "text")
        if changed:
            listed = " and ".join(", ".join(changed).rsplit(", ", 1))
            check.problems.append(
                f"{named}: its {listed} {'is' if len(changed) == 1 else 'are'} not what its "
                f"adoption recorded (journal entry {adoption.seq}): rewritten since"
            )
        elif isinstance(sha256, str):
            check.resolutions += 1
    for resolution_id, adoption in sorted(adoptions.by_resolution.items()):
        check.problems.append(
            f"resolution {resolution_id}: journal entry {adoption.seq} records its adoption, "
            "but it no longer exists"
        )


def _day(day: date) -> str:
    return day.isoformat()


def _id(payload: dict[str, Any], key: str) -> int | None:
    value = payload.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None
