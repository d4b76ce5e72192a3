""""Attach to lead", a message shortcut: any message a person can see becomes part of a lead's history (author,
time, permalink, files); optionally its whole thread, whose later replies are then captured like a card
thread's.

The shortcut's payload carries the message; it is kept as a draft in the database (not in the modal, which has
no room for a long message) until the modal is submitted. The thread is read after the ack."""

from __future__ import annotations

import logging

from slack_bolt import Ack
from slack_sdk.errors import SlackApiError

from bot.commands.thread import author_of, files_of
from bot import languages
from bot.context import Req
from bot.i18n import _, speaking
from bot.inbound import message_text
from bot.errors import Listeners
from bot.forms import Form, values
from bot.ids import Callback
from bot.metadata import AttachContext
from bot.views import channels as views
from bot.wording import Refusal
from store.services import channels, leads
from store.services.comments import permalink_in_thread

log = logging.getLogger(__name__)
listeners = Listeners()
register = listeners.register
THREAD_LIMIT = 1000  # messages of one thread attached at most


def _draft_key(channel: str, ts: str, user_id: str) -> str:
    return f"attach:{channel}:{ts}:{user_id}"


@listeners.shortcut(Callback.ATTACH)
def attach_shortcut(ack: Ack, req: Req) -> None:
    ack()
    body = req.body
    message, channel = body.get("message") or {}, (body.get("channel") or {}).get("id") or ""
    ts = message.get("ts") or body.get("message_ts") or ""
    if not channel or not ts:
        raise Refusal(_("Slack did not say which message this is. Try the shortcut on the message again."))
    in_thread = bool(message.get("thread_ts") or message.get("reply_count"))
    ctx = AttachContext(channel_id=channel, ts=ts, thread_ts=message.get("thread_ts"),
                        reply=req.reply_key())
    channels.save_draft(req.db, req.clock, req.team_id, _draft_key(channel, ts, req.user_id), message)
    req.open_view(views.attach_modal(message.get("user"), message_text(message), in_thread, ctx.dump()))


class AttachForm(Form):
    lead: int | None = None
    attach_thread: list[str] = []


@listeners.view(Callback.ATTACH)
def attach_submitted(ack: Ack, req: Req, view: dict) -> None:
    form = AttachForm.model_validate(values(view))
    ctx = AttachContext.load(view.get("private_metadata"))
    if ctx is None:
        raise Refusal(_("This form is out of date. Use the shortcut on the message again."))
    if form.lead is None:
        ack(response_action="errors", errors={"lead": _("Choose the lead.")})
        return
    lead = leads.get_lead(req.db, req.team_id, form.lead)  # another team's id: "no lead #… in this workspace"
    message = channels.draft(req.db, req.team_id, _draft_key(ctx.channel_id, ctx.ts, req.user_id))
    if message is None:
        raise Refusal(_("I lost track of that message. Use the shortcut on it again."))
    ack()
    thread = "thread" in form.attach_thread
    root = ctx.thread_ts or ctx.ts
    permalink = _permalink(req, ctx.channel_id, ctx.ts)
    batch, note = [_as_history(req, message, ctx.channel_id, permalink)], ""
    if thread:
        replies, note = _thread(req, ctx.channel_id, root)
        base = permalink if ctx.ts == root else _permalink(req, ctx.channel_id, root)
        batch += [_as_history(req, m, ctx.channel_id, permalink_in_thread(base, root, ctx.channel_id, m["ts"]))
                  for m in replies if m.get("ts") != ctx.ts]
    attached = channels.attach(req.db, req.clock, req.team_id, req.user_id, lead.id, batch,
                               watch=(ctx.channel_id, root) if thread and not note else None)
    if attached.comments and lead.card_ts:
        with speaking(languages.of_workspace(req.crm, req.team_id)):  # the card's thread: the workspace's language
            line = views.attach_line(req.user_id, ctx.channel_id, permalink, attached.comments)
        try:
            req.client.chat_postMessage(channel=lead.card_channel, thread_ts=lead.card_ts, unfurl_links=False,
                                        text=line)
        except SlackApiError as exc:
            log.info("attach: the card's thread line failed: %s", exc.response.get("error"))
    req.tell(views.attached_text(attached, lead.company, thread and not note) + note,
             channel_id=ctx.channel_id, response_url=ctx.response_url)


def _as_history(req: Req, m: dict, channel: str, permalink: str | None) -> dict:
    external, name = author_of(m, req.team_id)
    return {"channel": channel, "ts": m.get("ts") or "", "thread_ts": m.get("thread_ts"),
            "author_id": m.get("user") or m.get("bot_id") or "", "author_name": name, "external": external,
            "text": message_text(m), "files": files_of(m), "permalink": permalink,
            "edited": bool(m.get("edited"))}


def _permalink(req: Req, channel: str, ts: str) -> str | None:
    try:
        return req.client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        return None


def _thread(req: Req, channel: str, root: str) -> tuple[list[dict], str]:
    """The thread's messages (the bot joins a public channel it is not in, so that it can read them and hear
    later replies); a note for the person when it cannot."""
    for attempt in (1, 2):
        try:
            out: list[dict] = []
            cursor = None
            while len(out) < THREAD_LIMIT:
                resp = req.client.conversations_replies(channel=channel, ts=root, limit=200, cursor=cursor)
                out += [m for m in resp.get("messages") or [] if not (m.get("bot_id") or m.get("subtype") == "bot_message")]
                cursor = (resp.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    break
            return out[:THREAD_LIMIT], ""
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "not_in_channel" and attempt == 1 and not channel.startswith(("D", "G")):
                try:
                    req.client.conversations_join(channel=channel)
                    continue
                except SlackApiError:
                    pass
            log.info("attach: cannot read thread %s in %s: %s", root, channel, error)
            return [], " " + _("I could not read the rest of that thread (invite me to the channel with "
                               "`/invite @CRM`, then attach it again).")
    return [], ""
