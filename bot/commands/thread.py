"""A lead card's thread is the lead's history. Human replies there become the lead's comments (edits and
deletions follow), as do replies in threads attached to a lead and every message of a channel linked to a
customer (the organization's history); mentioning the bot there acts on that lead with the verbs the verb table allows in a
thread (`log`, `status`, `followup`, `assign`, `show`); a mention elsewhere explains how to use it.

What Slack sends is read once here (`bot/inbound.py`): text decoded to what people typed, a forwarded message's
content, files with their ids. A mention acts once per message (an edit re-sends it: it never acts again); a
command to the bot is not history; people of another organization in a Slack Connect channel add to the history,
marked external, but can't act on leads.
"""

from __future__ import annotations

from slack_bolt import BoltContext

from bot import inbound
from bot.commands import verbs
from bot.commands.parse import USER_MENTION
from bot.context import EXTERNAL, Req
from bot.errors import Listeners
from bot.i18n import N_, _
from bot.views.help import mention_help, thread_help
from bot.views.text import esc
from bot.wording import say
from store.errors import CrmError, Duplicate
from store.services import channels, comments, leads
from store.services.once import first_time

HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}
EDITED = N_("I act on a message once, so editing it changed nothing. To do something else, mention me in a new "
             "reply.")


listeners = Listeners()
register = listeners.register
files_of = inbound.files_of  # also used by Attach to lead


def _is_bot(message: dict, context: BoltContext) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or (context.bot_user_id and message.get("user") == context.bot_user_id))


def author_of(event: dict, team_id: str, home: set[str] | None = None) -> tuple[bool, str | None]:
    """(external, name as Slack showed it): in a Slack Connect channel, messages of the other organization's
    people carry their own team."""
    profile = event.get("user_profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or profile.get("name")
    return inbound.is_external(inbound.author_team(event), home or {team_id}, {}), name


def _home(req: Req, context: BoltContext) -> set[str]:
    result = context.authorize_result
    authorized = (result.team_id, result.enterprise_id) if result is not None else (None, None)
    return inbound.home_ids(req.body, req.team_id, authorized)


def _is_command(msg: dict, context: BoltContext) -> bool:
    return inbound.is_command(inbound.decode(msg.get("text")), context.bot_user_id)


@listeners.event("message")
def message(req: Req, context: BoltContext) -> None:
    """A message somewhere the bot is: a reply in a lead's thread (its card's, or one attached to it) is the
    lead's history; any human message in a channel linked to a customer is the organization's."""
    event = req.body.get("event") or {}
    db, clock, team = req.db, req.clock, req.team_id
    channel, subtype = event.get("channel") or "", event.get("subtype")
    shared_outside = req.body.get("is_ext_shared_channel") is not False
    if subtype == "message_changed":
        msg = event.get("message") or {}
        if _is_bot(msg, context) or _is_command(msg, context) or _is_command(event.get("previous_message") or {},
                                                                            context):
            return  # a bot's message, or a command to the bot (edited or not): not history
        external, name = author_of(msg, team, _home(req, context))
        external = external and shared_outside
        thread_ts = msg.get("thread_ts") if msg.get("thread_ts") != msg.get("ts") else None
        text, files = inbound.message_text(msg), files_of(msg)
        # Only a real edit carries `edited`; a link preview or a file finishing its upload changes nothing said.
        edit_ts = (msg.get("edited") or {}).get("ts")
        captured = comments.capture(db, clock, team, channel=channel, ts=msg.get("ts") or "", thread_ts=thread_ts,
                                    author_id=msg.get("user") or "", text=text, files=files,
                                    edit_ts=edit_ts, external=external, author_name=name)
        if captured is None:  # an edit that arrived before its message, in a customer channel
            channels.capture_channel_message(db, clock, team, channel=channel, ts=msg.get("ts") or "",
                                             thread_ts=thread_ts, author_id=msg.get("user") or "", author_name=name,
                                             external=external, text=text, files=files)
        return
    if subtype == "message_deleted":
        prev = event.get("previous_message") or {}
        if _is_bot(prev, context):
            return
        comments.delete(db, team, channel=channel, ts=event.get("deleted_ts") or prev.get("ts") or "",
                        thread_ts=prev.get("thread_ts"))
        return
    if subtype not in HUMAN_SUBTYPES or _is_bot(event, context):
        return
    thread_ts, ts = event.get("thread_ts"), event.get("ts") or ""
    if _is_command(event, context):
        return  # a command to the bot: the app_mention handler records what it does
    text, files = inbound.message_text(event), files_of(event)
    external, name = author_of(event, team, _home(req, context))
    external = external and shared_outside
    if thread_ts and thread_ts != ts and comments.capture(
            db, clock, team, channel=channel, ts=ts, thread_ts=thread_ts, author_id=event.get("user") or "",
            text=text, files=files, external=external, author_name=name) is not None:
        return
    if channels.capture_channel_message(db, clock, team, channel=channel, ts=ts,
                                        thread_ts=thread_ts if thread_ts != ts else None,
                                        author_id=event.get("user") or "", author_name=name, external=external,
                                        text=text, files=files):
        req.crm.wake.set()  # the card's day line is owed in a minute


@listeners.event("app_mention")
def mentioned(req: Req, context: BoltContext) -> None:
    """A mention acts once per message (team, channel, ts): Slack re-sends it, with a new event id, when the
    message is edited, and retries a slow delivery with the same one."""
    event = req.body.get("event") or {}
    req.user_id, req.channel_id = event.get("user") or "", event.get("channel") or ""
    thread_ts, ts = event.get("thread_ts"), event.get("ts") or ""
    lead_id = comments.thread_lead_id(req.db, req.team_id, req.channel_id, thread_ts) if thread_ts else None
    req.thread_ts = thread_ts or ts
    if event.get("edited"):  # an edited message never acts (again); in a lead's thread, say so once
        if lead_id is not None and first_time(req.db, req.clock, req.team_id, f"event:{req.body.get('event_id')}"):
            req.reply(_(EDITED))
        return
    key = f"mention:{req.channel_id}:{ts}"
    if not first_time(req.db, req.clock, req.team_id, key):
        return  # a retried delivery, or the same message again: handled already
    req.key = f"{key}:change"
    if req.external:
        req.reply(_(EXTERNAL))  # another organization's member in a Slack Connect channel: nothing changes
        return
    if lead_id is None:
        req.reply(mention_help(verbs.THREAD_USAGES))
        return
    text = USER_MENTION.sub(lambda m: "" if m.group(1) == context.bot_user_id else m.group(0),
                            inbound.decode(event.get("text")), count=1).strip()
    word, _sep, rest = text.partition(" ")
    verb = verbs.lookup(word, in_thread=True)
    if verb is None or verb.prepare is None or verb.act is None:
        req.reply(thread_help(verbs.THREAD_USAGES, word.lower()))
        return
    try:  # the change's line in this thread is the answer everyone sees; mistakes go to the asker only
        pending = verb.prepare(req, f"#{lead_id}", rest.strip())
        verb.act(req, leads.get_lead(req.db, req.team_id, lead_id), pending, "")
    except Duplicate:
        return
    except CrmError as exc:
        req.reply(esc(say(exc)))
