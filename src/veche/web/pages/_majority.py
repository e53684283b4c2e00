"""The majority a decision needs, in the words the chair's form shows for each rule and base
(the names of ``veche.method_names``, which the projector and the reports show too)."""

from __future__ import annotations

from veche.i18n import _
from veche.method_names import BASE_NAMES, RULE_NAMES
from veche.tally.methods.decision import BASES, RULES
from veche.web.inputs import CUSTOM_RULE


def rule_labels() -> list[tuple[str, str]]:
    """Each rule of the counting engine with the words the form shows for it."""
    words = {**RULE_NAMES, CUSTOM_RULE: "A share of your choice (give it below)"}
    return [(rule, _(words[rule])) for rule in RULES]


def base_labels() -> list[tuple[str, str]]:
    return [(base, _(BASE_NAMES[base])) for base in BASES]
