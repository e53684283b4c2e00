"""Reading a ballot from a form: one field layout per ballot shape, or a teller's typed line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import FormData

from veche.actions.choices import BLANK, shape_of
from veche.errors import InvalidInput
from veche.i18n import _
from veche.models import Poll
from veche.models.polls import PollOption
from veche.tally import BallotShape


def choice_from_form(poll: Poll, options: list[PollOption], form: FormData) -> dict[str, Any]:
    """The ballot the voter filled in, as the API takes it; the action checks it fully."""
    if form.get("blank") == "yes":
        return dict(BLANK)
    shape = shape_of(poll.method)
    if shape is BallotShape.SINGLE:
        picked = form.get("option")
        if not isinstance(picked, str) or not picked.isdigit():
            raise InvalidInput("choose one option, or cast a blank ballot")
        return {"option": int(picked)}
    if shape is BallotShape.APPROVAL:
        picked_ids = [int(v) for v in form.getlist("options") if isinstance(v, str) and v.isdigit()]
        if not picked_ids:
            raise InvalidInput("tick at least one option, or cast a blank ballot")
        return {"options": picked_ids}
    if shape is BallotShape.RANKING:
        return {"ranking": _ranking(options, form)}
    return {"scores": _scores(options, form)}


def _number(form: FormData, name: str) -> int | None:
    value = form.get(name)
    if not isinstance(value, str) or not value.strip():
        return None
    if not value.strip().isdigit():
        raise InvalidInput(f"{value!r} is not a whole number")
    return int(value.strip())


def _ranking(options: list[PollOption], form: FormData) -> list[int]:
    ranks: dict[int, int] = {}
    for option in options:
        rank = _number(form, f"rank_{option.id}")
        if rank is None:
            continue
        if rank < 1:
            raise InvalidInput(f"ranks start at 1; {option.label} has {rank}")
        if rank in ranks:
            raise InvalidInput(
                f"two candidates have rank {rank}; give each preference a different number"
            )
        ranks[rank] = option.id
    if not ranks:
        raise InvalidInput("number at least your first preference, or cast a blank ballot")
    return [ranks[rank] for rank in sorted(ranks)]


def _scores(options: list[PollOption], form: FormData) -> dict[str, int]:
    scores = {}
    for option in options:
        score = _number(form, f"score_{option.id}")
        if score is not None:
            scores[str(option.id)] = score
    if not scores:
        raise InvalidInput("score at least one option, or cast a blank ballot")
    return scores


#: Ballot shapes a teller types as a line of candidate numbers.
TYPED_SHAPES = (BallotShape.RANKING, BallotShape.APPROVAL)


@dataclass(frozen=True)
class PaperBallot:
    """One paper ballot as the teller typed it: candidate numbers in order, none if blank."""

    numbers: tuple[int, ...]
    choice: dict[str, Any]

    @property
    def line(self) -> str:
        """The ballot typed back the one way it is kept in a lot: "3 1 2" or "blank"."""
        return " ".join(str(n) for n in self.numbers) if self.numbers else "blank"


def _blank_words() -> set[str]:
    return {"blank", "-", _("blank").lower()}


def paper_ballot(line: str, options: Sequence[PollOption], shape: BallotShape) -> PaperBallot:
    """A paper ballot typed as the candidates' numbers on the ballot, "3 1 2" (a ranking, first
    preference first; for approval, the candidates marked), or "blank"."""
    if shape not in TYPED_SHAPES:
        raise InvalidInput(_("only ranked and approval ballots are typed as candidate numbers"))
    words = line.replace(",", " ").split()
    if not words:
        raise InvalidInput(
            _("type the candidates' numbers in order of preference, such as 3 1 2, or blank")
        )
    if len(words) == 1 and words[0].lower() in _blank_words():
        return PaperBallot((), dict(BLANK))
    numbers: list[int] = []
    for word in words:
        if not word.isdigit():
            raise InvalidInput(
                _("%(word)r is not a candidate's number; type numbers such as 3 1 2, or blank")
                % {"word": word}
            )
        number = int(word)
        if not 1 <= number <= len(options):
            raise InvalidInput(
                _("there is no candidate %(number)s; the candidates are numbered 1 to %(last)s")
                % {"number": number, "last": len(options)}
            )
        if number in numbers:
            raise InvalidInput(
                _("candidate %(number)s appears twice; each candidate takes one place")
                % {"number": number}
            )
        numbers.append(number)
    ids = [options[number - 1].id for number in numbers]
    if shape is BallotShape.RANKING:
        return PaperBallot(tuple(numbers), {"ranking": ids})
    return PaperBallot(tuple(sorted(numbers)), {"options": sorted(ids)})
