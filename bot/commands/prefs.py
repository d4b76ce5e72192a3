"""`/lead digest`, `/lead manager`, `/lead settings`: who hears about what, and when."""

from __future__ import annotations


from bot.commands import language, pipelines, workspace
from bot.commands.parse import CHANNEL_MENTION, USER_MENTION, mentioned_user
from bot.context import Req
from bot.i18n import _
from bot.views import preferences
from bot.wording import Refusal
from bot.views.text import esc, num
from store.services import best_time, members, team_settings, weekly_report


def digest(req: Req, args: str) -> None:
    word, me = args.strip().lower(), req.me()
    if word in ("", "show", "status"):
        req.reply(preferences.digest_state(me.digest_enabled, me.digest_time, me.tz))
        return
    if word in ("off", "stop", "no"):
        enabled, at = team_settings.set_digest(req.db, req.clock, req.team_id, req.user_id, enabled=False)
    elif word in ("on", "start", "yes"):
        enabled, at = team_settings.set_digest(req.db, req.clock, req.team_id, req.user_id, enabled=True)
    else:
        enabled, at = team_settings.set_digest(req.db, req.clock, req.team_id, req.user_id, at=word)
    req.reply(preferences.digest_state(enabled, at, me.tz, changed=True))


def manager(req: Req, args: str) -> None:
    """`manager` shows yours; `manager @boss` sets yours; `manager @rep @boss` sets someone else's
    (managers and admins); `manager none` / `manager @rep none` clears."""
    people_named = USER_MENTION.findall(args)
    clear = args.strip().lower().split()[-1:] == ["none"]
    if not people_named and not clear:
        if args.strip():
            raise Refusal(_("Mention the manager: `/lead manager @boss` (or `/lead manager @rep @boss`)."))
        me = members.get_member(req.db, req.team_id, req.user_id)
        pol = team_settings.read_policy(req.db, req.team_id)
        req.reply(preferences.manager_state(req.user_id, me.manager_id if me else None, pol.default_manager_id))
        return
    if len(people_named) > 2 or (clear and len(people_named) > 1):
        raise Refusal(_("Usage: `/lead manager @boss`, `/lead manager @rep @boss` or `/lead manager none`."))
    rep = people_named[0] if len(people_named) == 2 or (clear and people_named) else req.user_id
    boss = None if clear else people_named[-1]
    req.me()  # their role comes from their Slack profile
    for person in {rep, boss} - {None}:
        req.person(person)  # type: ignore[arg-type] - Slack knows them (the service refuses bots)
    team_settings.set_manager(req.db, req.clock, req.team_id, req.user_id, rep, boss)
    req.reply(preferences.manager_set(rep, boss, req.user_id))


def _setting(req: Req, key: str, value: str) -> dict:
    """One workspace setting from `/lead settings <key> <value>`."""
    if key in ("repeat", "every", "interval"):
        return {"repeat_minutes": team_settings.parse_duration(value)}
    if key in ("repeats", "max-repeats", "times"):
        if not value.isdigit() or not 0 <= int(value) <= 10:
            raise Refusal(_("Repeats is a number from 0 to 10."))
        return {"max_repeats": int(value)}
    if key in ("escalate", "escalation"):
        if value.lower() not in ("on", "off"):
            raise Refusal(_("Use `/lead settings escalate on` or `off`."))
        return {"escalate": value.lower() == "on"}
    if key in ("manager", "default-manager"):
        if value.lower() == "none":
            return {"default_manager_id": None}
        boss = mentioned_user(value)
        if req.person(boss).is_bot:
            raise Refusal(_("A bot can't be a manager or have one. Mention a person."))
        return {"default_manager_id": boss}
    raise Refusal(_("Settings are `repeat`, `repeats`, `escalate`, `manager`, `currency`, `types`, `timezone`, "
                    "`report` (the weekly report), `statuses` (the statuses and deal stages), `roles`, `intake`, "
                    "`channel`, `away-status` and `language`. See `/lead settings`."))


def weekly(req: Req, value: str) -> None:
    """`report #channel [mon] [09:00]` posts the team report there every week; `report off` stops it."""
    words = value.split()
    if words[:1] in (["off"], ["stop"], ["none"]):
        weekly_report.set_schedule(req.db, req.clock, req.team_id, req.user_id, channel=None)
        req.reply(_("Done: no weekly report any more. `/lead settings report #channel mon 09:00` starts it again."))
        return
    channel = CHANNEL_MENTION.match(words[0]) if words else None
    if channel is None:
        raise Refusal(_("Name the channel: `/lead settings report #sales mon 09:00` (or `report off`)."))
    rest = words[1:]
    day = weekly_report.weekday_of(rest.pop(0)) if rest and not rest[0][:1].isdigit() else 0
    at = rest.pop(0) if rest else "09:00"
    if rest:
        raise Refusal(_("Usage: `/lead settings report #channel [mon|tue|…] [HH:MM]`."))
    sched = weekly_report.set_schedule(req.db, req.clock, req.team_id, req.user_id, channel=channel.group(1),
                                       weekday=day, at=at, tz=req.tz())
    req.reply(_("Saved. {state}").format(
        state=preferences.weekly_state(sched, weekly_report.next_time(sched, req.clock.now()))))


def _weekly_state(req: Req) -> str:
    sched = weekly_report.schedule_of(req.db, req.team_id)
    return preferences.weekly_state(sched, weekly_report.next_time(sched, req.clock.now()))


def settings(req: Req, args: str) -> None:
    words = args.split()
    if not words:
        req.reply(preferences.policy_state(team_settings.read_policy(req.db, req.team_id)) + "\n"
                  + preferences.workspace_state(team_settings.workspace(req.db, req.team_id)) + "\n"
                  + _weekly_state(req) + "\n" + language.state_line(req))
        return
    key, value = words[0].lower(), " ".join(words[1:])
    if key in language.WORDS:  # anyone may ask; managers and admins change it
        language.choose(req, value)
        return
    if key in ("statuses", "stages", "pipeline", "pipelines"):
        pipelines.open_form(req)
        return
    if workspace.settings(req, key, value):  # roles, intake, channel, away-status: each checks its own role
        return
    req.me()  # their role comes from their Slack profile
    members.require_manager(req.db, req.team_id, req.user_id, "settings")
    if key in ("report", "weekly-report", "reports"):
        weekly(req, value)
        return
    if key in ("timezone", "tz", "zone"):
        if not value:
            raise Refusal(_("Give the zone, e.g. `/lead settings timezone Asia/Seoul`."))
        counted = best_time.set_team_zone(req.db, req.team_id, value.strip())
        req.reply(_("Saved: the workspace's time zone is *{zone}*. Customers without a zone of their own are "
                    "reached in it; {n} logged attempts were counted again in their local hours.").format(
            zone=esc(value.strip()), n=num(counted)))
        return
    if not value:
        raise Refusal(_("Give `{key}` a value, e.g. `/lead settings repeat 12h`.").format(key=key[:20]))
    if key in ("currency", "types", "org-types"):
        words = team_settings.set_workspace(
            req.db, req.clock, req.team_id, req.user_id, currency=value if key == "currency" else None,
            org_types=value.split(",") if key != "currency" else None)
        req.reply(_("Saved. {state}").format(state=preferences.workspace_state(words)))
        return
    pol = team_settings.set_policy(req.db, req.clock, req.team_id, req.user_id, **_setting(req, key, value))
    req.reply(_("Saved. {state}").format(state=preferences.policy_state(pol)))
