"""Numbers that count up from 1 among their kind: motions, amendments, resolutions, proposals."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session


def next_number(
    session: Session, number: InstrumentedAttribute[int], *among: ColumnElement[bool]
) -> int:
    """One past the highest ``number`` of the rows ``among`` picks; 1 for the first of them."""
    return (session.scalar(select(func.max(number)).where(*among)) or 0) + 1
