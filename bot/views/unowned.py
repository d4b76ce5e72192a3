"""`/lead list unowned`: the leads nobody owns (no queue took them, nobody was named), each with Take it and
Assign, so a lead that had nowhere to go is one click from an owner."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.i18n import N_, _, ngettext
from bot.ids import Action
from bot.labels import label
from bot.metadata import LeadRef
from bot.views.lists import COUNT_CAP, page_buttons
from bot.views.text import ago, esc, esc_cut, num

HOW_TO_FIX = N_("New leads get an owner when a routing queue takes them (`/lead routing`) or when they are created "
                "with one; cards go to `/lead settings channel #sales` when their channel can't take them.")


def _line(lead, now: datetime) -> str:
    bits = [f"*{esc_cut(lead.company, 150)}* #{lead.id}", esc(label(lead.status)),
            _("arrived {ago}").format(ago=ago(lead.arrived_at, now))]
    if lead.source:
        bits.append(_("from {source}").format(source=esc_cut(label(lead.source), 60)))
    if lead.contact and (lead.contact.name or lead.contact.email):
        bits.append(esc_cut(lead.contact.name or lead.contact.email or "", 80))
    line = " · ".join(bits)
    if lead.card_permalink:
        line += "  <{link}|{card}>".format(link=lead.card_permalink, card=_("card"))
    return line


def unowned_list(leads: list, total: int, page: int, per_page: int, described: str, args: str, tz: str,
                 now: datetime) -> tuple[str, list[Block]]:
    """One page of the leads nobody owns, each with **Take it** and **Assign…**, then Previous / Next."""
    if not leads:
        text = (_("Every lead has an owner: none match {described}.") if total == 0
                else _("No more leads: {total} match {described}.")).format(total=total, described=described)
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    first = page * per_page + 1
    last = first + len(leads) - 1
    if total > COUNT_CAP:
        header = _("*More than {cap} leads* nobody owns ({described}) · {first}–{last}:").format(
            cap=num(COUNT_CAP), described=described, first=first, last=last)
    else:
        header = ngettext("*{n} lead* nobody owns ({described}) · {first}–{last}:",
                          "*{n} leads* nobody owns ({described}) · {first}–{last}:", total).format(
            n=num(total), described=described, first=first, last=last)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=header))]
    for lead in leads:
        ref = LeadRef(lead_id=lead.id).dump()
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_line(lead, now))))
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=_("Take it"), action_id=Action.LEAD_TAKE, value=ref, style="primary"),
            ButtonElement(text=_("Assign…"), action_id=Action.CARD_REASSIGN, value=ref),
        ]))
    blocks += page_buttons(args, page, more=last < total)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(HOW_TO_FIX))]))
    shown = min(total, COUNT_CAP)
    return ngettext("{n} lead nobody owns", "{n} leads nobody owns", shown).format(n=num(shown)), blocks


def nowhere_dm(lead, unowned: int) -> tuple[str, list[Block]]:
    """To each workspace admin, once: a lead arrived with no owner and no channel took its card."""
    if lead is None:
        what = _("A lead")
    elif lead.source:
        what = _("*{company}* #{id} (from {source})").format(
            company=esc_cut(lead.company, 150), id=lead.id, source=esc_cut(label(lead.source), 60))
    else:
        what = f"*{esc_cut(lead.company, 150)}* #{lead.id}"
    text = _(":warning: A lead had nowhere to go: {what} arrived with no owner, and no channel takes its card, "
             "so nobody in the workspace was told.").format(what=what)
    fix = _("*Fix it once:*\n• create a routing queue with `/lead routing`: new leads get an owner in rotation, and "
            "their card goes to the queue's channel;\n• or name a channel for cards: `/lead settings channel #sales` "
            "(and invite me there).")
    if unowned == 1:
        meanwhile = _("Until then `/lead list unowned` shows the lead nobody owns, with *Take it* and *Assign…*.")
    else:
        meanwhile = ngettext("Until then `/lead list unowned` shows the {n} lead nobody owns, with *Take it* and "
                             "*Assign…*.",
                             "Until then `/lead list unowned` shows the {n} leads nobody owns, with *Take it* and "
                             "*Assign…*.", unowned).format(n=num(unowned))
    return text, [SectionBlock(text=MarkdownTextObject(text=text)), SectionBlock(text=MarkdownTextObject(text=fix)),
                  ContextBlock(elements=[MarkdownTextObject(text=meanwhile)])]
