"""An id as a client gives it, in a path, a query or a body: a positive number that fits the
database's integer columns. Anything else is refused (a 422 that says so) before any query.

Below the web layer because the queries' filters are also the API's query models: a filter
is declared once, with its ids checked, and the route takes it as it is.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from veche.models.base import MAX_INT

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
