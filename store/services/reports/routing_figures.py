"""First-touch SLA in a report (and on a manager's Home): for leads routed in the period, per queue and per
rep, how many were touched within the queue's SLA, how many late, how many are still within it, and the
median time from routing to first touch."""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.dto.reports import Scope, SlaFigure
from store.models import Lead, RoutingQueue
from store.services.reports.scope import narrow

NO_QUEUE = "No queue"  # leads that reached their owner without a queue (a fixed word: views translate it)


def sla_figures(s: Session, team_id: str, start: datetime, end: datetime, scope: Scope,
                now: datetime) -> tuple[list[SlaFigure], list[SlaFigure]]:
    """(per queue, per rep), busiest first."""
    queues = {q.id: q for q in s.scalars(select(RoutingQueue).where(RoutingQueue.team_id == team_id))}
    q = select(Lead.queue_id, Lead.owner_id, Lead.routed_at, Lead.first_touch_at, Lead.sla_breached_at,
               Lead.sla_due_at).where(Lead.team_id == team_id, Lead.routed_at >= start, Lead.routed_at < end)
    rows = s.execute(narrow(q, Lead.id, scope, team_id)).all() if not scope.is_team else s.execute(q).all()
    by_queue: dict[str, list] = defaultdict(list)
    by_rep: dict[str, list] = defaultdict(list)
    for queue_id, owner, routed, touched, breached, due in rows:
        queue = queues.get(queue_id)
        sla = queue.sla_minutes if queue else 60
        if touched is not None:
            minutes = (touched - routed).total_seconds() / 60
            state = "in_time" if minutes <= sla and breached is None else "late"
        else:
            minutes = None
            state = "late" if breached is not None or (due is not None and due <= now) else "pending"
        by_queue[queue.name if queue else NO_QUEUE].append((state, minutes))
        by_rep[owner or ""].append((state, minutes))
    return _figures(by_queue), _figures(by_rep)


def _figures(groups: dict[str, list]) -> list[SlaFigure]:
    out = []
    for name, items in groups.items():
        states = [st for st, _m in items]
        minutes = [m for _st, m in items if m is not None]
        out.append(SlaFigure(name, len(items), states.count("in_time"), states.count("late"), states.count("pending"),
                             statistics.median(minutes) if minutes else None))
    return sorted(out, key=lambda f: (-f.routed, f.name))
