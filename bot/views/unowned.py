"""`/lead list unowned`: the leads nobody owns (no queue took them, nobody was named), each with Take it and
Assign, so a lead that had nowhere to go is one click from an owner."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.ids import Action
from bot.metadata import LeadRef
from bot.views.lists import COUNT_CAP, page_buttons
from bot.views.text import ago, esc, esc_cut, plural

HOW_TO_FIX = ("New leads get an owner when a routing queue takes them (`/lead routing`) or when they are created "
              "with one; cards go to `/lead settings channel #sales` when their channel can't take them.")


def _line(lead, now: datetime) -> str:
    bits = [f"*{esc_cut(lead.company, 150)}* #{lead.id}", esc(lead.status), f"arrived {ago(lead.arrived_at, now)}"]
    if lead.source:
        bits.append(f"from {esc_cut(lead.source, 60)}")
    if lead.contact and (lead.contact.name or lead.contact.email):
        bits.append(esc_cut(lead.contact.name or lead.contact.email or "", 80))
    line = " · ".join(bits)
    if lead.card_permalink:
        line += f"  <{lead.card_permalink}|card>"
    return line


def unowned_list(leads: list, total: int, page: int, per_page: int, described: str, args: str, tz: str,
                 now: datetime) -> tuple[str, list[Block]]:
    """One page of the leads nobody owns, each with **Take it** and **Assign…**, then Previous / Next."""
    if not leads:
        text = (f"Every lead has an owner: none match {described}." if total == 0
                else f"No more leads: {total} match {described}.")
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    first = page * per_page + 1
    many = f"More than {COUNT_CAP:,} leads" if total > COUNT_CAP else plural(total, "lead")
    header = f"*{many}* nobody owns ({described}) · {first}–{first + len(leads) - 1}:"
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=header))]
    for lead in leads:
        ref = LeadRef(lead_id=lead.id).dump()
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_line(lead, now))))
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text="Take it", action_id=Action.LEAD_TAKE, value=ref, style="primary"),
            ButtonElement(text="Assign…", action_id=Action.CARD_REASSIGN, value=ref),
        ]))
    blocks += page_buttons(args, page, more=first + len(leads) - 1 < total)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=HOW_TO_FIX)]))
    return f"{plural(min(total, COUNT_CAP), 'lead')} nobody owns", blocks


def nowhere_dm(lead, unowned: int) -> tuple[str, list[Block]]:
    """To each workspace admin, once: a lead arrived with no owner and no channel took its card."""
    what = (f"*{esc_cut(lead.company, 150)}* #{lead.id}" + (f" (from {esc_cut(lead.source, 60)})" if lead.source else "")
            if lead is not None else "A lead")
    text = (f":warning: A lead had nowhere to go: {what} arrived with no owner, and no channel takes its card, "
            "so nobody in the workspace was told.")
    fix = ("*Fix it once:*\n• create a routing queue with `/lead routing`: new leads get an owner in rotation, and "
           "their card goes to the queue's channel;\n• or name a channel for cards: `/lead settings channel #sales` "
           "(and invite me there).")
    count = "the lead nobody owns" if unowned == 1 else f"the {plural(unowned, 'lead')} nobody owns"
    meanwhile = f"Until then `/lead list unowned` shows {count}, with *Take it* and *Assign…*."
    return text, [SectionBlock(text=MarkdownTextObject(text=text)), SectionBlock(text=MarkdownTextObject(text=fix)),
                  ContextBlock(elements=[MarkdownTextObject(text=meanwhile)])]
