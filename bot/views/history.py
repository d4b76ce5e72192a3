"""A lead's history, a page at a time (Older / Newer), within Block Kit's limits whatever its length."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.ids import Action
from bot.metadata import TimelinePage
from bot.views.lead_360 import owner_move, timeline_line
from bot.views.text import bold, esc_cut, plain
from store.dto import LeadSummary, TimelineEntry


def history_view(lead: LeadSummary, entries: list[TimelineEntry], page: int, has_older: bool,
                 tz: str) -> tuple[str, list[Block]]:
    text = f"History of {esc_cut(lead.company, 200)}, page {page + 1}"
    blocks: list[Block] = [HeaderBlock(text=plain(f"{lead.company} · history", 150))]
    if not entries:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="Nothing logged yet." if page == 0 else
                                                           "No older entries.")))
    for e in entries:  # one section each: a long comment is cut inside its own block
        blocks.append(SectionBlock(text=MarkdownTextObject(text=timeline_line(e, tz)[:2900])))
    where = f" · <{lead.card_permalink}|the whole thread>" if lead.card_permalink else ""
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=f"Newest first · page {page + 1} · times in {tz}{where}")]))
    buttons = []
    if page > 0:
        buttons.append(ButtonElement(text="Newer", action_id=f"{Action.TIMELINE_PAGE}:newer",
                                     value=TimelinePage(lead_id=lead.id, page=page - 1).dump()))
    if has_older:
        buttons.append(ButtonElement(text="Older", action_id=f"{Action.TIMELINE_PAGE}:older",
                                     value=TimelinePage(lead_id=lead.id, page=page + 1).dump()))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return text, blocks


def follow_dm(lead: LeadSummary, changes: list[dict], tz: str) -> tuple[str, list[Block]]:
    """One DM for the changes of about a minute on a lead someone follows (or owns)."""
    from bot.views.text import esc, user, when
    from datetime import datetime

    lines = []
    for c in changes[-10:]:
        who = user(c.get("actor"))
        if c.get("what") == "status":
            line = f"{who} moved it from *{esc(c.get('old'))}* to *{esc(c.get('new'))}*"
        elif c.get("what") == "deal":
            line = (f"{who} moved deal *{esc(c.get('deal'))}* to *{esc(c.get('new'))}*" if c.get("old") else
                    f"{who} opened deal *{esc(c.get('deal'))}* ({esc(c.get('new'))})")
        elif c.get("what") == "owner":
            line = f"{who} {owner_move(c.get('actor'), c.get('old'), c.get('new'))}"
        else:
            line = f"{who} mentioned you in a comment"
        try:
            line += f" · {when(datetime.fromisoformat(c['at']), tz)}"
        except (KeyError, TypeError, ValueError):
            pass
        lines.append("• " + line)
    where = f" <{lead.card_permalink}|Open the card>" if lead.card_permalink else ""
    text = f"{esc_cut(lead.company, 200)}: {len(changes)} update{'s' if len(changes) != 1 else ''}"
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":bell: {bold(lead.company, 200)} (#{lead.id}){where}")),
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:2900])),
        ContextBlock(elements=[MarkdownTextObject(
            text="You follow this lead or own it. Unfollow with the card's Follow button.")]),
    ]
    return text, blocks
