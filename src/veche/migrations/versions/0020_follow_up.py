"""the follow-up of resolutions: goals, assignments, indicators, targets, cycles, reports

Goals come from resolutions (sub-goals to any depth), are given to units and measured by
indicators with targets per unit and period; reporting cycles of a term hold periods, and a
unit files one progress report per period. Figures are exact: NUMERIC(18, 4).

Three permissions join the roles: ``follow_up.manage`` (administrator, secretary),
``follow_up.read`` (administrator, chair, secretary) and ``follow_up.report``
(administrator, and a new role, the unit reporter, granted per unit). Going down takes them
back, and the reporter's role with its grants unless it grants something else by then.

Create Date: 2026-12-05 10:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0020"
down_revision: str | None = "0011"

_DIGITS, _PLACES = 18, 4
_STATUSES = ["not_started", "on_track", "at_risk", "off_track", "done", "dropped", "superseded"]

#: (permission, the roles that hold it) as this revision grants them.
_GRANTED = (
    ("follow_up.manage", ("administrator", "secretary")),
    ("follow_up.read", ("administrator", "chair", "secretary")),
    ("follow_up.report", ("administrator", "reporter")),
)
_REPORTER = ("reporter", "Reporter")


def _figure(name: str, *, nullable: bool = False) -> ddl.Column:
    return ddl.numeric(name, _DIGITS, _PLACES, nullable=nullable)


def upgrade() -> None:
    ddl.create_table(
        "goal",
        ddl.reference("resolution_id", "resolution"),
        ddl.reference("parent_id", "goal", nullable=True),
        ddl.integer("number"),
        ddl.string("title", 500),
        ddl.text("description"),
        ddl.integer("paragraph", nullable=True),
        ddl.integer("first_line", nullable=True),
        ddl.integer("last_line", nullable=True),
        ddl.text("clause_text"),
        ddl.reference("owner_body_id", "body"),
        ddl.date("due_on", nullable=True),
        ddl.enum("kind", "goal_kind", ["action", "outcome", "standing"]),
        _figure("weight"),
        ddl.enum("status", "goal_status", _STATUSES, nullable=True),
        ddl.text("status_reason"),
        ddl.timestamp("created_at"),
        checks={"positive_weight": "weight > 0"},
        indexed=["resolution_id", "parent_id", "owner_body_id"],
    )
    ddl.create_table(
        "goal_assignment",
        ddl.reference("goal_id", "goal"),
        ddl.reference("unit_id", "unit"),
        ddl.enum("role", "assignment_role", ["lead", "contributing"]),
        ddl.reference("responsible_person_id", "person", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["goal_id", "unit_id"]],
        indexed=["unit_id"],
    )
    ddl.create_table(
        "indicator",
        ddl.reference("goal_id", "goal"),
        ddl.integer("number"),
        ddl.string("name", 300),
        ddl.enum("measure", "measure", ["count", "amount", "percent", "milestone"]),
        ddl.string("unit_label", 40),
        ddl.enum("direction", "direction", ["up", "down", "within"]),
        _figure("band_low", nullable=True),
        _figure("band_high", nullable=True),
        _figure("baseline_value"),
        ddl.date("baseline_on", nullable=True),
        _figure("target_value", nullable=True),
        ddl.date("target_on", nullable=True),
        ddl.enum(
            "rollup",
            "rollup_rule",
            ["sum", "mean", "weighted_mean", "min", "max", "latest", "share_on_target"],
        ),
        _figure("share_needed"),
        _figure("weight"),
        ddl.timestamp("created_at"),
        checks={
            "positive_weight": "weight > 0",
            "positive_share_needed": "share_needed > 0",
        },
        unique=[["goal_id", "number"]],
    )
    ddl.create_table(
        "indicator_weight",
        ddl.reference("indicator_id", "indicator"),
        ddl.reference("unit_id", "unit"),
        _figure("weight"),
        checks={"positive_weight": "weight > 0"},
        primary_key=["indicator_id", "unit_id"],
        indexed=["unit_id"],
    )
    ddl.create_table(
        "reporting_cycle",
        ddl.reference("term_id", "term"),
        ddl.string("name", 200),
        ddl.timestamp("created_at"),
        unique=[["term_id", "name"]],
    )
    ddl.create_table(
        "reporting_period",
        ddl.reference("cycle_id", "reporting_cycle"),
        ddl.string("name", 200),
        ddl.date("starts_on"),
        ddl.date("ends_on"),
        ddl.date("due_on"),
        ddl.enum("state", "period_state", ["open", "closed", "frozen"]),
        ddl.string("figures_hash", 64, nullable=True),
        ddl.timestamp("created_at"),
        checks={"ordered_dates": "starts_on <= ends_on"},
        unique=[["cycle_id", "name"]],
    )
    ddl.create_table(
        "indicator_target",
        ddl.reference("indicator_id", "indicator"),
        ddl.reference("period_id", "reporting_period"),
        ddl.reference("unit_id", "unit"),
        _figure("value"),
        _figure("baseline", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["indicator_id", "period_id", "unit_id"]],
        indexed=["period_id", "unit_id"],
    )
    ddl.create_table(
        "progress_report",
        ddl.reference("period_id", "reporting_period"),
        ddl.reference("unit_id", "unit"),
        ddl.enum("state", "report_state", ["draft", "submitted", "returned", "accepted", "locked"]),
        ddl.text("narrative"),
        ddl.text("return_reason"),
        ddl.timestamp("submitted_at", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["period_id", "unit_id"]],
        indexed=["unit_id"],
    )
    ddl.create_table(
        "report_value",
        ddl.reference("report_id", "progress_report"),
        ddl.reference("indicator_id", "indicator"),
        _figure("value"),
        primary_key=["report_id", "indicator_id"],
        indexed=["indicator_id"],
    )
    ddl.create_table(
        "report_goal_status",
        ddl.reference("report_id", "progress_report"),
        ddl.reference("goal_id", "goal"),
        ddl.enum("status", "reported_status", _STATUSES),
        ddl.text("reason"),
        checks={"reason_given": "status IN ('not_started', 'on_track') OR reason <> ''"},
        primary_key=["report_id", "goal_id"],
        indexed=["goal_id"],
    )
    _grant_permissions()


def _grant_permissions() -> None:
    """The reporter's role (unless an administrator made one of that name already), and each
    permission for the roles that hold it (a role that no longer exists is left out)."""
    connection = op.get_bind()
    role = sa.table("role", sa.column("id"), sa.column("name"), sa.column("label"))
    held = sa.table("role_permission", sa.column("role_id"), sa.column("permission"))
    name, label = _REPORTER
    if connection.scalar(sa.select(role.c.id).where(role.c.name == name)) is None:
        connection.execute(
            sa.table("role", sa.column("name"), sa.column("label"), sa.column("created_at"))
            .insert()
            .values(name=name, label=label, created_at=sa.func.now())
        )
    ids: dict[str, int] = {row.name: row.id for row in connection.execute(sa.select(role))}
    for permission, roles in _GRANTED:
        for holder in roles:
            role_id = ids.get(holder)
            granted = sa.select(held.c.role_id).where(
                held.c.role_id == role_id, held.c.permission == permission
            )
            if role_id is not None and connection.scalar(granted) is None:
                connection.execute(held.insert().values(role_id=role_id, permission=permission))


def downgrade() -> None:
    granted = ", ".join(f"'{permission}'" for permission, _roles in _GRANTED)
    op.execute(f"DELETE FROM role_permission WHERE permission IN ({granted})")
    # The reporter's role goes with its grants, unless it was given something else meanwhile.
    unused = (
        "SELECT id FROM role WHERE name = 'reporter' AND NOT EXISTS "
        "(SELECT 1 FROM role_permission WHERE role_permission.role_id = role.id)"
    )
    op.execute(f"DELETE FROM role_grant WHERE role_id IN ({unused})")
    op.execute(f"DELETE FROM role WHERE id IN ({unused})")
    for table in (
        "report_goal_status",
        "report_value",
        "progress_report",
        "indicator_target",
        "reporting_period",
        "reporting_cycle",
        "indicator_weight",
        "indicator",
        "goal_assignment",
        "goal",
    ):
        ddl.drop_table(table)
