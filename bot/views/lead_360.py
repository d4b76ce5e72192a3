"""`/lead show`: the customer's 360 view."""

from __future__ import annotations

import json

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import Action
from bot.metadata import LeadRef
from bot.views.deals import deals_section
from bot.views.lead_card import routing_line
from bot.views.organization import org_line
from bot.views.channels import linked_lines
from bot.views.text import ago, esc, esc_cut, fit_lines, plain, user, when
from bot.views.best_time import explain
from store.dto import LeadDetail, TimelineEntry
from store.dto.reports import BestTimes




def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


PLAIN_REASONS = ("reassigned", "created the lead")  # what the line says already


def owner_move(actor_id: str | None, old: str | None, new: str | None) -> str:
    """Who gave the lead to whom, said once: `gave it to @b`, `took it over from @a`, `moved it from @a to @b`."""
    if actor_id and actor_id == new:
        return f"took it over from {user(old)}" if old else "took the lead"
    if not old or old == actor_id:
        return f"gave it to {user(new)}"
    return f"moved it from {user(old)} to {user(new)}"


def timeline_line(e: TimelineEntry, tz: str) -> str:
    head = f"`{when(e.at, tz)}` {user(e.actor_id)}"
    if e.kind == "activity":
        what = e.old if e.new in (None, "Not applicable") else f"{e.old} · {e.new}"
        return f"{head} *{esc(what)}*" + (f": {esc_cut(e.text, 400)}" if e.text else "")
    if e.kind == "status":
        line = f"{head} status *{esc(e.old)}* → *{esc(e.new)}*" if e.old else f"{head} status *{esc(e.new)}*"
        return line + (f" ({esc_cut(e.text, 200)})" if e.text else "")
    if e.kind == "assignment":
        if e.text == "created the lead" and e.new == e.actor_id and not e.old:
            return f"{head} created the lead and owns it"
        why = f" ({esc_cut(e.text, 200)})" if e.text and e.text not in PLAIN_REASONS else ""
        return f"{head} {owner_move(e.actor_id, e.old, e.new)}{why}"
    if e.kind == "deal":
        move = f"*{esc(e.old)}* → *{esc(e.new)}*" if e.old else f"opened at *{esc(e.new)}*"
        return f"{head} deal {move}" + (f" ({esc_cut(e.text, 200)})" if e.text else "")
    if e.kind == "followup":
        due = when(e.due_at, tz) if e.due_at else "?"
        return f"{head} planned a follow-up for {due} ({esc(e.old)})" + (f": {esc_cut(e.text, 200)}" if e.text else "")
    return f"{head} commented: " + comment_text(e.text, e.old, e.new)


def comment_text(text: str | None, permalink: str | None, files_json: str | None, limit: int = 400) -> str:
    """A comment, cut to `limit` with a link to the whole message; shared files by name."""
    body = esc_cut(text, limit) if text else ""
    if permalink and text and len(esc(text)) > limit:
        body += f" <{permalink}|read all>"
    names = []
    try:
        names = [f.get("name") or "file" for f in (json.loads(files_json) if files_json else None) or []]
    except (ValueError, AttributeError, TypeError):
        names = []
    if names:
        shared = ", ".join(esc_cut(n, 80) for n in names[:5])
        body += (" · " if body else "") + (f"<{permalink}|shared {shared}>" if permalink else f"shared {shared}")
    return body or "_(empty)_"


def lead_360(detail: LeadDetail, tz: str, now: datetime, *, best: BestTimes | None = None) -> tuple[str, list[Block]]:
    lead = detail.lead
    status = f"*{esc(lead.status)}* since {when(lead.status_since, tz)}"
    if detail.status_meaning:
        status += f"\n_{esc(detail.status_meaning)}_"
    follow = "none planned"
    if lead.follow_up:
        f = lead.follow_up
        overdue = " *overdue*" if f.due_at < now else ""
        follow = f"{when(f.due_at, tz)} ({ago(f.due_at, now)}){overdue}" + (f"\n{esc_cut(f.note, 300)}" if f.note else "")
    touch = when(lead.first_touch_at, tz) if lead.first_touch_at else "not yet"
    org = [x for x in (esc_cut(lead.domain, 200) if lead.domain else None,
                       f"segment {esc(lead.segment)}" if lead.segment else None,
                       f"source {esc(lead.source)}" if lead.source else None) if x]
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"{lead.company} · #{lead.id}", 150)),
        SectionBlock(fields=[
            MarkdownTextObject(text=f"*Status*\n{status}"),
            MarkdownTextObject(text=f"*Owner*\n{user(lead.owner_id)}"),
            MarkdownTextObject(text=f"*Next follow-up*\n{follow}"),
            MarkdownTextObject(text=f"*Arrived*\n{when(lead.arrived_at, tz)}\nFirst touch: {touch}"),
        ]),
    ]
    if lead.routed_at:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=routing_line(lead, tz))))
    who = org_line(detail.organization) if detail.organization else None
    if who:
        org.insert(0, who)
    if org:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" · ".join(org)[:2900])]))
    if best is not None and best.best:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f":telephone_receiver: {explain(best, tz)}")]))
    if detail.contacts:
        lines = []
        for c in detail.contacts:
            bits = [esc_cut(x, 200) for x in (c.name, c.title, c.email, c.phone) if x]
            lines.append("• " + " · ".join(bits))
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Contacts*\n" + fit_lines(lines, 2900))))
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="*Contacts*\nnone yet")))
    deals = deals_section(lead, detail.closed_deals)
    if deals:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=deals[:2900])))
    if detail.channels:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text="*Customer channels*\n" + fit_lines(linked_lines(list(detail.channels)), 2900))))
    blocks.append(DividerBlock())
    history = fit_lines([timeline_line(e, tz) for e in detail.timeline], 2800) or "Nothing logged yet."
    shown = sum(1 for e in detail.timeline if e.kind == "activity")
    more = (f" · {_count(detail.activity_count, 'activity', 'activities')} in all, every one under *History*"
            if detail.activity_count > shown else "")  # a count only says something when not all are shown
    blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Latest history*{more}\n{history}")))
    links = []
    if lead.card_permalink:
        links.append(f"<{lead.card_permalink}|Open the lead's thread> for the whole conversation.")
    elif lead.card_channel:
        links.append(f"Card in <#{lead.card_channel}>.")
    if links:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(links))]))
    ref = LeadRef(lead_id=lead.id).dump()
    blocks.append(ActionsBlock(elements=[
        ButtonElement(text="Log activity", action_id=Action.CARD_LOG, value=ref, style="primary"),
        ButtonElement(text="Change status", action_id=Action.CARD_STATUS, value=ref),
        ButtonElement(text="Reassign", action_id=Action.CARD_REASSIGN, value=ref),
        ButtonElement(text="Deal" if lead.deals else "Convert", action_id=Action.CARD_DEAL, value=ref),
        ButtonElement(text="History", action_id=Action.CARD_HISTORY, value=ref),
    ]))
    return f"{esc_cut(lead.company, 200)}: {esc(lead.status)}, owner {user(lead.owner_id)}", blocks
