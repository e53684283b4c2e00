"""The majority a decision needs, as chosen in the chair's form: a named rule or a custom share."""

from __future__ import annotations

from typing import Any

from veche.errors import InvalidInput
from veche.i18n import _
from veche.tally import TallyError
from veche.tally.methods._options import fraction_option
from veche.tally.methods.decision import BASES, RULES

#: The rule that needs a share and a base: "at least 3/5 of the members present".
CUSTOM_RULE = "qualified"


def rule_labels() -> list[tuple[str, str]]:
    """Each rule of the counting engine with the words the form shows for it."""
    words = {
        "simple": _("Simple majority: more yes than no"),
        "absolute-of-cast": _("More than half of the votes cast"),
        "absolute-of-present": _("More than half of the members present"),
        "absolute-of-members": _("More than half of all members"),
        CUSTOM_RULE: _("A share of your choice (give it below)"),
        "unanimity": _("Unanimity: no vote against"),
    }
    return [(rule, words[rule]) for rule in RULES]


def base_labels() -> list[tuple[str, str]]:
    words = {
        "cast": _("of the votes cast"),
        "present": _("of the members present"),
        "members": _("of all members"),
    }
    return [(base, words[base]) for base in BASES]


def majority_options(
    rule: str, fraction: str, base: str, abstentions_count: bool
) -> dict[str, Any]:
    """The poll's method options for the rule chosen, or InvalidInput saying what is wrong
    with the form; the members present and in office are the poll's to supply at the close."""
    options: dict[str, Any] = {"rule": rule}
    if rule == CUSTOM_RULE:
        options["fraction"] = _share(fraction)
        options["base"] = base
    elif fraction.strip():
        raise InvalidInput(
            _("a share such as 2/3 goes with the rule 'a share of your choice', not %(rule)s")
            % {"rule": rule}
        )
    if abstentions_count:
        options["abstentions_count"] = True
    return options  # creating the poll tries the rule on the counting engine


def _share(text: str) -> str:
    """A share as the engine reads it, kept as an exact "n/d"."""
    if not text.strip():
        raise InvalidInput(
            _("give the share of yes votes required, such as 2/3 or 3/5, for a custom majority")
        )
    try:
        share = fraction_option("fraction", text)
    except TallyError:
        raise InvalidInput(
            _("the share of yes votes required must be a fraction such as 2/3, not %(text)r")
            % {"text": text.strip()}
        ) from None
    return f"{share.numerator}/{share.denominator}"
