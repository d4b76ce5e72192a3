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

from bot.i18n import _
from bot.ids import Action, Block as B
from bot.labels import label
from bot.metadata import LeadRef
from bot.views.deals import deal_thread_line, deals_section
from bot.views.reasons import routing_reason
from bot.views.text import bold, duration_text, esc, esc_cut, user, when_for_all
from store.dto import ChangeRecord, LeadSummary


def card_title(lead: LeadSummary) -> str:
    return f"{bold(lead.company, 200)}  ·  #{lead.id}"


def lead_card(lead: LeadSummary, owner_tz: str = "UTC") -> tuple[str, list[Block]]:
    """(fallback text, blocks) for chat.postMessage / chat.update."""
    follow = _("none planned")
    if lead.follow_up:
        follow = when_for_all(lead.follow_up.due_at, owner_tz)
        if lead.follow_up.note:
            follow += f" · {esc_cut(lead.follow_up.note, 300)}"
    segment = esc(label(lead.segment)) or _("not set")
    fields = [MarkdownTextObject(text=f"*{name}*\n{value}") for name, value in (
        (_("Status"), esc(label(lead.status))), (_("Owner"), user(lead.owner_id)), (_("Segment"), segment),
        (_("Next follow-up"), follow))]
    context = []
    if lead.contact:
        c = lead.contact
        bits = [esc_cut(x, 200) for x in (c.name, c.email, c.phone) if x]
        if bits:
            context.append(_("Contact: {details}").format(details=" · ".join(bits)))
    if lead.domain:
        context.append(esc_cut(lead.domain, 200))
    if lead.source:
        context.append(_("Source: {source}").format(source=esc(label(lead.source))))
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
    log = ButtonElement(text=_("Log activity"), action_id=Action.CARD_LOG, value=ref, style="primary")
    if awaiting:  # the assignment notice: the new owner accepts or passes
        elements = [ButtonElement(text=_("Accept"), action_id=Action.CARD_ACCEPT, value=ref), log,
                    ButtonElement(text=_("Pass"), action_id=Action.CARD_PASS, value=ref)]
    else:
        elements = [log, ButtonElement(text=_("Change status"), action_id=Action.CARD_STATUS, value=ref),
                    ButtonElement(text=_("Reassign"), action_id=Action.CARD_REASSIGN, value=ref),
                    ButtonElement(text=_("Deal") if lead.deals else _("Convert"), action_id=Action.CARD_DEAL,
                                  value=ref),
                    ButtonElement(text=_("History"), action_id=Action.CARD_HISTORY, value=ref),
                    ButtonElement(text=_("Follow"), action_id=Action.CARD_FOLLOW, value=ref)]
    blocks.append(ActionsBlock(block_id=B.CARD_ACTIONS, elements=elements))
    fallback = _("{company} · {status} · owner {owner}").format(
        company=esc_cut(lead.company, 200), status=esc(label(lead.status)), owner=user(lead.owner_id))
    return fallback, blocks


def routing_line(lead: LeadSummary, owner_tz: str) -> str:
    """Who has it and why, and where the first-touch clock stands."""
    line = _(":inbox_tray: Routed to {owner}: {reason}").format(
        owner=user(lead.owner_id), reason=esc_cut(routing_reason(lead.routing_reason), 300) or _("next in rotation"))
    if lead.first_touch_at:
        line += "\n" + _("First touch {at}.").format(at=when_for_all(lead.first_touch_at, owner_tz))
    elif lead.sla_breached_at:
        at = when_for_all(lead.sla_breached_at, owner_tz)
        line += "\n" + _(":warning: First-touch SLA missed {at}.").format(at=at)
    elif lead.sla_due_at:
        line += "\n" + _("First touch due by {at}.").format(at=when_for_all(lead.sla_due_at, owner_tz))
    if lead.accepted_at:
        line += " " + _("Accepted.")
    return line


def thread_line(change: ChangeRecord, owner_tz: str = "UTC", actor_name: str | None = None) -> str:
    """One line per submission in the card's thread: what was done, by whom.

    The actor is named, not @-mentioned, so nobody is pinged about their own change; a new owner is
    mentioned, because they need to know."""
    parts = []
    if change.activity:
        what = label(change.activity)
        if change.outcome not in (None, "Not applicable"):
            what = f"{what} · {label(change.outcome)}"
        line = f"*{what}*"
        if change.occurred_at:
            line += f" ({when_for_all(change.occurred_at, owner_tz)})"
        if change.note:
            line += f": {esc_cut(change.note, 2500)}"
        parts.append(line)
    if change.status_to:
        line = _("Status *{old}* → *{new}*").format(old=esc(label(change.status_from)),
                                                     new=esc(label(change.status_to)))
        if change.reason:
            line += f" ({esc_cut(change.reason, 300)})"
        parts.append(line)
    if change.owner_to:
        line = _("Owner {old} → {new}").format(old=user(change.owner_from), new=user(change.owner_to))
        if change.reason and not change.status_to:
            line += f" ({esc_cut(change.reason, 300)})"
        parts.append(line)
    if change.follow_up_at:
        at = when_for_all(change.follow_up_at, owner_tz)
        line = (_("Follow-up moved to {at}") if change.follow_up_moved else _("Next follow-up {at}")).format(at=at)
        if change.follow_up_note:
            line += f": {esc_cut(change.follow_up_note, 300)}"
        parts.append(line)
    elif change.follow_up_closed:
        parts.append(_closed(change.follow_up_closed))
    if change.deal:
        parts.insert(0, deal_thread_line(change.deal))
    if change.accepted:
        parts.append(_("Accepted the lead"))
    if change.sla_missed_by:
        missed = user(change.sla_missed_by)
        if change.sla_minutes:
            sla = _(":warning: First-touch SLA missed: {owner} logged no activity within {span}").format(
                owner=missed, span=duration_text(change.sla_minutes))
        else:
            sla = _(":warning: First-touch SLA missed: {owner} logged no activity").format(owner=missed)
        parts.insert(0, sla)
    who = bold(actor_name, 80) if actor_name else user(change.actor_id)
    return f"{who}: " + "\n".join(parts)


def _closed(state: str) -> str:
    """What happened to the previous follow-up (`done` or `cancelled`)."""
    if state == "done":
        return _("Follow-up marked done")
    if state == "cancelled":
        return _("Follow-up marked cancelled")
    return _("Follow-up marked {state}").format(state=esc(state))
