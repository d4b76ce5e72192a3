"""Leads with nowhere to go: no routing queue took them and neither their channel nor the workspace's card
channel takes their card. They are listed by `/lead list unowned`; the first time it happens, each workspace
admin is told once (a team-level row finds the admins, then one DM row per admin, each sent exactly once)."""

from __future__ import annotations

from sqlalchemy import select

from store.clock import Clock
from store.db import Database
from store.models import Member, RoutingQueue, Team
from store.services import nudges

FIND_ADMINS = "nowhere"  # one per workspace, ever: find its admins and owe each a DM
TELL_ADMIN = "nowhere_dm"


def had_nowhere_to_go(db: Database, clock: Clock, team_id: str, lead_id: int) -> bool:
    """Note that this lead's card could not be posted anywhere; True the first time in this workspace."""
    with db.write() as s:
        return nudges.owe(s, team_id, FIND_ADMINS, "nowhere", "", clock.now(), payload={"lead_id": lead_id})


def known_admins(db: Database, team_id: str) -> list[str]:
    """Workspace admins and owners the CRM has seen (people only)."""
    with db.read() as s:
        return list(s.scalars(select(Member.user_id).where(
            Member.team_id == team_id, Member.is_admin.is_(True), Member.is_bot.is_(False)).order_by(Member.user_id)))


def tell_admins(db: Database, clock: Clock, team_id: str, lead_id: int, admin_ids: list[str]) -> int:
    """Owe each admin one DM about it (once per admin, whatever replays or replicas do)."""
    with db.write() as s:
        return sum(nudges.owe(s, team_id, TELL_ADMIN, f"nowhere:{u}", u, clock.now(), payload={"lead_id": lead_id})
                   for u in dict.fromkeys(admin_ids))


def without_a_place(db: Database, team_ids: list[str], *, default_channel: bool) -> list[str]:
    """Of the workspaces whose intake is on (`team_ids`: each with its own token, or the single-workspace
    default), those where a lead arriving with no owner would find no routing queue and no card channel."""
    with db.read() as s:
        own = set(s.scalars(select(Team.id).where(Team.intake_token_hash.is_not(None))))
        with_queue = set(s.scalars(select(RoutingQueue.team_id).distinct()))
        channels = {t.id: (t.settings or {}).get("channel") for t in s.scalars(select(Team))}
    return [t for t in sorted(own | set(team_ids))
            if t not in with_queue and not channels.get(t) and not default_channel]
