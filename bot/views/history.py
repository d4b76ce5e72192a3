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

from bot.i18n import _, ngettext
from bot.ids import Action
from bot.labels import label
from bot.metadata import TimelinePage
from bot.views.lead_360 import owner_move, timeline_line
from bot.views.text import bold, esc_cut, num, plain
from store.dto import LeadSummary, TimelineEntry


def history_view(lead: LeadSummary, entries: list[TimelineEntry], page: int, has_older: bool,
                 tz: str) -> tuple[str, list[Block]]:
    text = _("History of {company}, page {page}").format(company=esc_cut(lead.company, 200), page=page + 1)
    blocks: list[Block] = [HeaderBlock(text=plain(_("{company} · history").format(company=lead.company), 150))]
    if not entries:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=_("Nothing logged yet.") if page == 0 else
                                                           _("No older entries."))))
    for e in entries:  # one section each: a long comment is cut inside its own block
        blocks.append(SectionBlock(text=MarkdownTextObject(text=timeline_line(e, tz)[:2900])))
    thread = _("the whole thread")
    where = f" · <{lead.card_permalink}|{thread}>" if lead.card_permalink else ""
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=_("Newest first · page {page} · times in {tz}").format(page=page + 1, tz=tz) + where)]))
    buttons = []
    if page > 0:
        buttons.append(ButtonElement(text=_("Newer"), action_id=f"{Action.TIMELINE_PAGE}:newer",
                                     value=TimelinePage(lead_id=lead.id, page=page - 1).dump()))
    if has_older:
        buttons.append(ButtonElement(text=_("Older"), action_id=f"{Action.TIMELINE_PAGE}:older",
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
            line = _("{who} moved it from *{old}* to *{new}*").format(
                who=who, old=esc(label(c.get("old"))), new=esc(label(c.get("new"))))
        elif c.get("what") == "deal":
            deal, stage = esc(c.get("deal")), esc(label(c.get("new")))
            line = (_("{who} moved deal *{deal}* to *{stage}*") if c.get("old") else
                    _("{who} opened deal *{deal}* ({stage})")).format(who=who, deal=deal, stage=stage)
        elif c.get("what") == "owner":
            line = f"{who} {owner_move(c.get('actor'), c.get('old'), c.get('new'))}"
        else:
            line = _("{who} mentioned you in a comment").format(who=who)
        try:
            line += f" · {when(datetime.fromisoformat(c['at']), tz)}"
        except (KeyError, TypeError, ValueError):
            pass
        lines.append("• " + line)
    open_card = _("Open the card")
    where = f" <{lead.card_permalink}|{open_card}>" if lead.card_permalink else ""
    text = ngettext("{company}: {n} update", "{company}: {n} updates", len(changes)).format(
        company=esc_cut(lead.company, 200), n=num(len(changes)))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f":bell: {bold(lead.company, 200)} (#{lead.id}){where}")),
        SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:2900])),
        ContextBlock(elements=[MarkdownTextObject(
            text=_("You follow this lead or own it. Unfollow with the card's Follow button."))]),
    ]
    return text, blocks
