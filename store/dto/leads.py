"""Leads, people and their history: what lead services hand back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from store.dto.customers import DealInfo, OrgInfo


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
    status_text: str | None = None
    status_emoji: str | None = None
    locale: str | None = None  # Slack's locale (`ko-KR`); None until users.info has told

    @property
    def can_manage(self) -> bool:
        """Workspace admins and owners (Slack's is_admin, the CRM's admins) and the managers they named."""
        return self.is_admin or self.role == "manager"


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
    deals: tuple[DealInfo, ...] = ()  # open deals, newest first (card and 360)


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
    closed_deals: tuple[DealInfo, ...] = ()  # won and lost, newest first
    organization: OrgInfo | None = None
    channels: tuple = ()  # LinkedChannelInfo: the organization's customer channels


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
class Captured:
    lead_id: int
    comment_id: int
    created: bool  # False: an edit, a repeat, or a message deleted before it arrived
