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

from bot.i18n import _, ngettext, pgettext
from bot.ids import Action
from bot.labels import label
from bot.metadata import LeadRef
from bot.views.deals import deals_section
from bot.views.lead_card import routing_line
from bot.views.organization import org_line
from bot.views.channels import linked_lines
from bot.views.text import ago, esc, esc_cut, fit_lines, num, plain, user, when
from bot.views.best_time import explain
from store.dto import LeadDetail, TimelineEntry
from store.dto.reports import BestTimes


PLAIN_REASONS = ("reassigned", "created the lead")  # not translated: stored reasons the line says already


def _state(state: str | None) -> str:
    """A follow-up's state (`open | done | cancelled`) in the reader's words."""
    if state == "open":
        return pgettext("follow-up state", "open")
    if state == "done":
        return pgettext("follow-up state", "done")
    if state == "cancelled":
        return pgettext("follow-up state", "cancelled")
    return esc(state)


def owner_move(actor_id: str | None, old: str | None, new: str | None) -> str:
    """Who gave the lead to whom, said once: `gave it to @b`, `took it over from @a`, `moved it from @a to @b`."""
    if actor_id and actor_id == new:
        return _("took it over from {old}").format(old=user(old)) if old else _("took the lead")
    if not old or old == actor_id:
        return _("gave it to {new}").format(new=user(new))
    return _("moved it from {old} to {new}").format(old=user(old), new=user(new))


def timeline_line(e: TimelineEntry, tz: str) -> str:
    head = f"`{when(e.at, tz)}` {user(e.actor_id)}"
    if e.kind == "activity":
        what = label(e.old) if e.new in (None, "Not applicable") else f"{label(e.old)} · {label(e.new)}"
        return f"{head} *{esc(what)}*" + (f": {esc_cut(e.text, 400)}" if e.text else "")
    if e.kind == "status":
        old, new = esc(label(e.old)), esc(label(e.new))
        line = (_("{head} status *{old}* → *{new}*").format(head=head, old=old, new=new) if e.old else
                _("{head} status *{new}*").format(head=head, new=new))
        return line + (f" ({esc_cut(e.text, 200)})" if e.text else "")
    if e.kind == "assignment":
        if e.text == "created the lead" and e.new == e.actor_id and not e.old:
            return _("{head} created the lead and owns it").format(head=head)
        why = f" ({esc_cut(e.text, 200)})" if e.text and e.text not in PLAIN_REASONS else ""
        return f"{head} {owner_move(e.actor_id, e.old, e.new)}{why}"
    if e.kind == "deal":
        old, new = esc(label(e.old)), esc(label(e.new))
        line = (_("{head} deal *{old}* → *{new}*").format(head=head, old=old, new=new) if e.old else
                _("{head} deal opened at *{new}*").format(head=head, new=new))
        return line + (f" ({esc_cut(e.text, 200)})" if e.text else "")
    if e.kind == "followup":
        due = when(e.due_at, tz) if e.due_at else "?"
        line = _("{head} planned a follow-up for {due} ({state})").format(head=head, due=due, state=_state(e.old))
        return line + (f": {esc_cut(e.text, 200)}" if e.text else "")
    return _("{head} commented: {comment}").format(head=head, comment=comment_text(e.text, e.old, e.new))


def comment_text(text: str | None, permalink: str | None, files_json: str | None, limit: int = 400) -> str:
    """A comment, cut to `limit` with a link to the whole message; shared files by name."""
    body = esc_cut(text, limit) if text else ""
    if permalink and text and len(esc(text)) > limit:
        body += " " + _("<{link}|read all>").format(link=permalink)
    names = []
    try:
        names = [f.get("name") or _("file") for f in (json.loads(files_json) if files_json else None) or []]
    except (ValueError, AttributeError, TypeError):
        names = []
    if names:
        shared = ", ".join(esc_cut(n, 80) for n in names[:5])
        body += (" · " if body else "") + (_("<{link}|shared {files}>").format(link=permalink, files=shared)
                                           if permalink else _("shared {files}").format(files=shared))
    return body or _("_(empty)_")


def lead_360(detail: LeadDetail, tz: str, now: datetime, *, best: BestTimes | None = None) -> tuple[str, list[Block]]:
    lead = detail.lead
    status = _("*{status}* since {since}").format(status=esc(label(lead.status)), since=when(lead.status_since, tz))
    if detail.status_meaning:
        status += f"\n_{esc(label(detail.status_meaning))}_"
    follow = _("none planned")
    if lead.follow_up:
        f = lead.follow_up
        overdue = " " + _("*overdue*") if f.due_at < now else ""
        follow = (f"{when(f.due_at, tz)} ({ago(f.due_at, now)}){overdue}"
                  + (f"\n{esc_cut(f.note, 300)}" if f.note else ""))
    touch = when(lead.first_touch_at, tz) if lead.first_touch_at else _("not yet")
    org = [x for x in (esc_cut(lead.domain, 200) if lead.domain else None,
                       _("segment {segment}").format(segment=esc(label(lead.segment))) if lead.segment else None,
                       _("source {source}").format(source=esc(label(lead.source))) if lead.source else None) if x]
    blocks: list[Block] = [
        HeaderBlock(text=plain(f"{lead.company} · #{lead.id}", 150)),
        SectionBlock(fields=[
            MarkdownTextObject(text=_("*Status*\n{status}").format(status=status)),
            MarkdownTextObject(text=_("*Owner*\n{owner}").format(owner=user(lead.owner_id))),
            MarkdownTextObject(text=_("*Next follow-up*\n{follow_up}").format(follow_up=follow)),
            MarkdownTextObject(text=_("*Arrived*\n{arrived}\nFirst touch: {first_touch}").format(
                arrived=when(lead.arrived_at, tz), first_touch=touch)),
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
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("*Contacts*\n{contacts}").format(contacts=fit_lines(lines, 2900)))))
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*Contacts*\nnone yet"))))
    deals = deals_section(lead, detail.closed_deals)
    if deals:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=deals[:2900])))
    if detail.channels:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("*Customer channels*\n{channels}").format(
                channels=fit_lines(linked_lines(list(detail.channels)), 2900)))))
    blocks.append(DividerBlock())
    history = fit_lines([timeline_line(e, tz) for e in detail.timeline], 2800) or _("Nothing logged yet.")
    shown = sum(1 for e in detail.timeline if e.kind == "activity")
    n = detail.activity_count
    more = (" · " + ngettext("{n} activity in all, every one under *History*",
                             "{n} activities in all, every one under *History*", n).format(n=num(n))
            if n > shown else "")  # a count only says something when not all are shown
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*Latest history*") + f"{more}\n{history}")))
    links = []
    if lead.card_permalink:
        links.append(_("<{link}|Open the lead's thread> for the whole conversation.").format(link=lead.card_permalink))
    elif lead.card_channel:
        links.append(_("Card in {channel}.").format(channel=f"<#{lead.card_channel}>"))
    if links:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(links))]))
    ref = LeadRef(lead_id=lead.id).dump()
    blocks.append(ActionsBlock(elements=[
        ButtonElement(text=_("Log activity"), action_id=Action.CARD_LOG, value=ref, style="primary"),
        ButtonElement(text=_("Change status"), action_id=Action.CARD_STATUS, value=ref),
        ButtonElement(text=_("Reassign"), action_id=Action.CARD_REASSIGN, value=ref),
        ButtonElement(text=_("Deal") if lead.deals else _("Convert"), action_id=Action.CARD_DEAL, value=ref),
        ButtonElement(text=_("History"), action_id=Action.CARD_HISTORY, value=ref),
    ]))
    return _("{company}: {status}, owner {owner}").format(
        company=esc_cut(lead.company, 200), status=esc(label(lead.status)), owner=user(lead.owner_id)), blocks
