"""proceedings: presidium, sittings, agenda, speakers, motions, panels, resolutions, documents

Create Date: 2026-11-27 02:35:42.766840
"""

import sqlalchemy as sa
from alembic import op

from veche.migrations import ddl

revision: str = "0003"
down_revision: str | None = "0002"


def upgrade() -> None:
    ddl.create_table(
        "agenda_item",
        ddl.reference("meeting_id", "meeting"),
        ddl.integer("position"),
        ddl.string("title", 500),
        ddl.text("description"),
        ddl.enum("kind", "item_kind", ["report", "motion", "election", "information"]),
        ddl.enum("state", "item_state", ["planned", "withdrawn", "open", "closed"]),
        ddl.reference("rapporteur_person_id", "person", nullable=True),
        ddl.reference("rapporteur_body_id", "body", nullable=True),
        ddl.integer("time_budget_minutes"),
        ddl.integer("speech_seconds"),
        ddl.integer("speeches_per_person"),
        ddl.boolean("speakers_list_closed"),
        ddl.timestamp("created_at"),
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "panel",
        ddl.reference("meeting_id", "meeting"),
        ddl.string("name", 300),
        ddl.reference("chair_person_id", "person", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "name"]],
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "sitting",
        ddl.reference("meeting_id", "meeting"),
        ddl.integer("number"),
        ddl.date("day"),
        ddl.reference("chair_person_id", "person"),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "number"]],
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "contribution",
        ddl.reference("agenda_item_id", "agenda_item"),
        ddl.reference("sitting_id", "sitting", nullable=True),
        ddl.integer("position"),
        ddl.enum("kind", "contribution_kind", ["report", "co_report", "speech", "point_of_order"]),
        ddl.reference("speaker_person_id", "person"),
        ddl.reference("on_behalf_of_body_id", "body", nullable=True),
        ddl.string("title", 500),
        ddl.text("summary"),
        ddl.text("full_text"),
        ddl.integer("seconds_used", nullable=True),
        ddl.timestamp("created_at"),
        indexed=["agenda_item_id", "speaker_person_id"],
    )
    ddl.create_table(
        "motion",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("agenda_item_id", "agenda_item", nullable=True),
        ddl.integer("number"),
        ddl.string("title", 500),
        ddl.reference("submitter_body_id", "body", nullable=True),
        ddl.enum("state", "motion_state", ["draft", "final", "adopted", "rejected", "withdrawn"]),
        ddl.integer("current_version"),
        ddl.text("panel_outcome"),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "number"]],
        indexed=["agenda_item_id", "meeting_id"],
    )
    ddl.create_table(
        "panel_item",
        ddl.reference("panel_id", "panel"),
        ddl.reference("agenda_item_id", "agenda_item"),
        primary_key=["panel_id", "agenda_item_id"],
    )
    ddl.create_table(
        "panel_member",
        ddl.reference("panel_id", "panel"),
        ddl.reference("person_id", "person"),
        primary_key=["panel_id", "person_id"],
    )
    ddl.create_table(
        "amendment",
        ddl.reference("motion_id", "motion"),
        ddl.integer("number"),
        ddl.integer("base_version"),
        ddl.integer("paragraph", nullable=True),
        ddl.integer("first_line", nullable=True),
        ddl.integer("last_line", nullable=True),
        ddl.text("original_text"),
        ddl.text("new_text"),
        ddl.text("reason"),
        ddl.reference("proposer_person_id", "person", nullable=True),
        ddl.reference("panel_id", "panel", nullable=True),
        ddl.enum("state", "amendment_state", ["proposed", "accepted", "merged", "rejected"]),
        ddl.text("merged_text", nullable=True),
        ddl.integer("result_version", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["motion_id", "number"]],
        indexed=["motion_id"],
    )
    ddl.create_table(
        "document",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("agenda_item_id", "agenda_item", nullable=True),
        ddl.reference("contribution_id", "contribution", nullable=True),
        ddl.string("title", 300),
        ddl.string("url", 1000),
        ddl.text("text"),
        ddl.timestamp("created_at"),
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "floor_request",
        ddl.reference("agenda_item_id", "agenda_item"),
        ddl.reference("person_id", "person"),
        ddl.enum("kind", "floor_kind", ["speech", "point_of_order"]),
        ddl.enum("state", "floor_state", ["waiting", "spoken", "withdrawn"]),
        ddl.integer("position"),
        ddl.integer("time_limit_seconds"),
        ddl.string("subject", 300),
        ddl.reference("contribution_id", "contribution", nullable=True),
        ddl.timestamp("created_at"),
        indexed=["agenda_item_id"],
    )
    ddl.create_table(
        "motion_sponsor",
        ddl.reference("motion_id", "motion"),
        ddl.reference("person_id", "person"),
        ddl.enum("role", "sponsor_role", ["submitter", "supporter"]),
        ddl.integer("position"),
        primary_key=["motion_id", "person_id"],
    )
    ddl.create_table(
        "motion_version",
        ddl.reference("motion_id", "motion"),
        ddl.integer("number"),
        ddl.text("text"),
        ddl.string("note", 300),
        ddl.timestamp("created_at"),
        unique=[["motion_id", "number"]],
        indexed=["motion_id"],
    )
    ddl.create_table(
        "recommendation",
        ddl.reference("panel_id", "panel"),
        ddl.reference("motion_id", "motion"),
        ddl.text("text"),
        ddl.timestamp("created_at"),
        indexed=["motion_id", "panel_id"],
    )
    ddl.create_table(
        "presidium_member",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("person_id", "person"),
        ddl.integer("position"),
        ddl.enum("source", "presidium_source", ["formed", "elected"]),
        ddl.reference("formed_by_body_id", "body", nullable=True),
        ddl.reference("poll_id", "poll", nullable=True),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "person_id"]],
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "resolution",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("motion_id", "motion"),
        ddl.reference("poll_id", "poll"),
        ddl.integer("number"),
        ddl.string("title", 500),
        ddl.text("text"),
        ddl.string("result", 200),
        ddl.integer("votes_yes"),
        ddl.integer("votes_no"),
        ddl.integer("votes_abstain"),
        ddl.date("effective_on"),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "number"], ["motion_id"]],
        indexed=["meeting_id"],
    )
    with op.batch_alter_table("poll", schema=None) as batch_op:
        batch_op.add_column(ddl.boolean("approves_agenda", server_default=sa.false()))
        batch_op.add_column(ddl.integer("agenda_item_id", nullable=True))
        batch_op.add_column(ddl.integer("motion_id", nullable=True))
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
    ddl.drop_table("resolution")
    ddl.drop_table("presidium_member")
    ddl.drop_table("recommendation")
    ddl.drop_table("motion_version")
    ddl.drop_table("motion_sponsor")
    ddl.drop_table("floor_request")
    ddl.drop_table("document")
    ddl.drop_table("amendment")
    ddl.drop_table("panel_member")
    ddl.drop_table("panel_item")
    ddl.drop_table("motion")
    ddl.drop_table("contribution")
    ddl.drop_table("sitting")
    ddl.drop_table("panel")
    ddl.drop_table("agenda_item")
