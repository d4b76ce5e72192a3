"""DMs about routing: the new owner's assignment DM and the manager's first-touch SLA-breach DM."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock

from bot.views.text import duration_text, esc_cut, user, when
from store.dto import LeadSummary

WHY = {"routed": "A new lead for you", "passed": "A lead was passed to you", "breach":
       "A lead is yours now: its first-touch SLA ran out with the previous owner"}


def assignment_dm(lead: LeadSummary, why: str, tz: str) -> tuple[str, list[Block]]:
    head = WHY.get(why, WHY["routed"])
    where = f"<{lead.card_permalink}|the card>" if lead.card_permalink else "the card"
    text = f"{head}: {esc_cut(lead.company, 200)}"
    body = f":inbox_tray: *{head}:* *{esc_cut(lead.company, 200)}* (#{lead.id})"
    if lead.routing_reason:
        body += f"\n_{esc_cut(lead.routing_reason, 300)}_"
    if lead.sla_due_at:
        body += f"\nFirst touch due by *{when(lead.sla_due_at, tz)}*: log a call or e-mail on it."
    body += f"\nAccept or pass it on {where}; `/lead update #{lead.id}` logs what you did."
    return text, [SectionBlock(text=MarkdownTextObject(text=body))]


def breach_dm(lead: LeadSummary, owner: str | None, minutes: int | None, reassigned: str | None,
              tz: str) -> tuple[str, list[Block]]:
    span = f" within {duration_text(minutes)}" if minutes else ""
    text = f"First-touch SLA missed: {esc_cut(lead.company, 200)}"
    where = f" <{lead.card_permalink}|Open the card>." if lead.card_permalink else ""
    body = (f":warning: *First-touch SLA missed:* *{esc_cut(lead.company, 200)}* (#{lead.id}). {user(owner)} "
            f"logged no activity{span} of routing.")
    body += f" It now belongs to {user(reassigned)}." if reassigned else " It is still theirs."
    return text, [SectionBlock(text=MarkdownTextObject(text=body + where))]
