"""Events: mentions of the bot get a pointer to `/lead`; other messages are acknowledged (Slack stops retrying)."""

from __future__ import annotations

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.errors import guarded
from bot.views.help import mention_help
from store.services.once import first_time


def register(app: App) -> None:
    app.event("app_mention")(guarded(mentioned))
    app.event("message")(guarded(message))


def mentioned(body: dict, client: WebClient, context: BoltContext) -> None:
    event = body.get("event") or {}
    crm = context["crm"]
    team = context.team_id or context.enterprise_id or ""
    if not first_time(crm.db, crm.clock, team, f"event:{body.get('event_id') or event.get('ts')}"):
        return  # a retried delivery: answered already
    client.chat_postEphemeral(channel=event.get("channel"), user=event.get("user"), text=mention_help(),
                              thread_ts=event.get("thread_ts") or event.get("ts"))


def message(body: dict) -> None:
    """Thread replies on lead cards become comments in a later release; until then, just acknowledge."""
