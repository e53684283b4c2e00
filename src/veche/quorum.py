"""A body's quorum: the share of its voting rights a meeting needs present, read from its
written form ("2/3"), checked, and written back the same way, in one place.

A body stores it as two columns (``Body.quorum`` joins them into this value); the inputs
read it with ``Quorum.parse``, the actions give a body only a ``checked`` one, and the API,
the counting engine's options and the reports write it with ``str``: "2/3", as it was
given, not reduced.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from veche.errors import InvalidInput

#: How it is written: two whole numbers (ASCII digits) with a slash between.
_WRITTEN = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*", re.ASCII)


@dataclass(frozen=True)
class Quorum:
    """A share of the rights, from 0 to 1: ``numerator`` of every ``denominator``."""

    numerator: int
    denominator: int

    @classmethod
    def parse(cls, text: str) -> Quorum:
        """The quorum ``text`` writes ("2/3"), or InvalidInput saying how to write one;
        whether a body may take it is ``checked`` by the action that gives it."""
        written = _WRITTEN.fullmatch(text)
        if written is None:
            raise InvalidInput(f"write the quorum as a fraction such as 1/2 or 2/3, not {text!r}")
        return cls(int(written[1]), int(written[2]))

    def checked(self) -> Quorum:
        """The quorum, if a body may take it, or InvalidInput. Not nothing: the counting
        engine refuses a quorum of none, so no decision of the body could be counted."""
        if not 0 < self.numerator <= self.denominator:
            raise InvalidInput(
                f"the quorum must be a fraction between 0 and 1 (more than 0, at most 1), "
                f"not {self}"
            )
        return self

    def __str__(self) -> str:
        return f"{self.numerator}/{self.denominator}"

    @property
    def share(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    def required(self, rights: int) -> int:
        """How many of ``rights`` make a quorum: the share of them, rounded up, as the
        counting engine rounds it."""
        needed = self.share * rights
        return -(-needed.numerator // needed.denominator)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        # Answers read it from a row or a read model as it is, and write it as text.
        return core_schema.is_instance_schema(cls, serialization=core_schema.to_string_ser_schema())

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "description": 'a share of the members: "1/2"'}


#: A new body's quorum unless it is given another: half of the rights.
DEFAULT_QUORUM = Quorum(1, 2)
