"""Paragraphs, line ranges and applying amendments to a motion's text."""

from __future__ import annotations

import pytest

from veche.actions._text import Target, apply_change, check_target, diff, normalize, paragraphs
from veche.errors import Conflict, InvalidInput

TEXT = "First paragraph,\non two lines.\n\nSecond.\n\n\nThird.\n"


def test_paragraphs_are_blocks_between_blank_lines() -> None:
    assert paragraphs(TEXT) == ["First paragraph,\non two lines.", "Second.", "Third."]


def test_a_target_names_the_words_it_changes() -> None:
    assert check_target(TEXT, Target(paragraph=3)) == "Third."
    assert (
        check_target(TEXT, Target(first_line=1, last_line=2)) == "First paragraph,\non two lines."
    )
    assert check_target(TEXT, Target(first_line=4)) == "Second."


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (Target(paragraph=4), "there is no paragraph 4: the text has 3 paragraphs"),
        (Target(paragraph=0), "there is no paragraph 0"),
        (Target(first_line=3, last_line=2), "there are no lines 3–2"),
        (Target(first_line=1, last_line=9), "the text has lines 1–7"),
        (Target(), "name either a paragraph or a first_line"),
        (Target(paragraph=1, first_line=1), "name either a paragraph or a first_line"),
    ],
)
def test_a_target_that_does_not_exist_is_refused(target: Target, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        check_target(TEXT, target)


def test_a_change_applies_where_the_words_stand_once() -> None:
    assert apply_change(TEXT, "Second.", "Second, amended.") == (
        "First paragraph,\non two lines.\n\nSecond, amended.\n\n\nThird.\n"
    )
    # Deleting a paragraph leaves one blank line between its neighbours; deleting a line, none.
    assert apply_change(TEXT, "Second.", "") == "First paragraph,\non two lines.\n\nThird.\n"
    assert apply_change("A.\n\nB.\n", "A.", "") == "B.\n"
    assert apply_change("a\nb\nc\n", "b", "") == "a\nc\n"


def test_a_change_whose_words_moved_or_repeat_conflicts() -> None:
    with pytest.raises(Conflict, match="no longer stands"):
        apply_change(TEXT, "Fourth.", "x")
    with pytest.raises(Conflict, match="more than once"):
        apply_change("Same.\n\nSame.\n", "Same.", "Other.")
    # Part of a line is not a line: "on two" stands only inside a longer line.
    with pytest.raises(Conflict):
        apply_change(TEXT, "on two", "x")


def test_texts_are_normalized_and_diffed_line_by_line() -> None:
    assert normalize("a  \r\nb\r\n\n\n") == "a\nb\n"
    shown = diff("a\nb\n", "a\nc\n", "version 1", "version 2")
    assert shown.splitlines() == [
        "--- version 1",
        "+++ version 2",
        "@@ -1,2 +1,2 @@",
        " a",
        "-b",
        "+c",
    ]
