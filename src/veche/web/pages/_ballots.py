"""Reading a voter's ballot from a form: one field layout per ballot shape (a teller's typed
line is read in ``veche.web.inputs_paper``)."""

from __future__ import annotations

import json
from typing import Any

from starlette.datastructures import FormData

from veche.actions.choices import BLANK, shape_of
from veche.errors import InvalidInput
from veche.models import Poll
from veche.models.polls import PollOption
from veche.tally import BallotShape
from veche.whole_numbers import digits_only, whole_number


def choice_from_form(poll: Poll, options: list[PollOption], form: FormData) -> dict[str, Any]:
    """The ballot the voter filled in, as the API takes it; the action checks it fully."""
    if form.get("blank") == "yes":
        return dict(BLANK)
    shape = shape_of(poll.method)
    if shape is BallotShape.SINGLE:
        picked = _whole(form.get("option"))
        if picked is None:
            raise InvalidInput("choose one option, or cast a blank ballot")
        return {"option": picked}
    if shape is BallotShape.APPROVAL:
        picked_ids = [n for n in map(_whole, form.getlist("options")) if n is not None]
        if not picked_ids:
            raise InvalidInput("tick at least one option, or cast a blank ballot")
        return {"options": picked_ids}
    if shape is BallotShape.RANKING:
        return {"ranking": _ranking(options, form)}
    return {"scores": _scores(options, form)}


def _whole(value: object) -> int | None:
    """An option's id as a field holds it (``whole_number``), or None."""
    return whole_number(value) if isinstance(value, str) else None


def _number(form: FormData, name: str) -> int | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    number = whole_number(text)
    if number is not None:
        return number
    if digits_only(text):
        raise InvalidInput(f"{text[:20]}… is too large a number for a ballot")
    raise InvalidInput(f"{text[:20]!r} is not a whole number")


def _ranking(options: list[PollOption], form: FormData) -> list[int]:
    ranks: dict[int, PollOption] = {}
    for option in options:
        rank = _number(form, f"rank_{option.id}")
        if rank is None:
            continue
        if rank < 1:
            raise InvalidInput(f"ranks start at 1; {option.label} has {rank}")
        if rank in ranks:
            raise InvalidInput(
                f"{ranks[rank].label} and {option.label} both have rank {rank}; give each "
                "preference a different number"
            )
        ranks[rank] = option
    if not ranks:
        raise InvalidInput("number at least your first preference, or cast a blank ballot")
    return [ranks[rank].id for rank in sorted(ranks)]


def _scores(options: list[PollOption], form: FormData) -> dict[str, int]:
    scores = {}
    for option in options:
        score = _number(form, f"score_{option.id}")
        if score is not None:
            scores[str(option.id)] = score
    if not scores:
        raise InvalidInput("score at least one option, or cast a blank ballot")
    return scores


def json_or_none(sent: str) -> Any:
    """The JSON a ballot page sent back (the choice its review page carries), or None when it
    is not JSON: text that is not, and text nested deeper than Python's reader goes, which
    it refuses with a RecursionError rather than a ValueError ("[" twenty thousand times)."""
    try:
        return json.loads(sent)
    except (ValueError, RecursionError):
        return None


def filled_from_choice(sent: str) -> dict[str, list[str]]:
    """The ballot's fields as the voter filled them in, from the choice their review page
    carries (as ``choice_from_form`` read them: option numbers, and whole-number scores): to
    change it, they start from it. Anything that is not such a choice fills in nothing."""
    choice = json_or_none(sent)
    if not isinstance(choice, dict):
        return {}
    if _is_number(choice.get("option")):
        return {"option": [str(choice["option"])]}
    if _are_numbers(choice.get("options")):
        return {"options": [str(option) for option in choice["options"]]}
    if _are_numbers(choice.get("ranking")):
        return {f"rank_{option}": [str(rank)] for rank, option in enumerate(choice["ranking"], 1)}
    scores = choice.get("scores")
    if isinstance(scores, dict) and _are_numbers(list(scores.values())):
        return {f"score_{option}": [str(score)] for option, score in scores.items()}
    return {}


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _are_numbers(values: object) -> bool:
    """A list of whole numbers: nothing nested, whose text could run deeper than ``str`` goes."""
    return isinstance(values, list) and all(_is_number(value) for value in values)
