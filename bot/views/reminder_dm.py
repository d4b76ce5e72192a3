"""DMs about follow-ups: the nudge (with Done / Snooze / Reschedule / Log activity), what became of it,
the manager's escalation and the morning digest. Pure functions from data to (text, blocks)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)

from bot.i18n import N_, _, ngettext
from bot.ids import Action, Block as B
from bot.labels import label
from bot.metadata import NudgeRef
from bot.views.best_time import hours_text
from bot.views.text import ago, duration_text, esc, esc_cut, fit_lines, num, user, when
from store.dto import FollowUpItem, FollowUpList, NudgeData

SNOOZE_CHOICES = {"3h": N_("3 hours"), "tomorrow": N_("Tomorrow 9:00"), "monday": N_("Next Monday 9:00"),
                  "week": N_("In a week")}


def snooze_until(choice: str, now: datetime, tz: str) -> datetime:
    """When a snooze ends, in the owner's zone ('tomorrow' is 09:00 of their tomorrow)."""
    if choice == "1h":
        return now + timedelta(hours=1)
    if choice == "3h":
        return now + timedelta(hours=3)
    local = now.astimezone(ZoneInfo(tz))
    days = {"tomorrow": 1, "week": 7, "monday": (7 - local.weekday()) or 7}.get(choice)
    if days is None:
        raise ValueError(choice)
    day = (local + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo(tz)).astimezone(now.tzinfo)


def _link(item: FollowUpItem) -> str:
    company = f"*{esc_cut(item.lead.company, 200)}*"
    if item.lead.card_permalink:
        return f"<{item.lead.card_permalink}|{esc_cut(item.lead.company, 200)}>"
    return company


def _line(item: FollowUpItem, tz: str, now: datetime) -> str:
    f = item.follow_up
    text = "• " + _("{lead} · {status} · due {due} ({ago})").format(
        lead=_link(item), status=esc(label(item.lead.status)), due=when(f.due_at, tz), ago=ago(f.due_at, now))
    if f.note:
        text += f"\n   {esc_cut(f.note, 300)}"
    return text


def _summary(item: FollowUpItem, tz: str, now: datetime) -> str:
    f = item.follow_up
    planned = esc_cut(f.note, 1500) if f.note else _("_no note: the next step was not written down_")
    return (f"{_link(item)} · #{item.lead.id} · {esc(label(item.lead.status))}\n"
            + _("*Planned:* {planned}\n*Due:* {due} ({ago})").format(
                planned=planned, due=when(f.due_at, tz), ago=ago(f.due_at, now)))


def nudge_message(data: NudgeData, notification_id: int | None, tz: str, now: datetime) -> tuple[str, list[Block]]:
    item = data.item
    head = _("Follow-up due") if data.number == 1 else _("Still open: reminder {number} of {total}").format(
        number=num(data.number), total=num(data.repeats + 1))
    text = f"{head}: {esc_cut(item.lead.company, 200)}"
    ref = NudgeRef(follow_up_id=item.follow_up.id, lead_id=item.lead.id, notification_id=notification_id).dump()
    snooze = StaticSelectElement(
        action_id=Action.NUDGE_SNOOZE_UNTIL, placeholder=_("Snooze until…"),
        options=[Option(text=_(choice), value=f"{key}|{ref}") for key, choice in SNOOZE_CHOICES.items()],
    )
    summary = _summary(item, tz, now)
    if hours_text(data.hours):
        summary += f"\n:telephone_receiver: {hours_text(data.hours)}" + (
            " " + _("({zone} time)").format(zone=esc(data.hours.tz)) if data.hours.tz and data.hours.tz != tz else "")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":alarm_clock: *{head}*\n" + summary)),
        ActionsBlock(block_id=B.NUDGE_ACTIONS, elements=[
            ButtonElement(text=_("Done"), action_id=Action.NUDGE_DONE, value=ref, style="primary"),
            ButtonElement(text=_("Snooze"), action_id=Action.NUDGE_SNOOZE, value=ref),
            ButtonElement(text=_("Reschedule"), action_id=Action.NUDGE_RESCHEDULE, value=ref),
            ButtonElement(text=_("Log activity"), action_id=Action.NUDGE_LOG, value=ref),
            snooze,
        ]),
    ]
    context = _("*Snooze* waits one hour; the menu has later times.")
    left = data.repeats + 1 - data.number
    if left > 0:
        context += " " + _("If it stays open I'll remind you again in {span}.").format(
            span=duration_text(int(data.repeat.total_seconds() // 60)))
    else:
        context += " " + _("This was the last reminder: if it stays open, your manager hears of it.")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=context)]))
    return text, blocks


def nudge_outcome(item: FollowUpItem, what: str, actor_id: str, tz: str, now: datetime) -> tuple[str, list[Block]]:
    """The nudge after a button did its job: the same facts, what was done, no buttons."""
    text = f"{esc_cut(item.lead.company, 200)}: {what}"
    f = item.follow_up
    planned = f": {esc_cut(f.note, 500)}" if f.note else ""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{_link(item)} · #{item.lead.id}{planned}")),
        ContextBlock(elements=[MarkdownTextObject(text=f"{what} · {user(actor_id)}, {when(now, tz)}")]),
    ]
    return text, blocks


def outcome_text(verb: str | None, already: str | None, due_at: datetime, tz: str) -> str:
    if verb == "done":
        return _(":white_check_mark: Marked done")
    if verb == "snooze":
        return _(":zzz: Snoozed until {due}").format(due=when(due_at, tz))
    if verb == "reschedule":
        return _(":calendar: Rescheduled to {due}").format(due=when(due_at, tz))
    if verb == "logged":
        return _(":memo: Activity logged, follow-up done")
    if verb == "logged-kept":
        return _(":memo: Activity logged; follow-up still due {due}").format(due=when(due_at, tz))
    if already == "done":
        return _("Already marked done")
    if already == "cancelled":
        return _("This follow-up was replaced or cancelled")
    return _("Already handled")


def escalation_message(owner_id: str, overdue: FollowUpList, tz: str, now: datetime) -> tuple[str, list[Block]]:
    n = len(overdue.items) + overdue.more
    text = ngettext("{n} overdue follow-up of {owner} were not handled after reminders",
                    "{n} overdue follow-ups of {owner} were not handled after reminders", n).format(
        n=num(n), owner=user(owner_id))
    lines = [_line(item, tz, now) for item in overdue.items]
    if overdue.more:
        lines.append(_("…and {n} more.").format(n=num(overdue.more)))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=_(":rotating_light: {owner} has overdue follow-ups that reminders did not move. "
                   "You are their manager in the CRM.").format(owner=user(owner_id)))),
        SectionBlock(text=MarkdownTextObject(text=fit_lines(lines, 2900))),
        ContextBlock(elements=[MarkdownTextObject(
            text=_("Ask them, reassign with `/lead assign &lt;lead&gt; @someone`, "
                   "or read one with `/lead show &lt;lead&gt;`."))]),
    ]
    return text, blocks


def digest_message(overdue: FollowUpList, today: FollowUpList, tz: str, now: datetime) -> tuple[str, list[Block]]:
    n_over, n_today = len(overdue.items) + overdue.more, len(today.items) + today.more
    text = ngettext("Good morning: {today} follow-up today, {overdue} overdue",
                    "Good morning: {today} follow-ups today, {overdue} overdue", n_today).format(
        today=num(n_today), overdue=num(n_over))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f":sunrise: *{text}*"))]
    for title, group in ((_("Overdue"), overdue), (_("Today"), today)):
        if not group.items:
            continue
        lines = [_line(item, tz, now) for item in group.items]
        if group.more:
            lines.append(_("…and {n} more (`/lead mine`).").format(n=num(group.more)))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines([f"*{title}*", *lines], 2900))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=_("Sent on weekdays at your digest time. `/lead digest off` stops it, `/lead digest 08:30` moves it."))]))
    return text, blocks
