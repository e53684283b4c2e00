"""Paragraphs, line ranges and applying amendments to a motion's text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.actions._text import (
    Target,
    apply_change,
    check_target,
    diff,
    normalize,
    paragraphs,
    part_start,
)
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


def test_a_change_to_its_own_version_applies_at_the_part_it_names() -> None:
    """Where the text repeats the words, or the part is a blank line, the place named
    decides, not the words."""
    same = "Same.\n\nSame.\n"
    assert apply_change(same, "Same.", "Other.", at=Target(paragraph=2)) == "Same.\n\nOther.\n"
    assert apply_change(same, "Same.", "Other.", at=Target(first_line=1)) == "Other.\n\nSame.\n"
    assert apply_change(same, "", "Between.", at=Target(first_line=2)) == (
        "Same.\nBetween.\nSame.\n"
    )
    assert apply_change(TEXT, "", "", at=Target(first_line=6)) == (
        "First paragraph,\non two lines.\n\nSecond.\n\nThird.\n"
    )
    with pytest.raises(Conflict, match="reject it, and propose the change again"):
        apply_change(TEXT, "Fourth.", "x", at=Target(paragraph=3))


@given(st.data())
def test_the_part_a_target_names_starts_where_part_start_says(data: st.DataObject) -> None:
    lines = data.draw(st.lists(st.sampled_from(["A.", "B.", "", "C, on a line."]), min_size=1))
    text = normalize("\n".join(lines))
    count = len(text.rstrip("\n").split("\n"))
    first = data.draw(st.integers(1, count))
    target = Target(first_line=first, last_line=data.draw(st.integers(first, count)))
    blocks = paragraphs(text)
    by_paragraph = data.draw(st.booleans())
    if blocks and by_paragraph:
        target = Target(paragraph=data.draw(st.integers(1, len(blocks))))
    part = check_target(text, target)
    assert text.startswith(part, part_start(text, target))
    if target.paragraph is not None:
        # Each paragraph starts after the ones before it.
        starts = [part_start(text, Target(paragraph=n)) for n in range(1, len(blocks) + 1)]
        assert starts == sorted(set(starts))


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
