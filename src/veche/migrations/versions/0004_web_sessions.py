"""login sessions, one-time access codes, failed logins and the site key

Create Date: 2026-11-27 02:35:23.809839
"""

from veche.migrations import ddl

revision: str = "0004"
down_revision: str | None = "0003"


def upgrade() -> None:
    ddl.create_table(
        "login_failure",
        ddl.string("account", 120),
        ddl.string("address", 64),
        ddl.timestamp("failed_at"),
        indexed=["account", "address", "failed_at"],
    )
    ddl.create_table(
        "site_key",
        ddl.string("name", 40),
        ddl.string("value", 128),
        primary_key=["name"],
    )
    ddl.create_table(
        "access_code",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("person_id", "person"),
        ddl.string("code_hash", 64),
        ddl.timestamp("used_at", nullable=True),
        ddl.timestamp("revoked_at", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["code_hash"]],
        indexed=["meeting_id", "person_id"],
    )
    ddl.create_table(
        "login_session",
        ddl.string("token_hash", 64),
        ddl.reference("user_id", "user_account", nullable=True),
        ddl.reference("person_id", "person", nullable=True),
        ddl.timestamp("expires_at"),
        ddl.timestamp("created_at"),
        checks={"has_holder": "user_id IS NOT NULL OR person_id IS NOT NULL"},
        unique=[["token_hash"]],
        indexed=["person_id", "user_id"],
    )


def downgrade() -> None:
    ddl.drop_table("login_session")
    ddl.drop_table("access_code")
    ddl.drop_table("site_key")
    ddl.drop_table("login_failure")
