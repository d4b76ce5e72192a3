"""Chart images already uploaded to Slack, by the SHA-256 of their bytes (see `store.models.ChartFile`)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from store.clock import Clock
from store.db import Database
from store.models import ChartFile
from store.services.pipeline import ensure_team

TOUCH_EVERY = timedelta(hours=1)  # `used_at` is refreshed at most this often (reading a chart costs no write)


def known(db: Database, clock: Clock, team_id: str, digest: str) -> str | None:
    """The file id of a chart uploaded before, or None."""
    with db.read() as s:
        row = s.get(ChartFile, (team_id, digest))
        found = (row.file_id, row.used_at) if row else None
    if found is None:
        return None
    if clock.now() - found[1] > TOUCH_EVERY:
        with db.write() as s:
            s.execute(update(ChartFile).where(ChartFile.team_id == team_id, ChartFile.digest == digest)
                      .values(used_at=clock.now()))
    return found[0]


def remember(db: Database, clock: Clock, team_id: str, digest: str, file_id: str) -> str:
    """Record an upload; when another process uploaded the same chart a moment ago, theirs is kept."""
    now = clock.now()
    with db.write() as s:
        ensure_team(s, team_id, clock)
        ins = (pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert)(ChartFile).values(
            team_id=team_id, digest=digest, file_id=file_id, created_at=now, used_at=now)
        s.execute(ins.on_conflict_do_nothing(index_elements=["team_id", "digest"]))
        return s.scalar(select(ChartFile.file_id).where(ChartFile.team_id == team_id, ChartFile.digest == digest))


def forget(db: Database, team_id: str, file_ids: list[str]) -> None:
    """Slack would not show these files any more (deleted, or never finished): draw and upload them again."""
    if file_ids:
        with db.write() as s:
            s.execute(delete(ChartFile).where(ChartFile.team_id == team_id, ChartFile.file_id.in_(file_ids)))
