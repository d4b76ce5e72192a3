"""Customer channels and attached messages as people read them: the day's line in a lead card's thread, the
answers to `/lead channel` and to Attach to lead, and the linked channels in the 360 view."""

from __future__ import annotations

from datetime import date

from babel.dates import format_date
from slack_sdk.models.blocks import CheckboxesElement, ContextBlock, MarkdownTextObject, Option
from slack_sdk.models.views import View

from bot.i18n import _, korean, ngettext
from bot.ids import Callback, Field
from bot.views.lead_modals import labelled, lead_picker
from bot.views.text import esc, esc_cut, local, num, user
from store.dto import Attached, ChannelDay, LinkedChannelInfo


def _messages(n: int) -> str:
    return ngettext("{n} message", "{n} messages", n).format(n=num(n))


def _people(n: int) -> str:
    return ngettext("{n} person", "{n} people", n).format(n=num(n))


def _day(day: date, weekday: bool = False) -> str:
    """`Tue 24 Nov` (or `Nov 24`); for a Korean reader `11월 24일 (화)` (or `11월 24일`)."""
    if korean():
        return format_date(day, "M월 d일 (E)" if weekday else "M월 d일", locale="ko")
    return f"{day:%a} {day.day} {day:%b}" if weekday else f"{day:%b} {day.day}"


def day_line(d: ChannelDay, tz: str) -> str:
    """One line per day in the card's thread: how busy the customer channel was, not a copy of it."""
    day = date.fromisoformat(d.day)
    values = {"channel": f"<#{d.channel_id}>", "day": _day(day, weekday=True), "messages": _messages(d.messages),
              "people": _people(d.people)}
    if d.external_messages:
        line = _(":speech_balloon: {channel} on {day}: {messages} from {people}, {external} from the customer's "
                 "side ({external_people}).").format(external=d.external_messages,
                                                     external_people=_people(d.external_people), **values)
    else:
        line = _(":speech_balloon: {channel} on {day}: {messages} from {people}.").format(**values)
    if d.last_at is not None:
        at = f"{local(d.last_at, tz):%H:%M}"
        line += " " + (_("Last at {time}: “{text}”.").format(time=at, text=esc_cut(d.last_text, 120)) if d.last_text
                       else _("Last at {time}.").format(time=at))
    return line


def linked_text(info: LinkedChannelInfo) -> str:
    if info.is_shared:
        text = _("Linked: every message in {channel} (shared with the customer), and every reply in its threads, "
                 "is now *{organization}*'s history; the customer's people are marked external. The lead card's "
                 "thread gets one line a day about it. `/lead channel unlink` stops this.")
    else:
        text = _("Linked: every message in {channel}, and every reply in its threads, is now *{organization}*'s "
                 "history; the customer's people are marked external. The lead card's thread gets one line a day "
                 "about it. `/lead channel unlink` stops this.")
    return text.format(channel=f"<#{info.channel_id}>", organization=esc(info.organization))


def unlinked_text(info: LinkedChannelInfo | None, channel_id: str) -> str:
    if info is None:
        return _("{channel} is not linked to a customer. `/lead channel link <lead>` links it.").format(
            channel=f"<#{channel_id}>")
    return _("Unlinked: {channel} is no longer *{organization}*'s history. What was captured ({messages}) stays "
             "in it.").format(channel=f"<#{channel_id}>", organization=esc(info.organization),
                              messages=_messages(info.messages))


def channel_state(info: LinkedChannelInfo | None, channel_id: str) -> str:
    if info is None:
        return _("{channel} is not linked to a customer. Run `/lead channel link <lead>` here (typically in a "
                 "Slack Connect channel shared with the customer) to make its messages their history.").format(
            channel=f"<#{channel_id}>")
    values = {"channel": f"<#{channel_id}>", "organization": esc(info.organization), "who": user(info.linked_by),
              "messages": _messages(info.messages)}
    if info.last_at:
        return _("{channel} is *{organization}*'s channel, linked by {who}: {messages} captured, the last on "
                 "{day}. `/lead channel unlink` stops it.").format(day=_day(info.last_at), **values)
    return _("{channel} is *{organization}*'s channel, linked by {who}: {messages} captured. "
             "`/lead channel unlink` stops it.").format(**values)


def linked_lines(infos: list[LinkedChannelInfo]) -> list[str]:
    """The 360 view's line(s) about the organization's channels."""
    lines = []
    for i in infos:
        channel = f"<#{i.channel_id}>" + (" (Slack Connect)" if i.is_shared else "")  # not translated: product name
        if i.last_at:
            lines.append(_("{channel}: {messages}, last {day}").format(
                channel=channel, messages=_messages(i.messages), day=_day(i.last_at)))
        else:
            lines.append(f"{channel}: {_messages(i.messages)}")
    return lines


def attached_text(a: Attached, company: str, thread: bool) -> str:
    if a.comments == 0 and a.already:
        said = _("That message was already in a history")
    elif a.already:
        said = _("Attached {messages} to *{company}*'s history ({already} already there)").format(
            messages=_messages(a.comments), company=esc(company), already=a.already)
    else:
        said = _("Attached {messages} to *{company}*'s history").format(
            messages=_messages(a.comments), company=esc(company))
    if thread:
        said += "; " + (_("later replies in that thread will be added too") if a.watching
                        else _("that thread already follows another lead"))
    return said + ". " + _("`/lead show` has them under History.")


def attach_modal(preview_author: str | None, preview_text: str, in_thread: bool, ctx_dump: str) -> View:
    """Attach to lead: which lead, and whether the whole thread comes too (and its later replies)."""
    who = user(preview_author) if preview_author else _("Someone")
    quoted = esc_cut(preview_text, 280) or _("_(no text: files only)_")
    thread_label = _("Attach the whole thread, and its later replies") if in_thread else \
        _("Also add the replies this message gets later")
    return View(type="modal", callback_id=Callback.ATTACH, title=_("Attach to lead"), submit=_("Attach"),
                close=_("Cancel"), private_metadata=ctx_dump, blocks=[
                    ContextBlock(elements=[MarkdownTextObject(text=f"{who}: {quoted}")]),
                    lead_picker(_("The lead whose history this message belongs to.")),
                    labelled(Field.ATTACH_THREAD, _("Thread"), CheckboxesElement(
                        action_id=Field.ATTACH_THREAD, options=[Option(value="thread", label=thread_label)]),
                        hint=_("The thread's messages are kept with their authors, times, links and files.")),
                ])


def attach_line(actor: str, channel: str, permalink: str | None, count: int) -> str:
    """The lead card's thread hears that history was added from elsewhere."""
    where = _("a message in {channel}").format(channel=f"<#{channel}>")
    if permalink:
        where = f"<{permalink}|{where}>"
    if count > 1:
        more = count - 1
        replies = ngettext("{n} reply", "{n} replies", more).format(n=num(more))
        return _(":paperclip: {actor} attached {where} and {replies} to this lead's history.").format(
            actor=user(actor), where=where, replies=replies)
    return _(":paperclip: {actor} attached {where} to this lead's history.").format(actor=user(actor), where=where)
