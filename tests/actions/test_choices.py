"""Every counting method's ballot, as the tally registry describes it, is one the ballot code
knows: it is checked, stored and counted."""

from __future__ import annotations

from typing import Any

import pytest

from veche.actions.choices import KEYS, build_profile, check_choice, counting_method
from veche.actions.polls import DECISION_OPTIONS
from veche.errors import InvalidInput
from veche.models import PollOption
from veche.tally import BallotShape, available_methods, count

#: A ballot of each shape for options 1, 2 and 3.
EXAMPLES: dict[BallotShape, dict[str, Any]] = {
    BallotShape.SINGLE: {"option": 2},
    BallotShape.APPROVAL: {"options": [1, 3]},
    BallotShape.RANKING: {"ranking": [3, 1, 2]},
    BallotShape.SCORE: {"scores": {"1": 4, "2": 0, "3": 1}},
}


def test_the_ballot_code_knows_every_shape() -> None:
    assert set(KEYS) == set(BallotShape) == set(EXAMPLES)


@pytest.mark.parametrize("method", list(available_methods()))
def test_a_ballot_of_the_methods_shape_is_checked_and_counted(method: str) -> None:
    counting = counting_method(method)
    labels = DECISION_OPTIONS if counting.decision else ("Ada", "Brook", "Clara")
    options = [PollOption(id=number, label=label) for number, label in enumerate(labels, 1)]
    seats = 2 if counting.multi_winner else 1
    ballot = EXAMPLES[counting.ballot]
    stored = check_choice(method, ballot, options, seats=seats, max_score=5)
    profile = build_profile(method, options, [(stored, 3), ({"blank": True}, 1)])
    assert profile.n_voters == 3
    result = count(profile, method, seats=seats, seed=1)
    assert result.ballots == 3
    for other in set(BallotShape) - {counting.ballot}:
        with pytest.raises(InvalidInput, match=f"a {method} ballot is"):
            check_choice(method, EXAMPLES[other], options, seats=seats, max_score=5)


def test_a_method_limited_to_seats_refuses_more_marks() -> None:
    limited = [name for name, counting in available_methods().items() if counting.limited_to_seats]
    assert limited == ["block"]
    options = [PollOption(id=number, label=str(number)) for number in (1, 2, 3)]
    with pytest.raises(InvalidInput, match="over-voted: at most 2 choices"):
        check_choice("block", {"options": [1, 2, 3]}, options, seats=2, max_score=1)


def test_an_unknown_method_names_every_method() -> None:
    with pytest.raises(InvalidInput, match="unknown counting method 'nope'; choose one of: "):
        counting_method("nope")
