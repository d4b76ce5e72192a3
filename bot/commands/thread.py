"""A lead card's thread is the lead's history. Human replies there become the lead's comments (edits and
deletions follow), as do replies in threads attached to a lead and every message of a channel linked to a
customer (the organization's history); mentioning the bot there acts on that lead with the verbs the verb table allows in a
thread (`log`, `status`, `followup`, `assign`, `show`); a mention elsewhere explains how to use it."""

from __future__ import annotations

from slack_bolt import BoltContext

from bot.commands import verbs
from bot.commands.parse import USER_MENTION
from bot.context import Req
from bot.errors import Listeners
from bot.views.help import mention_help, thread_help
from bot.views.text import esc
from bot.wording import say
from store.errors import CrmError, Duplicate
from store.services import channels, comments, leads
from store.services.once import first_time

HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}


listeners = Listeners()
register = listeners.register


def files_of(message: dict) -> list[dict] | None:
    files = [{"name": (f.get("name") or f.get("title") or "file")[:200], "url": f.get("permalink") or f.get("url_private")}
             for f in message.get("files") or [] if isinstance(f, dict)]
    return files or None


def _is_bot(message: dict, context: BoltContext) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or (context.bot_user_id and message.get("user") == context.bot_user_id))


def author_of(event: dict, team_id: str) -> tuple[bool, str | None]:
    """(external, name as Slack showed it): in a Slack Connect channel, messages of the other organization's
    people carry their own team."""
    team = event.get("user_team") or event.get("team") or event.get("source_team")
    profile = event.get("user_profile") or {}
    name = profile.get("display_name") or profile.get("real_name") or profile.get("name")
    return bool(team) and team != team_id, name


@listeners.event("message")
def message(req: Req, context: BoltContext) -> None:
    """A message somewhere the bot is: a reply in a lead's thread (its card's, or one attached to it) is the
    lead's history; any human message in a channel linked to a customer is the organization's."""
    event = req.body.get("event") or {}
    db, clock, team = req.db, req.clock, req.team_id
    channel, subtype = event.get("channel") or "", event.get("subtype")
    if subtype == "message_changed":
        msg = event.get("message") or {}
        if _is_bot(msg, context):
            return
        external, name = author_of(msg, team)
        thread_ts = msg.get("thread_ts") if msg.get("thread_ts") != msg.get("ts") else None
        captured = comments.capture(db, clock, team, channel=channel, ts=msg.get("ts") or "", thread_ts=thread_ts,
                                    author_id=msg.get("user") or "", text=msg.get("text"), files=files_of(msg),
                                    edit_ts=(msg.get("edited") or {}).get("ts") or event.get("event_ts"),
                                    external=external, author_name=name)
        if captured is None:  # an edit that arrived before its message, in a customer channel
            channels.capture_channel_message(db, clock, team, channel=channel, ts=msg.get("ts") or "",
                                             thread_ts=thread_ts, author_id=msg.get("user") or "", author_name=name,
                                             external=external, text=msg.get("text"), files=files_of(msg))
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
    text = event.get("text") or ""
    if context.bot_user_id and text.lstrip().startswith(f"<@{context.bot_user_id}>"):
        return  # a command to the bot: the app_mention handler records what it does
    external, name = author_of(event, team)
    if thread_ts and thread_ts != ts and comments.capture(
            db, clock, team, channel=channel, ts=ts, thread_ts=thread_ts, author_id=event.get("user") or "",
            text=text, files=files_of(event), external=external, author_name=name) is not None:
        return
    if channels.capture_channel_message(db, clock, team, channel=channel, ts=ts,
                                        thread_ts=thread_ts if thread_ts != ts else None,
                                        author_id=event.get("user") or "", author_name=name, external=external,
                                        text=text, files=files_of(event)):
        req.crm.wake.set()  # the card's day line is owed in a minute


@listeners.event("app_mention")
def mentioned(req: Req, context: BoltContext) -> None:
    event = req.body.get("event") or {}
    req.user_id, req.channel_id = event.get("user") or "", event.get("channel") or ""
    key = f"event:{req.body.get('event_id') or event.get('ts')}"
    if not first_time(req.db, req.clock, req.team_id, key):
        return  # a retried delivery: handled already
    thread_ts = event.get("thread_ts")
    lead_id = comments.thread_lead_id(req.db, req.team_id, req.channel_id, thread_ts) if thread_ts else None
    req.thread_ts, req.key = thread_ts or event.get("ts"), f"{key}:change"
    if lead_id is None:
        req.reply(mention_help(verbs.THREAD_USAGES))
        return
    text = USER_MENTION.sub(lambda m: "" if m.group(1) == context.bot_user_id else m.group(0),
                            event.get("text") or "", count=1).strip()
    word, _, rest = text.partition(" ")
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
