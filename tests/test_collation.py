"""The natural order of names and titles: numbers by value, letters without case or accents."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from veche.collation import natural_key, typed_name
from veche.folding import fold

WORDS = st.text(alphabet="abcxyzé ", max_size=6)


def test_numbers_sort_by_value_and_names_without_case_or_accents() -> None:
    names = ["Item 10", "item 2", "Item 1", "Élan 3", "elan 20", "Elan 4", "Zeno", "ada"]
    assert sorted(names, key=natural_key) == [
        "ada",
        "Élan 3",
        "Elan 4",
        "elan 20",
        "Item 1",
        "item 2",
        "Item 10",
        "Zeno",
    ]
    assert sorted(["Delegate 11", "Delegate 2", "Delegate 10", "Delegate 1"], key=natural_key) == [
        "Delegate 1",
        "Delegate 2",
        "Delegate 10",
        "Delegate 11",
    ]


@given(WORDS, st.integers(0, 10**30), st.integers(0, 10**30), WORDS)
def test_a_number_in_a_name_sorts_by_its_value(
    prefix: str, first: int, second: int, suffix: str
) -> None:
    a, b = f"{prefix}{first}{suffix}", f"{prefix}{second}{suffix}"
    if first < second:
        assert natural_key(a) < natural_key(b)
    elif first > second:
        assert natural_key(a) > natural_key(b)


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll"]), max_size=8))
def test_case_does_not_change_the_order_only_breaks_ties(text: str) -> None:
    lower, upper = text.lower(), text.upper()
    if lower.casefold() == upper.casefold():
        assert natural_key(lower)[0] == natural_key(upper)[0]


@given(st.text(alphabet="aeiouc", max_size=8))
def test_accents_do_not_change_the_order(text: str) -> None:
    accented = text.translate(str.maketrans("aeiouc", "áèîöüç"))
    assert natural_key(accented)[0] == natural_key(text)[0]


@given(st.lists(st.text(max_size=12), max_size=12), st.randoms(use_true_random=False))
def test_any_texts_sort_one_way_whatever_order_they_come_in(
    texts: list[str], shuffler: random.Random
) -> None:
    ordered = sorted(texts, key=natural_key)
    shuffled = list(texts)
    shuffler.shuffle(shuffled)
    assert sorted(shuffled, key=natural_key) == ordered
    for a, b in pairwise(ordered):
        assert (natural_key(a) == natural_key(b)) == (a == b)


@given(st.text(alphabet=st.characters(categories=["Nd"]), min_size=1, max_size=5000))
def test_digits_of_any_script_and_length_are_numbers(digits: str) -> None:
    key = natural_key(f"x{digits}")
    assert key[0][0] == "x" and isinstance(key[0][1], tuple)


@pytest.mark.parametrize(
    ("typed", "name"),
    [("  ada   LOVELACE ", "Ada Lovelace"), ("ŽELJKO đurić", "Željko Đurić"), ("ΝΊΚΟΣ", "Νίκος")],
)
def test_a_typed_name_matches_in_any_case_and_script(typed: str, name: str) -> None:
    assert typed_name(typed) == typed_name(name)


def test_a_typed_name_is_folded_as_the_searches_fold() -> None:
    # The search finds a name by veche.folding's fold; were typed_name to fold further
    # ("ß" as "ss", as casefold does), a name the search did not find would count as a
    # namesake of one it did.
    assert typed_name("Straße") == fold("Straße")
    assert typed_name("Straße") != typed_name("STRASSE")
