"""The lead card: one message per lead, edited in place; its thread is the lead's history."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import Action, Block as B
from bot.metadata import LeadRef
from bot.views.deals import deal_thread_line, deals_section
from bot.views.text import bold, duration_text, esc, esc_cut, user, when_for_all
from store.dto import ChangeRecord, LeadSummary


def card_title(lead: LeadSummary) -> str:
    return f"{bold(lead.company, 200)}  ·  #{lead.id}"


def lead_card(lead: LeadSummary, owner_tz: str = "UTC") -> tuple[str, list[Block]]:
    """(fallback text, blocks) for chat.postMessage / chat.update."""
    follow = "none planned"
    if lead.follow_up:
        follow = when_for_all(lead.follow_up.due_at, owner_tz)
        if lead.follow_up.note:
            follow += f" · {esc_cut(lead.follow_up.note, 300)}"
    fields = [
        MarkdownTextObject(text=f"*Status*\n{esc(lead.status)}"),
        MarkdownTextObject(text=f"*Owner*\n{user(lead.owner_id)}"),
        MarkdownTextObject(text=f"*Segment*\n{esc(lead.segment) or 'not set'}"),
        MarkdownTextObject(text=f"*Next follow-up*\n{follow}"),
    ]
    context = []
    if lead.contact:
        c = lead.contact
        bits = [esc_cut(x, 200) for x in (c.name, c.email, c.phone) if x]
        if bits:
            context.append("Contact: " + " · ".join(bits))
    if lead.domain:
        context.append(esc_cut(lead.domain, 200))
    if lead.source:
        context.append(f"Source: {esc(lead.source)}")
    ref = LeadRef(lead_id=lead.id).dump()
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=card_title(lead)), fields=fields)]
    if lead.routed_at:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=routing_line(lead, owner_tz))))
    deals = deals_section(lead)
    if deals:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=deals)))
    if context:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="  |  ".join(context))]))
    awaiting = lead.routed_at and not lead.accepted_at and not lead.first_touch_at and lead.is_open
    log = ButtonElement(text="Log activity", action_id=Action.CARD_LOG, value=ref, style="primary")
    if awaiting:  # the assignment notice: the new owner accepts or passes
        elements = [ButtonElement(text="Accept", action_id=Action.CARD_ACCEPT, value=ref), log,
                    ButtonElement(text="Pass", action_id=Action.CARD_PASS, value=ref)]
    else:
        elements = [log, ButtonElement(text="Change status", action_id=Action.CARD_STATUS, value=ref),
                    ButtonElement(text="Reassign", action_id=Action.CARD_REASSIGN, value=ref),
                    ButtonElement(text="Deal" if lead.deals else "Convert", action_id=Action.CARD_DEAL, value=ref),
                    ButtonElement(text="History", action_id=Action.CARD_HISTORY, value=ref),
                    ButtonElement(text="Follow", action_id=Action.CARD_FOLLOW, value=ref)]
    blocks.append(ActionsBlock(block_id=B.CARD_ACTIONS, elements=elements))
    return f"{esc_cut(lead.company, 200)} · {esc(lead.status)} · owner {user(lead.owner_id)}", blocks


def routing_line(lead: LeadSummary, owner_tz: str) -> str:
    """Who has it and why, and where the first-touch clock stands."""
    line = f":inbox_tray: Routed to {user(lead.owner_id)}: {esc_cut(lead.routing_reason, 300) or 'next in rotation'}"
    if lead.first_touch_at:
        line += f"\nFirst touch {when_for_all(lead.first_touch_at, owner_tz)}."
    elif lead.sla_breached_at:
        line += f"\n:warning: First-touch SLA missed {when_for_all(lead.sla_breached_at, owner_tz)}."
    elif lead.sla_due_at:
        line += f"\nFirst touch due by {when_for_all(lead.sla_due_at, owner_tz)}."
    if lead.accepted_at:
        line += " Accepted."
    return line


def thread_line(change: ChangeRecord, owner_tz: str = "UTC", actor_name: str | None = None) -> str:
    """One line per submission in the card's thread: what was done, by whom.

    The actor is named, not @-mentioned, so nobody is pinged about their own change; a new owner is
    mentioned, because they need to know."""
    parts = []
    if change.activity:
        what = change.activity if change.outcome in (None, "Not applicable") else f"{change.activity} · {change.outcome}"
        line = f"*{what}*"
        if change.occurred_at:
            line += f" ({when_for_all(change.occurred_at, owner_tz)})"
        if change.note:
            line += f": {esc_cut(change.note, 2500)}"
        parts.append(line)
    if change.status_to:
        line = f"Status *{esc(change.status_from)}* → *{esc(change.status_to)}*"
        if change.reason:
            line += f" ({esc_cut(change.reason, 300)})"
        parts.append(line)
    if change.owner_to:
        line = f"Owner {user(change.owner_from)} → {user(change.owner_to)}"
        if change.reason and not change.status_to:
            line += f" ({esc_cut(change.reason, 300)})"
        parts.append(line)
    if change.follow_up_at:
        label = "Follow-up moved to" if change.follow_up_moved else "Next follow-up"
        line = f"{label} {when_for_all(change.follow_up_at, owner_tz)}"
        if change.follow_up_note:
            line += f": {esc_cut(change.follow_up_note, 300)}"
        parts.append(line)
    elif change.follow_up_closed:
        parts.append(f"Follow-up marked {change.follow_up_closed}")
    if change.deal:
        parts.insert(0, deal_thread_line(change.deal))
    if change.accepted:
        parts.append("Accepted the lead")
    if change.sla_missed_by:
        span = f" within {duration_text(change.sla_minutes)}" if change.sla_minutes else ""
        parts.insert(0, f":warning: First-touch SLA missed: {user(change.sla_missed_by)} logged no activity{span}")
    who = bold(actor_name, 80) if actor_name else user(change.actor_id)
    return f"{who}: " + "\n".join(parts)
