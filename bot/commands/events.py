"""Events. Human replies in a lead card's thread become the lead's comments (edits and deletions follow);
mentioning the bot in a lead's thread acts on that lead (`log`, `status`, `followup`, `assign`, `show`);
a mention elsewhere explains how to use it."""

from __future__ import annotations

import logging

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import people
from bot.commands.parse import USER_MENTION, mentioned_user, parse_when
from bot.delivery import deliver_lead
from bot.deps import Crm, team_of
from bot.errors import guarded_event
from bot.views.help import mention_help, thread_help
from bot.views.lead_360 import lead_360
from bot.views.text import esc
from store.errors import CrmError, Duplicate, Invalid
from store.services import comments, leads, pipeline, updates
from store.services.once import first_time

log = logging.getLogger(__name__)
HUMAN_SUBTYPES = {None, "file_share", "thread_broadcast", "me_message"}


def register(app: App) -> None:
    app.event("app_mention")(guarded_event(mentioned))
    app.event("message")(guarded_event(message))


def _files(message: dict) -> list[dict] | None:
    files = [{"name": (f.get("name") or f.get("title") or "file")[:200], "url": f.get("permalink") or f.get("url_private")}
             for f in message.get("files") or [] if isinstance(f, dict)]
    return files or None


def _is_bot(message: dict, context: BoltContext) -> bool:
    return bool(message.get("bot_id") or message.get("subtype") == "bot_message"
                or (context.bot_user_id and message.get("user") == context.bot_user_id))


def message(body: dict, context: BoltContext, client: WebClient | None = None) -> None:
    """A message somewhere the bot is: store it when it is a human reply in a lead card's thread."""
    event = body.get("event") or {}
    crm: Crm = context["crm"]
    team, channel, subtype = team_of(context, body), event.get("channel") or "", event.get("subtype")
    if subtype == "message_changed":
        msg = event.get("message") or {}
        if _is_bot(msg, context) or not msg.get("thread_ts") or msg.get("thread_ts") == msg.get("ts"):
            return
        comments.capture(crm.db, crm.clock, team, channel=channel, ts=msg.get("ts") or "",
                         thread_ts=msg.get("thread_ts"), author_id=msg.get("user") or "", text=msg.get("text"),
                         files=_files(msg), edit_ts=(msg.get("edited") or {}).get("ts") or event.get("event_ts"))
        return
    if subtype == "message_deleted":
        prev = event.get("previous_message") or {}
        if _is_bot(prev, context):
            return
        comments.delete(crm.db, team, channel=channel, ts=event.get("deleted_ts") or prev.get("ts") or "",
                        thread_ts=prev.get("thread_ts"))
        return
    if subtype not in HUMAN_SUBTYPES or _is_bot(event, context):
        return
    thread_ts, ts = event.get("thread_ts"), event.get("ts") or ""
    if not thread_ts or thread_ts == ts:
        return  # not a reply in a thread: not lead history
    text = event.get("text") or ""
    if context.bot_user_id and text.lstrip().startswith(f"<@{context.bot_user_id}>"):
        return  # a command to the bot: the app_mention handler records what it does
    comments.capture(crm.db, crm.clock, team, channel=channel, ts=ts, thread_ts=thread_ts,
                     author_id=event.get("user") or "", text=text, files=_files(event))


def mentioned(body: dict, client: WebClient, context: BoltContext) -> None:
    event = body.get("event") or {}
    crm: Crm = context["crm"]
    team, channel, user = team_of(context, body), event.get("channel") or "", event.get("user") or ""
    key = f"event:{body.get('event_id') or event.get('ts')}"
    if not first_time(crm.db, crm.clock, team, key):
        return  # a retried delivery: handled already
    thread_ts = event.get("thread_ts")
    lead_id = comments.thread_lead_id(crm.db, team, channel, thread_ts) if thread_ts else None
    if lead_id is None:
        _ephemeral(client, channel, user, thread_ts or event.get("ts"), mention_help())
        return
    text = USER_MENTION.sub(lambda m: "" if m.group(1) == context.bot_user_id else m.group(0),
                            event.get("text") or "", count=1).strip()
    verb, _, rest = text.partition(" ")
    try:
        _act(client, crm, team, user, channel, thread_ts, lead_id, verb.lower(), rest.strip(), f"{key}:change")
    except CrmError as exc:
        _ephemeral(client, channel, user, thread_ts, esc(exc.message))


def _act(client: WebClient, crm: Crm, team: str, user: str, channel: str, thread_ts: str, lead_id: int, verb: str,
         rest: str, key: str) -> None:
    args = (crm.db, crm.clock, team, user, lead_id)
    if verb in ("show", "history", "view"):
        detail = leads.lead_detail(crm.db, team, lead_id)
        text, blocks = lead_360(detail, people.member(client, crm, team, user).tz, crm.clock.now())
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text,
                                  blocks=[b.to_dict() for b in blocks])
        return
    try:
        if verb in ("log", "note"):
            if not rest:
                raise Invalid("What should I write down? `@CRM log called, no answer`.")
            updates.log_note(*args, rest, idempotency_key=key)
        elif verb == "status":
            with crm.db.read() as s:
                options = pipeline.statuses(s, team)
            if not rest:
                raise Invalid("Which status? Choose one of: " + ", ".join(o.name for o in options) + ".")
            updates.change_status(*args, pipeline.match_status(options, rest).name, idempotency_key=key)
        elif verb in ("followup", "follow-up", "fu"):
            if not rest:
                raise Invalid("When? `@CRM followup tomorrow 10am send the quote`.")
            due, note = parse_when(rest, people.member(client, crm, team, user).tz, crm.clock.now())
            updates.schedule_follow_up(*args, due, note or None, idempotency_key=key)
        elif verb == "assign":
            owner = mentioned_user(rest)
            if people.member(client, crm, team, owner, must_exist=True).is_bot:
                raise Invalid("A bot can't own a lead. Mention a person.")
            updates.assign(*args, owner, idempotency_key=key)
        else:
            _ephemeral(client, channel, user, thread_ts, thread_help(verb))
            return
    except Duplicate:
        return
    deliver_lead(client, crm, team, lead_id)  # the change's line in this thread is the answer everyone sees


def _ephemeral(client: WebClient, channel: str, user: str, thread_ts: str | None, text: str) -> None:
    try:
        client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread_ts, text=text)
    except SlackApiError as exc:
        log.info("ephemeral answer to a mention failed: %s", exc.response.get("error"))
