"""Slack users as the CRM knows them (by Slack user id; time zone cached from Slack)."""

from __future__ import annotations

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
                      m.digest_enabled if m.digest_enabled is not None else True, m.digest_time or "09:00")


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
) -> MemberInfo:
    with db.write() as s:
        m = member_row(s, clock, team_id, user_id, role="admin" if is_admin else "rep")
        m.name, m.tz, m.is_admin, m.is_bot, m.email = name, valid_tz(tz), is_admin, is_bot, email
        m.fetched_at = clock.now()
        s.flush()
        return _info(m)


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


def require_person(s: Session, team_id: str, user_id: str, field: str | None, *, code: str = "bot_owner") -> None:
    """Leads are owned by people: a member Slack calls a bot is refused (the bot loads profiles first)."""
    m = s.get(Member, (team_id, user_id))
    if m is not None and m.is_bot:
        raise Invalid(code, field=field)


def can_manage(s: Session, team_id: str, user_id: str) -> bool:
    """Workspace admins and owners (Slack's is_admin) and members given the manager or admin role."""
    m = s.get(Member, (team_id, user_id))
    return m is not None and (m.is_admin or m.role in ("admin", "manager"))


def require_manager(db: Database, team_id: str, user_id: str, what: str) -> None:
    """Refuse `what` (routing, settings, someone else's manager or absence) to all but managers."""
    with db.read() as s:
        if not can_manage(s, team_id, user_id):
            raise Invalid("not_manager", what=what)
