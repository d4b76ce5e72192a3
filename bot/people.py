"""Slack users as the CRM needs them: time zone and name from users.info, cached in the database."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.crm import Crm
from bot.i18n import _
from bot.wording import Refusal
from store.dto import MemberInfo
from store.services import members

log = logging.getLogger(__name__)
DND_MAX_AGE = timedelta(hours=1)  # do-not-disturb read again at most this often without an event


def member(client: WebClient, crm: Crm, team_id: str, user_id: str, *, must_exist: bool = False) -> MemberInfo:
    """The cached profile, refreshed from Slack when older than a few hours (Tier 4 users.info)."""
    cached = members.get_member(crm.db, team_id, user_id)
    if members.is_fresh(cached, crm.clock):
        return cached  # type: ignore[return-value]
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as exc:
        if exc.response.get("error") in ("user_not_found", "users_not_found") and must_exist:
            raise Refusal(_("I can't find that person in this workspace. Mention them with @.")) from None
        if cached is not None:
            return cached
        if must_exist:
            raise Refusal(_("Slack could not tell me who that is right now. Try again in a moment.")) from None
        log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
        return members.save_member(crm.db, crm.clock, team_id, user_id, name=None, tz="UTC")
    if must_exist and user.get("deleted"):
        raise Refusal(_("That person's Slack account is deactivated."))
    home = user.get("team_id")
    if must_exist and home and home != team_id and not home.startswith("E"):  # E…: their Grid organization
        raise Refusal(_("That person belongs to another organization, not to this workspace."))
    return save_profile(crm, team_id, user, user_id)


def learn_locale(client: WebClient, crm: Crm, team_id: str, user_id: str) -> None:
    """Read a profile whose locale is not cached (someone never seen, or cached before locales were read)."""
    cached = members.get_member(crm.db, team_id, user_id)
    if cached is not None and cached.locale:
        return
    try:
        user = client.users_info(user=user_id, include_locale=True)["user"]
    except SlackApiError as exc:
        log.info("users.info for %s's locale failed: %s", user_id, exc.response.get("error"))
        members.save_locale(crm.db, crm.clock, team_id, user_id, "-")  # not asked again on every request
        crm.languages.pop((team_id, user_id), None)
        return
    if cached is None:
        save_profile(crm, team_id, user, user_id)
        if user.get("locale"):
            return
    # only the locale of a cached profile: the rest is refreshed on its own schedule; "-" when Slack gave none,
    # so nobody is asked again on every request
    members.save_locale(crm.db, crm.clock, team_id, user_id, user.get("locale") or "-")
    crm.languages.pop((team_id, user_id), None)


def save_profile(crm: Crm, team_id: str, user: dict, user_id: str | None = None) -> MemberInfo:
    """A Slack user object (users.info, a user_change event) into the member's cached row: name, zone,
    whether they are a workspace admin or owner, their status (text, emoji, when it ends) and their locale (only
    users.info with `include_locale` has one; a user_change event keeps the one cached)."""
    crm.languages.pop((team_id, user_id or user.get("id")), None)  # bot/languages.py reads the locale again
    profile = user.get("profile") or {}
    expiration = profile.get("status_expiration") or 0
    try:
        ends = datetime.fromtimestamp(int(expiration), tz=timezone.utc) if int(expiration) > 0 else None
    except (TypeError, ValueError, OverflowError):
        ends = None
    return members.save_member(
        crm.db, crm.clock, team_id, user_id or user["id"],
        name=profile.get("display_name") or user.get("real_name") or user.get("name"),
        tz=user.get("tz"), is_admin=bool(user.get("is_admin") or user.get("is_owner")),
        is_bot=bool(user.get("is_bot")), email=profile.get("email"),
        status=(profile.get("status_text"), profile.get("status_emoji"), ends),
        locale=user.get("locale"),
    )


def save_dnd(crm: Crm, team_id: str, user_id: str, dnd: dict) -> None:
    """dnd.info's answer (or a dnd_updated_user event's `dnd_status`): the end of the snooze or of the
    scheduled do-not-disturb hours that cover now (None: reachable)."""
    now = crm.clock.now().timestamp()
    ends = []
    if dnd.get("snooze_enabled") and (dnd.get("snooze_endtime") or 0) > now:
        ends.append(dnd["snooze_endtime"])
    start, end = dnd.get("next_dnd_start_ts") or 0, dnd.get("next_dnd_end_ts") or 0
    if dnd.get("dnd_enabled") and start <= now < end:
        ends.append(end)
    until = datetime.fromtimestamp(max(ends), tz=timezone.utc) if ends else None
    members.save_dnd(crm.db, crm.clock, team_id, user_id, until)


def refresh_dnd(client: WebClient, crm: Crm, team_id: str, user_ids: list[str]) -> int:
    """dnd.info for those whose do-not-disturb state is older than DND_MAX_AGE (events keep it fresh in
    between). Returns how many were asked."""
    asked = 0
    for user_id in members.dnd_stale(crm.db, crm.clock, team_id, user_ids, DND_MAX_AGE):
        try:
            save_dnd(crm, team_id, user_id, client.dnd_info(user=user_id).data)  # type: ignore[arg-type]
        except SlackApiError as exc:
            log.info("dnd.info for %s failed: %s", user_id, exc.response.get("error"))
            members.save_dnd(crm.db, crm.clock, team_id, user_id, None)  # don't ask again every sweep
        asked += 1
    return asked


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
