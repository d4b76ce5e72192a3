"""Effects that must happen once (an event delivery, a click, a modal submission) across retries,
double clicks and processes: a unique key row, inserted in the same transaction as the effect."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.models import IdempotencyKey
from store.services.pipeline import ensure_team


def once(s: Session, team_id: str, key: str | None, now: datetime) -> bool:
    """Inside the caller's transaction: True the first time `key` is seen (the key is recorded with the
    caller's effect), False for a repeat. No key: always True. A second writer racing on the same key
    fails at the unique index when it commits (callers treat that IntegrityError as a repeat)."""
    if not key:
        return True
    if s.get(IdempotencyKey, (team_id, key[:200])) is not None:
        return False
    s.add(IdempotencyKey(team_id=team_id, key=key[:200], created_at=now))
    s.flush()
    return True


def first_time(db: Database, clock: Clock, team_id: str, key: str) -> bool:
    """`once` in a transaction of its own: for effects that are not database writes (an event's answer)."""
    try:
        with db.write() as s:
            ensure_team(s, team_id, clock)
            return once(s, team_id, key, clock.now())
    except IntegrityError:
        return False
