"""The App Home: what each person's Home shows (when it is refreshed: `store/services/home_refresh.py`).

Every part is a bounded read: a page of the person's follow-ups and routed leads with their counts, their open
leads grouped by status, their pipeline from its running totals, the latest changes on the leads they follow;
for managers, grouped reads of covering indexes for the team.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto.reports import HomeData, RecentChange, RepLine, Scope, TeamHome
from store.models import DealTotal, FollowUp, Lead, LeadFollower, Organization
from store.services import deal_stages, deals, nudges, pipeline
from store.services.reports import names_of
from store.services.reports.period import week_start
from store.services.reports.routing_figures import sla_figures
from store.services.snapshots import _lead_query, summaries
from store.services.timeline import CHANGES, history_union

SHOWN = 6  # follow-ups with buttons on the Home; the rest are counted ("and 37 more")
SHOWN_LEADS = 5
RECENT = 8
RECENT_DAYS = 14


# ---------------------------------------------------------------------------------------------- what it shows


def home_data(db: Database, clock: Clock, team_id: str, user_id: str, tz: str, *, manager: bool) -> HomeData:
    now = clock.now()
    pipe = deals.pipeline_summary(db, clock, team_id, tz, owner_id=user_id, limit=0)
    with db.read() as s:
        overdue, today = nudges.due_lists(s, clock, team_id, user_id, tz, limit=SHOWN)
        awaiting = (Lead.owner_id == user_id, Lead.is_open.is_(True), Lead.routed_at.is_not(None),
                    Lead.first_touch_at.is_(None))
        routed = list(s.scalars(_lead_query(team_id).where(*awaiting).order_by(Lead.routed_at.desc())
                                .limit(SHOWN_LEADS)).unique())
        routed_count = s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == team_id, *awaiting)) or 0
        counts = dict(s.execute(select(Lead.status, func.count()).where(
            Lead.team_id == team_id, Lead.owner_id == user_id, Lead.is_open.is_(True)).group_by(Lead.status)).all())
        order = [st.name for st in pipeline.statuses(s, team_id)]
        by_status = [(name, int(counts.pop(name, 0))) for name in order] + sorted(counts.items())
        team = _team(s, clock, team_id, tz, now) if manager else None
        recent = recent_changes(s, team_id, user_id, now)
        ids = {c.actor_id or "" for c in recent} | ({r.user_id for r in team.reps} if team else set())
        return HomeData(user_id, overdue, today, summaries(s, team_id, routed, with_deals=False), routed_count,
                        [(n, c) for n, c in by_status if c or n in order], pipe, recent, team,
                        names_of(s, team_id, ids))


def recent_changes(s: Session, team_id: str, user_id: str, now: datetime, *, limit: int = RECENT) -> list[RecentChange]:
    """Changes by others in the last two weeks on the leads the person follows, newest first (each source read
    through its `(team_id, lead_id, time)` index for those leads only)."""
    followed = select(LeadFollower.lead_id).where(LeadFollower.team_id == team_id, LeadFollower.user_id == user_id)
    since = now - timedelta(days=RECENT_DAYS)
    u = history_union(CHANGES, lambda m, at, actor: [m.team_id == team_id, m.lead_id.in_(followed), at >= since,
                                                     actor != user_id], limit)
    rows = s.execute(select(u, Organization.name).join(Lead, Lead.id == u.c.lead_id)
                     .join(Organization, Organization.id == Lead.organization_id)
                     .order_by(u.c.at.desc()).limit(limit)).all()
    return [RecentChange(r.at, r.lead_id, r.name, r.kind, r.actor, r.a, r.b, r.c) for r in rows]


def _team(s: Session, clock: Clock, team_id: str, tz: str, now: datetime) -> TeamHome:
    """The manager's team section: the pipeline by rep, overdue follow-ups per rep, first-touch SLA this week,
    and the leads nobody owns or whose first touch was missed. Grouped reads of covering indexes."""
    open_leads = dict(s.execute(select(Lead.owner_id, func.count()).where(
        Lead.team_id == team_id, Lead.is_open.is_(True)).group_by(Lead.owner_id)).all())
    overdue = dict(s.execute(select(FollowUp.owner_id, func.count()).where(
        FollowUp.team_id == team_id, FollowUp.state == "open", FollowUp.due_at < now).group_by(FollowUp.owner_id)).all())
    options = {st.name: st for st in deal_stages.stages(s, team_id)}
    money: dict[str, tuple[int, dict[str, int], dict[str, int]]] = {}
    for owner, stage, currency, count, amount in s.execute(
            select(DealTotal.owner_id, DealTotal.stage, DealTotal.currency, func.sum(DealTotal.count),
                   func.sum(DealTotal.amount_minor)).where(DealTotal.team_id == team_id)
            .group_by(DealTotal.owner_id, DealTotal.stage, DealTotal.currency)):
        if not count:
            continue
        n, amounts, weighted = money.setdefault(owner or "", (0, {}, {}))
        prob = options[stage].probability if stage in options else 0
        amounts[currency] = amounts.get(currency, 0) + int(amount or 0)
        weighted[currency] = weighted.get(currency, 0) + int(amount or 0) * prob // 100
        money[owner or ""] = (n + int(count), amounts, weighted)
    owners = {o for o in open_leads if o} | {o for o in money if o} | {o for o in overdue if o}
    reps = [RepLine(o, int(open_leads.get(o, 0)), money.get(o, (0, {}, {}))[0], money.get(o, (0, {}, {}))[1],
                    money.get(o, (0, {}, {}))[2], int(overdue.get(o, 0))) for o in owners]
    reps.sort(key=lambda r: (-sum(r.weighted.values()), -r.open_leads, r.user_id))
    start = week_start(now, tz)
    queues, by_rep = sla_figures(s, team_id, start, now + timedelta(seconds=1), Scope(), now)
    unowned = (Lead.owner_id.is_(None), Lead.is_open.is_(True))
    missed = (Lead.sla_breached_at.is_not(None), Lead.first_touch_at.is_(None), Lead.is_open.is_(True))
    return TeamHome(
        reps, queues, by_rep,
        summaries(s, team_id, list(s.scalars(_lead_query(team_id).where(*unowned).order_by(Lead.arrived_at.desc())
                                             .limit(SHOWN_LEADS)).unique()), with_deals=False),
        s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == team_id, *unowned)) or 0,
        summaries(s, team_id, list(s.scalars(_lead_query(team_id).where(*missed)
                                             .order_by(Lead.sla_breached_at.desc()).limit(SHOWN_LEADS)).unique()),
                  with_deals=False),
        s.scalar(select(func.count()).select_from(Lead).where(Lead.team_id == team_id, *missed)) or 0,
        start)


def lead_list(db: Database, clock: Clock, team_id: str, user_id: str, what: str, *, page: int = 0,
              per_page: int = 15) -> tuple[list, int]:
    """A Home list in full, a page at a time: my leads in a status (`status:<name>`), routed to me and not yet
    touched (`routed`), nobody's (`unassigned`), first touch missed (`breached`). (leads, how many in all)"""
    base = [Lead.team_id == team_id, Lead.is_open.is_(True)]
    if what.startswith("status:"):
        where, order = [*base, Lead.owner_id == user_id, Lead.status == what[7:]], Lead.status_since.desc()
    elif what == "routed":
        where = [*base, Lead.owner_id == user_id, Lead.routed_at.is_not(None), Lead.first_touch_at.is_(None)]
        order = Lead.routed_at.desc()
    elif what == "unassigned":
        where, order = [*base, Lead.owner_id.is_(None)], Lead.arrived_at.desc()
    elif what == "breached":
        where = [*base, Lead.sla_breached_at.is_not(None), Lead.first_touch_at.is_(None)]
        order = Lead.sla_breached_at.desc()
    else:
        return [], 0
    with db.read() as s:
        total = s.scalar(select(func.count()).select_from(Lead).where(*where)) or 0
        rows = list(s.scalars(_lead_query(team_id).where(*where[1:]).order_by(order, Lead.id.desc())
                              .limit(per_page).offset(page * per_page)).unique())
        return summaries(s, team_id, rows, with_deals=False), total


def follow_up_page(db: Database, clock: Clock, team_id: str, user_id: str, tz: str, *, page: int = 0,
                   per_page: int = 15):
    """All my overdue and today's follow-ups, oldest first, a page at a time (the Home's "and 37 more")."""
    with db.read() as s:
        return nudges.due_by_tonight(s, clock, team_id, user_id, tz, limit=per_page, offset=page * per_page)
