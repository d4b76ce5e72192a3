"""Reading submitted modals into typed forms, and answering with field errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from bot.ids import Field
from bot.views.text import esc_cut
from bot.wording import say

T = TypeVar("T")
from store.errors import CrmError, Duplicate


def values(view: dict) -> dict[str, object]:
    """{block_id: the chosen/typed value} for every input in a submitted view (empty inputs are None)."""
    out: dict[str, object] = {}
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind in ("static_select", "external_select"):
                opt = element.get("selected_option")
                out[block_id] = opt.get("value") if opt else None
            elif kind == "datepicker":
                out[block_id] = element.get("selected_date")
            elif kind == "timepicker":
                out[block_id] = element.get("selected_time")
            elif kind == "datetimepicker":
                out[block_id] = element.get("selected_date_time")
            elif kind == "users_select":
                out[block_id] = element.get("selected_user")
            elif kind == "multi_users_select":
                out[block_id] = element.get("selected_users") or []
            elif kind == "conversations_select":
                out[block_id] = element.get("selected_conversation")
            elif kind == "channels_select":
                out[block_id] = element.get("selected_channel")
            elif kind == "checkboxes":
                out[block_id] = [o.get("value") for o in element.get("selected_options") or []]
            else:
                out[block_id] = element.get("value")
    return out


class Form(BaseModel):
    """A modal's values by input id; what a form does not know is ignored."""

    model_config = ConfigDict(extra="ignore")


class RescheduleForm(Form):
    follow_up_date: date | None = None
    follow_up_time: time | None = None
    follow_up_note: str | None = None
    suggestion: datetime | None = None  # a one-click time the connect rates suggest


class UpdateForm(RescheduleForm):
    lead: int | None = None
    status: str | None = None
    activity: str | None = None
    outcome: str | None = None
    note: str | None = None
    follow_up_close: str | None = None  # "done" | "keep"


class QueueForm(Form):
    name: str | None = None
    channel: str | None = None
    members: list[str] = []
    segment: str | None = None
    sla: str | None = None
    on_breach: str | None = None


class StatusForm(Form):
    status: str | None = None
    reason: str | None = None
    owner: str | None = None


class NewLeadForm(StatusForm):
    company: str | None = None
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    segment: str | None = None
    source: str | None = None
    note: str | None = None


class DealForm(Form):
    deal_name: str | None = None
    amount: str | None = None
    billing: str | None = None
    stage: str | None = None
    expected_close: date | None = None
    next_step: str | None = None
    owner: str | None = None
    kind: str | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
    deal: int | None = None  # the lost modal: which of the lead's open deals
    merge_into: str | None = None  # converting: "keep", or the id of the organization it duplicates
    contact_name: str | None = None
    contact_email: str | None = None


def local_to_utc(day: date, at: time | None, tz: str, default: time = time(9, 0)) -> datetime:
    return datetime.combine(day, at or default).replace(tzinfo=ZoneInfo(tz)).astimezone(timezone.utc)


# Which input block shows a service's complaint about a field.
FIELD_BLOCKS = {
    **{f.value: f for f in Field},
    "follow_up": Field.FOLLOW_UP_DATE,
    "occurred_at": Field.FOLLOW_UP_DATE,
    "due": Field.FOLLOW_UP_DATE,
}


def field_errors(view: dict, field: str | None, message: str) -> dict:
    """`response_action: errors` for the block the field lives in (else the first input of the view)."""
    inputs = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    block = FIELD_BLOCKS.get(field or "")
    if block not in inputs:
        block = inputs[0] if inputs else None
    # what the message quotes (a company, an e-mail as typed) is escaped like any text sent to Slack
    return {"response_action": "errors", "errors": {block: esc_cut(message, 300)}} if block else {}


def refused(view: dict, error: CrmError, field: str) -> dict:
    """The ack for a submission a service refused: the error next to its field (else `field`'s)."""
    return field_errors(view, error.field or field, say(error))


def submitted(ack, view: dict, field: str, change: Callable[[], T]) -> T | None:
    """Apply a modal submission's change before the ack. A refusal comes back as a field error (next to
    its field, else `field`'s), a repeat of a submission already applied closes the modal; both return None
    and the caller stops. Otherwise the caller acks (closing, or replacing, the modal)."""
    try:
        return change()
    except Duplicate:
        ack()
    except CrmError as exc:
        if exc.code in ("not_manager", "not_admin"):
            raise  # the central handler answers it and writes it to the audit log
        ack(refused(view, exc, field))
    return None
