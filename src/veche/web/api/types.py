"""Types the API's routes share: numbers from a client that the database can hold."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from veche.models.base import MAX_INT

#: An id from a client, in a path, a query or a body: a positive number that fits the
#: database's integer columns. Anything else is a 422 that says so, before any query.
Id = Annotated[int, Field(ge=1, le=MAX_INT)]
