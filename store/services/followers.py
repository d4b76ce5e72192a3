"""Followers of a lead: they (and the owner) hear of status and owner changes, and of comments that
mention them, in one DM per lead per minute, never about their own changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.models import Lead, LeadFollower, Notification
from store.services.pipeline import ensure_team

BATCH = timedelta(minutes=1)


def toggle(db: Database, clock: Clock, team_id: str, lead_id: int, user_id: str, *, follow: bool | None = None) -> bool:
    """Follow or unfollow (None: the opposite of now). Returns whether the user follows afterwards."""
    try:
        with db.write() as s:
            ensure_team(s, team_id, clock)
            lead = s.scalar(select(Lead.id).where(Lead.team_id == team_id, Lead.id == lead_id))
            if lead is None:
                return False
            row = s.get(LeadFollower, (team_id, lead_id, user_id))
            want = (row is None) if follow is None else follow
            if want and row is None:
                s.add(LeadFollower(team_id=team_id, lead_id=lead_id, user_id=user_id, created_at=clock.now()))
            elif not want and row is not None:
                s.delete(row)
            return want
    except IntegrityError:  # a double click: the other one followed
        return True


def of(db: Database, team_id: str, lead_id: int) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(LeadFollower.user_id).where(LeadFollower.team_id == team_id,
                                                                 LeadFollower.lead_id == lead_id)
                              .order_by(LeadFollower.created_at)))


def changed(s: Session, lead: Lead, actor_id: str, now: datetime, what: str, *, only: set[str] | None = None,
            skip: set[str] | None = None, **details: object) -> int:
    """Owe the followers and the owner (not the actor) a DM about this change, batched per minute."""
    people = set(s.scalars(select(LeadFollower.user_id).where(LeadFollower.team_id == lead.team_id,
                                                              LeadFollower.lead_id == lead.id)))
    if lead.owner_id:
        people.add(lead.owner_id)
    if only is not None:
        people &= only
    people.discard(actor_id)
    people -= skip or set()
    change = {"what": what, "actor": actor_id, "at": now.isoformat(), **details}
    for user_id in sorted(people):
        _batch(s, lead, user_id, change, now)
    return len(people)


def _batch(s: Session, lead: Lead, user_id: str, change: dict, now: datetime) -> None:
    prefix = f"follow:{lead.id}:{user_id}:"
    for attempt in (1, 2):
        pending = s.scalar(select(Notification).where(
            Notification.team_id == lead.team_id, Notification.key >= prefix, Notification.key < prefix + "~",
            Notification.state == "pending").with_for_update())
        if pending is not None:
            payload = dict(pending.payload or {})
            payload["changes"] = [*payload.get("changes", []), change][-20:]
            pending.payload = payload
            return
        try:
            with s.begin_nested():
                s.add(Notification(team_id=lead.team_id, kind="follow", key=prefix + now.isoformat(), user_id=user_id,
                                   payload={"lead_id": lead.id, "changes": [change]}, state="pending", attempts=0,
                                   next_attempt_at=now + BATCH, created_at=now))
                s.flush()
            return
        except IntegrityError:
            if attempt == 2:
                raise
