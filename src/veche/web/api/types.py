"""Types the API's routes share: numbers from a client that the database can hold, and the
paging of long lists."""

from __future__ import annotations

from typing import Annotated, Any, Self

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field

from veche.ids import Id as Id  # the routes' ids, with the queries' filters
from veche.models.base import MAX_INT

#: How many rows a page of a long list holds at most; each list gives its own default.
PageLimit = Annotated[int, Field(ge=1, le=500)]


class Page(BaseModel):
    """A page of a long list, as its query string asks for it (``PageQuery``): at most
    ``limit`` rows, after the first ``offset``."""

    limit: PageLimit = 100
    offset: int = Field(default=0, ge=0, le=MAX_INT)


#: A route's parameter for the page of its list that the query string asks for.
PageQuery = Annotated[Page, Query()]


class FromAttributes(BaseModel):
    """An answer read from the attributes of a row or a read model:
    ``Out.model_validate(row)``."""

    model_config = ConfigDict(from_attributes=True)

    @classmethod
    def read(cls, row: object, **computed: Any) -> Self:
        """An answer read from ``row``'s attributes of the fields' names, but for the fields
        ``computed`` apart."""
        read = {name: getattr(row, name) for name in cls.model_fields if name not in computed}
        return cls(**read, **computed)
