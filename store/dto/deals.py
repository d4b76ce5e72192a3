"""Organizations, deals and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass

from store.dto.customers import DealInfo, StageInfo
from store.dto.leads import ChangeRecord, LeadSummary


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
