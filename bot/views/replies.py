"""Short ephemeral answers after something was saved."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock,
)

from bot.ids import Action
from bot.metadata import FollowRef, NudgeRef, PendingAction
from bot.views.best_time import explain, hours_text, slot_label
from bot.views.deals import deal_thread_line
from bot.views.text import bold, esc, esc_cut, plain, user, when
from store.dto import ChangeRecord, LeadSummary
from store.dto.reports import BestTimes


def _where(lead: LeadSummary) -> str:
    if lead.card_permalink:
        return f" <{lead.card_permalink}|Open the card>."
    if lead.card_channel:
        return f" The card is in <#{lead.card_channel}>."
    return ""


def created(lead: LeadSummary, actor_id: str, card_error: str | None) -> str:
    who = "You own it" if lead.owner_id == actor_id else f"{user(lead.owner_id)} owns it"
    text = f"Created {bold(lead.company, 200)} (#{lead.id}), status *{esc(lead.status)}*. {who}." + _where(lead)
    return text + card_problem(card_error)


def existed(lead: LeadSummary) -> str:
    return (f"{bold(lead.company, 200)} already has an open lead (#{lead.id}, {esc(lead.status)}, "
            f"owner {user(lead.owner_id)}). Use `/lead update #{lead.id}` to log what happened." + _where(lead))


def changed(lead: LeadSummary, change: ChangeRecord, tz: str, card_error: str | None = None) -> str:
    bits = [deal_thread_line(change.deal)] if change.deal else []
    if change.activity:
        bits.append(f"logged {esc(change.activity)}" + (f" ({esc(change.outcome)})" if change.outcome not in
                                                        (None, "Not applicable") else ""))
    if change.status_to:
        bits.append(f"status *{esc(change.status_from)}* → *{esc(change.status_to)}*")
    if change.owner_to:
        bits.append(f"owner is now {user(change.owner_to)}")
    if change.follow_up_at:
        label = "follow-up moved to" if change.follow_up_moved else "next follow-up"
        bits.append(f"{label} {when(change.follow_up_at, tz)}")
    elif change.follow_up_closed:
        bits.append(f"open follow-up marked {change.follow_up_closed}")
    text = f"{bold(lead.company, 200)}: " + ", ".join(bits) + "." + _where(lead) + card_problem(card_error)
    if change.activity == "Note" and lead.sla_due_at and not lead.first_touch_at and change.actor_id == lead.owner_id:
        text += ("\nThe first-touch clock still runs: a note is not a touch. A call, e-mail, meeting or message "
                 "stops it, answered or not.")
    return text


def card_problem(error: str | None) -> str:
    if not error:
        return ""
    if error in ("no_crm_channel", "not_in_channel", "channel_not_found", "is_archived"):
        return ("\n:warning: I can't post the lead card in this channel. Invite me (`/invite @CRM`) or ask a "
                "manager to choose the channel for cards (`/lead settings channel #sales`); I'll keep trying.")
    return f"\n:warning: Slack did not take the card update yet ({esc(error)}); I'll retry."


def follow_up_still_open(confirmation: str, lead: LeadSummary, tz: str, now: datetime,
                         reader_id: str | None = None) -> list[Block]:
    """After `/lead log`: the follow-up is still open (a quick log never closes it); one click closes it."""
    f = lead.follow_up
    assert f is not None
    due = f"due {when(f.due_at, tz)}" + (" (overdue)" if f.due_at <= now else "")
    ref = NudgeRef(follow_up_id=f.id, lead_id=lead.id).dump()
    whose = "Your" if reader_id is None or f.owner_id == reader_id else f"{user(f.owner_id)}'s"
    return [
        SectionBlock(text=MarkdownTextObject(text=confirmation)),
        SectionBlock(text=MarkdownTextObject(
            text=f"{whose} follow-up is still open, {due}" + (f": {esc_cut(f.note, 300)}" if f.note else "."))),
        ActionsBlock(elements=[ButtonElement(text="Mark follow-up done", action_id=Action.NUDGE_DONE, value=ref)]),
    ]


def follow_answer(lead: LeadSummary, following: bool) -> tuple[str, list[Block]]:
    company = bold(lead.company, 200)
    if following:
        text = (f"You follow {company}: I'll DM you when its status or owner changes or a comment mentions you "
                "(changes within a minute come as one message).")
        button = ButtonElement(text="Unfollow", action_id=Action.CARD_FOLLOW,
                               value=FollowRef(lead_id=lead.id, follow=False).dump())
    else:
        text = f"You no longer follow {company}."
        button = ButtonElement(text="Follow", action_id=Action.CARD_FOLLOW,
                               value=FollowRef(lead_id=lead.id, follow=True).dump())
    return text, [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=[button])]


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _slot_buttons(lead: LeadSummary, best: BestTimes, tz: str, note: str | None, prefix: str = "") -> ActionsBlock:
    """One button per suggested time: the follow-up is planned then (a pick-one replay, applied once)."""
    return ActionsBlock(elements=[
        ButtonElement(text=plain(prefix + slot_label(slot, tz), 75), action_id=f"{Action.PICK_LEAD}:slot{i}",
                      value=PendingAction(verb="followup", lead_id=lead.id, due=slot.at.isoformat(),
                                          arg=note).dump())
        for i, slot in enumerate(best.slots)])


def suggested_times(lead: LeadSummary, best: BestTimes, tz: str, *, in_thread: bool = False) -> tuple[str, list[Block]]:
    """`/lead followup <lead>` with no time: the best next slots, one click each."""
    text = f"When should the next follow-up on {bold(lead.company, 200)} be? {explain(best, tz)}."
    blocks: list[Block] = [section(text)]
    if hours_text(best.contact_hours):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hours_text(best.contact_hours))]))
    blocks.append(_slot_buttons(lead, best, tz, None))
    how = "`@CRM followup tomorrow 10am send the quote`" if in_thread else \
        f"`/lead followup #{lead.id} tomorrow 10am send the quote`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Or give a time yourself: {how}")]))
    return text, blocks


def better_times(lead: LeadSummary, best: BestTimes, tz: str, note: str | None) -> list[Block]:
    """After planning a follow-up at a time when the customer rarely answers: say so, offer the better ones."""
    return [ContextBlock(elements=[MarkdownTextObject(text=f":bulb: {explain(best, tz)}.")]),
            _slot_buttons(lead, best, tz, note, prefix="Move to ")]
