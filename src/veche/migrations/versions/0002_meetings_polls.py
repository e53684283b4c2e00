"""meetings, polls, ballots and API tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:23:37.984017
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "ordinary",
                "extraordinary",
                "enlarged",
                name="meeting_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "convened",
                "in_session",
                "closed",
                "report_published",
                name="meeting_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("venue", sa.String(length=300), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("convened_by_body_id", sa.Integer(), nullable=True),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["convened_by_body_id"], ["body.id"], name=op.f("fk_meeting_convened_by_body_id_body")
        ),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"], name=op.f("fk_meeting_term_id_term")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("term_id", "number", name=op.f("uq_meeting_term_id_number")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_meeting_term_id"), ["term_id"], unique=False)

    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "user_id IS NOT NULL OR person_id IS NOT NULL", name=op.f("ck_api_token_has_holder")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_api_token_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_token_person_id"), ["person_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_api_token_user_id"), ["user_id"], unique=False)

    op.create_table(
        "participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "alternate",
                "observer",
                name="participant_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("category", sa.String(length=200), nullable=False),
        sa.Column(
            "office",
            sa.Enum(
                "chair",
                "secretary",
                "teller",
                name="office",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=True,
        ),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_participant_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_participant_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_participant")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_participant_meeting_id_person_id")
        ),
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_participant_meeting_id"), ["meeting_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_participant_person_id"), ["person_id"], unique=False)

    op.create_table(
        "poll",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "decision",
                "choice",
                "election",
                name="poll_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("method", sa.String(length=40), nullable=False),
        sa.Column("method_options", sa.JSON(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Integer(), nullable=False),
        sa.Column(
            "secrecy",
            sa.Enum(
                "named",
                "secret",
                name="secrecy",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "revote",
            sa.Enum(
                "none",
                "last_counts",
                name="revote_policy",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                "published",
                "cancelled",
                name="poll_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("electronic", sa.Boolean(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_key", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("ballot_digest", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_poll_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll")),
    )
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_attendance_participant_id_participant"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("participant_id", "day", name=op.f("uq_attendance_participant_id_day")),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_day"), ["day"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attendance_participant_id"), ["participant_id"], unique=False
        )

    op.create_table(
        "ballot",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("choice", sa.JSON(), nullable=False),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "electronic",
                "paper",
                name="ballot_source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("voter_person_id", sa.Integer(), nullable=True),
        sa.Column("cast_by_person_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cast_by_person_id"], ["person.id"], name=op.f("fk_ballot_cast_by_person_id_person")
        ),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], name=op.f("fk_ballot_poll_id_poll")),
        sa.ForeignKeyConstraint(
            ["voter_person_id"], ["person.id"], name=op.f("fk_ballot_voter_person_id_person")
        ),
        sa.PrimaryKeyConstraint("poll_id", "receipt", name=op.f("pk_ballot")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "participation",
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("right_person_id", sa.Integer(), nullable=False),
        sa.Column("cast_by_person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "own",
                "proxy",
                "substitute",
                name="right_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("weight", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cast_by_person_id"],
            ["person.id"],
            name=op.f("fk_participation_cast_by_person_id_person"),
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["poll.id"], name=op.f("fk_participation_poll_id_poll")
        ),
        sa.ForeignKeyConstraint(
            ["right_person_id"], ["person.id"], name=op.f("fk_participation_right_person_id_person")
        ),
        sa.PrimaryKeyConstraint("poll_id", "right_person_id", name=op.f("pk_participation")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_participation_cast_by_person_id"), ["cast_by_person_id"], unique=False
        )

    op.create_table(
        "poll_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=300), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "nominated",
                "accepted",
                "withdrawn",
                name="option_status",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_poll_option_person_id_person")
        ),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], name=op.f("fk_poll_option_poll_id_poll")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_poll_option")),
        sa.UniqueConstraint("poll_id", "label", name=op.f("uq_poll_option_poll_id_label")),
    )
    with op.batch_alter_table("poll_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_poll_option_poll_id"), ["poll_id"], unique=False)

    op.create_table(
        "proxy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("grantor_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["grantor_id"], ["participant.id"], name=op.f("fk_proxy_grantor_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["participant.id"], name=op.f("fk_proxy_holder_id_participant")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_proxy_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proxy")),
        sa.UniqueConstraint("grantor_id", name=op.f("uq_proxy_grantor_id")),
    )
    with op.batch_alter_table("proxy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_proxy_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_proxy_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "substitution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("alternate_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alternate_id"],
            ["participant.id"],
            name=op.f("fk_substitution_alternate_id_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_substitution_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["participant.id"], name=op.f("fk_substitution_member_id_participant")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_substitution")),
        sa.UniqueConstraint("alternate_id", "day", name=op.f("uq_substitution_alternate_id_day")),
        sa.UniqueConstraint("member_id", "day", name=op.f("uq_substitution_member_id_day")),
    )
    with op.batch_alter_table("substitution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_substitution_meeting_id"), ["meeting_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("substitution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_substitution_meeting_id"))

    op.drop_table("substitution")
    with op.batch_alter_table("proxy", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_proxy_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_proxy_holder_id"))

    op.drop_table("proxy")
    with op.batch_alter_table("poll_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_option_poll_id"))

    op.drop_table("poll_option")
    with op.batch_alter_table("participation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participation_cast_by_person_id"))

    op.drop_table("participation")
    op.drop_table("ballot")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_participant_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_day"))

    op.drop_table("attendance")
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_poll_meeting_id"))

    op.drop_table("poll")
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_participant_person_id"))
        batch_op.drop_index(batch_op.f("ix_participant_meeting_id"))

    op.drop_table("participant")
    with op.batch_alter_table("api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_token_user_id"))
        batch_op.drop_index(batch_op.f("ix_api_token_person_id"))

    op.drop_table("api_token")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_term_id"))

    op.drop_table("meeting")
