"""meetings, polls, ballots and API tokens

Create Date: 2026-11-27 02:23:37.984017
"""

from veche.migrations import ddl

revision: str = "0002"
down_revision: str | None = "0001"


def upgrade() -> None:
    ddl.create_table(
        "meeting",
        ddl.reference("term_id", "term"),
        ddl.integer("number"),
        ddl.string("title", 300),
        ddl.enum("kind", "meeting_kind", ["ordinary", "extraordinary", "enlarged"]),
        ddl.enum(
            "state",
            "meeting_state",
            ["draft", "convened", "in_session", "closed", "report_published"],
        ),
        ddl.string("venue", 300),
        ddl.date("starts_on"),
        ddl.date("ends_on"),
        ddl.reference("convened_by_body_id", "body", nullable=True),
        ddl.text("notice"),
        ddl.timestamp("created_at"),
        unique=[["term_id", "number"]],
        indexed=["term_id"],
    )
    ddl.create_table(
        "api_token",
        ddl.string("token_hash", 64),
        ddl.reference("user_id", "user_account", nullable=True),
        ddl.reference("person_id", "person", nullable=True),
        ddl.string("label", 100),
        ddl.timestamp("created_at"),
        checks={"has_holder": "user_id IS NOT NULL OR person_id IS NOT NULL"},
        unique=[["token_hash"]],
        indexed=["person_id", "user_id"],
    )
    ddl.create_table(
        "participant",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("person_id", "person"),
        ddl.enum("role", "participant_role", ["member", "alternate", "observer"]),
        ddl.string("category", 200),
        ddl.enum("office", "office", ["chair", "secretary", "teller"], nullable=True),
        ddl.integer("weight"),
        ddl.timestamp("created_at"),
        unique=[["meeting_id", "person_id"]],
        indexed=["meeting_id", "person_id"],
    )
    ddl.create_table(
        "poll",
        ddl.reference("meeting_id", "meeting"),
        ddl.string("title", 300),
        ddl.text("description"),
        ddl.enum("kind", "poll_kind", ["decision", "choice", "election"]),
        ddl.string("method", 40),
        ddl.json("method_options"),
        ddl.integer("seats"),
        ddl.integer("max_score"),
        ddl.enum("secrecy", "secrecy", ["named", "secret"]),
        ddl.enum("revote", "revote_policy", ["none", "last_counts"]),
        ddl.enum("state", "poll_state", ["draft", "open", "closed", "published", "cancelled"]),
        ddl.boolean("electronic"),
        ddl.date("day", nullable=True),
        ddl.timestamp("opened_at", nullable=True),
        ddl.timestamp("closed_at", nullable=True),
        ddl.timestamp("published_at", nullable=True),
        ddl.string("receipt_key", 64),
        ddl.json("result", nullable=True),
        ddl.text("outcome", nullable=True),
        ddl.string("ballot_digest", 64, nullable=True),
        ddl.timestamp("created_at"),
        indexed=["meeting_id"],
    )
    ddl.create_table(
        "attendance",
        ddl.reference("participant_id", "participant"),
        ddl.date("day"),
        ddl.timestamp("checked_in_at"),
        ddl.timestamp("checked_out_at", nullable=True),
        unique=[["participant_id", "day"]],
        indexed=["day", "participant_id"],
    )
    ddl.create_table(
        "ballot",
        ddl.reference("poll_id", "poll"),
        ddl.string("receipt", 32),
        ddl.json("choice"),
        ddl.integer("weight"),
        ddl.enum("source", "ballot_source", ["electronic", "paper"]),
        ddl.reference("voter_person_id", "person", nullable=True),
        ddl.reference("cast_by_person_id", "person", nullable=True),
        primary_key=["poll_id", "receipt"],
        sqlite_with_rowid=False,
    )
    ddl.create_table(
        "participation",
        ddl.reference("poll_id", "poll"),
        ddl.reference("right_person_id", "person"),
        ddl.reference("cast_by_person_id", "person"),
        ddl.enum("kind", "right_kind", ["own", "proxy", "substitute"]),
        ddl.integer("weight"),
        primary_key=["poll_id", "right_person_id"],
        indexed=["cast_by_person_id"],
        sqlite_with_rowid=False,
    )
    ddl.create_table(
        "poll_option",
        ddl.reference("poll_id", "poll"),
        ddl.string("label", 300),
        ddl.integer("position"),
        ddl.reference("person_id", "person", nullable=True),
        ddl.enum("status", "option_status", ["nominated", "accepted", "withdrawn"]),
        ddl.timestamp("created_at"),
        unique=[["poll_id", "label"]],
        indexed=["poll_id"],
    )
    ddl.create_table(
        "proxy",
        ddl.reference("meeting_id", "meeting"),
        ddl.reference("grantor_id", "participant"),
        ddl.reference("holder_id", "participant"),
        ddl.timestamp("created_at"),
        unique=[["grantor_id"]],
        indexed=["holder_id", "meeting_id"],
    )
    ddl.create_table(
        "substitution",
        ddl.reference("meeting_id", "meeting"),
        ddl.date("day"),
        ddl.reference("member_id", "participant"),
        ddl.reference("alternate_id", "participant"),
        ddl.timestamp("created_at"),
        unique=[["alternate_id", "day"], ["member_id", "day"]],
        indexed=["meeting_id"],
    )


def downgrade() -> None:
    ddl.drop_table("substitution")
    ddl.drop_table("proxy")
    ddl.drop_table("poll_option")
    ddl.drop_table("participation")
    ddl.drop_table("ballot")
    ddl.drop_table("attendance")
    ddl.drop_table("poll")
    ddl.drop_table("participant")
    ddl.drop_table("api_token")
    ddl.drop_table("meeting")
