"""Reading a page's text fields into the values the shared input models expect."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from veche.whole_numbers import digits_only


def form_number(value: Any, rule: str) -> Any:
    """A number from a page's text field, or the rule it breaks said plainly: "the paragraph
    must be a whole number, not 'two'". Anything but text is the field's own to check."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None  # a field left blank (with spaces) is not given
    if not digits_only(text):
        raise PydanticCustomError(
            "whole_number", "{rule}, not {text}", {"rule": rule, "text": repr(text[:20])}
        )
    return text


def as_posted(read: Callable[[Any, dict[str, Any]], dict[str, Any]]) -> Any:
    """A form's validator that reads, before its fields are checked, the fields a page posted:
    ``read`` is given the form's class and a copy of them. A body that is not a mapping of
    fields is left to the form's own checks to refuse."""

    def before(cls: Any, data: Any) -> Any:
        return read(cls, dict(data)) if isinstance(data, dict) else data

    return model_validator(mode="before")(before)


def typed_numbers(rules: Mapping[str, str]) -> Any:
    """The validator of a page's form that reads the fields ``rules`` names with
    ``form_number``, each refused with its own rule; a form's class takes it as an attribute
    (``_numbers = typed_numbers({"poll_id": "the poll must be chosen from the list"})``)."""

    def typed(value: Any, info: ValidationInfo) -> Any:
        return form_number(value, rules[str(info.field_name)])

    return field_validator(*rules, mode="before")(typed)
