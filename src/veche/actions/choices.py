"""What a valid ballot looks like for each counting method, and turning ballots into a profile."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import numpy as np

from veche.errors import InvalidInput
from veche.models import PollOption
from veche.tally import BallotShape, Method, Profile, TallyError, method_named
from veche.whole_numbers import whole_number

#: The one key of a stored ballot of each shape: {"option": id}, {"options": [id, ...]},
#: {"ranking": [id, ...]} or {"scores": {"id": score, ...}}.
KEYS = {
    BallotShape.SINGLE: "option",
    BallotShape.APPROVAL: "options",
    BallotShape.RANKING: "ranking",
    BallotShape.SCORE: "scores",
}

#: A ballot that deliberately chooses nothing; counted as cast, never transferred.
BLANK: dict[str, Any] = {"blank": True}


def counting_method(method: str) -> Method:
    """The tally's description of ``method``: its ballot, its seats and its options."""
    try:
        return method_named(method)
    except TallyError as error:
        raise InvalidInput(str(error)) from None


def shape_of(method: str) -> BallotShape:
    return counting_method(method).ballot


class Numbered(Protocol):
    """An option as a ballot needs it: its number (a PollOption, or a cached poll's option)."""

    @property
    def id(self) -> int: ...


def check_choice(
    method: str,
    choice: Any,
    options: Sequence[Numbered],
    *,
    seats: int,
    max_score: int,
) -> dict[str, Any]:
    """A ballot in its stored form, or InvalidInput saying exactly what is wrong with it."""
    if not isinstance(choice, dict):
        raise InvalidInput("a ballot must be a JSON object")
    if choice == BLANK:
        return dict(BLANK)
    valid = {option.id for option in options}
    counting = counting_method(method)
    shape = counting.ballot
    expected_key = KEYS[shape]
    if set(choice) != {expected_key}:
        raise InvalidInput(
            f"a {method} ballot is {{{expected_key!r}: …}} (or {{'blank': true}}), "
            f"not one with keys {sorted(choice)}"
        )
    value = choice[expected_key]
    if shape is BallotShape.SINGLE:
        if isinstance(value, list):
            raise InvalidInput("over-voted: this poll takes exactly one choice")
        return {"option": _option_id(value, valid)}
    if shape is BallotShape.SCORE:
        return {"scores": _check_scores(value, valid, max_score)}
    ids = _distinct_ids(value, valid, expected_key)
    if shape is BallotShape.APPROVAL:
        if not ids:
            raise InvalidInput("no option is marked; cast a blank ballot with {'blank': true}")
        if counting.limited_to_seats and len(ids) > seats:
            raise InvalidInput(
                f"over-voted: at most {seats} choices, one per seat; this ballot has {len(ids)}"
            )
        return {"options": sorted(ids)}
    if not ids:
        raise InvalidInput("the ranking is empty; cast a blank ballot with {'blank': true}")
    return {"ranking": ids}


def _option_id(value: Any, valid: set[int]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"a choice is an option's number, not {value!r}")
    if value not in valid:
        raise InvalidInput(f"option {value} is not on this ballot (options: {sorted(valid)})")
    return value


def _option_number(key: str) -> int | str:
    """A score's key as an option's number (``whole_number``), or as it is."""
    number = whole_number(key)
    return key if number is None else number


def _distinct_ids(value: Any, valid: set[int], key: str) -> list[int]:
    if not isinstance(value, list):
        raise InvalidInput(f"{key!r} must be a list of option numbers")
    ids = [_option_id(item, valid) for item in value]
    if len(set(ids)) != len(ids):
        raise InvalidInput(f"over-voted: an option appears more than once in {key!r}")
    return ids


def _check_scores(value: Any, valid: set[int], max_score: int) -> dict[str, int]:
    if not isinstance(value, dict):
        raise InvalidInput("'scores' must map option numbers to scores")
    if not value:
        raise InvalidInput("no option is scored; cast a blank ballot with {'blank': true}")
    scores: dict[str, int] = {}
    for key, score in value.items():
        option = _option_id(_option_number(key), valid)
        if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= max_score:
            raise InvalidInput(
                f"out of range: the score for option {option} must be 0 to {max_score}, not {score!r}"
            )
        scores[str(option)] = score
    return scores


def is_blank(choice: dict[str, Any]) -> bool:
    return choice == BLANK


def build_profile(
    method: str, options: Sequence[PollOption], ballots: Iterable[tuple[dict[str, Any], int]]
) -> Profile:
    """The tally profile of non-blank ballots: candidates are the options' labels, in order."""
    labels = [option.label for option in options]
    index = {option.id: position for position, option in enumerate(options)}
    shape = shape_of(method)
    if shape is BallotShape.SCORE:
        rows: dict[tuple[int, ...], int] = {}
        for choice, weight in ballots:
            if is_blank(choice):
                continue
            row = [0] * len(labels)
            for key, score in choice["scores"].items():
                row[index[int(key)]] = score
            rows[tuple(row)] = rows.get(tuple(row), 0) + weight
        scores = np.array(list(rows) or np.zeros((0, len(labels))), dtype=np.int64).reshape(
            -1, len(labels)
        )
        return Profile(
            candidates=tuple(labels),
            rankings=np.full((len(rows), 0), -1, dtype=np.int32),
            counts=np.array(list(rows.values()), dtype=np.int64),
            scores=scores,
        )
    key = KEYS[shape]
    rankings = []
    for choice, weight in ballots:
        if is_blank(choice):
            continue
        value = choice[key]
        ids = [value] if shape is BallotShape.SINGLE else value
        rankings.append(([index[i] for i in ids], weight))
    return Profile.from_rankings(labels, rankings)
