"""Activity in a report: what each rep logged per local day, with the attempts that reached nobody (No answer,
Left message) beside those that connected. A rep's report counts their own work; a queue's, segment's or
type's counts the work logged on its leads."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.dto.reports import DayActivity, Period, RepActivity, Scope
from store.models import Activity
from store.services.reports.period import offsets
from store.services.reports.scope import narrow

ATTEMPT_OUTCOMES = ("Connected", "No answer", "Left message")


def day_rows(s: Session, team_id: str, period: Period, scope: Scope) -> list[DayActivity]:
    """(rep, local day, type, outcome, count), read from `ix_activity_team_time`. PostgreSQL cuts days in the
    zone itself; SQLite, which has no zones, reads each stretch of the period with one UTC offset."""
    out: list[DayActivity] = []
    if s.bind.dialect.name == "postgresql":
        stretches = [(period.start, period.end, func.date(func.timezone(period.tz, Activity.occurred_at)))]
    else:
        stretches = [(a, b, func.date(Activity.occurred_at, f"{off:+d} seconds")) for a, b, off in offsets(period)]
    for start, end, day in stretches:
        q = select(Activity.actor_id, day, Activity.kind, Activity.outcome, func.count()).where(
            Activity.team_id == team_id, Activity.occurred_at >= start, Activity.occurred_at < end)
        if scope.owner_id:
            q = q.where(Activity.actor_id == scope.owner_id)
        q = narrow(q, Activity.lead_id, scope, team_id, by_owner=False)
        for actor, d, kind, outcome, n in s.execute(q.group_by(Activity.actor_id, day, Activity.kind,
                                                               Activity.outcome)):
            out.append(DayActivity(actor, d if isinstance(d, date) else date.fromisoformat(str(d)), kind, outcome,
                                   int(n)))
    return sorted(out, key=lambda r: (r.day, r.user_id, r.kind, r.outcome))


def per_rep(days: list[DayActivity]) -> list[RepActivity]:
    """Each rep's totals, most attempts first."""
    kinds: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    active: dict[str, set[date]] = defaultdict(set)
    for r in days:
        kinds[r.user_id][r.kind] += r.count
        outcomes[r.user_id][r.outcome] += r.count
        active[r.user_id].add(r.day)
    reps = [RepActivity(u, dict(kinds[u]), outcomes[u]["Connected"], outcomes[u]["No answer"],
                        outcomes[u]["Left message"], len(active[u])) for u in kinds]
    return sorted(reps, key=lambda r: (-r.attempts, -sum(r.by_kind.values()), r.user_id))
