"""proceedings: presidium, sittings, agenda, speakers, motions, panels, resolutions, documents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 02:35:42.766840
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report",
                "motion",
                "election",
                "information",
                name="item_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "planned",
                "withdrawn",
                "open",
                "closed",
                name="item_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("rapporteur_person_id", sa.Integer(), nullable=True),
        sa.Column("rapporteur_body_id", sa.Integer(), nullable=True),
        sa.Column("time_budget_minutes", sa.Integer(), nullable=False),
        sa.Column("speech_seconds", sa.Integer(), nullable=False),
        sa.Column("speeches_per_person", sa.Integer(), nullable=False),
        sa.Column("speakers_list_closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_agenda_item_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["rapporteur_body_id"], ["body.id"], name=op.f("fk_agenda_item_rapporteur_body_id_body")
        ),
        sa.ForeignKeyConstraint(
            ["rapporteur_person_id"],
            ["person.id"],
            name=op.f("fk_agenda_item_rapporteur_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_item")),
    )
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agenda_item_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "panel",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("chair_person_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_person_id"], ["person.id"], name=op.f("fk_panel_chair_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_panel_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_panel")),
        sa.UniqueConstraint("meeting_id", "name", name=op.f("uq_panel_meeting_id_name")),
    )
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_panel_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "sitting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("chair_person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_person_id"], ["person.id"], name=op.f("fk_sitting_chair_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_sitting_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sitting")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_sitting_meeting_id_number")),
    )
    with op.batch_alter_table("sitting", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sitting_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "contribution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("sitting_id", sa.Integer(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "report",
                "co_report",
                "speech",
                "point_of_order",
                name="contribution_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("speaker_person_id", sa.Integer(), nullable=False),
        sa.Column("on_behalf_of_body_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("full_text", sa.Text(), nullable=False),
        sa.Column("seconds_used", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_contribution_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["on_behalf_of_body_id"],
            ["body.id"],
            name=op.f("fk_contribution_on_behalf_of_body_id_body"),
        ),
        sa.ForeignKeyConstraint(
            ["sitting_id"], ["sitting.id"], name=op.f("fk_contribution_sitting_id_sitting")
        ),
        sa.ForeignKeyConstraint(
            ["speaker_person_id"],
            ["person.id"],
            name=op.f("fk_contribution_speaker_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contribution")),
    )
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_contribution_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_contribution_speaker_person_id"), ["speaker_person_id"], unique=False
        )

    op.create_table(
        "motion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("submitter_body_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "final",
                "adopted",
                "rejected",
                "withdrawn",
                name="motion_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("panel_outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_motion_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_motion_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["submitter_body_id"], ["body.id"], name=op.f("fk_motion_submitter_body_id_body")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_motion_meeting_id_number")),
    )
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_motion_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_motion_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "panel_item",
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_panel_item_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_panel_item_panel_id_panel")
        ),
        sa.PrimaryKeyConstraint("panel_id", "agenda_item_id", name=op.f("pk_panel_item")),
    )
    op.create_table(
        "panel_member",
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_panel_member_panel_id_panel")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_panel_member_person_id_person")
        ),
        sa.PrimaryKeyConstraint("panel_id", "person_id", name=op.f("pk_panel_member")),
    )
    op.create_table(
        "amendment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=True),
        sa.Column("first_line", sa.Integer(), nullable=True),
        sa.Column("last_line", sa.Integer(), nullable=True),
        sa.Column("original_text", sa.Text(), nullable=False),
        sa.Column("new_text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("proposer_person_id", sa.Integer(), nullable=True),
        sa.Column("panel_id", sa.Integer(), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "proposed",
                "accepted",
                "merged",
                "rejected",
                name="amendment_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("merged_text", sa.Text(), nullable=True),
        sa.Column("result_version", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motion.id"], name=op.f("fk_amendment_motion_id_motion")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_amendment_panel_id_panel")
        ),
        sa.ForeignKeyConstraint(
            ["proposer_person_id"],
            ["person.id"],
            name=op.f("fk_amendment_proposer_person_id_person"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_amendment")),
        sa.UniqueConstraint("motion_id", "number", name=op.f("uq_amendment_motion_id_number")),
    )
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_amendment_motion_id"), ["motion_id"], unique=False)

    op.create_table(
        "document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_document_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_document_contribution_id_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_document_meeting_id_meeting")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_document_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "floor_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "speech",
                "point_of_order",
                name="floor_kind",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "waiting",
                "spoken",
                "withdrawn",
                name="floor_state",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("time_limit_seconds", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_item_id"],
            ["agenda_item.id"],
            name=op.f("fk_floor_request_agenda_item_id_agenda_item"),
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_floor_request_contribution_id_contribution"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_floor_request_person_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_floor_request")),
    )
    with op.batch_alter_table("floor_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_floor_request_agenda_item_id"), ["agenda_item_id"], unique=False
        )

    op.create_table(
        "motion_sponsor",
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "submitter",
                "supporter",
                name="sponsor_role",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motion.id"], name=op.f("fk_motion_sponsor_motion_id_motion")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_motion_sponsor_person_id_person")
        ),
        sa.PrimaryKeyConstraint("motion_id", "person_id", name=op.f("pk_motion_sponsor")),
    )
    op.create_table(
        "motion_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("note", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motion.id"], name=op.f("fk_motion_version_motion_id_motion")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_motion_version")),
        sa.UniqueConstraint("motion_id", "number", name=op.f("uq_motion_version_motion_id_number")),
    )
    with op.batch_alter_table("motion_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_motion_version_motion_id"), ["motion_id"], unique=False
        )

    op.create_table(
        "recommendation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("panel_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motion.id"], name=op.f("fk_recommendation_motion_id_motion")
        ),
        sa.ForeignKeyConstraint(
            ["panel_id"], ["panel.id"], name=op.f("fk_recommendation_panel_id_panel")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation")),
    )
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recommendation_motion_id"), ["motion_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_recommendation_panel_id"), ["panel_id"], unique=False)

    op.create_table(
        "presidium_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "formed",
                "elected",
                name="presidium_source",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("formed_by_body_id", sa.Integer(), nullable=True),
        sa.Column("poll_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["formed_by_body_id"],
            ["body.id"],
            name=op.f("fk_presidium_member_formed_by_body_id_body"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_presidium_member_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_presidium_member_person_id_person")
        ),
        sa.ForeignKeyConstraint(
            ["poll_id"], ["poll.id"], name=op.f("fk_presidium_member_poll_id_poll")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presidium_member")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_presidium_member_meeting_id_person_id")
        ),
    )
    with op.batch_alter_table("presidium_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_presidium_member_meeting_id"), ["meeting_id"], unique=False
        )

    op.create_table(
        "resolution",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("motion_id", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("result", sa.String(length=200), nullable=False),
        sa.Column("votes_yes", sa.Integer(), nullable=False),
        sa.Column("votes_no", sa.Integer(), nullable=False),
        sa.Column("votes_abstain", sa.Integer(), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meeting.id"], name=op.f("fk_resolution_meeting_id_meeting")
        ),
        sa.ForeignKeyConstraint(
            ["motion_id"], ["motion.id"], name=op.f("fk_resolution_motion_id_motion")
        ),
        sa.ForeignKeyConstraint(["poll_id"], ["poll.id"], name=op.f("fk_resolution_poll_id_poll")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution")),
        sa.UniqueConstraint("meeting_id", "number", name=op.f("uq_resolution_meeting_id_number")),
        sa.UniqueConstraint("motion_id", name=op.f("uq_resolution_motion_id")),
    )
    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_resolution_meeting_id"), ["meeting_id"], unique=False)

    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("approves_agenda", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("agenda_item_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("motion_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_poll_agenda_item_id"), ["agenda_item_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_poll_motion_id"), ["motion_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_poll_motion_id_motion"), "motion", ["motion_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_poll_agenda_item_id_agenda_item"),
            "agenda_item",
            ["agenda_item_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_poll_agenda_item_id_agenda_item"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_poll_motion_id_motion"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_poll_motion_id"))
        batch_op.drop_index(batch_op.f("ix_poll_agenda_item_id"))
        batch_op.drop_column("motion_id")
        batch_op.drop_column("agenda_item_id")
        batch_op.drop_column("approves_agenda")

    with op.batch_alter_table("resolution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resolution_meeting_id"))

    op.drop_table("resolution")
    with op.batch_alter_table("presidium_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presidium_member_meeting_id"))

    op.drop_table("presidium_member")
    with op.batch_alter_table("recommendation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recommendation_panel_id"))
        batch_op.drop_index(batch_op.f("ix_recommendation_motion_id"))

    op.drop_table("recommendation")
    with op.batch_alter_table("motion_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_motion_version_motion_id"))

    op.drop_table("motion_version")
    op.drop_table("motion_sponsor")
    with op.batch_alter_table("floor_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_floor_request_agenda_item_id"))

    op.drop_table("floor_request")
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_document_meeting_id"))

    op.drop_table("document")
    with op.batch_alter_table("amendment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_amendment_motion_id"))

    op.drop_table("amendment")
    op.drop_table("panel_member")
    op.drop_table("panel_item")
    with op.batch_alter_table("motion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_motion_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_motion_agenda_item_id"))

    op.drop_table("motion")
    with op.batch_alter_table("contribution", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contribution_speaker_person_id"))
        batch_op.drop_index(batch_op.f("ix_contribution_agenda_item_id"))

    op.drop_table("contribution")
    with op.batch_alter_table("sitting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sitting_meeting_id"))

    op.drop_table("sitting")
    with op.batch_alter_table("panel", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_panel_meeting_id"))

    op.drop_table("panel")
    with op.batch_alter_table("agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agenda_item_meeting_id"))

    op.drop_table("agenda_item")
