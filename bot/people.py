"""Slack users as the CRM needs them: time zone and name from users.info, cached in the database."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.crm import Crm
from bot.wording import Refusal
from store.dto import MemberInfo
from store.services import members

log = logging.getLogger(__name__)


def member(client: WebClient, crm: Crm, team_id: str, user_id: str, *, must_exist: bool = False) -> MemberInfo:
    """The cached profile, refreshed from Slack when older than a few hours (Tier 4 users.info)."""
    cached = members.get_member(crm.db, team_id, user_id)
    if members.is_fresh(cached, crm.clock):
        return cached  # type: ignore[return-value]
    try:
        user = client.users_info(user=user_id)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "users_not_found") and must_exist:
            raise Refusal("I can't find that person in this workspace. Mention them with @.") from None
        if cached is not None:
            return cached
        if must_exist:
            raise Refusal("Slack could not tell me who that is right now. Try again in a moment.") from None
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return members.save_member(crm.db, crm.clock, team_id, user_id, name=None, tz="UTC")
    if must_exist and user.get("deleted"):
        raise Refusal("That person's Slack account is deactivated.")
    profile = user.get("profile") or {}
    return members.save_member(
        crm.db, crm.clock, team_id, user_id,
        name=profile.get("display_name") or user.get("real_name") or user.get("name"),
        tz=user.get("tz"), is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_bot=bool(user.get("is_bot")), email=profile.get("email"),
    )


def tz_of(crm: Crm, team_id: str, user_id: str | None) -> str:
    """Cached zone only (no Web API call): for rendering someone else's times."""
    if not user_id:
        return "UTC"
    cached = members.get_member(crm.db, team_id, user_id)
    return cached.tz if cached else "UTC"


def name_of(crm: Crm, team_id: str, user_id: str) -> str | None:
    """Cached display name (no Web API call); None when the person was never seen."""
    cached = members.get_member(crm.db, team_id, user_id)
    return cached.name if cached else None
