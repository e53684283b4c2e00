"""A page form's fields as typed, beside its input model, so that a form refused by its action
comes back on the same page with what was typed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData


async def _form(request: Request) -> FormData:
    # Starlette reads a request's form once: the input model and this share it.
    return await request.form()


#: The form as sent, for the page that shows it again (``text_of``).
PostedForm = Annotated[FormData, Depends(_form)]


def text_of(form: FormData, name: str) -> str:
    """A field as typed (nothing for a file or a field not sent)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def as_typed(form: FormData, names: Iterable[str]) -> dict[str, str]:
    """The fields named, each as typed, to show the form again."""
    return {name: text_of(form, name) for name in names}


def as_typed_lists(form: FormData, names: Iterable[str]) -> dict[str, list[str]]:
    """The fields named that a form sends many times (names typed in a row of places, boxes
    ticked), each as the list typed."""
    return {name: [v for v in form.getlist(name) if isinstance(v, str)] for name in names}
