"""What services are asked to do (what an import reads and reports: `store/dto/imports.py`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


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
    only_if_unowned: bool = False  # "Take it": refused when someone took the lead meanwhile


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
