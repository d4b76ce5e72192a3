"""Reports: the funnel, deals, activity (attempts that reached nobody included), first-touch SLAs, lead
sources and churn, for a period and a scope. Each part is a bounded read of the period through an index that
leads with `(team_id, time)`; the pipeline comes from its running totals."""

from __future__ import annotations

from sqlalchemy import select

from store.clock import Clock
from store.db import Database
from store.dto.reports import Period, ReportData, Scope
from store.models import Member
from store.services.deal_stages import currency_of
from store.services.reports.activity import day_rows, per_rep
from store.services.reports.deal_figures import deal_figures
from store.services.reports.funnel import funnel
from store.services.reports.period import is_period, period_of, week_before, week_start
from store.services.reports.routing_figures import sla_figures
from store.services.reports.scope import queue_named
from store.services.reports.sources import churn_figure, source_figures

__all__ = ["report", "is_period", "period_of", "week_before", "week_start", "scope_queue", "names_of"]


def report(db: Database, clock: Clock, team_id: str, period: Period, scope: Scope) -> ReportData:
    now = clock.now()
    with db.read() as s:
        days = day_rows(s, team_id, period, scope)
        queues, reps = sla_figures(s, team_id, period.start, min(period.end, now), scope, now)
        activity = per_rep(days)
        names = names_of(s, team_id, {r.user_id for r in activity} | {f.name for f in reps})
        return ReportData(period, scope, currency_of(s, team_id), funnel(s, team_id, period, scope),
                          deal_figures(s, team_id, period, scope, now), activity, days, queues, reps,
                          source_figures(s, team_id, period, scope), churn_figure(s, team_id, period, scope), names)


def scope_queue(db: Database, team_id: str, name: str) -> Scope:
    with db.read() as s:
        q = queue_named(s, team_id, name)
        return Scope(queue_id=q.id, queue_name=q.name)


def names_of(s, team_id: str, user_ids: set[str]) -> dict[str, str]:
    """Display names known for these people (charts and CSVs can't show `<@U…>` mentions)."""
    wanted = [u for u in user_ids if u]
    if not wanted:
        return {}
    rows = s.execute(select(Member.user_id, Member.name).where(Member.team_id == team_id,
                                                               Member.user_id.in_(wanted))).all()
    return {u: n for u, n in rows if n}
