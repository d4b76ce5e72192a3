"""What `python app.py` does: settings → database (migrated) → Bolt app → scheduler → HTTP or Socket Mode."""

from __future__ import annotations

import logging

from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import SQLAlchemyError

from bot.app_factory import build_app, build_client
from bot.commands.parse import warm_up
from bot.settings import SettingsError, load_settings
from store.db import Database

log = logging.getLogger("crm-bot")


class StartupError(Exception):
    """One line for the operator: which setting or service is at fault."""


def run() -> int:
    try:
        settings = load_settings()
    except SettingsError as exc:
        raise StartupError(str(exc)) from None
    try:
        db = Database(settings.database_url)
        db.migrate()
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise StartupError(f"DATABASE_URL: cannot open the database ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:200]})") from None
    client = build_client(settings)
    try:
        app = build_app(settings, db, client=client)
    except (BoltError, SlackApiError) as exc:
        raise StartupError(f"SLACK_BOT_TOKEN: Slack refused it at {settings.slack_api_url} ({exc})") from None
    warm_up()
    from scheduler import start as start_scheduler, stop as stop_scheduler

    sched = start_scheduler(app.crm, client)  # type: ignore[attr-defined]
    try:
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            SocketModeHandler(app, settings.slack_app_token).start()
        else:
            from bot.server import make_server

            server = make_server(app, db, port=settings.port, threads=settings.http_threads)
            log.info("serving Slack at http://0.0.0.0:%s/slack/events (health: /healthz)", settings.port)
            try:
                server.run()
            finally:
                server.close()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        stop_scheduler(app.crm, sched)  # type: ignore[attr-defined]
        db.dispose()
    return 0
