"""Workspace settings for nudges (repeat interval, how many repeats, the default manager) and each
member's own: their manager and their morning digest."""

from __future__ import annotations

import re
from dataclasses import asdict, fields

from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import NudgePolicy
from store.errors import Invalid
from store.models import Member, Team
from store.services.members import NEVER, member_row, require_manager, require_person  # noqa: F401 - NEVER re-exported
from store.money import currency_code
from store.services.deal_stages import currency_of
from store.services.organizations import org_types
from store.services.pipeline import ensure_team, put_team_setting
from store.text import clean


def policy(s: Session, team_id: str) -> NudgePolicy:
    team = s.get(Team, team_id)
    stored = (team.settings or {}).get("nudges", {}) if team else {}
    known = {f.name for f in fields(NudgePolicy)}
    return NudgePolicy(**{k: v for k, v in stored.items() if k in known})


def read_policy(db: Database, team_id: str) -> NudgePolicy:
    with db.read() as s:
        return policy(s, team_id)


_DURATION = re.compile(r"^\s*(\d{1,5})\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?)\s*$", re.I)


def parse_duration(text: str) -> int:
    """'45m', '12h', '2d' → minutes."""
    m = _DURATION.match(text or "")
    if not m:
        raise Invalid("duration_invalid", text=(text or "")[:40])
    n, unit = int(m.group(1)), m.group(2)[0].lower()
    minutes = n * {"m": 1, "h": 60, "d": 1440}[unit]
    if not 5 <= minutes <= 30 * 1440:
        raise Invalid("duration_range")
    return minutes


def set_policy(db: Database, clock: Clock, team_id: str, actor_id: str, **changes: object) -> NudgePolicy:
    """Change the workspace's reminder rules (managers)."""
    require_manager(db, team_id, actor_id, "settings")
    with db.write() as s:
        ensure_team(s, team_id, clock)
        team = s.get(Team, team_id, with_for_update=s.bind.dialect.name == "postgresql")
        current = asdict(policy(s, team_id))
        current.update(changes)
        new = NudgePolicy(**current)
        team.settings = {**(team.settings or {}), "nudges": asdict(new)}
        return new


def set_manager(db: Database, clock: Clock, team_id: str, actor_id: str, user_id: str, manager_id: str | None) -> None:
    """`user_id`'s manager (None: none). Setting someone else's is for managers; bots have none."""
    if manager_id == user_id:
        raise Invalid("own_manager")
    if user_id != actor_id:
        require_manager(db, team_id, actor_id, "manager")
    with db.write() as s:
        for person in (user_id, manager_id):
            if person:
                require_person(s, team_id, person, None, code="bot_manager")
        member_row(s, clock, team_id, user_id).manager_id = manager_id


def manager_of(s: Session, team_id: str, user_id: str, pol: NudgePolicy) -> str | None:
    m = s.get(Member, (team_id, user_id))
    manager = (m.manager_id if m else None) or pol.default_manager_id
    return manager if manager != user_id else None


_HHMM = re.compile(r"^([01]?\d|2[0-3])[:.h]([0-5]\d)$")


def parse_hhmm(text: str) -> str:
    m = _HHMM.match((text or "").strip().lower())
    if not m:
        raise Invalid("hhmm_invalid", text=(text or "")[:20])
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def set_digest(db: Database, clock: Clock, team_id: str, user_id: str, *, enabled: bool | None = None,
               at: str | None = None) -> tuple[bool, str]:
    with db.write() as s:
        m = member_row(s, clock, team_id, user_id)
        if enabled is not None:
            m.digest_enabled = enabled
        if at is not None:
            m.digest_time, m.digest_enabled = parse_hhmm(at), True
        return m.digest_enabled, m.digest_time


def workspace(db: Database, team_id: str) -> dict:
    """The workspace's CRM words: its currency and its organization types."""
    with db.read() as s:
        return {"currency": currency_of(s, team_id), "org_types": org_types(s, team_id)}


def set_workspace(db: Database, clock: Clock, team_id: str, actor_id: str, *, currency: str | None = None,
                  org_types: list[str] | None = None) -> dict:
    """Managers set the currency new deals use and the organization types on offer."""
    require_manager(db, team_id, actor_id, "settings")
    changes: dict = {}
    if currency is not None:
        changes["currency"] = currency_code(currency, field="value")
    if org_types is not None:
        names = list(dict.fromkeys(n for n in (clean(t, single_line=True, limit=40) for t in org_types) if n))
        if not 1 <= len(names) <= 50:
            raise Invalid("org_types_count", field="value")
        changes["org_types"] = names
    with db.write() as s:
        ensure_team(s, team_id, clock)
        team = s.get(Team, team_id, with_for_update=s.bind.dialect.name == "postgresql")
        team.settings = {**(team.settings or {}), **changes}
    return workspace(db, team_id)


def fallback_channel(db: Database, team_id: str) -> str | None:
    """Where cards go when their own channel won't take them (`/lead settings channel`); None: CRM_CHANNEL."""
    with db.read() as s:
        team = s.get(Team, team_id)
        return ((team.settings or {}).get("channel") if team else None) or None


def set_fallback_channel(db: Database, clock: Clock, team_id: str, actor_id: str, channel_id: str | None) -> None:
    """Managers choose the workspace's channel for lead cards (None: back to CRM_CHANNEL)."""
    require_manager(db, team_id, actor_id, "channel")
    with db.write() as s:
        put_team_setting(s, clock, team_id, "channel", channel_id or None)
