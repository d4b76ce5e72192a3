"""Plain results services hand back: what views render, detached from any session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from store.errors import CrmError


@dataclass(frozen=True)
class StatusInfo:
    name: str
    meaning: str
    position: int
    is_closed: bool


@dataclass(frozen=True)
class MemberInfo:
    user_id: str
    name: str | None
    tz: str
    is_admin: bool
    is_bot: bool
    role: str
    fetched_at: datetime
    manager_id: str | None = None
    digest_enabled: bool = True
    digest_time: str = "09:00"

    @property
    def can_manage(self) -> bool:
        """Workspace admins and owners (Slack's is_admin) and members given the manager or admin role."""
        return self.is_admin or self.role in ("admin", "manager")


@dataclass(frozen=True)
class ContactInfo:
    id: int
    name: str | None
    title: str | None
    email: str | None
    phone: str | None


@dataclass(frozen=True)
class FollowUpInfo:
    id: int
    due_at: datetime
    note: str | None
    owner_id: str
    state: str


@dataclass(frozen=True)
class LeadSummary:
    id: int
    team_id: str
    organization_id: int
    company: str
    domain: str | None
    status: str
    status_since: datetime
    is_open: bool
    owner_id: str | None
    segment: str | None
    source: str | None
    arrived_at: datetime
    first_touch_at: datetime | None
    contact: ContactInfo | None
    follow_up: FollowUpInfo | None
    card_channel: str | None
    card_ts: str | None
    card_permalink: str | None
    routed_at: datetime | None = None
    routing_reason: str | None = None  # why this owner ("next in rotation; skipped Carol, away until Dec 1")
    accepted_at: datetime | None = None
    sla_due_at: datetime | None = None  # first touch due by (None: touched, breached or not routed)
    sla_breached_at: datetime | None = None
    queue_id: int | None = None
    external_id: str | None = None
    deals: tuple["DealInfo", ...] = ()  # open deals, newest first (card and 360)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of history. `old`/`new` depend on `kind`:
    activity: type, outcome; status: from, to; assignment: from owner, to owner; followup: state, owner."""

    at: datetime
    kind: str  # activity | status | assignment | comment | followup
    actor_id: str | None
    old: str | None
    new: str | None
    text: str | None = None
    due_at: datetime | None = None


@dataclass(frozen=True)
class LeadDetail:
    lead: LeadSummary
    contacts: list[ContactInfo]
    timeline: list[TimelineEntry]
    status_meaning: str | None
    activity_count: int
    closed_deals: tuple["DealInfo", ...] = ()  # won and lost, newest first
    organization: "OrgInfo | None" = None


@dataclass(frozen=True)
class LeadCreated:
    lead: LeadSummary
    existed: bool


@dataclass(frozen=True)
class LeadChanged:
    lead: LeadSummary
    change: "ChangeRecord"
    duplicate: bool = False


@dataclass(frozen=True)
class SearchHit:
    lead: LeadSummary
    matched: str  # what matched: company, contact, email, domain


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    payload: dict | None
    channel_hint: str | None


@dataclass(frozen=True)
class ChangeRecord:
    """What one submission did to a lead: rendered as one line in the card's thread."""

    actor_id: str
    activity: str | None = None
    outcome: str | None = None
    note: str | None = None
    occurred_at: datetime | None = None
    status_from: str | None = None
    status_to: str | None = None
    reason: str | None = None
    follow_up_at: datetime | None = None
    follow_up_note: str | None = None
    follow_up_closed: str | None = None  # done | cancelled: what happened to the previous one
    follow_up_moved: bool | None = None  # follow_up_at is the open follow-up's new time (rescheduled)
    owner_from: str | None = None
    owner_to: str | None = None
    accepted: bool | None = None  # the routed owner accepted the lead
    sla_missed_by: str | None = None  # the owner who let the first-touch SLA run out
    sla_minutes: int | None = None
    deal: dict | None = None  # a deal change: id, name, from, to (stages), amount, currency, recurring, close, lost

    def to_json(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in self.__dict__.items() if v is not None}

    @classmethod
    def from_json(cls, data: dict) -> "ChangeRecord":
        values = dict(data)
        for k in ("occurred_at", "follow_up_at"):
            if values.get(k):
                values[k] = datetime.fromisoformat(values[k])
        return cls(**{k: v for k, v in values.items() if k in cls.__dataclass_fields__})

    @property
    def empty(self) -> bool:
        return not (self.activity or self.status_to or self.follow_up_at or self.owner_to or self.follow_up_closed
                    or self.accepted or self.sla_missed_by or self.deal)


@dataclass(frozen=True)
class QueueInfo:
    """A routing queue and its rotation."""

    id: int
    name: str
    channel_id: str
    segment: str | None
    sla_minutes: int
    on_breach: str
    is_default: bool
    members: list[tuple[str, int]]  # (user id, weight), in rotation order
    created_by: str
    routed: int


@dataclass(frozen=True)
class Routed:
    owner_id: str
    queue: QueueInfo
    reason: str


@dataclass(frozen=True)
class Handled:
    lead: LeadSummary
    done: bool  # False: a repeated click, nothing new happened
    new_owner: str | None = None


@dataclass(frozen=True)
class Owed:
    """A claimed notification, ready to be rendered and sent."""

    id: int
    team_id: str
    kind: str
    user_id: str
    follow_up_id: int | None
    payload: dict
    token: str
    attempts: int


@dataclass(frozen=True)
class FollowUpItem:
    follow_up: FollowUpInfo
    lead: LeadSummary


@dataclass(frozen=True)
class NudgeData:
    item: FollowUpItem
    number: int  # 1 = the first nudge, 2.. = repeats
    repeats: int  # how many repeats the workspace allows
    repeat: timedelta


@dataclass(frozen=True)
class FollowUpList:
    items: list[FollowUpItem]
    more: int  # not listed


@dataclass(frozen=True)
class FollowUpActed:
    lead: LeadSummary
    follow_up: FollowUpInfo
    verb: Literal["done", "snooze", "reschedule"] | None  # None: nothing was done now (see `already`)
    already: str | None = None  # why nothing was done: it was already closed, or this nudge was used


@dataclass(frozen=True)
class NudgePolicy:
    repeat_minutes: int = 24 * 60  # nudge again while overdue, this often
    max_repeats: int = 3  # after the first nudge; then escalate
    escalate: bool = True
    default_manager_id: str | None = None
    digest_window_hours: int = 3  # a digest not sent by HH:MM + this (bot down) is skipped for the day

    @property
    def repeat(self) -> timedelta:
        return timedelta(minutes=self.repeat_minutes)


# What services are asked to do, and what the CSV import reports.


@dataclass(frozen=True)
class Captured:
    lead_id: int
    comment_id: int
    created: bool  # False: an edit, a repeat, or a message deleted before it arrived


@dataclass(frozen=True)
class NewLead:
    company: str
    contact_name: str | None = None
    email: str | None = None
    phone: str | None = None
    segment: str | None = None
    source: str | None = None
    note: str | None = None
    owner_id: str | None = None
    domain: str | None = None
    external_id: str | None = None  # the web form's or an import's id: the same id never makes two leads


@dataclass(frozen=True)
class LeadUpdate:
    lead_id: int
    status: str | None = None
    reason: str | None = None
    activity: str | None = None
    outcome: str | None = None
    note: str | None = None
    occurred_at: datetime | None = None
    follow_up_at: datetime | None = None
    follow_up_note: str | None = None
    owner_id: str | None = None
    close_follow_up: bool = False  # logging an activity: it also completes the open follow-up


@dataclass
class Row:
    line: int
    lead: NewLead
    owner_email: str | None


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    errors: list[tuple[int, CrmError]] = field(default_factory=list)  # (line, what is wrong)
    created: list[int] = field(default_factory=list)
    existed: list[int] = field(default_factory=list)
    routed: int = 0
    unmapped: list[str] = field(default_factory=list)


# Organizations.


@dataclass(frozen=True)
class OrgInfo:
    id: int
    name: str
    domain: str | None
    kind: str | None  # type: Shop, Agency, Partner…
    authority: str | None  # alone | internal | external
    approver: str | None
    segment: str | None
    status: str
    relations: tuple[tuple[str, int, str], ...] = ()  # (how, read from this one; other org's id; its name)


# Deals.


@dataclass(frozen=True)
class StageInfo:
    name: str
    probability: int  # percent
    position: int
    outcome: str  # open | won | lost


@dataclass(frozen=True)
class DealInfo:
    id: int
    lead_id: int | None
    organization_id: int
    company: str
    name: str
    kind: str
    owner_id: str | None
    stage: str
    probability: int
    is_open: bool
    amount_minor: int
    currency: str
    recurring: bool
    expected_close: date | None
    next_step: str | None
    won_at: datetime | None = None
    lost_at: datetime | None = None
    lost_reason: str | None = None
    lost_note: str | None = None


@dataclass(frozen=True)
class DealChanged:
    lead: LeadSummary
    deal: DealInfo
    change: ChangeRecord


@dataclass(frozen=True)
class StageTotal:
    """Open deals in one stage: how many, their amounts and the probability-weighted amounts, by currency."""

    stage: StageInfo
    count: int
    amounts: dict[str, int]  # currency → minor units
    weighted: dict[str, int]


@dataclass(frozen=True)
class PipelineSummary:
    stages: list[StageTotal]
    closing_this_month: StageTotal  # open deals expected to close in the reader's current month
    deals: list[DealInfo]  # the first open deals, by stage then close date (buttons)
    more: int  # open deals not listed


@dataclass(frozen=True)
class DealInput:
    """A deal to create (`deal_id` None) or change; `amount` is as typed (`1.2m`, `120만`, `₩1,200,000`)."""

    lead_id: int
    deal_id: int | None = None
    name: str | None = None
    amount: str | None = None
    recurring: bool | None = None
    stage: str | None = None
    expected_close: date | None = None
    next_step: str | None = None
    owner_id: str | None = None
    kind: str | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
