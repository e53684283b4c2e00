"""A quorum as written, checked and written back (``veche.quorum``)."""

from __future__ import annotations

import pytest

from veche.errors import InvalidInput
from veche.quorum import Quorum


@pytest.mark.parametrize(
    ("text", "numerator", "denominator"), [("2/3", 2, 3), (" 2 / 4 ", 2, 4), ("1/1", 1, 1)]
)
def test_a_quorum_reads_as_written_and_writes_back_unreduced(
    text: str, numerator: int, denominator: int
) -> None:
    quorum = Quorum.parse(text)
    assert (quorum.numerator, quorum.denominator) == (numerator, denominator)
    assert str(quorum) == f"{numerator}/{denominator}"


@pytest.mark.parametrize("text", ["half", "1/", "/2", "1.5/2", "-1/2", "²/3", "1/2/3", ""])
def test_a_quorum_not_written_as_a_fraction_says_how_to_write_one(text: str) -> None:
    with pytest.raises(InvalidInput, match="write the quorum as a fraction such as 1/2"):
        Quorum.parse(text)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1/0", "0/0"])
def test_a_body_takes_no_quorum_of_nothing_nor_above_the_whole(text: str) -> None:
    with pytest.raises(InvalidInput, match=f"between 0 and 1 .*not {text}"):
        Quorum.parse(text).checked()


@pytest.mark.parametrize(
    ("quorum", "rights", "required"), [("1/2", 30, 15), ("1/2", 31, 16), ("2/3", 37, 25)]
)
def test_the_rights_required_are_the_share_rounded_up(
    quorum: str, rights: int, required: int
) -> None:
    assert Quorum.parse(quorum).required(rights) == required
