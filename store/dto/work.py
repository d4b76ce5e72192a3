"""What the bot owes and plans: outbox items, notifications, reminders, routing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from store.dto.customers import ContactHours
from store.dto.leads import FollowUpInfo, LeadSummary


@dataclass(frozen=True)
class OutboxItem:
    id: int
    kind: str
    payload: dict | None
    channel_hint: str | None
    attempts: int = 1  # more than one: an earlier holder may have posted it before it died


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
    hours: ContactHours | None = None  # when the organization takes calls


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
