"""Who can take a lead now: not away in the CRM (`/lead away`), no Slack status that says away (a list the
workspace's managers choose: emoji or words, e.g. :palm_tree: or "OOO"), and no do-not-disturb covering the
next hour. Slack's side is cached on the member's row (profile status from users.info and user_change events,
do-not-disturb from dnd.info and dnd_updated_user events): routing reads one query, never Slack."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.errors import Invalid
from store.models import Member, Team
from store.services.members import require_manager
from store.services.pipeline import put_team_setting
from store.text import clean

DND_HORIZON = timedelta(hours=1)  # do-not-disturb that lasts at least this long from now counts as away
DEFAULT_AWAY = [":palm_tree:", ":airplane:", ":face_with_thermometer:", ":beach_with_umbrella:",
                ":desert_island:", "OOO", "out of office", "vacation", "holiday", "sick", "휴가", "연차", "병가",
                "출장", "부재"]
# Emoji people type (or paste) and the names Slack keeps in status_emoji.
EMOJI_NAMES = {"🌴": ":palm_tree:", "✈️": ":airplane:", "✈": ":airplane:", "🤒": ":face_with_thermometer:",
               "🏖️": ":beach_with_umbrella:", "🏖": ":beach_with_umbrella:", "🏝️": ":desert_island:",
               "🏝": ":desert_island:", "🤧": ":sneezing_face:", "🏠": ":house:", "😷": ":mask:",
               "🗓️": ":spiral_calendar_pad:", "🚗": ":car:", "🚆": ":train:"}


@dataclass(frozen=True)
class Unavailable:
    user_id: str
    why: str  # crm | status | dnd
    until: datetime | None = None
    status: str | None = None  # the Slack status as shown (emoji and text)


def normalize(pattern: str) -> str:
    p = unicodedata.normalize("NFC", pattern.strip())
    return EMOJI_NAMES.get(p, p)


def away_statuses(s: Session, team_id: str) -> list[str]:
    team = s.get(Team, team_id)
    stored = (team.settings or {}).get("away_statuses") if team else None
    return list(stored) if stored is not None else list(DEFAULT_AWAY)


def read_away_statuses(db: Database, team_id: str) -> list[str]:
    with db.read() as s:
        return away_statuses(s, team_id)


def set_away_statuses(db: Database, clock: Clock, team_id: str, actor_id: str, patterns: list[str] | None) -> list[str]:
    """Managers choose which Slack statuses mean "away" (None: the defaults; [] : none)."""
    require_manager(db, team_id, actor_id, "routing")
    cleaned = None
    if patterns is not None:
        cleaned = list(dict.fromkeys(normalize(p) for p in (clean(x, single_line=True, limit=60) for x in patterns) if p))
        if len(cleaned) > 30:
            raise Invalid("away_statuses_count")
    with db.write() as s:
        put_team_setting(s, clock, team_id, "away_statuses", cleaned)
        return away_statuses(s, team_id)


def status_matches(text: str | None, emoji: str | None, patterns: list[str]) -> bool:
    text_l = (text or "").casefold()
    for p in patterns:
        if p.startswith(":") and p.endswith(":"):
            if emoji and emoji.casefold() == p.casefold():
                return True
        elif p.casefold() in text_l:
            return True
    return False


def unavailable(s: Session, team_id: str, user_ids: list[str], now: datetime) -> dict[str, Unavailable]:
    """Who of these cannot take a lead now, and why (one query; the first reason wins: the CRM's own away,
    then the Slack status, then do-not-disturb)."""
    if not user_ids:
        return {}
    rows = s.execute(select(Member.user_id, Member.away_until, Member.status_text, Member.status_emoji,
                            Member.status_expires_at, Member.dnd_until).where(
        Member.team_id == team_id, Member.user_id.in_(user_ids))).all()
    patterns: list[str] | None = None
    out: dict[str, Unavailable] = {}
    for user_id, away_until, text, emoji, expires, dnd_until in rows:
        if away_until is not None and away_until > now:
            out[user_id] = Unavailable(user_id, "crm", until=away_until)
            continue
        if (text or emoji) and (expires is None or expires > now):
            patterns = patterns if patterns is not None else away_statuses(s, team_id)
            if status_matches(text, emoji, patterns):
                shown = " ".join(x for x in (emoji, text) if x)
                out[user_id] = Unavailable(user_id, "status", until=expires, status=shown)
                continue
        if dnd_until is not None and dnd_until >= now + DND_HORIZON:
            out[user_id] = Unavailable(user_id, "dnd", until=dnd_until)
    return out
