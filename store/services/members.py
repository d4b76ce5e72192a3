"""Slack users as the CRM knows them (by Slack user id; time zone cached from Slack)."""

from __future__ import annotations

import re

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.clock import Clock
from store.db import Database
from store.dto import MemberInfo
from store.errors import Invalid
from store.models import Member
from store.services.pipeline import ensure_team

PROFILE_TTL = timedelta(hours=12)
NEVER = datetime(1970, 1, 1, tzinfo=timezone.utc)  # a member row made before Slack was asked: refresh it


def _info(m: Member) -> MemberInfo:
    return MemberInfo(m.user_id, m.name, m.tz, m.is_admin, m.is_bot, m.role, m.fetched_at, m.manager_id,
                      m.digest_enabled if m.digest_enabled is not None else True, m.digest_time or "09:00",
                      m.status_text, m.status_emoji, m.locale)


def get_member(db: Database, team_id: str, user_id: str) -> MemberInfo | None:
    with db.read() as s:
        m = s.get(Member, (team_id, user_id))
        return _info(m) if m else None


def is_fresh(member: MemberInfo | None, clock: Clock) -> bool:
    return member is not None and clock.now() - member.fetched_at < PROFILE_TTL


def valid_tz(tz: str | None) -> str:
    if not tz:
        return "UTC"
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return tz


def save_member(
    db: Database,
    clock: Clock,
    team_id: str,
    user_id: str,
    *,
    name: str | None,
    tz: str | None,
    is_admin: bool = False,
    is_bot: bool = False,
    email: str | None = None,
    status: tuple[str | None, str | None, datetime | None] | None = None,
    locale: str | None = None,
) -> MemberInfo:
    """The profile as Slack gave it (users.info, a user_change event): `status` is (text, emoji, expiry).
    `locale` is kept when the profile has none (user_change events carry no locale)."""
    with db.write() as s:
        m = member_row(s, clock, team_id, user_id)
        m.name, m.tz, m.is_admin, m.is_bot, m.email = name, valid_tz(tz), is_admin, is_bot, email
        if locale:
            m.locale = locale[:16]
        if status is not None:
            m.status_text, m.status_emoji, m.status_expires_at = (
                (status[0] or None) and status[0][:150], (status[1] or None) and status[1][:100], status[2])
        m.fetched_at = clock.now()
        s.flush()
        return _info(m)


def save_locale(db: Database, clock: Clock, team_id: str, user_id: str, locale: str) -> None:
    """Only the locale of a cached profile (read for the person's language; the rest keeps its own age)."""
    with db.write() as s:
        member_row(s, clock, team_id, user_id).locale = locale[:16]


def save_dnd(db: Database, clock: Clock, team_id: str, user_id: str, until: datetime | None) -> None:
    """The end of the do-not-disturb span (a snooze, or scheduled hours) that covers now; None: none."""
    with db.write() as s:
        m = member_row(s, clock, team_id, user_id)
        m.dnd_until, m.dnd_checked_at = until, clock.now()


def dnd_stale(db: Database, clock: Clock, team_id: str, user_ids: list[str], max_age: timedelta) -> list[str]:
    """Of these people, those whose do-not-disturb state is older than `max_age` (or never read)."""
    if not user_ids:
        return []
    with db.read() as s:
        fresh = set(s.scalars(select(Member.user_id).where(
            Member.team_id == team_id, Member.user_id.in_(user_ids), Member.dnd_checked_at > clock.now() - max_age)))
    return [u for u in user_ids if u not in fresh]


def by_emails(db: Database, team_id: str, emails: list[str]) -> dict[str, str]:
    """Known members by (lower-cased) e-mail → Slack user id."""
    wanted = [e.lower() for e in emails if e]
    if not wanted:
        return {}
    with db.read() as s:
        rows = s.execute(select(func.lower(Member.email), Member.user_id).where(
            Member.team_id == team_id, func.lower(Member.email).in_(wanted))).all()
        return {e: u for e, u in rows}


def member_row(s: Session, clock: Clock, team_id: str, user_id: str, *, role: str = "rep") -> Member:
    """The member's row, made (with its team) the first time the CRM meets them."""
    ensure_team(s, team_id, clock)
    m = s.get(Member, (team_id, user_id))
    if m is None:
        m = Member(team_id=team_id, user_id=user_id, tz="UTC", role=role, fetched_at=NEVER)
        s.add(m)
        s.flush()
    return m


USER_ID = re.compile(r"[UW][A-Z0-9]{1,30}")  # a Slack user id; anything else (`U2> <!channel`) is refused


def require_person(s: Session, team_id: str, user_id: str, field: str | None, *, code: str = "bot_owner") -> None:
    """Leads are owned by people: a member Slack calls a bot is refused (the bot loads profiles first), and so is
    anything that is not a Slack user id, wherever it came from (a button's value is data too)."""
    if not USER_ID.fullmatch(user_id or ""):
        raise Invalid("user_invalid", field=field)
    m = s.get(Member, (team_id, user_id))
    if m is not None and m.is_bot:
        raise Invalid(code, field=field)


def can_manage(s: Session, team_id: str, user_id: str) -> bool:
    """Workspace admins and owners (Slack's is_admin: the CRM's admins) and the managers they named."""
    m = s.get(Member, (team_id, user_id))
    return m is not None and (m.is_admin or m.role == "manager")


def is_admin(s: Session, team_id: str, user_id: str) -> bool:
    m = s.get(Member, (team_id, user_id))
    return m is not None and m.is_admin


def require_admin(db: Database, team_id: str, user_id: str, what: str) -> None:
    """Refuse `what` (roles, the audit log, export, erasure) to all but Slack's workspace admins and owners."""
    with db.read() as s:
        if not is_admin(s, team_id, user_id):
            raise Invalid("not_admin", what=what)


def require_manager(db: Database, team_id: str, user_id: str, what: str) -> None:
    """Refuse `what` (routing, settings, someone else's manager or absence) to all but managers."""
    with db.read() as s:
        if not can_manage(s, team_id, user_id):
            raise Invalid("not_manager", what=what)
