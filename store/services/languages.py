"""Which language the CRM writes in: each person's Slack locale, else the workspace's default.

The store keeps codes only (`en`, `ko`); the words are the bot's (bot/i18n.py).
"""

from __future__ import annotations

from store.clock import Clock
from store.db import Database
from store.errors import Invalid
from store.models import Member, Team
from store.services import audit
from store.services.members import require_manager
from store.services.pipeline import put_team_setting

LANGUAGES = ("en", "ko")
SETTING = "language"


def language_code(locale: str | None) -> str | None:
    """`ko-KR`, `ko_KR`, `ko` → `ko`; a language the CRM does not speak → None."""
    head = (locale or "").strip().lower().replace("_", "-").split("-", 1)[0]
    return head if head in LANGUAGES else None


def _workspace(team: Team | None, default: str) -> str:
    return language_code(((team.settings or {}) if team else {}).get(SETTING)) or default


def workspace_language(db: Database, team_id: str, default: str = "en") -> str:
    """The language of the workspace's shared messages (cards, assignment notices, channel reports)."""
    with db.read() as s:
        return _workspace(s.get(Team, team_id), default)


def reader(db: Database, team_id: str, user_id: str | None, default: str = "en") -> tuple[str, bool]:
    """(the person's language, whether their locale has been read), in one read: their Slack locale when the
    CRM speaks it, else the workspace's language. A locale Slack did not give is kept as "-" (read, unknown)."""
    with db.read() as s:
        member = s.get(Member, (team_id, user_id)) if user_id else None
        locale = member.locale if member is not None else None
        own = language_code(locale)
        if own:
            return own, True
        return _workspace(s.get(Team, team_id), default), locale is not None


def language_of(db: Database, team_id: str, user_id: str | None, default: str = "en") -> str:
    """A person's language: their Slack locale when the CRM speaks it, else the workspace's."""
    return reader(db, team_id, user_id, default)[0]


def set_workspace_language(db: Database, clock: Clock, team_id: str, actor_id: str, code: str) -> str:
    """Managers and admins choose the workspace's default language; written to the audit log."""
    lang = language_code(code)
    if lang is None:
        raise Invalid("language_unknown", text=(code or "")[:20], names=", ".join(LANGUAGES))
    require_manager(db, team_id, actor_id, "language")
    with db.write() as s:
        put_team_setting(s, clock, team_id, SETTING, lang)
        audit.record(s, team_id, clock.now(), actor_id, "settings.language", lang)
    return lang
