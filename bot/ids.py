"""Every callback_id, action_id and block_id the bot uses, in one place."""

from __future__ import annotations

from enum import StrEnum


class Callback(StrEnum):
    NEW_LEAD = "lead_new"
    UPDATE_LEAD = "lead_update"
    CHANGE_STATUS = "lead_status"
    REASSIGN = "lead_reassign"
    RESCHEDULE = "followup_reschedule"
    QUEUE = "routing_queue"
    WEIGHTS = "routing_weights"
    DEAL = "deal_edit"
    ORGANIZATION = "organization_edit"
    PIPELINE = "pipeline_edit"
    DEAL_LOST = "deal_lost"
    HOME_LIST = "home_list"  # the modal a Home button opens (a list of leads or follow-ups)
    ROLES = "workspace_roles"
    ATTACH = "attach_to_lead"  # the message shortcut's callback_id (manifest.yml) and its modal
    FORGET = "contact_forget"


class Action(StrEnum):
    # lead card
    CARD_LOG = "card_log_activity"
    CARD_STATUS = "card_change_status"
    CARD_REASSIGN = "card_reassign"
    CARD_ACCEPT = "card_accept"
    CARD_HISTORY = "card_history"
    CARD_FOLLOW = "card_follow"
    TIMELINE_PAGE = "timeline_page"
    CARD_PASS = "card_pass"
    # /lead routing
    QUEUE_NEW = "queue_new"
    QUEUE_EDIT = "queue_edit"
    QUEUE_WEIGHTS = "queue_weights"
    # deals: the card's Deal button, a deal's button in /lead pipeline
    CARD_DEAL = "card_deal"
    DEAL_OPEN = "deal_open"
    # ambiguous reference: one button per candidate
    PICK_LEAD = "pick_lead"
    # the Lead picker (an external_select: its options listener is keyed by this)
    LEAD_SELECT = "lead_select"
    ORG_SELECT = "org_select"  # an external_select of organizations
    LIST_PAGE = "list_page"  # /lead list: Previous / Next
    LEAD_TAKE = "lead_take"  # /lead list unowned: Take it
    # a nudge DM (and the /lead log reply's "Mark follow-up done")
    NUDGE_DONE = "nudge_done"
    NUDGE_SNOOZE = "nudge_snooze"  # the button: one hour
    NUDGE_SNOOZE_UNTIL = "nudge_snooze_until"  # the menu: later today, tomorrow 9:00, next Monday 9:00
    NUDGE_RESCHEDULE = "nudge_reschedule"
    NUDGE_LOG = "nudge_log_activity"
    NUDGE_OPEN_LEAD = "nudge_open_lead"
    # /lead report
    REPORT_SHARE = "report_share"
    REPORT_CSV = "report_csv"
    # the App Home
    HOME_LIST = "home_list"  # a button that lists leads (by status, the rest of a list) in a modal
    HOME_PAGE = "home_page"  # that modal's Previous / Next
    HOME_REFRESH = "home_refresh"
    # a suggested time to reach the customer (the /lead followup reply)
    SUGGESTED_TIME = "suggested_time"
    # workspace administration
    AUDIT_PAGE = "audit_page"
    FORGET_CONFIRM = "forget_confirm"
    FORGET_CANCEL = "forget_cancel"


class Field(StrEnum):
    """Modal inputs: each is both the input's block_id (field errors are keyed by it) and its action_id."""

    LEAD = "lead"
    COMPANY = "company"
    CONTACT_NAME = "contact_name"
    EMAIL = "email"
    PHONE = "phone"
    SEGMENT = "segment"
    SOURCE = "source"
    SOURCE_OTHER = "source_other"  # new-lead modal: a source that is not in the list
    OWNER = "owner"
    NOTE = "note"
    STATUS = "status"
    REASON = "reason"
    ACTIVITY = "activity"
    OUTCOME = "outcome"
    FOLLOW_UP_DATE = "follow_up_date"
    FOLLOW_UP_TIME = "follow_up_time"
    FOLLOW_UP_NOTE = "follow_up_note"
    FOLLOW_UP_CLOSE = "follow_up_close"
    NAME = "name"
    CHANNEL = "channel"
    MEMBERS = "members"
    SLA = "sla"
    ON_BREACH = "on_breach"
    DEFAULT = "default"  # update modal: mark the open follow-up done, or keep it
    DEAL = "deal"  # which of the lead's open deals
    DEAL_NAME = "deal_name"
    AMOUNT = "amount"
    BILLING = "billing"
    STAGE = "stage"
    EXPECTED_CLOSE = "expected_close"
    NEXT_STEP = "next_step"
    KIND = "kind"
    LOST_REASON = "lost_reason"
    LOST_NOTE = "lost_note"
    ORG_TYPE = "org_type"
    MERGE_INTO = "merge_into"
    TEMPLATE = "template"
    STATUSES = "statuses"
    MOVE_TO = "move_to"
    STAGES = "stages"
    MOVE_DEALS_TO = "move_deals_to"
    CONTACT_EMAIL = "contact_email"
    AUTHORITY = "authority"
    APPROVER = "approver"
    RELATED = "related"
    RELATION = "relation"
    SUGGESTION = "suggestion"  # a one-click time the connect rates suggest
    CONTACT_DAYS = "contact_days"
    CONTACT_FROM = "contact_from"
    CONTACT_TO = "contact_to"
    CONTACT_NOTE = "contact_note"
    ORG_TZ = "org_tz"
    MANAGERS = "managers"
    ATTACH_THREAD = "attach_thread"


class Block(StrEnum):
    """Message block ids."""

    CARD_ACTIONS = "card_actions"
    NUDGE_ACTIONS = "nudge_actions"
    REPORT_ACTIONS = "report_actions"
