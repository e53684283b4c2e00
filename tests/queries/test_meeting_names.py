"""A meeting's name reads naturally whatever title was typed: a kind of meeting after its
number ("8th Plenary Meeting of the 8th General Council"), any other title kept whole with
the number and the term after it, and nothing said twice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.models.meetings import MeetingKind
from veche.queries.meeting_names import named_meeting
from veche.queries.org import ordinal

BOARD, BOARD_TERM = "Executive Board", "1st Executive Board"


@pytest.mark.parametrize(
    ("title", "number", "kind", "name"),
    [
        # The form's example, and the kinds it is said with.
        (
            "Plenary Meeting",
            8,
            MeetingKind.ORDINARY,
            "8th Plenary Meeting of the 1st Executive Board",
        ),
        (
            "Plenary Meeting",
            1,
            MeetingKind.ENLARGED,
            "1st Enlarged Plenary Meeting of the 1st Executive Board",
        ),
        (
            "Extraordinary Congress",
            3,
            MeetingKind.EXTRAORDINARY,
            "3rd Extraordinary Congress of the 1st Executive Board",
        ),
        # What the walker typed: the body's name and a month in the title.
        (
            "Executive Board — January meeting",
            2,
            MeetingKind.ORDINARY,
            "Executive Board — January meeting (2nd meeting of the 1st Executive Board)",
        ),
        (
            "Executive Board — December meeting",
            1,
            MeetingKind.ORDINARY,
            "Executive Board — December meeting (1st meeting of the 1st Executive Board)",
        ),
        (
            "Board meeting, budget",
            4,
            MeetingKind.EXTRAORDINARY,
            "Board meeting, budget (4th extraordinary meeting of the 1st Executive Board)",
        ),
        # A number, an article, a full stop or spaces the title has of its own.
        (
            "2nd Plenary Meeting",
            2,
            MeetingKind.ORDINARY,
            "2nd Plenary Meeting of the 1st Executive Board",
        ),
        (
            "Second Congress",
            2,
            MeetingKind.ORDINARY,
            "Second Congress (2nd meeting of the 1st Executive Board)",
        ),
        (
            "The Annual Congress",
            5,
            MeetingKind.ORDINARY,
            "5th Annual Congress of the 1st Executive Board",
        ),
        (
            "  plenary   meeting. ",
            11,
            MeetingKind.ORDINARY,
            "11th plenary meeting of the 1st Executive Board",
        ),
        (
            "Meeting of the Delegates",
            21,
            MeetingKind.ORDINARY,
            "Meeting of the Delegates (21st meeting of the 1st Executive Board)",
        ),
        (
            "Spring 2027",
            3,
            MeetingKind.ORDINARY,
            "Spring 2027 (3rd meeting of the 1st Executive Board)",
        ),
        ("The", 1, MeetingKind.ORDINARY, "1st Meeting of the 1st Executive Board"),
        ("Пленум", 6, MeetingKind.ORDINARY, "6th Пленум of the 1st Executive Board"),
    ],
)
def test_a_meeting_is_named_as_one_would_say_it(
    title: str, number: int, kind: MeetingKind, name: str
) -> None:
    assert named_meeting(title, number, kind, BOARD_TERM, BOARD) == name


@given(
    title=st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)
    | st.sampled_from(["Plenary Meeting", "Executive Board meeting", "The the Congress"]),
    number=st.integers(1, 120),
    kind=st.sampled_from(MeetingKind),
)
def test_whatever_the_title_the_name_says_each_thing_once(
    title: str, number: int, kind: MeetingKind
) -> None:
    name = named_meeting(title, number, kind, BOARD_TERM, BOARD)
    kept = " ".join(title.split())
    # The term closes the name, once more than the title says it; the body's name likewise.
    assert name.endswith((f"of the {BOARD_TERM}", f"of the {BOARD_TERM})"))
    assert name.count(BOARD_TERM) == kept.count(BOARD_TERM) + 1
    assert name.casefold().count(BOARD.casefold()) == kept.casefold().count(BOARD.casefold()) + 1
    # The number once (unless the title had it elsewhere), no article before it, no runs
    # of spaces, and the title's words all there.
    said = ordinal(number)
    assert name.count(f"{said} {said}") <= kept.count(f"{said} {said}")
    assert not name.casefold().startswith("the ")
    assert name == " ".join(name.split())
    for word in kept.rstrip(". ").split()[1:]:
        assert word in name
