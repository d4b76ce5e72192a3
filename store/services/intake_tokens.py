"""Each workspace's intake token (the web form's `Authorization: Bearer …` for POST /intake/leads): made by an
admin, shown to them once, stored only as its SHA-256, rotatable (the old one stops working at once)."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from store.clock import Clock
from store.db import Database
from store.models import Team
from store.services.audit import record
from store.services.members import require_admin
from store.services.pipeline import ensure_team


def digest(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def rotate(db: Database, clock: Clock, team_id: str, actor_id: str) -> str:
    """A new token for the workspace (admins); the previous one, if any, no longer works."""
    require_admin(db, team_id, actor_id, "intake")
    token = "crmi_" + secrets.token_urlsafe(32)
    with db.write() as s:
        ensure_team(s, team_id, clock)
        team = s.get(Team, team_id)
        replaced = team.intake_token_hash is not None
        team.intake_token_hash = digest(token)
        record(s, team_id, clock.now(), actor_id, "intake.rotate" if replaced else "intake.create")
    return token


def revoke(db: Database, clock: Clock, team_id: str, actor_id: str) -> bool:
    require_admin(db, team_id, actor_id, "intake")
    with db.write() as s:
        team = s.get(Team, team_id)
        if team is None or team.intake_token_hash is None:
            return False
        team.intake_token_hash = None
        record(s, team_id, clock.now(), actor_id, "intake.revoke")
        return True


def has_token(db: Database, team_id: str) -> bool:
    with db.read() as s:
        team = s.get(Team, team_id)
        return bool(team and team.intake_token_hash)


def team_of(db: Database, token: str) -> str | None:
    """The workspace whose intake token this is (one indexed look-up of its hash), or None."""
    if not token.strip():
        return None
    with db.read() as s:
        return s.scalar(select(Team.id).where(Team.intake_token_hash == digest(token)))
