"""Deals in a report: created, won and lost in the period, the win rate, why deals were lost, the median sales
cycle, and the pipeline as it stands (by stage, weighted) with what is expected to close this month."""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.dto.reports import DealFigures, Period, Scope
from store.models import Deal, DealTotal
from store.services.deal_stages import stages
from store.services.deals import stage_totals
from store.services.reports.period import month_start
from store.services.reports.scope import narrow


def _deals(scope: Scope, team_id: str, *columns):
    """A select of deal columns, narrowed to the scope (a rep's deals are the ones they own)."""
    q = select(*columns).select_from(Deal)
    if scope.owner_id:
        q = q.where(Deal.owner_id == scope.owner_id)
    return narrow(q, Deal.lead_id, scope, team_id, by_owner=False)


def deal_figures(s: Session, team_id: str, period: Period, scope: Scope, now: datetime) -> DealFigures:
    within = lambda col: (Deal.team_id == team_id, col >= period.start, col < period.end)  # noqa: E731
    created = s.scalar(_deals(scope, team_id, func.count()).where(*within(Deal.created_at))) or 0
    won_rows = s.execute(_deals(scope, team_id, Deal.created_at, Deal.won_at, Deal.currency, Deal.amount_minor)
                         .where(*within(Deal.won_at))).all()
    lost_rows = s.execute(_deals(scope, team_id, Deal.lost_reason).where(*within(Deal.lost_at))).all()
    won_amounts: dict[str, int] = defaultdict(int)
    for _c, _w, currency, amount in won_rows:
        won_amounts[currency] += amount
    cycles = [(w - c).total_seconds() / 86400 for c, w, _cur, _a in won_rows if c and w]
    reasons = Counter(r or "Other" for (r,) in lost_rows).most_common()
    options = stages(s, team_id)
    local_month = now.astimezone(ZoneInfo(period.tz)).strftime("%Y-%m")
    if scope.is_team or (scope.owner_id and not (scope.queue_id or scope.segment or scope.org_type)):
        sums = [DealTotal.team_id == team_id] + ([DealTotal.owner_id == scope.owner_id] if scope.owner_id else [])
        rows = s.execute(select(DealTotal.stage, DealTotal.currency, DealTotal.close_month, func.sum(DealTotal.count),
                                func.sum(DealTotal.amount_minor)).where(*sums)
                         .group_by(DealTotal.stage, DealTotal.currency, DealTotal.close_month)).all()
    else:  # no running totals by queue, segment or type: sum the scope's open deals (read through the index)
        month = _month_of(s, Deal.expected_close)
        rows = s.execute(_deals(scope, team_id, Deal.stage, Deal.currency, month, func.count(), func.sum(Deal.amount_minor))
                         .where(Deal.team_id == team_id, Deal.is_open.is_(True))
                         .group_by(Deal.stage, Deal.currency, month)).all()
    stage_list, forecast = stage_totals(options, rows, local_month)
    won_month: dict[str, int] = defaultdict(int)
    for currency, amount in s.execute(
            _deals(scope, team_id, Deal.currency, func.sum(Deal.amount_minor))
            .where(Deal.team_id == team_id, Deal.won_at >= month_start(now, period.tz)).group_by(Deal.currency)):
        won_month[currency] += int(amount or 0)
    return DealFigures(created, len(won_rows), len(lost_rows), dict(won_amounts), reasons,
                       statistics.median(cycles) if cycles else None, stage_list, forecast, dict(won_month))


def _month_of(s: Session, col):
    """`YYYY-MM` of a date column ("" when NULL), in SQL."""
    if s.bind.dialect.name == "postgresql":
        return func.coalesce(func.to_char(col, "YYYY-MM"), "")
    return func.coalesce(func.strftime("%Y-%m", col), "")
