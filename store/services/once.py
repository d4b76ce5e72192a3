"""Remembering effects that must happen once (an event delivery, a click) across retries and processes."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from store.clock import Clock
from store.db import Database
from store.models import IdempotencyKey
from store.services.pipeline import ensure_team


def first_time(db: Database, clock: Clock, team_id: str, key: str) -> bool:
    """True for the first caller with this key, False for every repeat (a unique row decides)."""
    try:
        with db.write() as s:
            ensure_team(s, team_id, clock)
            if s.get(IdempotencyKey, (team_id, key[:200])) is not None:
                return False
            s.add(IdempotencyKey(team_id=team_id, key=key[:200], created_at=clock.now()))
        return True
    except IntegrityError:
        return False
