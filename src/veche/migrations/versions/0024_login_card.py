"""a card login names its card

A login made with an access card now records the card (``login_session.access_code_id``), so
that reprinting one card ends the logins made with that card alone. Before, it ended every card
login of its holder, in all their meetings. Logins made before keep no card: reprinting any
card of their holder still ends them, as it did, until they expire.

Create Date: 2026-12-05 11:00:00.000000
"""

from alembic import op

from veche.migrations import ddl

revision: str = "0024"
down_revision: str | None = "0023"


def upgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.add_column(ddl.integer("access_code_id", nullable=True))
        batch_op.create_index(ddl.index_name("login_session", "access_code_id"), ["access_code_id"])
        batch_op.create_foreign_key(
            op.f("fk_login_session_access_code_id_access_code"),
            "access_code",
            ["access_code_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_constraint(
            op.f("fk_login_session_access_code_id_access_code"), type_="foreignkey"
        )
        batch_op.drop_index(ddl.index_name("login_session", "access_code_id"))
        batch_op.drop_column("access_code_id")
