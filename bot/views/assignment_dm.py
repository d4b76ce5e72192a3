"""DMs about routing: the new owner's assignment DM and the manager's first-touch SLA-breach DM."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.i18n import N_, _
from bot.views.reasons import routing_reason
from bot.views.text import duration_text, esc_cut, user, when
from store.dto import LeadSummary

WHY = {"routed": N_("A new lead for you"), "passed": N_("A lead was passed to you"), "breach":
       N_("A lead is yours now: its first-touch SLA ran out with the previous owner")}


def assignment_dm(lead: LeadSummary, why: str, tz: str) -> tuple[str, list[Block]]:
    head = _(WHY.get(why, WHY["routed"]))
    card = _("the card")
    where = f"<{lead.card_permalink}|{card}>" if lead.card_permalink else card
    text = f"{head}: {esc_cut(lead.company, 200)}"
    body = f":inbox_tray: *{head}:* *{esc_cut(lead.company, 200)}* (#{lead.id})"
    if lead.routing_reason:
        body += f"\n_{esc_cut(routing_reason(lead.routing_reason), 300)}_"
    if lead.sla_due_at:
        body += "\n" + _("First touch due by *{due}*: log a call or e-mail on it.").format(
            due=when(lead.sla_due_at, tz))
    body += "\n" + _("Accept or pass it on {card}; `/lead update #{id}` logs what you did.").format(
        card=where, id=lead.id)
    return text, [SectionBlock(text=MarkdownTextObject(text=body))]


def breach_dm(lead: LeadSummary, owner: str | None, minutes: int | None, reassigned: str | None,
              tz: str) -> tuple[str, list[Block]]:
    company = esc_cut(lead.company, 200)
    text = _("First-touch SLA missed: {company}").format(company=company)
    missed = _("*First-touch SLA missed:* *{company}* (#{id}).").format(company=company, id=lead.id)
    if minutes:
        idle = _("{owner} logged no activity within {span} of routing.").format(
            owner=user(owner), span=duration_text(minutes))
    else:
        idle = _("{owner} logged no activity of routing.").format(owner=user(owner))
    now = (_("It now belongs to {owner}.").format(owner=user(reassigned)) if reassigned else
           _("It is still theirs."))
    where = " " + _("<{link}|Open the card>.").format(link=lead.card_permalink) if lead.card_permalink else ""
    return text, [SectionBlock(text=MarkdownTextObject(text=f":warning: {missed} {idle} {now}{where}"))]
