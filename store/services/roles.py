"""Roles: Slack's workspace admins and owners are the CRM's admins (read from their Slack profile); they
grant and revoke **manager**. Managers configure routing, reassign anyone's leads and see the team's
reports and Home; reps work their own leads. Every change is in the audit log."""

from __future__ import annotations

from sqlalchemy import select

from store.clock import Clock
from store.db import Database
from store.dto import RoleChange, Roles
from store.errors import Invalid
from store.models import Member
from store.services.audit import record
from store.services.members import member_row, require_admin, require_person

ROLES = ("manager", "rep")


def roles(db: Database, team_id: str) -> Roles:
    with db.read() as s:
        rows = s.execute(select(Member.user_id, Member.is_admin, Member.role).where(
            Member.team_id == team_id, Member.is_bot.is_(False),
            (Member.is_admin.is_(True)) | (Member.role == "manager")).order_by(Member.user_id)).all()
        return Roles([u for u, admin, _ in rows if admin], [u for u, admin, role in rows if role == "manager"])


def set_role(db: Database, clock: Clock, team_id: str, actor_id: str, user_id: str, role: str) -> RoleChange:
    """An admin makes `user_id` a manager or a rep again (a repeat changes nothing and logs nothing)."""
    if role not in ROLES:
        raise Invalid("role_unknown", text=role[:20])
    require_admin(db, team_id, actor_id, "roles")
    with db.write() as s:
        require_person(s, team_id, user_id, None, code="bot_manager")
        m = member_row(s, clock, team_id, user_id)
        if m.role == role:
            return RoleChange(user_id, role, False)
        before, m.role = m.role, role
        record(s, team_id, clock.now(), actor_id, "role.grant" if role == "manager" else "role.revoke", user_id,
               {"from": before, "to": role})
        return RoleChange(user_id, role, True)


def set_managers(db: Database, clock: Clock, team_id: str, actor_id: str, wanted: list[str]) -> list[RoleChange]:
    """The roles form: exactly these people are managers now. Returns the changes (grants and revokes)."""
    require_admin(db, team_id, actor_id, "roles")
    wanted = list(dict.fromkeys(wanted))
    with db.read() as s:
        current = set(s.scalars(select(Member.user_id).where(Member.team_id == team_id, Member.role == "manager")))
    changes = [set_role(db, clock, team_id, actor_id, u, "manager") for u in wanted if u not in current]
    changes += [set_role(db, clock, team_id, actor_id, u, "rep") for u in sorted(current - set(wanted))]
    return [c for c in changes if c.changed]
