"""The majority a decision needs, in the words the chair's form shows for each rule and base."""

from __future__ import annotations

from veche.i18n import _
from veche.tally.methods.decision import BASES, RULES
from veche.web.inputs import CUSTOM_RULE


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
