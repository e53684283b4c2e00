"""a frozen period's record keeps each unit's line in a row of its own

A record of the second format (``veche frozen record 2``) held the goals at the whole
organization, the facts of the freeze, then one line a unit, in one row of ``frozen_record``:
at 10,000 units and 100 indicators some 100 MB, which a report card read whole for its one
unit. Each unit's line now has its own row (``frozen_unit_record``, one a unit and frozen
period); ``frozen_record`` keeps the first two lines. The hash in the journal is unchanged:
that of the lines joined in unit order.

Going up moves the unit lines of any record of the second format into their rows; going down
puts them back after the first two lines, so both ways keep every record as its freeze wrote
it, and ``veche verify`` passes either side.

Create Date: 2026-12-05 17:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0025"
down_revision: str | None = "0024"

_RECORDS = sa.table(
    "frozen_record",
    sa.column("id", sa.Integer()),
    sa.column("period_id", sa.Integer()),
    sa.column("figures", sa.Text()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_UNIT_LINES = sa.table(
    "frozen_unit_record",
    sa.column("period_id", sa.Integer()),
    sa.column("unit_id", sa.Integer()),
    sa.column("figures", sa.Text()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    ddl.create_table(
        "frozen_unit_record",
        ddl.reference("period_id", "reporting_period"),
        ddl.integer("unit_id"),
        ddl.text("figures"),
        ddl.timestamp("created_at"),
        unique=[["period_id", "unit_id"]],
    )
    connection = op.get_bind()
    kept = connection.execute(
        sa.select(_RECORDS.c.id, _RECORDS.c.period_id, _RECORDS.c.figures, _RECORDS.c.created_at)
    ).all()
    for record_id, period_id, figures, created_at in kept:
        head, facts, *units = figures.split("\n")
        if not units:
            continue  # the first format, or a tree of no units: nothing to move
        connection.execute(
            sa.insert(_UNIT_LINES),
            [
                # "[12,[…]]": the unit's id first.
                {
                    "period_id": period_id,
                    "unit_id": int(line[1 : line.index(",")]),
                    "figures": line,
                    "created_at": created_at,
                }
                for line in units
            ],
        )
        connection.execute(
            sa.update(_RECORDS).where(_RECORDS.c.id == record_id).values(figures=f"{head}\n{facts}")
        )


def downgrade() -> None:
    connection = op.get_bind()
    moved = connection.execute(
        sa.select(_UNIT_LINES.c.period_id, _UNIT_LINES.c.figures).order_by(
            _UNIT_LINES.c.period_id, _UNIT_LINES.c.unit_id
        )
    ).all()
    lines: dict[int, list[str]] = {}
    for period_id, line in moved:
        lines.setdefault(period_id, []).append(line)
    for period_id, units in lines.items():
        head = connection.scalar(
            sa.select(_RECORDS.c.figures).where(_RECORDS.c.period_id == period_id)
        )
        if head is not None:
            connection.execute(
                sa.update(_RECORDS)
                .where(_RECORDS.c.period_id == period_id)
                .values(figures="\n".join([head, *units]))
            )
    ddl.drop_table("frozen_unit_record")
