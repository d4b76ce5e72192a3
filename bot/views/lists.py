"""Answers that list leads: `/lead find`, `/lead mine`, and the pick-one buttons for an ambiguous name."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock

from bot.i18n import N_, _, ngettext
from bot.ids import Action
from bot.labels import label
from bot.metadata import ListPage, PendingAction
from bot.views.text import ago, bold, esc, esc_cut, num, plain, user, when
from store.dto import LeadSummary, SearchHit

MAX_ROWS = 20
COUNT_CAP = 1000  # `/lead list` counts up to this many (the store's LIST_COUNT_CAP)
# What matched besides the company's name (SearchHit.matched).
MATCHED = {"contact": N_("matched contact"), "email": N_("matched email"), "domain": N_("matched domain")}


def _row(lead: LeadSummary, tz: str, now: datetime, extra: str = "") -> str:
    line = f"{bold(lead.company, 150)} #{lead.id} · {esc(label(lead.status))} · {user(lead.owner_id)}"
    if lead.follow_up:
        f = lead.follow_up
        flag = " :warning: " + _("overdue") if f.due_at < now else ""
        line += "\n      " + _("next: {when} ({ago})").format(when=when(f.due_at, tz), ago=ago(f.due_at, now)) + flag
        if f.note:
            line += f" · {esc_cut(f.note, 120)}"
    if lead.card_permalink:
        line += "  <{link}|{card}>".format(link=lead.card_permalink, card=_("card"))
    return line + extra


def _matched(what: str) -> str:
    found = MATCHED.get(what)
    return _(found) if found else _("matched {what}").format(what=what)


def _list_blocks(header: str, rows: list[str], footer: str | None) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=header))]
    chunk: list[str] = []
    size = 0
    for r in rows:  # several sections so no text passes 3,000 characters
        if size + len(r) > 2800 and chunk:
            blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
            chunk, size = [], 0
        chunk.append(r)
        size += len(r) + 1
    if chunk:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    if footer:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=footer)]))
    return blocks


def find_results(query: str, hits: list[SearchHit], tz: str, now: datetime) -> tuple[str, list[Block]]:
    q = esc_cut(query, 80)
    if not hits:
        text = _("Nothing matches “{query}”. Create it with `/lead new {query}`.").format(query=q)
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    rows = [_row(h.lead, tz, now, f"  _({_matched(h.matched)})_" if h.matched != "company" else "") for h in hits]
    more = _("Showing the first 20; type more letters to narrow it.") if len(hits) >= MAX_ROWS else None
    n = len(hits)
    return (ngettext("{n} match for “{query}”", "{n} matches for “{query}”", n).format(n=num(n), query=q),
            _list_blocks(ngettext("*{n}* match for “{query}”:", "*{n}* matches for “{query}”:", n).format(
                n=num(n), query=q), rows, more))


def my_leads(leads: list[LeadSummary], total: int, tz: str, now: datetime) -> tuple[str, list[Block]]:
    if not leads:
        text = _("You have no open leads. Create one with `/lead new &lt;company&gt;`.")
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    overdue = sum(1 for lead in leads if lead.follow_up and lead.follow_up.due_at < now)
    head = _("*Your open leads: {total}*").format(total=total)
    if overdue:
        head += " · :warning: " + ngettext("{n} overdue follow-up", "{n} overdue follow-ups", overdue).format(
            n=num(overdue))
    footer = (_("Showing {shown} of {total}, overdue first.").format(shown=len(leads), total=total)
              if total > len(leads) else None)
    return (_("Your open leads: {total}").format(total=total),
            _list_blocks(head, [_row(lead, tz, now) for lead in leads], footer))


def pick_lead(ref: str, matches: list[LeadSummary], pending: PendingAction | Mapping[int, PendingAction], *,
              example: str | None = None) -> tuple[str, list[Block]]:
    """Several leads match: one button each, never a guess. `pending` is what each button does (one for all,
    or one per lead id: a name of several words leaves different words after it); `example` shows the
    command with the name in quotes, which says exactly where the name ends."""
    shown = matches[:10]
    text = (_("“{ref}” matches more than 10 leads. Which one?") if len(matches) > 10
            else _("“{ref}” matches {n} leads. Which one?")).format(ref=esc_cut(ref, 80), n=len(matches))
    buttons = []
    for lead in shown:
        todo = pending.get(lead.id) if isinstance(pending, Mapping) else pending
        if todo is None:
            continue
        value = todo.model_copy(update={"lead_id": lead.id}).dump()
        name = plain(f"{lead.company} #{lead.id}", 75)
        buttons.append(ButtonElement(text=name, action_id=f"{Action.PICK_LEAD}:{lead.id}", value=value[:2000]))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=buttons)]
    hints = [_("Type more of the name, or use `#id`.")] if len(matches) > 10 else []
    if example:
        code = esc_cut(example.replace("`", "'"), 200)  # inside `code` nothing the person typed is formatting
        hints.append(_("Or put the name in quotes: `{code}`.").format(code=code))
    if hints:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=" ".join(hints))]))
    return text, blocks


def no_match(ref: str) -> str:
    r = esc_cut(ref, 80)
    return _("No lead matches “{ref}”. Try `/lead find {ref}`, or create it with `/lead new {ref}`.").format(ref=r)


def page_buttons(args: str, page: int, *, more: bool) -> list[Block]:
    """**Previous** / **Next** under a page of `/lead list` (none when there is one page)."""
    buttons = []
    if page > 0:
        buttons.append(ButtonElement(text=_("Previous"), action_id=f"{Action.LIST_PAGE}:prev",
                                     value=ListPage(args=args[:500], page=page - 1).dump()))
    if more:
        buttons.append(ButtonElement(text=_("Next"), action_id=f"{Action.LIST_PAGE}:next",
                                     value=ListPage(args=args[:500], page=page + 1).dump()))
    return [ActionsBlock(elements=buttons)] if buttons else []


def lead_list(leads: list[LeadSummary], total: int, page: int, per_page: int, described: str, args: str, tz: str,
              now: datetime) -> tuple[str, list[Block]]:
    """One page of `/lead list`, with Previous / Next when there is more."""
    if not leads:
        text = (_("No leads match {described}.") if total == 0
                else _("No more leads: {total} match {described}.")).format(total=total, described=described)
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    first = page * per_page + 1
    last = first + len(leads) - 1
    if total > COUNT_CAP:
        header = _("More than *{cap}* leads match {described} · {first}–{last}:").format(
            cap=num(COUNT_CAP), described=described, first=first, last=last)
        text = _("More than {n} leads match {described}").format(n=COUNT_CAP, described=described)
    else:
        header = ngettext("*{n}* lead match {described} · {first}–{last}:",
                          "*{n}* leads match {described} · {first}–{last}:", total).format(
            n=total, described=described, first=first, last=last)
        text = _("{n} leads match {described}").format(n=total, described=described)
    blocks = _list_blocks(header, [_row(lead, tz, now) for lead in leads], None)
    blocks += page_buttons(args, page, more=last < total)
    return text, blocks
