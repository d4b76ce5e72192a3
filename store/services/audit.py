"""The audit log: every role change and every refusal of something a person's role does not allow, and the
other acts an admin answers for (exports, erasures, installs). Written in the transaction of the act
itself; a refusal, which changes nothing, is written in a transaction of its own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import AuditLine
from store.models import AuditEntry
from store.services.pipeline import ensure_team

PAGE = 20


def record(s: Session, team_id: str, at: datetime, actor_id: str, action: str, target: str | None = None,
           detail: dict | None = None) -> None:
    s.add(AuditEntry(team_id=team_id, at=at, actor_id=actor_id[:32], action=action[:40],
                     target=(target or None) and target[:200], detail=detail or None))


def refused(db: Database, clock: Clock, team_id: str, actor_id: str, what: str, asked: str | None) -> None:
    """`actor_id` was refused `what` (routing, settings, reports, export…) while asking `asked`."""
    with db.write() as s:
        ensure_team(s, team_id, clock)
        record(s, team_id, clock.now(), actor_id, "refused", what, {"asked": (asked or "")[:200]} if asked else None)


def entries(db: Database, team_id: str, *, before_id: int | None = None, actor_id: str | None = None,
            limit: int = PAGE) -> tuple[list[AuditLine], int | None]:
    """The newest entries first (about `actor_id`, as actor or target, when given), and the id to page on
    from (None: no older ones)."""
    with db.read() as s:
        q = select(AuditEntry).where(AuditEntry.team_id == team_id)
        if actor_id:
            q = q.where((AuditEntry.actor_id == actor_id) | (AuditEntry.target == actor_id))
        if before_id is not None:
            q = q.where(AuditEntry.id < before_id)
        rows = s.scalars(q.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit + 1)).all()
        more = len(rows) > limit
        rows = rows[:limit]
        lines = [AuditLine(r.id, r.at, r.actor_id, r.action, r.target, dict(r.detail or {})) for r in rows]
        return lines, (rows[-1].id if more and rows else None)
