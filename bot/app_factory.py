"""Building the bot: one Web API client (honouring SLACK_API_URL, retrying 429s), the Bolt app with every
listener, and what the HTTP server needs beside it (the services, the ack-first gate)."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import commands, errors
from bot.ack_first import AckFirst
from bot.context import request_context
from bot.crm import Crm
from bot.settings import Settings
from store.clock import Clock, SystemClock
from store.db import Database


@dataclass
class Bot:
    """The Bolt app and the services its listeners use; the HTTP server and the sweeps take it whole."""

    app: App
    crm: Crm
    gate: AckFirst

    @property
    def client(self) -> WebClient:
        return self.app.client


def build_client(settings: Settings) -> WebClient:
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_bot(settings: Settings, db: Database, clock: Clock | None = None, *,
              client: WebClient | None = None, executor: Executor | None = None) -> Bot:
    app = App(
        client=client or build_client(settings),
        signing_secret=settings.slack_signing_secret,
        listener_executor=executor or ThreadPoolExecutor(max_workers=settings.listener_threads,
                                                         thread_name_prefix="listener"),
    )
    crm = Crm(db=db, clock=clock or SystemClock(), settings=settings)
    gate = AckFirst()
    app.middleware(request_context(crm, gate))
    errors.register(app)
    commands.register(app)
    return Bot(app, crm, gate)
