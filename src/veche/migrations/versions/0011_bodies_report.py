"""reports, motions and panels as bodies work

A body may give a report with no person named to present it: a contribution's speaker becomes
optional, and a check keeps a contribution with neither a speaker nor a body out. A panel may
have several chairs, in order (``panel_chair``): each panel's one chair becomes its first,
and ``panel.chair_person_id`` goes.

Going down keeps a panel's first chair, and refuses while a contribution has no speaker:
name one (or delete the contribution) first.

Create Date: 2026-12-04 14:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0011"
down_revision: str | None = "0010"

_HAS_GIVER = "speaker_person_id IS NOT NULL OR on_behalf_of_body_id IS NOT NULL"


def upgrade() -> None:
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.alter_column("speaker_person_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_check_constraint(op.f("ck_contribution_has_giver"), _HAS_GIVER)
    ddl.create_table(
        "panel_chair",
        ddl.reference("panel_id", "panel"),
        ddl.reference("person_id", "person"),
        ddl.integer("position"),
        primary_key=["panel_id", "person_id"],
    )
    op.execute(
        "INSERT INTO panel_chair (panel_id, person_id, position) "
        "SELECT id, chair_person_id, 1 FROM panel WHERE chair_person_id IS NOT NULL"
    )
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_panel_chair_person_id_person"), type_="foreignkey")
        batch_op.drop_column("chair_person_id")


def downgrade() -> None:
    given_by_body = op.get_bind().scalar(
        sa.text("SELECT min(id) FROM contribution WHERE speaker_person_id IS NULL")
    )
    if given_by_body is not None:
        raise RuntimeError(
            f"contribution {given_by_body} has no speaker, which revision 0010 cannot hold; "
            "name the person who presented it (or delete it) before going down"
        )
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chair_person_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_panel_chair_person_id_person"), "person", ["chair_person_id"], ["id"]
        )
    op.execute(
        "UPDATE panel SET chair_person_id = (SELECT person_id FROM panel_chair "
        "WHERE panel_chair.panel_id = panel.id AND panel_chair.position = 1)"
    )
    ddl.drop_table("panel_chair")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_contribution_has_giver"), type_="check")
        batch_op.alter_column("speaker_person_id", existing_type=sa.Integer(), nullable=False)
