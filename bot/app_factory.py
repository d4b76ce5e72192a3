"""Building the Bolt app: one Web API client (honouring SLACK_API_URL, retrying 429s) and every listener."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App, BoltContext
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import commands, errors
from bot.ack_first import AckFirst
from bot.deps import Crm
from bot.settings import Settings
from store.clock import Clock, SystemClock
from store.db import Database


def build_client(settings: Settings) -> WebClient:
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url, timeout=15)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_app(settings: Settings, db: Database, clock: Clock | None = None, *,
              client: WebClient | None = None, executor: Executor | None = None) -> App:
    client = client or build_client(settings)
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret,
        listener_executor=executor or ThreadPoolExecutor(max_workers=settings.listener_threads,
                                                         thread_name_prefix="listener"),
    )
    crm = Crm(db=db, clock=clock or SystemClock(), settings=settings)
    gate = AckFirst()
    app.ack_gate = gate  # type: ignore[attr-defined] - the HTTP server records requests in it

    @app.middleware
    def inject_crm(context: BoltContext, next) -> None:  # noqa: A002 - Bolt's name
        context["crm"] = crm
        context["ack_gate"] = gate
        next()

    errors.register(app)
    commands.register(app)
    app.crm = crm  # type: ignore[attr-defined]
    return app
