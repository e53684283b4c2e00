"""Counting methods and majority rules under the names people know them by: the one table the
chair's console, the projector and the reports read (the engine's names stay in ``veche.tally``)."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from veche.i18n import _

#: Each counting method of ``veche.tally`` by its name in the hall (English, translated on use).
METHOD_NAMES: dict[str, str] = {
    "approval": "Approval voting",
    "block": "Block vote (plurality-at-large)",
    "borda": "Borda count",
    "copeland": "Copeland (most head-to-head wins)",
    "dhondt": "D'Hondt (highest averages)",
    "irv": "Instant-runoff vote (alternative vote)",
    "largest-remainder": "Largest remainder (Hare quota)",
    "majority": "Majority vote (yes, no, abstain)",
    "meek-stv": "Single transferable vote (Meek's method)",
    "minimax": "Minimax (Simpson–Kramer)",
    "plurality": "Plurality (first past the post)",
    "ranked-pairs": "Ranked pairs (Tideman)",
    "sainte-lague": "Sainte-Laguë (highest averages)",
    "schulze": "Schulze (beatpath)",
    "score": "Score voting",
    "scottish-stv": "Single transferable vote (Scottish rules)",
    "sntv": "Single non-transferable vote",
    "two-round": "Contingent vote (top two, from ranked ballots)",
    "wigm-stv": "Single transferable vote (weighted inclusive Gregory)",
}

#: A decision's majority rules (``veche.tally.methods.decision.RULES``), in the hall's words;
#: "qualified" is a share of a base, worded by ``majority_rule_name``.
RULE_NAMES: dict[str, str] = {
    "simple": "Simple majority: more yes than no",
    "absolute-of-cast": "More than half of the votes cast",
    "absolute-of-present": "More than half of the members present",
    "absolute-of-members": "More than half of all members",
    "unanimity": "Unanimity: no vote against",
}

#: What a qualified majority's share is of (``veche.tally.methods.decision.BASES``).
BASE_NAMES: dict[str, str] = {
    "cast": "of the votes cast",
    "present": "of the members present",
    "members": "of all members",
}

#: Shares said in words where a chair would say them so.
_SHARE_NAMES = {
    Fraction(1, 2): "One half",
    Fraction(2, 3): "Two-thirds",
    Fraction(3, 4): "Three-quarters",
    Fraction(3, 5): "Three-fifths",
}


def method_name(method: str) -> str:
    """The counting method's name in the hall (its engine name only if it has none here)."""
    name = METHOD_NAMES.get(method)
    return _(name) if name is not None else method


def majority_rule_name(method_options: Mapping[str, Any]) -> str:
    """The majority a decision needs, from its method options: "Two-thirds of the votes cast"."""
    rule = str(method_options.get("rule") or "simple")
    if rule == "qualified":
        share = _share(method_options.get("fraction"))
        base = str(method_options.get("base") or "cast")
        share_name = _SHARE_NAMES.get(share) if isinstance(share, Fraction) else None
        words = (
            _(share_name) if share_name is not None else _("At least %(share)s") % {"share": share}
        )
        text = f"{words} {_(BASE_NAMES.get(base, BASE_NAMES['cast']))}"
    else:
        text = _(RULE_NAMES.get(rule, RULE_NAMES["simple"]))
    if method_options.get("abstentions_count"):
        text = _("%(rule)s, abstentions counted as votes cast") % {"rule": text}
    return text


def _share(value: Any) -> Fraction | str:
    """A stored share ("2/3") as a number, or as written if it is none (an older record)."""
    try:
        return Fraction(str(value))
    except (ValueError, ZeroDivisionError):
        return str(value)


def poll_counting_name(method: str, method_options: Mapping[str, Any]) -> str:
    """How a poll is counted, in one phrase: a decision by its majority, the rest by method."""
    if method == "majority":
        return majority_rule_name(method_options)
    return method_name(method)
