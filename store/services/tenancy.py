"""Workspaces coming and going: installed (again), uninstalled (work stops at once, data kept PURGE_AFTER),
purged; and the one filter every sweep applies so that an uninstalled team is never planned for.

The installation tables are slack_sdk's (`store/models/installations.py`); this module reads them only to
find the tokens that are about to expire, and deletes a purged team's rows from them.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, update

from store.clock import Clock
from store.db import Database
from store.models import Base, Notification, Outbox, Team
from store.models.installations import slack_bots
from store.services.audit import record
from store.services.pipeline import ensure_team

PURGE_AFTER = timedelta(days=30)


def active(team_column):
    """A WHERE clause for sweeps: the row's team has not uninstalled the app."""
    return team_column.not_in(select(Team.id).where(Team.uninstalled_at.is_not(None)))


def installed(db: Database, clock: Clock, team_id: str, name: str | None, *, by: str | None = None) -> bool:
    """The app was installed (or installed again, which cancels a pending purge). True if it had left."""
    now = clock.now()
    with db.write() as s:
        ensure_team(s, team_id, clock)
        team = s.get(Team, team_id)
        returning = team.uninstalled_at is not None
        team.installed_at, team.uninstalled_at = now, None
        if name:
            team.name = name[:200]
        record(s, team_id, now, by or "slack", "install", None, {"again": returning} if returning else None)
        return returning


def uninstalled(db: Database, clock: Clock, team_id: str, why: str) -> int:
    """`app_uninstalled` or the bot token revoked: every pending DM and post of the team is dropped (nothing
    can be sent with a token that is gone); sweeps skip the team from now on. Returns what was dropped."""
    now = clock.now()
    with db.write() as s:
        team = s.get(Team, team_id)
        if team is None:
            return 0
        if team.uninstalled_at is None:
            team.uninstalled_at = now
            record(s, team_id, now, "slack", "uninstall", why, {"purge_after": (now + PURGE_AFTER).isoformat()})
        dropped = s.execute(update(Notification).where(
            Notification.team_id == team_id, Notification.state.in_(("pending", "sending")))
            .values(state="skipped", claim_token=None, last_error="app uninstalled")).rowcount
        dropped += s.execute(update(Outbox).where(
            Outbox.team_id == team_id, Outbox.state.in_(("pending", "sending")))
            .values(state="failed", claim_token=None, last_error="app uninstalled")).rowcount
        return dropped


def is_active(db: Database, team_id: str) -> bool:
    with db.read() as s:
        team = s.get(Team, team_id)
        return team is None or team.uninstalled_at is None


def uninstalled_at(db: Database, team_id: str) -> datetime | None:
    with db.read() as s:
        team = s.get(Team, team_id)
        return team.uninstalled_at if team else None


def due_for_purge(db: Database, clock: Clock) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Team.id).where(Team.uninstalled_at <= clock.now() - PURGE_AFTER)))


def purge(db: Database, clock: Clock, team_id: str) -> int:
    """Delete everything the CRM holds for a team that left more than PURGE_AFTER ago (children first),
    its installations included. Returns the rows deleted; a team that came back is left alone."""
    deleted = 0
    with db.write() as s:
        team = s.get(Team, team_id, with_for_update=s.bind.dialect.name == "postgresql")
        if team is None or team.uninstalled_at is None or team.uninstalled_at > clock.now() - PURGE_AFTER:
            return 0
        for table in reversed(Base.metadata.sorted_tables):
            column = table.c.get("team_id") if table.name != "team" else table.c.id
            if column is None:
                continue
            deleted += s.execute(delete(table).where(column == team_id)).rowcount or 0
    return deleted


def tokens_expiring(db: Database, *, within_seconds: float, now: float) -> list[str]:
    """Workspaces with a rotating bot token that expires within `within_seconds` of `now` (epoch)."""
    limit = datetime.fromtimestamp(now + within_seconds, tz=timezone.utc).replace(tzinfo=None)  # naive UTC
    with db.read() as s:
        return list(s.scalars(select(slack_bots.c.team_id).distinct().where(
            slack_bots.c.bot_refresh_token.is_not(None), slack_bots.c.bot_token_expires_at < limit,
            slack_bots.c.team_id.is_not(None))))


def installed_teams(db: Database) -> list[str]:
    """Workspaces with a bot token in the installation store."""
    with db.read() as s:
        return list(s.scalars(select(slack_bots.c.team_id).distinct().where(slack_bots.c.team_id.is_not(None))))

