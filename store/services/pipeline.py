"""Workspaces and their status pipelines (seeded from a template, configurable per team)."""

from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.dto import StatusInfo
from store.errors import Invalid
from store.models import PipelineStatus, Team
from store.ttl import expiry, fresh
from store.text import compact_key, name_key
from store.vocabulary import (  # noqa: F401 - re-exported
    ACTIVITY_KINDS, KOREAN_STATUS_NAMES, OUTCOMES, SEGMENTS, SOURCES, TEMPLATES,
)

# Per-team status lists are read on almost every command and change rarely: keep them in memory for a
# minute (every process re-reads them after a change within that time; the database stays the truth).
CACHE_SECONDS = 60.0
_status_cache: dict[str, tuple[float, list[StatusInfo]]] = {}


def ensure_team(s: Session, team_id: str, clock: Clock, *, template: str = "lifecycle") -> None:
    """Create the workspace with its default pipeline the first time it is seen (race-safe)."""
    # Not the status cache: it may hold rows another transaction has not committed yet.
    if s.get(Team, team_id) is not None:
        return
    try:
        with s.begin_nested():
            # a new workspace's attempts are counted from its first one (older ones: best_time.rebuild_missing)
            s.add(Team(id=team_id, pipeline=template, settings={"contact_stats": 1}, created_at=clock.now()))
            s.flush()
            for pos, (name, meaning, closed) in enumerate(TEMPLATES[template]):
                s.add(PipelineStatus(team_id=team_id, name=name, meaning=meaning, position=pos, is_closed=closed))
            s.flush()
    except IntegrityError:
        pass  # another request created it first


def put_team_setting(s: Session, clock: Clock, team_id: str, key: str, value: object) -> None:
    """One key of the workspace's settings set (None removes it, back to the default), the team row locked
    on PostgreSQL so two writers of different keys keep each other's."""
    ensure_team(s, team_id, clock)
    team = s.get(Team, team_id, with_for_update=s.bind.dialect.name == "postgresql")
    settings = dict(team.settings or {})
    if value is None:
        settings.pop(key, None)
    else:
        settings[key] = value
    team.settings = settings


def statuses(s: Session, team_id: str) -> list[StatusInfo]:
    cached = _status_cache.get(team_id)
    if cached is not None and fresh(cached[0]):
        return cached[1]
    rows = s.scalars(
        select(PipelineStatus).where(PipelineStatus.team_id == team_id).order_by(PipelineStatus.position)
    ).all()
    result = [StatusInfo(r.name, r.meaning, r.position, r.is_closed) for r in rows]
    if not result:  # team not created yet: show the default template
        return [StatusInfo(n, m, i, c) for i, (n, m, c) in enumerate(TEMPLATES["lifecycle"])]
    _status_cache[team_id] = (expiry(CACHE_SECONDS), result)
    return result


def forget_cache(team_id: str | None = None) -> None:
    """Forget cached statuses (of one team, or all): this process reads them again at once, the others
    within CACHE_SECONDS."""
    if team_id is None:
        _status_cache.clear()
    else:
        _status_cache.pop(team_id, None)


def match_status(options: list[StatusInfo], text: str) -> StatusInfo:
    """Exact (case-insensitive) name, else a unique prefix; otherwise explain the choices."""
    key = name_key(text)
    names = ", ".join(o.name for o in options)
    if not key:
        raise Invalid("status_missing", field="status", names=names)
    for o in options:
        if name_key(o.name) == key:
            return o
    said = compact_key(key)  # a built-in status's Korean name, with or without its space
    for o in options:
        if said in (compact_key(k) for k in KOREAN_STATUS_NAMES.get(o.name, ())):
            return o
    hits = [o for o in options if name_key(o.name).startswith(key)
            or any(compact_key(k).startswith(said) for k in KOREAN_STATUS_NAMES.get(o.name, ()))]
    if len(hits) == 1:
        return hits[0]
    if hits:
        raise Invalid("status_ambiguous", field="status", text=text, hits=", ".join(h.name for h in hits))
    raise Invalid("status_unknown", field="status", text=text, names=names)


def pick(options: list[str], text: str | None, what: str) -> str | None:
    """Case-insensitive choice from a fixed list (segment, source, activity type, outcome)."""
    if text is None:
        return None
    key = name_key(text)
    for o in options:
        if name_key(o) == key:
            return o
    hits = [o for o in options if name_key(o).startswith(key)]
    if len(hits) == 1:
        return hits[0]
    raise Invalid("choice_unknown", field=what.lower(), text=text, what=what, options=", ".join(options))
