"""An id as a client gives it, in a path, a query or a body: a positive number that fits the
database's integer columns. Anything else is refused (a 422 that says so) before any query.

Below the web layer because the queries' filters are also the API's query models: a filter
is declared once, with its ids checked, and the route takes it as it is.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import BeforeValidator, Field

from veche.models.base import MAX_INT


def _not_a_flag_or_a_fraction(value: object) -> object:
    """Refuse what pydantic would otherwise read as a number: JSON's ``true`` (an id of 1)
    and ``1.0``. Text stays allowed: a form's fields and a path's parts are text."""
    if isinstance(value, bool | float):
        raise ValueError(f"an id is a whole number, not {json.dumps(value)}")
    return value


Id = Annotated[int, BeforeValidator(_not_a_flag_or_a_fraction), Field(ge=1, le=MAX_INT)]
