"""What a button's value or a modal's private_metadata carries: small typed models, one codec."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from bot import reply_urls

T = TypeVar("T", bound="Meta")


class Meta(BaseModel):
    model_config = ConfigDict(extra="ignore")

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True)

    @classmethod
    def load(cls: type[T], raw: str | None) -> T | None:
        if not raw:
            return None
        try:
            return cls.model_validate_json(raw)
        except ValidationError:
            return None


class LeadRef(Meta):
    """A button or modal about one lead."""

    lead_id: int


class TimelinePage(Meta):
    """A History page (0 = newest) of one lead."""

    lead_id: int
    page: int = 0


class FollowRef(Meta):
    lead_id: int
    follow: bool | None = None  # None: toggle


class NudgeRef(Meta):
    """A nudge DM's buttons: the follow-up, its lead, and the notification (one action per nudge)."""

    follow_up_id: int
    lead_id: int
    notification_id: int | None = None


class ModalContext(Meta):
    """private_metadata of the modals: the lead (if chosen up front) and where to answer."""

    lead_id: int | None = None
    channel_id: str | None = None
    reply: str | None = None  # the key of where to answer (bot/reply_urls.py): metadata carries ids, not URLs
    status: str | None = None  # the lead's status when the modal opened: left as is, it changes nothing
    nudge: NudgeRef | None = None  # opened from a nudge DM: edit it once saved
    dm_ts: str | None = None
    deal_id: int | None = None  # the deal modal: the deal edited (None: a new one)
    converting: bool | None = None  # the deal modal opened because the lead moved to Closing
    home: bool | None = None  # opened from the App Home: its refresh is the confirmation

    @property
    def response_url(self) -> str | None:
        return reply_urls.recall(self.reply)


class PendingAction(Meta):
    """A command whose lead reference matched several leads: replayed once the person picks one."""

    verb: str  # a verb of `bot.commands.verbs` that may be replayed
    lead_id: int | None = None
    arg: str | None = None
    due: str | None = None  # ISO time already read in the asker's zone
    channel_id: str | None = None


class QueueRef(Meta):
    """A routing queue's buttons and forms."""

    queue_id: int | None = None
    channel_id: str | None = None  # where /lead routing was typed: the confirmation goes there


class DealRef(Meta):
    """A deal's button: its lead and the deal (None: a new deal)."""

    lead_id: int
    deal_id: int | None = None


class ListPage(Meta):
    """`/lead list`'s Previous / Next: the filters as typed and the page (0 = first)."""

    args: str = ""
    page: int = 0


class ReportRef(Meta):
    """A report's buttons (Share to channel, CSV): the exact period and whose figures."""

    kind: str
    start: str  # ISO, UTC
    end: str
    tz: str
    owner_id: str | None = None
    queue_id: int | None = None
    queue_name: str | None = None
    segment: str | None = None
    org_type: str | None = None
    channel_id: str | None = None  # where it was asked for: Share posts there


class ListRef(Meta):
    """A Home button that lists leads in a modal: which list, and the page."""

    what: str  # status:<name> | followups | routed | unassigned | breached
    page: int = 0


class AuditPage(Meta):
    """`/lead audit`'s Older button: the entries before this id (about one person, when asked)."""

    before_id: int
    user_id: str | None = None


class ForgetRef(Meta):
    """`/lead forget`'s confirmation buttons: the contact to erase."""

    contact_id: int


class AttachContext(Meta):
    """private_metadata of the Attach to lead modal: the message (and its thread) to attach."""

    channel_id: str
    ts: str
    thread_ts: str | None = None
    reply: str | None = None  # as ModalContext's

    @property
    def response_url(self) -> str | None:
        return reply_urls.recall(self.reply)
