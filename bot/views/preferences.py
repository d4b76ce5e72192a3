"""Answers about digests, managers and the workspace's reminder rules."""

from __future__ import annotations

from datetime import datetime


from bot.i18n import _, ngettext, pgettext
from bot.labels import label
from bot.views.text import duration_text, esc, user, weekday_name, when
from store.dto import NudgePolicy


def digest_state(enabled: bool, at: str, tz: str, *, changed: bool = False) -> str:
    if not enabled:
        text = (_("Done: your morning digest is *off*. `/lead digest on` turns it on again (weekdays at {at}, {tz}).")
                if changed else
                _("Your morning digest is *off*. `/lead digest on` turns it on again (weekdays at {at}, {tz})."))
    elif changed:
        text = _("Done: your morning digest comes on weekdays at *{at}* ({tz}), when you have follow-ups due that "
                 "day or overdue. `/lead digest 08:30` moves it, `/lead digest off` stops it.")
    else:
        text = _("Your morning digest comes on weekdays at *{at}* ({tz}), when you have follow-ups due that day or "
                 "overdue. `/lead digest 08:30` moves it, `/lead digest off` stops it.")
    return text.format(at=esc(at), tz=esc(tz))


def manager_state(me: str, manager: str | None, default: str | None) -> str:
    if manager:
        return _("Your manager is {manager}: they hear about your follow-ups that stay overdue after the reminders. "
                 "`/lead manager @someone` changes it, `/lead manager none` removes it.").format(manager=user(manager))
    if default:
        return _("You have no manager of your own; the workspace default, {manager}, hears about your overdue "
                 "follow-ups. Set yours with `/lead manager @boss`.").format(manager=user(default))
    return _("Nobody hears about your overdue follow-ups yet. Set your manager with `/lead manager @boss`; an admin "
             "can set a default for everyone with `/lead settings manager @boss`.")


def manager_set(rep: str, boss: str | None, actor: str) -> str:
    mine = rep == actor
    if boss is None:
        text = _("Your manager is removed.") if mine else _("{rep}'s manager is removed.")
    elif mine:
        text = _("Your manager is now {boss}. They hear about follow-ups that stay overdue after reminders.")
    else:
        text = _("{rep}'s manager is now {boss}. They hear about follow-ups that stay overdue after reminders.")
    return text.format(rep=user(rep), boss=user(boss) if boss else "")


def policy_state(p: NudgePolicy) -> str:
    manager = user(p.default_manager_id) if p.default_manager_id else _("none")
    nudged = ngettext("*Reminder rules:* a due follow-up is nudged at once, then again every *{every}* while it "
                      "stays open, at most *{n}* more time",
                      "*Reminder rules:* a due follow-up is nudged at once, then again every *{every}* while it "
                      "stays open, at most *{n}* more times", p.max_repeats).format(
        every=duration_text(p.repeat_minutes), n=p.max_repeats)
    state = pgettext("escalation", "on") if p.escalate else pgettext("escalation", "off")
    escalation = _("then escalation to the owner's manager is *{state}* (default manager: {manager}).").format(
        state=state, manager=manager)
    return (nudged + "; " + escalation + "\n"
            + _("Change with `/lead settings repeat 12h`, `repeats 3`, `escalate on|off`, `manager @boss`."))


def workspace_state(words: dict) -> str:
    types = ", ".join(esc(label(t)) for t in words["org_types"])
    return _("*Workspace:* deals in *{currency}*; organization types: {types}.\n"
             "Change with `/lead settings currency USD` or `/lead settings types Shop, Agency, Partner`; "
             "statuses and deal stages with `/lead settings statuses`.").format(
        currency=esc(words["currency"]), types=types)


def weekly_state(sched: dict | None, next_at: datetime | None) -> str:
    if not sched or next_at is None:
        return _("*Weekly report:* off. `/lead settings report #sales mon 09:00` posts the team report in #sales "
                 "every Monday at 09:00 (your time).")
    return _("*Weekly report:* every *{day} {time}* ({tz}) in {channel}, covering the seven days before; next on "
             "{next}. `/lead settings report off` stops it.").format(
        day=weekday_name(sched["weekday"]), time=sched["time"], tz=esc(sched["tz"]),
        channel=f"<#{esc(sched['channel'])}>", next=when(next_at, sched["tz"]))
