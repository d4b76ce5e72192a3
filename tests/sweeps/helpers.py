"""Shared by the sweep tests: run the follow-up sweep as the scheduler does, read the DMs it sent."""

from __future__ import annotations

import dataclasses
import json
import time
from datetime import datetime, timedelta

from sqlalchemy import select

from scheduler import build_notifier, jobs
from store.db import Database
from store.models import Notification
from tests.slack_driver import message_text


class Sweeper:
    """One bot process's follow-up sweep (a new Sweeper is a restarted process)."""

    def __init__(self, bot, *, own_database: bool = False, clock=None) -> None:
        self.crm = bot.crm
        if own_database:  # as a second process has: its own engine and connections
            self.crm = dataclasses.replace(self.crm, db=Database(self.crm.db.url))
        if clock is not None:
            self.crm = dataclasses.replace(self.crm, clock=clock)
        self.notifier = build_notifier(self.crm)

    def __call__(self) -> int:
        return jobs.sweep_follow_ups(self.crm, self.notifier)


class FastClock:
    """The CRM's clock running `speed` times faster than real time from `start`: a lease of minutes passes in
    seconds while the sends take their real time."""

    def __init__(self, start: datetime, speed: float) -> None:
        self.start, self.speed, self.t0 = start, speed, time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


def dms(fake, user: str = "U1", *, digests: bool = False) -> list[dict]:
    """Messages posted into the bot's DM with `user` (chat.postMessage with channel=<user id>); morning
    digests only when asked for (the fixed clock's Monday 10:00 in Berlin is digest time)."""
    return [c for c in fake.of("chat.postMessage") if c.get("channel") == user
            and (digests or not (c.get("text") or "").startswith("Good morning"))]


def texts(messages: list[dict]) -> list[str]:
    return [message_text(m) for m in messages]


def sent(db, kind: str | None = None) -> list[Notification]:
    with db.read() as s:
        q = select(Notification).where(Notification.state == "sent").order_by(Notification.id)
        if kind:
            q = q.where(Notification.kind == kind)
        return list(s.scalars(q))


def dm_of(db, fake, user: str = "U1") -> tuple[dict, str, str]:
    """The newest DM to `user` with the channel and ts Slack gave it (as a click on it carries)."""
    n = [x for x in sent(db) if x.user_id == user and x.kind != "digest"][-1]
    return dms(fake, user)[-1], n.channel, n.ts


def blocks_of(message: dict) -> list[dict]:
    b = message.get("blocks")
    return json.loads(b) if isinstance(b, str) else (b or [])


def buttons(message: dict) -> list[str]:
    return [e["text"]["text"] for b in blocks_of(message) for e in b.get("elements") or []
            if e.get("type") == "button"]
