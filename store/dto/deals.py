"""Organizations, deals and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from store.dto.leads import ChangeRecord, LeadSummary


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
