"""Reading a page's text fields into the values the shared input models expect."""

from __future__ import annotations

from typing import Any

from pydantic_core import PydanticCustomError


def form_number(value: Any, rule: str) -> Any:
    """A number from a page's text field, or the rule it breaks said plainly: "the paragraph
    must be a whole number, not 'two'". Anything but text is the field's own to check."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None  # a field left blank (with spaces) is not given
    if not (text.isascii() and text.isdigit()):
        raise PydanticCustomError(
            "whole_number", "{rule}, not {text}", {"rule": rule, "text": repr(text[:20])}
        )
    return text
