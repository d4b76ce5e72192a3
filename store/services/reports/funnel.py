"""The funnel: leads entering each status in the period, how many of them moved further along the main path,
and how long they stayed.

The main path is the pipeline up to its first closed status (Unidentified → … → Customer); the statuses after
it are side exits (Nurturing, Bad fit, Churned). A lead enters its first status when it arrives and every
other status through a status change. For each entry the lead's later changes say whether it moved on (to a
status further along the main path, at any time up to now) and when it left (the next change): the median of
finished stays is reported, and entries still sitting in the status are counted apart.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import datetime

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from store.dto import StatusInfo
from store.dto.reports import FunnelStep, Period, Scope
from store.models import Lead, StatusChange
from store.services import pipeline
from store.services.reports.scope import narrow


def main_path(statuses: list[StatusInfo]) -> tuple[list[StatusInfo], list[StatusInfo]]:
    """(the main path up to and including the first closed status, the side exits after it)."""
    first_closed = next((i for i, st in enumerate(statuses) if st.is_closed), len(statuses) - 1)
    return statuses[: first_closed + 1], statuses[first_closed + 1:]


def funnel(s: Session, team_id: str, period: Period, scope: Scope) -> list[FunnelStep]:
    statuses = pipeline.statuses(s, team_id)
    main, side = main_path(statuses)
    position = {st.name: i for i, st in enumerate(main)}
    in_period = (StatusChange.team_id == team_id, StatusChange.changed_at >= period.start,
                 StatusChange.changed_at < period.end)
    arrived = (Lead.team_id == team_id, Lead.arrived_at >= period.start, Lead.arrived_at < period.end)
    touched = union(
        narrow(select(StatusChange.lead_id).where(*in_period), StatusChange.lead_id, scope, team_id),
        narrow(select(Lead.id.label("lead_id")).where(*arrived), Lead.id, scope, team_id),
    ).subquery()
    # every change since the period began of the leads that entered something in it (ordered per lead)
    changes: dict[int, list[tuple[datetime, int, str]]] = defaultdict(list)
    for lead_id, at, row_id, to in s.execute(
            select(StatusChange.lead_id, StatusChange.changed_at, StatusChange.id, StatusChange.to_status)
            .where(StatusChange.team_id == team_id, StatusChange.changed_at >= period.start,
                   StatusChange.lead_id.in_(select(touched.c.lead_id)))):
        changes[lead_id].append((at, row_id, to))
    for rows in changes.values():
        rows.sort()
    entries: list[tuple[int, str, datetime, int]] = [
        (lead_id, to, at, row_id) for lead_id, rows in changes.items() for at, row_id, to in rows
        if period.start <= at < period.end]
    first = statuses[0].name if statuses else None
    for lead_id, at in s.execute(narrow(select(Lead.id, Lead.arrived_at).where(*arrived), Lead.id, scope, team_id)):
        entries.append((lead_id, first, at, -1))  # -1: before any change of that lead
    entered: dict[str, int] = defaultdict(int)
    moved: dict[str, int] = defaultdict(int)
    stays: dict[str, list[float]] = defaultdict(list)
    still: dict[str, int] = defaultdict(int)
    for lead_id, status, at, row_id in entries:
        entered[status] += 1
        later = [(t, rid, to) for t, rid, to in changes.get(lead_id, ()) if (t, rid) > (at, row_id)]
        if later:
            stays[status].append((later[0][0] - at).total_seconds() / 3600)
        else:
            still[status] += 1
        if status in position and any(position.get(to, -1) > position[status] for _t, _r, to in later):
            moved[status] += 1
    steps = [FunnelStep(st.name, entered[st.name], moved[st.name] if i < len(main) - 1 else None,
                        _median(stays[st.name]), still[st.name]) for i, st in enumerate(main)]
    steps += [FunnelStep(st.name, entered[st.name], None, _median(stays[st.name]), still[st.name], side_exit=True)
              for st in side]
    return steps


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
