"""`/lead digest`, `/lead manager`, `/lead settings`: who hears about what, and when."""

from __future__ import annotations

from bot import people
from bot.commands.lead import VERBS, Asker
from bot.commands.parse import USER_MENTION, mentioned_user
from bot.views import prefs as views
from store.errors import Invalid
from store.services import members, team_settings


def digest(asker: Asker, args: str) -> None:
    crm, word = asker.crm, args.strip().lower()
    me = people.member(asker.client, crm, asker.team_id, asker.user_id)
    if word in ("", "show", "status"):
        asker.respond(text=views.digest_state(me.digest_enabled, me.digest_time, me.tz))
        return
    if word in ("off", "stop", "no"):
        enabled, at = team_settings.set_digest(crm.db, crm.clock, asker.team_id, asker.user_id, enabled=False)
    elif word in ("on", "start", "yes"):
        enabled, at = team_settings.set_digest(crm.db, crm.clock, asker.team_id, asker.user_id, enabled=True)
    else:
        enabled, at = team_settings.set_digest(crm.db, crm.clock, asker.team_id, asker.user_id, at=word)
    asker.respond(text=views.digest_state(enabled, at, me.tz, changed=True))


def _can_manage(asker: Asker) -> bool:
    return people.member(asker.client, asker.crm, asker.team_id, asker.user_id).can_manage


def _person(asker: Asker, user_id: str) -> str:
    if people.member(asker.client, asker.crm, asker.team_id, user_id, must_exist=True).is_bot:
        raise Invalid("A bot can't be a manager or have one. Mention a person.")
    return user_id


def manager(asker: Asker, args: str) -> None:
    """`manager` shows yours; `manager @boss` sets yours; `manager @rep @boss` sets someone else's
    (managers and admins); `manager none` / `manager @rep none` clears."""
    crm = asker.crm
    people_named = USER_MENTION.findall(args)
    clear = args.strip().lower().split()[-1:] == ["none"]
    if not people_named and not clear:
        if args.strip():
            raise Invalid("Mention the manager: `/lead manager @boss` (or `/lead manager @rep @boss`).")
        me = members.get_member(crm.db, asker.team_id, asker.user_id)
        pol = team_settings.read_policy(crm.db, asker.team_id)
        asker.respond(text=views.manager_state(asker.user_id, me.manager_id if me else None, pol.default_manager_id))
        return
    if len(people_named) > 2 or (clear and len(people_named) > 1):
        raise Invalid("Usage: `/lead manager @boss`, `/lead manager @rep @boss` or `/lead manager none`.")
    rep = people_named[0] if len(people_named) == 2 or (clear and people_named) else asker.user_id
    boss = None if clear else _person(asker, people_named[-1])
    if rep != asker.user_id and not _can_manage(asker):
        raise Invalid("Only managers and workspace admins can set someone else's manager.")
    _person(asker, rep)
    team_settings.set_manager(crm.db, crm.clock, asker.team_id, rep, boss)
    asker.respond(text=views.manager_set(rep, boss, asker.user_id))


def settings(asker: Asker, args: str) -> None:
    crm = asker.crm
    words = args.split()
    if not words:
        asker.respond(text=views.policy_state(team_settings.read_policy(crm.db, asker.team_id)))
        return
    if not _can_manage(asker):
        raise Invalid("Only managers and workspace admins can change the workspace's reminder rules.")
    key, value = words[0].lower(), " ".join(words[1:])
    if not value:
        raise Invalid(f"Give `{key[:20]}` a value, e.g. `/lead settings repeat 12h`.")
    if key in ("repeat", "every", "interval"):
        change = {"repeat_minutes": team_settings.parse_duration(value)}
    elif key in ("repeats", "max-repeats", "times"):
        if not value.isdigit() or not 0 <= int(value) <= 10:
            raise Invalid("Repeats is a number from 0 to 10.")
        change = {"max_repeats": int(value)}
    elif key in ("escalate", "escalation"):
        if value.lower() not in ("on", "off"):
            raise Invalid("Use `/lead settings escalate on` or `off`.")
        change = {"escalate": value.lower() == "on"}
    elif key in ("manager", "default-manager"):
        boss = mentioned_user(value)
        if value.lower() != "none" and not boss:
            raise Invalid("Mention the default manager: `/lead settings manager @boss` (or `none`).")
        change = {"default_manager_id": _person(asker, boss) if boss else None}
    else:
        raise Invalid("Settings are `repeat`, `repeats`, `escalate` and `manager`. See `/lead settings`.")
    pol = team_settings.set_policy(crm.db, crm.clock, asker.team_id, **change)
    asker.respond(text="Saved. " + views.policy_state(pol))


def register(_app) -> None:
    VERBS.update({"digest": digest, "manager": manager, "settings": settings})
