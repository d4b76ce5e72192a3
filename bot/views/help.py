"""`/lead help`: the command reference (also for empty or unknown text), and how to mention the bot.

The lines come from the verb table (`bot.commands.verbs`): (usage after `/lead `, what it does), both English
msgids translated here. A usage with arguments (`log <lead> <text>`) is shown translated (`<lead>` in the
reader's words, the command words as typed); a bare command word (`mine`) is never translated.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.i18n import N_, _
from bot.views.text import esc_cut

LEAD_REF = N_(
    "A *lead* is named by the start of its company name (`acme`), a contact e-mail, `#id`, "
    "or a quoted name (`\"Busan Bakery\"`). Times are read in your Slack time zone."
)


def usage_text(usage: str) -> str:
    """What follows `/lead ` in the reader's language: only a usage with arguments is a msgid."""
    return _(usage) if " " in usage else usage


def help_message(unknown: str | None = None, commands: Sequence[tuple[str, str]] = (),
                 names: Sequence[str] = ()) -> tuple[str, list[Block]]:
    blocks: list[Block] = []
    if unknown:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("I don't know `{word}`. Here is what `/lead` can do:").format(word=esc_cut(unknown, 60)))))
    chunk: list[str] = []
    for line in [f"`/lead {usage_text(usage)}`  {_(what)}" for usage, what in commands] + [""]:
        if chunk and (not line or sum(len(c) + 1 for c in chunk) + len(line) > 2900):  # a section holds 3,000
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk = []
        if line:
            chunk.append(line)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_(LEAD_REF))]))
    return _("What /lead can do: {names}.").format(names=", ".join(names)), blocks


def in_thread_usage(usages: Sequence[str]) -> str:
    """`log <lead> <text>` → `log <text>`: in a lead's thread the lead is known."""
    lead, person, someone = _("<lead>"), _("<@person>"), _("@someone")
    return ", ".join(f"`{usage_text(u).replace(lead + ' ', '').replace(lead, '').replace(person, someone).strip()}`"
                     for u in usages)


def mention_help(usages: Sequence[str]) -> str:
    return _("I keep the team's leads. Mention me inside a lead card's thread to act on that lead ({usages}); "
             "replies in a card's thread are kept as the lead's history. Elsewhere use `/lead`: "
             "`/lead show &lt;lead&gt;`, `/lead update &lt;lead&gt;`, `/lead help` for everything else.").format(
        usages=in_thread_usage(usages))


def thread_help(usages: Sequence[str], unknown: str | None = None) -> str:
    """A mention inside a lead's thread that is not a command this thread understands."""
    text = _("In a lead's thread, mention me with: {usages}. Replies without a mention are kept as the lead's "
             "comments.").format(usages=in_thread_usage(usages))
    if unknown:
        return _("I don't know `{word}`.").format(word=esc_cut(unknown, 40)) + " " + text
    return text
