"""Customer channels and attached messages as people read them: the day's line in a lead card's thread, the
answers to `/lead channel` and to Attach to lead, and the linked channels in the 360 view."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import CheckboxesElement, ContextBlock, MarkdownTextObject, Option
from slack_sdk.models.views import View

from bot.ids import Callback, Field
from bot.views.lead_modals import labelled, lead_picker
from bot.views.text import esc, esc_cut, local, plural, user
from store.dto import Attached, ChannelDay, LinkedChannelInfo


def day_line(d: ChannelDay, tz: str) -> str:
    """One line per day in the card's thread: how busy the customer channel was, not a copy of it."""
    day = date.fromisoformat(d.day)
    parts = [f":speech_balloon: <#{d.channel_id}> on {day:%a} {day.day} {day:%b}: "
             f"{plural(d.messages, 'message')} from {plural(d.people, 'person', 'people')}"]
    if d.external_messages:
        parts.append(f", {d.external_messages} from the customer's side ({plural(d.external_people, 'person', 'people')})")
    if d.last_at is not None:
        at = local(d.last_at, tz)
        parts.append(f". Last at {at:%H:%M}" + (f": “{esc_cut(d.last_text, 120)}”" if d.last_text else ""))
    return "".join(parts) + "."


def linked_text(info: LinkedChannelInfo) -> str:
    shared = " (shared with the customer)" if info.is_shared else ""
    return (f"Linked: every message in <#{info.channel_id}>{shared}, and every reply in its threads, is now "
            f"*{esc(info.organization)}*'s history; the customer's people are marked external. The lead card's "
            "thread gets one line a day about it. `/lead channel unlink` stops this.")


def unlinked_text(info: LinkedChannelInfo | None, channel_id: str) -> str:
    if info is None:
        return f"<#{channel_id}> is not linked to a customer. `/lead channel link <lead>` links it."
    return (f"Unlinked: <#{channel_id}> is no longer *{esc(info.organization)}*'s history. What was captured "
            f"({plural(info.messages, 'message')}) stays in it.")


def channel_state(info: LinkedChannelInfo | None, channel_id: str) -> str:
    if info is None:
        return (f"<#{channel_id}> is not linked to a customer. Run `/lead channel link <lead>` here (typically in "
                "a Slack Connect channel shared with the customer) to make its messages their history.")
    last = f", the last on {info.last_at:%b} {info.last_at.day}" if info.last_at else ""
    return (f"<#{channel_id}> is *{esc(info.organization)}*'s channel, linked by {user(info.linked_by)}: "
            f"{plural(info.messages, 'message')} captured{last}. `/lead channel unlink` stops it.")


def linked_lines(infos: list[LinkedChannelInfo]) -> list[str]:
    """The 360 view's line(s) about the organization's channels."""
    return [f"<#{i.channel_id}>" + (" (Slack Connect)" if i.is_shared else "")
            + f": {plural(i.messages, 'message')}" + (f", last {i.last_at:%b} {i.last_at.day}" if i.last_at else "")
            for i in infos]


def attached_text(a: Attached, company: str, thread: bool) -> str:
    if a.comments == 0 and a.already:
        said = "That message was already in a history"
    else:
        said = f"Attached {plural(a.comments, 'message')} to *{esc(company)}*'s history"
        if a.already:
            said += f" ({a.already} already there)"
    if thread:
        said += ("; later replies in that thread will be added too" if a.watching
                 else "; that thread already follows another lead")
    return said + ". `/lead show` has them under History."


def attach_modal(preview_author: str | None, preview_text: str, in_thread: bool, ctx_dump: str) -> View:
    """Attach to lead: which lead, and whether the whole thread comes too (and its later replies)."""
    who = user(preview_author) if preview_author else "Someone"
    quoted = esc_cut(preview_text, 280) or "_(no text: files only)_"
    thread_label = "Attach the whole thread, and its later replies" if in_thread else \
        "Also add the replies this message gets later"
    return View(type="modal", callback_id=Callback.ATTACH, title="Attach to lead", submit="Attach", close="Cancel",
                private_metadata=ctx_dump, blocks=[
                    ContextBlock(elements=[MarkdownTextObject(text=f"{who}: {quoted}")]),
                    lead_picker("The lead whose history this message belongs to."),
                    labelled(Field.ATTACH_THREAD, "Thread", CheckboxesElement(
                        action_id=Field.ATTACH_THREAD, options=[Option(value="thread", label=thread_label)]),
                        hint="The thread's messages are kept with their authors, times, links and files."),
                ])


def attach_line(actor: str, channel: str, permalink: str | None, count: int) -> str:
    """The lead card's thread hears that history was added from elsewhere."""
    where = f"<{permalink}|a message in <#{channel}>>" if permalink else f"a message in <#{channel}>"
    more = f" and {plural(count - 1, 'reply', 'replies')}" if count > 1 else ""
    return f":paperclip: {user(actor)} attached {where}{more} to this lead's history."
