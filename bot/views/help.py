"""`/lead help`: the command reference, also shown for empty or unknown text."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.views.text import esc_cut

COMMANDS = [
    ("new [company]", "Create a lead. With no company, a form opens (contact, email, segment, source, owner)."),
    ("update [lead]", "Log a call or e-mail, change the status and plan the next follow-up in one form."),
    ("log <lead> <text>", "Write down a quick note on the lead."),
    ("status <lead> <status>", "Change the status, e.g. `/lead status acme qualifying`."),
    ("assign <lead> <@person>", "Give the lead to someone else."),
    ("followup <lead> <when> [note]", "Plan the next step: `tomorrow 10am`, `in 3 days`, `next friday`, `2026-12-01 14:30`."),
    ("show <lead>", "Everything about the customer: status, owner, contacts, follow-up, latest history."),
    ("find <text>", "Search companies, contact names, e-mails and domains."),
    ("mine", "Your open leads, overdue follow-ups first."),
    ("routing", "Routing queues for leads without an owner: channel, members, segment, first-touch SLA (managers)."),
    ("away [until <when>] | back", "Leave the rotation (until a date, or until you're back); managers can add @someone."),
    ("digest [on|off|08:30]", "Your weekday morning DM of today's and overdue follow-ups: turn it off, on, or move it."),
    ("manager [@boss | @rep @boss | none]", "Who hears about your follow-ups that stay overdue after reminders."),
    ("settings [repeat 12h | repeats 3 | escalate on|off | manager @boss]", "Workspace reminder rules (managers and admins change them)."),
    ("help", "This list."),
]

LEAD_REF = (
    "A *lead* is named by the start of its company name (`acme`), a contact e-mail, `#id`, "
    "or a quoted name (`\"Busan Bakery\"`). Times are read in your Slack time zone."
)


def help_message(unknown: str | None = None) -> tuple[str, list[Block]]:
    lines = "\n".join(f"`/lead {usage}`  {what}" for usage, what in COMMANDS)
    blocks: list[Block] = []
    if unknown:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=f"I don't know `{esc_cut(unknown, 60)}`. Here is what `/lead` can do:")))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=lines)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=LEAD_REF)]))
    return ("What /lead can do: new, update, log, status, assign, followup, show, find, mine, routing, away, back, "
            "digest, manager, settings, help.", blocks)


def mention_help() -> str:
    return ("I keep the team's leads. Mention me inside a lead card's thread to act on that lead (`log <text>`, "
            "`status <status>`, `followup <when>`, `assign @someone`, `show`); replies in a card's thread are kept "
            "as the lead's history. Elsewhere use `/lead`: `/lead show <lead>`, `/lead update <lead>`, "
            "`/lead help` for everything else.")


def thread_help(unknown: str | None = None) -> str:
    """A mention inside a lead's thread that is not a command this thread understands."""
    lead = f"I don't know `{esc_cut(unknown, 40)}`. " if unknown else ""
    return (lead + "In a lead's thread, mention me with: `log <text>`, `status <status>`, "
            "`followup <when> [note]`, `assign @someone` or `show`. Replies without a mention are kept as the "
            "lead's comments.")
