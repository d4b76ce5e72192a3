"""Where customers come from, and why they leave: leads, new customers and revenue by source in the period
(sources are free text, grouped case-insensitively); churned customers and their reasons."""

from __future__ import annotations

from collections import Counter, defaultdict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.dto.reports import ChurnFigure, Period, Scope, SourceFigure
from store.models import Deal, Lead, Organization, StatusChange
from store.services import pipeline
from store.services.reports.scope import lead_conditions, narrow
from store.text import name_key
from store.vocabulary import WON_STATUS

NO_SOURCE = "Not recorded"
CHURN_STATUS = "churned"


def source_figures(s: Session, team_id: str, period: Period, scope: Scope) -> list[SourceFigure]:
    leads: Counter[str] = Counter()
    for source, n in s.execute(narrow(select(Lead.source, func.count()).where(
            Lead.team_id == team_id, Lead.arrived_at >= period.start, Lead.arrived_at < period.end),
            Lead.id, scope, team_id).group_by(Lead.source)):
        leads[source or NO_SOURCE] += int(n)
    won = [st.name for st in pipeline.statuses(s, team_id) if name_key(st.name) in WON_STATUS]
    customers: Counter[str] = Counter()
    if won:
        q = (select(Lead.source, func.count(func.distinct(StatusChange.lead_id)))
             .join(Lead, Lead.id == StatusChange.lead_id)
             .where(StatusChange.team_id == team_id, StatusChange.changed_at >= period.start,
                    StatusChange.changed_at < period.end, StatusChange.to_status.in_(won)))
        for source, n in s.execute(_narrow_joined(q, scope).group_by(Lead.source)):
            customers[source or NO_SOURCE] += int(n)
    revenue: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    q = (select(Lead.source, Deal.currency, func.sum(Deal.amount_minor)).join(Lead, Lead.id == Deal.lead_id)
         .where(Deal.team_id == team_id, Deal.won_at >= period.start, Deal.won_at < period.end))
    if scope.owner_id:
        q = q.where(Deal.owner_id == scope.owner_id)
    for source, currency, amount in s.execute(_narrow_joined(q, scope, by_owner=False)
                                              .group_by(Lead.source, Deal.currency)):
        revenue[source or NO_SOURCE][currency] += int(amount or 0)
    # Sources are free text: "website" and "Website" are one source, shown as most of its leads spell it.
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for n in set(leads) | set(customers) | set(revenue):
        spellings[name_key(n)][n] += leads[n] + customers[n] + 1
    out = []
    for group in spellings.values():
        name = min(group, key=lambda n: (-group[n], n))
        money: dict[str, int] = defaultdict(int)
        for n in group:
            for currency, amount in revenue[n].items():
                money[currency] += amount
        out.append(SourceFigure(name, sum(leads[n] for n in group), sum(customers[n] for n in group), dict(money)))
    return sorted(out, key=lambda f: (-f.leads, -f.customers, f.source))


def _narrow_joined(q, scope: Scope, *, by_owner: bool = True):
    """`narrow` for a query that has joined the lead already."""
    if scope.org_type:
        q = q.join(Organization, Organization.id == Lead.organization_id)
    return q.where(*lead_conditions(scope, by_owner=by_owner))


def churn_figure(s: Session, team_id: str, period: Period, scope: Scope, *, examples: int = 10) -> ChurnFigure:
    churn = [st.name for st in pipeline.statuses(s, team_id) if name_key(st.name) == CHURN_STATUS]
    if not churn:
        return ChurnFigure(0, [], [])
    q = (select(Organization.name, StatusChange.reason, StatusChange.changed_at)
         .join(Lead, Lead.id == StatusChange.lead_id).join(Organization, Organization.id == Lead.organization_id)
         .where(StatusChange.team_id == team_id, StatusChange.changed_at >= period.start,
                StatusChange.changed_at < period.end, StatusChange.to_status.in_(churn)))
    rows = s.execute(q.where(*lead_conditions(scope)).order_by(StatusChange.changed_at.desc())).all()
    reasons = Counter((r or "").strip() or "No reason given" for _n, r, _a in rows).most_common()
    return ChurnFigure(len(rows), reasons, [(n, r, a) for n, r, a in rows[:examples]])
