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

from bot.ids import Action, Block as B
from bot.metadata import NudgeRef
from bot.views.best_time import hours_text
from bot.views.text import ago, duration_text, esc, esc_cut, fit_lines, user, when
from store.dto import FollowUpItem, FollowUpList, NudgeData

SNOOZE_CHOICES = {"3h": "3 hours", "tomorrow": "Tomorrow 9:00", "monday": "Next Monday 9:00", "week": "In a week"}


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
    text = f"• {_link(item)} · {esc(item.lead.status)} · due {when(f.due_at, tz)} ({ago(f.due_at, now)})"
    if f.note:
        text += f"\n   {esc_cut(f.note, 300)}"
    return text


def _summary(item: FollowUpItem, tz: str, now: datetime) -> str:
    f = item.follow_up
    planned = esc_cut(f.note, 1500) if f.note else "_no note: the next step was not written down_"
    return (f"{_link(item)} · #{item.lead.id} · {esc(item.lead.status)}\n"
            f"*Planned:* {planned}\n*Due:* {when(f.due_at, tz)} ({ago(f.due_at, now)})")


def nudge_message(data: NudgeData, notification_id: int | None, tz: str, now: datetime) -> tuple[str, list[Block]]:
    item = data.item
    head = "Follow-up due" if data.number == 1 else f"Still open: reminder {data.number} of {data.repeats + 1}"
    text = f"{head}: {esc_cut(item.lead.company, 200)}"
    ref = NudgeRef(follow_up_id=item.follow_up.id, lead_id=item.lead.id, notification_id=notification_id).dump()
    snooze = StaticSelectElement(
        action_id=Action.NUDGE_SNOOZE_UNTIL, placeholder="Snooze until…",
        options=[Option(text=label, value=f"{key}|{ref}") for key, label in SNOOZE_CHOICES.items()],
    )
    summary = _summary(item, tz, now)
    if hours_text(data.hours):
        summary += f"\n:telephone_receiver: {hours_text(data.hours)}" + (
            f" ({esc(data.hours.tz)} time)" if data.hours.tz and data.hours.tz != tz else "")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":alarm_clock: *{head}*\n" + summary)),
        ActionsBlock(block_id=B.NUDGE_ACTIONS, elements=[
            ButtonElement(text="Done", action_id=Action.NUDGE_DONE, value=ref, style="primary"),
            ButtonElement(text="Snooze", action_id=Action.NUDGE_SNOOZE, value=ref),
            ButtonElement(text="Reschedule", action_id=Action.NUDGE_RESCHEDULE, value=ref),
            ButtonElement(text="Log activity", action_id=Action.NUDGE_LOG, value=ref),
            snooze,
        ]),
    ]
    context = "*Snooze* waits one hour; the menu has later times."
    left = data.repeats + 1 - data.number
    if left > 0:
        context += f" If it stays open I'll remind you again in {duration_text(int(data.repeat.total_seconds() // 60))}."
    else:
        context += " This was the last reminder: if it stays open, your manager hears of it."
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
        return ":white_check_mark: Marked done"
    if verb == "snooze":
        return f":zzz: Snoozed until {when(due_at, tz)}"
    if verb == "reschedule":
        return f":calendar: Rescheduled to {when(due_at, tz)}"
    if verb == "logged":
        return ":memo: Activity logged, follow-up done"
    if verb == "logged-kept":
        return f":memo: Activity logged; follow-up still due {when(due_at, tz)}"
    return {"done": "Already marked done", "cancelled": "This follow-up was replaced or cancelled"}.get(
        already or "", "Already handled")


def escalation_message(owner_id: str, overdue: FollowUpList, tz: str, now: datetime) -> tuple[str, list[Block]]:
    n = len(overdue.items) + overdue.more
    text = f"{n} overdue follow-up{'s' if n != 1 else ''} of {user(owner_id)} were not handled after reminders"
    lines = [_line(item, tz, now) for item in overdue.items]
    if overdue.more:
        lines.append(f"…and {overdue.more} more.")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f":rotating_light: {user(owner_id)} has overdue follow-ups that reminders did not move. "
                 "You are their manager in the CRM.")),
        SectionBlock(text=MarkdownTextObject(text=fit_lines(lines, 2900))),
        ContextBlock(elements=[MarkdownTextObject(
            text="Ask them, reassign with `/lead assign &lt;lead&gt; @someone`, or read one with `/lead show &lt;lead&gt;`.")]),
    ]
    return text, blocks


def digest_message(overdue: FollowUpList, today: FollowUpList, tz: str, now: datetime) -> tuple[str, list[Block]]:
    n_over, n_today = len(overdue.items) + overdue.more, len(today.items) + today.more
    text = f"Good morning: {n_today} follow-up{'s' if n_today != 1 else ''} today, {n_over} overdue"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f":sunrise: *{text}*"))]
    for title, group in (("Overdue", overdue), ("Today", today)):
        if not group.items:
            continue
        lines = [_line(item, tz, now) for item in group.items]
        if group.more:
            lines.append(f"…and {group.more} more (`/lead mine`).")
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines([f"*{title}*", *lines], 2900))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text="Sent on weekdays at your digest time. `/lead digest off` stops it, `/lead digest 08:30` moves it.")]))
    return text, blocks
