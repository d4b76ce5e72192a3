"""Start the CRM bot: `python app.py` (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set).

With no SLACK_BOT_TOKEN (or with `--playground`) it opens the local playground instead: a Slack-like workspace
in the browser at http://127.0.0.1:$PORT/, talking to the real bot (`playground/main.py`; `--fresh` starts it
empty, `--host 0.0.0.0` listens beyond this machine).

The whole start-up, in order: settings → database (migrated) → the bot (Bolt app and listeners) →
sweeps (scheduler/) → HTTP server or Socket Mode. `bot/` and `scheduler/` never import this file.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading

log = logging.getLogger("crm-bot")


class StartupError(Exception):
    """One line for the operator: which setting or service is at fault."""


def run(argv: list[str] | None = None) -> int:
    import argparse

    from bot.settings import slack_token_given

    ap = argparse.ArgumentParser(prog="app.py", description="The CRM bot (or, without a Slack token, its playground).")
    ap.add_argument("--playground", action="store_true", help="the local playground, even if .env has a token")
    ap.add_argument("--fresh", action="store_true", help="playground: start with an empty workspace")
    ap.add_argument("--host", default=None, help="playground: where to listen (default 127.0.0.1)")
    args = ap.parse_args(argv)
    if args.playground or not slack_token_given():
        if slack_token_given():
            raise StartupError("the playground does not start while SLACK_BOT_TOKEN is set (it would speak to a "
                               "real workspace). Unset it, or start the bot without --playground.")
        from playground.main import run as playground

        return playground(args, StartupError)
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError
    from sqlalchemy.exc import SQLAlchemyError

    import scheduler
    from bot.app_factory import build_bot, build_client
    from bot.commands.parse import warm_up
    from bot.views.charts import warm_up as charts_warm_up
    from bot.settings import SettingsError, load_settings
    from store.db import Database
    from store.services import best_time

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise StartupError(str(exc)) from None
    try:
        db = Database(settings.database_url)
        db.migrate()
        for team_id, attempts in best_time.rebuild_missing(db):  # once, for workspaces older than the counts
            log.info("counted %s logged attempts of %s for the best time to call", attempts, team_id)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise StartupError(f"DATABASE_URL: cannot open the database ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:200]})") from None
    try:
        bot = build_bot(settings, db, client=build_client(settings))
    except (BoltError, SlackApiError) as exc:
        raise StartupError(f"SLACK_BOT_TOKEN: Slack refused it at {settings.slack_api_url} ({exc})") from None
    warm_up()
    threading.Thread(target=charts_warm_up, name="charts-warm-up", daemon=True).start()
    sweeps = scheduler.start(bot.crm, bot.client)
    try:
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            log.info("connecting to Slack in Socket Mode")
            SocketModeHandler(bot.app, settings.slack_app_token).start()
        else:
            from bot.server import make_server

            server = make_server(bot, port=settings.port, threads=settings.http_threads)
            log.info("serving Slack at http://0.0.0.0:%s/slack/events (health: /healthz)", settings.port)
            try:
                server.run()
            finally:
                server.close()
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        scheduler.stop(bot.crm, sweeps)
        db.dispose()
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic.runtime.plugins", "apscheduler.executors.default", "slack_sdk.web.base_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected: a long sweep simply carries on.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    try:
        return run(argv)
    except StartupError as exc:
        print(f"crm-bot: {exc}", file=sys.stderr)
        return 2


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server and the scheduler like Ctrl-C does


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
