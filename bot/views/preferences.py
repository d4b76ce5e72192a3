"""Answers about digests, managers and the workspace's reminder rules."""

from __future__ import annotations

from datetime import datetime

from bot.views.text import duration_text, esc, user, when
from store.vocabulary import WEEKDAYS
from store.dto import NudgePolicy


def digest_state(enabled: bool, at: str, tz: str, *, changed: bool = False) -> str:
    your = "Done: your" if changed else "Your"
    if not enabled:
        return (f"{your} morning digest is *off*. `/lead digest on` turns it on again "
                f"(weekdays at {esc(at)}, {esc(tz)}).")
    return (f"{your} morning digest comes on weekdays at *{esc(at)}* ({esc(tz)}), when you have follow-ups due "
            "that day or overdue. `/lead digest 08:30` moves it, `/lead digest off` stops it.")


def manager_state(me: str, manager: str | None, default: str | None) -> str:
    if manager:
        return (f"Your manager is {user(manager)}: they hear about your follow-ups that stay overdue after "
                "the reminders. `/lead manager @someone` changes it, `/lead manager none` removes it.")
    if default:
        return (f"You have no manager of your own; the workspace default, {user(default)}, hears about your "
                "overdue follow-ups. Set yours with `/lead manager @boss`.")
    return ("Nobody hears about your overdue follow-ups yet. Set your manager with `/lead manager @boss`; "
            "an admin can set a default for everyone with `/lead settings manager @boss`.")


def manager_set(rep: str, boss: str | None, actor: str) -> str:
    whose = "Your" if rep == actor else f"{user(rep)}'s"
    if boss is None:
        return f"{whose} manager is removed."
    return f"{whose} manager is now {user(boss)}. They hear about follow-ups that stay overdue after reminders."


def policy_state(p: NudgePolicy) -> str:
    manager = user(p.default_manager_id) if p.default_manager_id else "none"
    return (f"*Reminder rules:* a due follow-up is nudged at once, then again every *{duration_text(p.repeat_minutes)}* "
            f"while it stays open, at most *{p.max_repeats}* more time{'s' if p.max_repeats != 1 else ''}; "
            f"then escalation to the owner's manager is *{'on' if p.escalate else 'off'}* "
            f"(default manager: {manager}).\n"
            "Change with `/lead settings repeat 12h`, `repeats 3`, `escalate on|off`, `manager @boss`.")


def workspace_state(words: dict) -> str:
    types = ", ".join(esc(t) for t in words["org_types"])
    return (f"*Workspace:* deals in *{esc(words['currency'])}*; organization types: {types}.\n"
            "Change with `/lead settings currency USD` or `/lead settings types Shop, Agency, Partner`; "
            "statuses and deal stages with `/lead settings statuses`.")


def weekly_state(sched: dict | None, next_at: datetime | None) -> str:
    if not sched or next_at is None:
        return ("*Weekly report:* off. `/lead settings report #sales mon 09:00` posts the team report in #sales "
                "every Monday at 09:00 (your time).")
    return (f"*Weekly report:* every *{WEEKDAYS[sched['weekday']].title()} {sched['time']}* ({esc(sched['tz'])}) in "
            f"<#{esc(sched['channel'])}>, covering the seven days before; next on "
            f"{when(next_at, sched['tz'])}. `/lead settings report off` stops it.")
