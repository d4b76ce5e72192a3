"""Building the bot: one Web API client (honouring SLACK_API_URL, retrying 429s), the Bolt app with every
listener, and what the HTTP server needs beside it (the services, the ack-first gate, the edge that acks
`/lead` commands before Bolt dispatches them).

Two modes, one app: with `SLACK_BOT_TOKEN`, one workspace; with `SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET`,
OAuth ("Add to Slack", `bot/oauth.py`): each request is authorized from the installation store's cache and
background work finds each workspace's token through `crm.workspaces`.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass

from slack_bolt import App
from slack_sdk import WebClient

from bot import commands, errors, inbox
from bot.ack_first import AckFirst, AckSignal
from bot.context import request_context
from bot.crm import Crm
from bot.edge import EdgeAck
from bot.installations import CachedInstallationStore, installation_store
from bot.settings import Settings
from bot.workspaces import Installed, OneWorkspace, make_client
from store.clock import Clock, SystemClock
from store.db import Database
from store.services import tenancy
from store.services.inbox import Receiver

log = logging.getLogger(__name__)


@dataclass
class Bot:
    """The Bolt app and the services its listeners use; the HTTP server and the sweeps take it whole."""

    app: App
    crm: Crm
    gate: AckFirst
    edge: EdgeAck
    installations: CachedInstallationStore | None = None  # OAuth mode

    @property
    def client(self) -> WebClient:
        return self.app.client


def build_client(settings: Settings) -> WebClient:
    """The app's client: SLACK_BOT_TOKEN's, or (OAuth) a client without a token whose base URL every
    per-request client, the code exchange and token rotation inherit."""
    return make_client(settings.slack_bot_token if not settings.oauth else None, settings.slack_api_url)


def build_bot(settings: Settings, db: Database, clock: Clock | None = None, *,
              client: WebClient | None = None, executor: Executor | None = None) -> Bot:
    clock = clock or SystemClock()
    client = client or build_client(settings)
    if executor is not None:  # the tests' own
        pool = AckSignal(executor)
    else:  # a reserve for listeners whose request waits, one per HTTP thread (each waits for one listener)
        pool = AckSignal(ThreadPoolExecutor(settings.listener_threads, thread_name_prefix="listener"),
                         size=settings.listener_threads, reserve_size=settings.http_threads,
                         reserve=ThreadPoolExecutor(settings.http_threads, thread_name_prefix="listener-reserve"))
    store = None
    if settings.oauth:
        from bot.oauth import oauth_pieces

        store = installation_store(
            db, settings.slack_client_id,  # type: ignore[arg-type]
            on_saved=lambda team_id, name: tenancy.installed(db, clock, team_id, name),
            on_deleted=lambda team_id: tenancy.uninstalled(db, clock, team_id, "app_uninstalled"))
        flow, authorize = oauth_pieces(settings, db, store, client)
        app = inbox.InboxApp(client=client, signing_secret=settings.slack_signing_secret, oauth_flow=flow,
                             authorize=authorize, installation_store=store, installation_store_bot_only=True,
                             listener_executor=pool)
        workspaces = Installed(db, store, settings.slack_api_url, client_id=settings.slack_client_id,  # type: ignore[arg-type]
                               client_secret=settings.slack_client_secret, rotator_client=client)  # type: ignore[arg-type]
    else:
        app = inbox.InboxApp(client=client, signing_secret=settings.slack_signing_secret, listener_executor=pool)
        workspaces = OneWorkspace(settings.slack_bot_token, settings.slack_api_url)  # type: ignore[arg-type]
    crm = Crm(db=db, clock=clock, settings=settings, workspaces=workspaces)
    gate = AckFirst()
    receiver = Receiver(db, clock)  # requests arriving together are stored together
    app.middleware(inbox.middleware(receiver))  # first: stored before anything can fail, and before the ack
    app.middleware(request_context(crm, gate))
    crm.replay = inbox.Replayer(app, settings.slack_signing_secret, crm)
    crm.marks = inbox.Marks(crm)
    crm.events = executor or ThreadPoolExecutor(max_workers=settings.event_threads, thread_name_prefix="event")
    errors.register(app)
    commands.register(app)
    dispatcher = executor or ThreadPoolExecutor(settings.http_threads, thread_name_prefix="edge")
    edge = EdgeAck(app, crm, gate, receiver, dispatcher, slots=settings.http_threads)
    return Bot(app, crm, gate, edge, store)
