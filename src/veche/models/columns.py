"""Column declarations the tables share: the row's id, a reference to another table's row,
and portable enums.

The references are typed aliases (``Annotated``): ``meeting_id: Mapped[MeetingId]`` is an
integer column with a foreign key to ``meeting.id``, nullable when written
``Mapped[MeetingId | None]``; a ``mapped_column(...)`` beside it adds to it (``index=True``,
``primary_key=True``). Types that follow from the annotation alone (``int``, ``bool``,
``date``, ``bytes``, and ``datetime`` in UTC, see ``Base``) are not repeated.
"""

from __future__ import annotations

import enum
from typing import Annotated

from sqlalchemy import Enum, ForeignKey
from sqlalchemy.orm import mapped_column

#: The row's own number, its primary key.
Id = Annotated[int, mapped_column(primary_key=True)]

AgendaItemId = Annotated[int, mapped_column(ForeignKey("agenda_item.id"))]
BodyId = Annotated[int, mapped_column(ForeignKey("body.id"))]
ContributionId = Annotated[int, mapped_column(ForeignKey("contribution.id"))]
CycleId = Annotated[int, mapped_column(ForeignKey("reporting_cycle.id"))]
GoalId = Annotated[int, mapped_column(ForeignKey("goal.id"))]
IndicatorId = Annotated[int, mapped_column(ForeignKey("indicator.id"))]
MeetingId = Annotated[int, mapped_column(ForeignKey("meeting.id"))]
MotionId = Annotated[int, mapped_column(ForeignKey("motion.id"))]
OrganizationId = Annotated[int, mapped_column(ForeignKey("organization.id"))]
PanelId = Annotated[int, mapped_column(ForeignKey("panel.id"))]
ParticipantId = Annotated[int, mapped_column(ForeignKey("participant.id"))]
PeriodId = Annotated[int, mapped_column(ForeignKey("reporting_period.id"))]
PersonId = Annotated[int, mapped_column(ForeignKey("person.id"))]
PollId = Annotated[int, mapped_column(ForeignKey("poll.id"))]
ReportId = Annotated[int, mapped_column(ForeignKey("progress_report.id"))]
ResolutionId = Annotated[int, mapped_column(ForeignKey("resolution.id"))]
RoleId = Annotated[int, mapped_column(ForeignKey("role.id"))]
SittingId = Annotated[int, mapped_column(ForeignKey("sitting.id"))]
TermId = Annotated[int, mapped_column(ForeignKey("term.id"))]
UnitId = Annotated[int, mapped_column(ForeignKey("unit.id"))]
UserId = Annotated[int, mapped_column(ForeignKey("user_account.id"))]


def enum_type(kind: type[enum.StrEnum], name: str, *, length: int = 24) -> Enum:
    """A portable enum column: text with a CHECK constraint, the same on SQLite and PostgreSQL."""
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=length,
        values_callable=lambda members: [m.value for m in members],
    )
