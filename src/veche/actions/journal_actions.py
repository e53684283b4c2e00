"""The name of every kind of journal entry, declared once for the actions that write them."""

from __future__ import annotations

from enum import StrEnum


class JournalAction(StrEnum):
    """What a journal entry records. The values are stored in every entry and hashed into the
    chain, so they never change: a renamed value would make old journals fail to verify."""

    # The organization
    CREATE_ORGANIZATION = "create_organization"
    CREATE_BODY = "create_body"
    CREATE_TERM = "create_term"
    CREATE_UNIT = "create_unit"
    CREATE_PERSON = "create_person"
    ADD_MEMBERSHIP = "add_membership"
    CREATE_USER = "create_user"
    RESET_PASSWORD = "reset_password"
    CHANGE_PASSWORD = "change_password"
    DEACTIVATE_USER = "deactivate_user"
    ACTIVATE_USER = "activate_user"
    IMPORT_MEMBERS = "import_members"
    UPDATE_ORGANIZATION = "update_organization"
    UPDATE_BODY = "update_body"
    UPDATE_TERM = "update_term"
    UPDATE_UNIT = "update_unit"
    UPDATE_PERSON = "update_person"
    UPDATE_MEMBERSHIP = "update_membership"

    # Roles and who holds them
    DEFINE_ROLE = "define_role"
    GRANT_ROLE = "grant_role"
    REVOKE_ROLE = "revoke_role"

    # Logins and API tokens
    LOG_IN = "log_in"
    LOG_OUT = "log_out"
    ISSUE_TOKEN = "issue_token"
    REVOKE_TOKEN = "revoke_token"
    ISSUE_ACCESS_CODES = "issue_access_codes"

    # Convening a meeting and who takes part
    CREATE_MEETING = "create_meeting"
    UPDATE_MEETING = "update_meeting"
    CHANGE_MEETING_STATE = "change_meeting_state"
    INVITE = "invite"
    INVITE_OBSERVERS = "invite_observers"
    UPDATE_PARTICIPANT = "update_participant"
    CHECK_IN = "check_in"
    CHECK_OUT = "check_out"
    UNDO_CHECK_IN = "undo_check_in"
    SUBSTITUTE = "substitute"
    GRANT_PROXY = "grant_proxy"
    REVOKE_PROXY = "revoke_proxy"

    # The presidium and its sittings
    FORM_PRESIDIUM = "form_presidium"
    SEAT_ELECTED_PRESIDIUM = "seat_elected_presidium"
    ADD_SITTING = "add_sitting"

    # The agenda
    ADD_AGENDA_ITEM = "add_agenda_item"
    UPDATE_AGENDA_ITEM = "update_agenda_item"
    MOVE_AGENDA_ITEM = "move_agenda_item"
    WITHDRAW_AGENDA_ITEM = "withdraw_agenda_item"
    OPEN_AGENDA_ITEM = "open_agenda_item"
    CLOSE_AGENDA_ITEM = "close_agenda_item"
    PROPOSE_AGENDA_CHANGE = "propose_agenda_change"
    ACCEPT_AGENDA_PROPOSAL = "accept_agenda_proposal"
    REJECT_AGENDA_PROPOSAL = "reject_agenda_proposal"

    # The floor and what is said on it
    REQUEST_FLOOR = "request_floor"
    WITHDRAW_FLOOR_REQUEST = "withdraw_floor_request"
    ORDER_SPEAKERS = "order_speakers"
    CLOSE_SPEAKERS_LIST = "close_speakers_list"
    REOPEN_SPEAKERS_LIST = "reopen_speakers_list"
    RECORD_CONTRIBUTION = "record_contribution"
    END_SPEECH = "end_speech"
    ADD_DOCUMENT = "add_document"
    SHOW_ON_PROJECTOR = "show_on_projector"

    # Motions, their amendments and the panels that examine them
    SUBMIT_MOTION = "submit_motion"
    SUPPORT_MOTION = "support_motion"
    PROPOSE_AMENDMENT = "propose_amendment"
    DECIDE_AMENDMENT = "decide_amendment"
    FINALIZE_MOTION = "finalize_motion"
    WITHDRAW_MOTION = "withdraw_motion"
    CREATE_PANEL = "create_panel"
    ADD_PANEL_MEMBERS = "add_panel_members"
    RECOMMEND = "recommend"

    # Polls and ballots
    CREATE_POLL = "create_poll"
    NOMINATE = "nominate"
    ACCEPT_NOMINATION = "accept_nomination"
    DECLINE_NOMINATION = "decline_nomination"
    WITHDRAW_CANDIDATE = "withdraw_candidate"
    OPEN_POLL = "open_poll"
    CAST_BALLOT = "cast_ballot"
    REPLACE_BALLOT = "replace_ballot"
    ENTER_PAPER_BALLOTS = "enter_paper_ballots"
    ENTER_COUNTED_VOTES = "enter_counted_votes"
    CLOSE_POLL = "close_poll"
    PUBLISH_POLL = "publish_poll"
    CANCEL_POLL = "cancel_poll"

    # Settling a motion after its vote
    ADOPT_RESOLUTION = "adopt_resolution"
    REJECT_MOTION = "reject_motion"

    # The follow-up of resolutions: goals, indicators, targets, reporting, progress reports
    CREATE_GOAL = "create_goal"
    UPDATE_GOAL = "update_goal"
    SET_GOAL_STATUS = "set_goal_status"
    DELETE_GOAL = "delete_goal"
    ASSIGN_GOAL = "assign_goal"
    UPDATE_ASSIGNMENT = "update_assignment"
    REMOVE_ASSIGNMENT = "remove_assignment"
    CREATE_INDICATOR = "create_indicator"
    UPDATE_INDICATOR = "update_indicator"
    DELETE_INDICATOR = "delete_indicator"
    SET_INDICATOR_WEIGHTS = "set_indicator_weights"
    SET_TARGET = "set_target"
    REMOVE_TARGET = "remove_target"
    CREATE_REPORTING_CYCLE = "create_reporting_cycle"
    RENAME_REPORTING_CYCLE = "rename_reporting_cycle"
    ADD_REPORTING_PERIOD = "add_reporting_period"
    UPDATE_REPORTING_PERIOD = "update_reporting_period"
    CLOSE_REPORTING_PERIOD = "close_reporting_period"
    FREEZE_REPORTING_PERIOD = "freeze_reporting_period"
    SAVE_PROGRESS_REPORT = "save_progress_report"
    SUBMIT_PROGRESS_REPORT = "submit_progress_report"
    WITHDRAW_PROGRESS_REPORT = "withdraw_progress_report"
    RETURN_PROGRESS_REPORT = "return_progress_report"
    ACCEPT_PROGRESS_REPORT = "accept_progress_report"
    ADD_EVIDENCE = "add_evidence"
    REMOVE_EVIDENCE = "remove_evidence"
    FILE_SUMMING_UP = "file_summing_up"
    IMPORT_FOLLOW_UP = "import_follow_up"
