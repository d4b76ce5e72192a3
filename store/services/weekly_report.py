"""The team report posted to a channel every week at a local time (`/lead settings report #channel mon 09:00`).

Planned by the sweep like digests: on the chosen weekday, from the chosen time (and for a few hours after,
should the bot have been down), a `notification` of kind `report` is owed under the key
`report:<channel>:<local date>`, so it is posted once that day whatever restarts or replicas do. It covers the
seven days before the day it is sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from store.clock import Clock
from store.db import Database
from store.errors import Invalid
from store.models import Team
from store.services.members import require_manager
from store.services.nudges import owe
from store.services.pipeline import put_team_setting
from store.services.team_settings import parse_hhmm
from store.vocabulary import WEEKDAYS

WINDOW = timedelta(hours=3)  # a report not posted by HH:MM + this (bot down all morning) waits a week


def weekday_of(word: str) -> int:
    key = (word or "").strip().lower()[:3]
    if key not in WEEKDAYS:
        raise Invalid("weekday_unknown", text=(word or "")[:20])
    return WEEKDAYS.index(key)


def schedule_of(db: Database, team_id: str) -> dict | None:
    """{channel, weekday, time, tz, by} or None."""
    with db.read() as s:
        team = s.get(Team, team_id)
        return ((team.settings or {}).get("weekly_report") if team else None) or None


def set_schedule(db: Database, clock: Clock, team_id: str, actor_id: str, *, channel: str | None,
                 weekday: int = 0, at: str = "09:00", tz: str = "UTC") -> dict | None:
    """Managers choose the channel, weekday and local time (in `tz`, the setter's zone); no channel stops it."""
    require_manager(db, team_id, actor_id, "settings")
    value = None if channel is None else {"channel": channel, "weekday": weekday, "time": parse_hhmm(at), "tz": tz,
                                          "by": actor_id}
    with db.write() as s:
        put_team_setting(s, clock, team_id, "weekly_report", value)
    return value


def plan(db: Database, clock: Clock) -> int:
    """Owe each team's weekly report when its time has come today (once per local date)."""
    now = clock.now()
    planned = 0
    with db.write() as s:
        for team in s.scalars(select(Team).where(Team.uninstalled_at.is_(None))):
            sched = (team.settings or {}).get("weekly_report")
            if not sched:
                continue
            local = now.astimezone(ZoneInfo(sched.get("tz") or "UTC"))
            hh, mm = (int(x) for x in sched["time"].split(":"))
            at = local.replace(hour=hh, minute=mm, second=0, microsecond=0)
            if local.weekday() != sched["weekday"] or not at <= local < at + WINDOW:
                continue
            day = local.date().isoformat()
            if owe(s, team.id, "report", f"report:{sched['channel']}:{day}", sched["channel"], now,
                   payload={"day": day, "tz": sched.get("tz") or "UTC", "by": sched.get("by")}):
                planned += 1
    return planned


def next_time(sched: dict | None, now: datetime) -> datetime | None:
    """When the next weekly report goes out (for the settings answer); None when there is none."""
    if not sched:
        return None
    zone = ZoneInfo(sched.get("tz") or "UTC")
    local = now.astimezone(zone)
    hh, mm = (int(x) for x in sched["time"].split(":"))
    for days in range(0, 8):
        day = (local + timedelta(days=days)).date()
        at = datetime(day.year, day.month, day.day, hh, mm, tzinfo=zone)
        if day.weekday() == sched["weekday"] and at > local:
            return at
    return local
