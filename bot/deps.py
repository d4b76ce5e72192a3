"""What every listener needs, injected into Bolt's context by one middleware."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.settings import Settings
from store.clock import Clock
from store.db import Database


@dataclass
class Crm:
    db: Database
    clock: Clock
    settings: Settings
    stopping: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM/SIGINT


def team_of(context, body: dict | None = None) -> str:
    """The Slack team a request belongs to (events also carry it in the body)."""
    return context.team_id or (body or {}).get("team_id") or context.enterprise_id or ""


def channel_of(body: dict) -> str | None:
    """The channel an interaction happened in (a message's container when there is no channel)."""
    return (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
