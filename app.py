"""Start the CRM bot: `python app.py` (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set).

With no SLACK_BOT_TOKEN (or with `--playground`) it opens the local playground instead: a Slack-like workspace
in the browser at http://127.0.0.1:$PORT/, talking to the real bot (`playground/main.py`; `--fresh` starts it
empty, `--host 0.0.0.0` listens beyond this machine).

The whole start-up, in order: settings → database (migrated) → the bot (Bolt app and listeners) →
sweeps (scheduler/) → HTTP server or Socket Mode. `bot/` and `scheduler/` never import this file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

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
    # The settings are read: Bolt must not read SLACK_BOT_TOKEN itself beside the client it is given (it would
    # warn "As you gave `client` as well, `token` will be unused" on every start).
    os.environ.pop("SLACK_BOT_TOKEN", None)
    try:
        db = Database(settings.database_url)
        db.migrate()
        for team_id, attempts in best_time.rebuild_missing(db):  # once, for workspaces older than the counts
            log.info("counted %s logged attempts of %s for the best time to call", attempts, team_id)
    except (SQLAlchemyError, OSError, ImportError) as exc:
        raise StartupError(f"DATABASE_URL: cannot open the database ({type(exc).__name__}: "
                           f"{str(exc).splitlines()[0][:200]})") from None
    from slack_bolt.error import BoltError
    from slack_sdk.errors import SlackApiError

    client = build_client(settings)
    default_team = None
    if not settings.oauth:  # before Bolt's own auth.test: Slack away is waited out
        token_team = check_token(client, settings.slack_api_url)
        default_team = settings.crm_team_id or token_team
    try:
        bot = build_bot(settings, db, client=client)
    except (BoltError, SlackApiError) as exc:
        raise StartupError(f"SLACK_BOT_TOKEN: Slack refused it at {settings.slack_api_url} ({exc})") from None
    warn_of_lost_leads(settings, db, default_team)
    warm_up()
    threading.Thread(target=warmed_up, args=(charts_warm_up,), name="charts-warm-up", daemon=True).start()
    sweeps = scheduler.start(bot.crm)
    from bot.server import make_server

    # HTTP serves /healthz, /intake/leads and (OAuth) the install pages in both modes; Slack's own
    # requests come in at /slack/events, or through the Socket Mode connection.
    try:
        server = make_server(bot, port=settings.port, threads=settings.http_threads)
    except OSError as exc:
        scheduler.stop(bot.crm, sweeps)
        raise StartupError(f"PORT: cannot listen on {settings.port} ({exc.strerror or exc}); another program "
                           "may be using it: set PORT to a free one") from None
    socket_mode = None
    try:
        if settings.slack_app_token:
            from slack_bolt.adapter.socket_mode import SocketModeHandler

            threading.Thread(target=_serve_quietly, args=(server,), name="http", daemon=True).start()
            socket_mode = SocketModeHandler(bot.app, settings.slack_app_token)
            try:
                socket_mode.connect()
            except SlackApiError as exc:
                raise StartupError(f"SLACK_APP_TOKEN: Slack refused it ({exc.response.get('error') or exc}); it "
                                   "must be an app-level token (xapp-…) with connections:write") from None
            log.info("connected to Slack in Socket Mode (health: http://0.0.0.0:%s/healthz)", settings.port)
            threading.Event().wait()
        else:
            log.info("serving Slack at http://0.0.0.0:%s/slack/events (health: /healthz%s)", settings.port,
                     ", install: /slack/install" if settings.oauth else "")
            server.run()
    except KeyboardInterrupt:
        pass  # SIGTERM or Ctrl-C (waitress may also return from run() on its own when told to stop)
    finally:
        log.info("stopping")
        if socket_mode is not None:
            socket_mode.close()
        server.close()
        scheduler.stop(bot.crm, sweeps)
        db.dispose()
        log.info("stopped")
    return 0


def _serve_quietly(server) -> None:
    """The HTTP side beside Socket Mode: its loop ends with an error when start-up gives up and closes it."""
    try:
        server.run()
    except (OSError, ValueError):
        pass


def warn_of_lost_leads(settings, db, default_team: str | None) -> None:
    """Intake on, but a lead arriving without an owner would have no queue and no channel: say so at start."""
    from store.services import lost_leads

    intake = [default_team] if settings.crm_intake_token and default_team else []
    for team_id in lost_leads.without_a_place(db, intake, default_channel=bool(settings.crm_channel)):
        log.warning("intake is on for %s, but it has no routing queue and no card channel: web-form leads would "
                    "land with no owner and no card. Create a queue (/lead routing) or set CRM_CHANNEL or "
                    "/lead settings channel #sales; meanwhile /lead list unowned shows them", team_id)


def warmed_up(warm_up) -> None:
    """Load what the first chart needs, then freeze every object made so far (modules, fonts, caches) out of
    the garbage collector's reach: a full collection then walks only what requests create (~70 ms less than
    a collection over the whole start-up heap, paid by whichever request triggered it)."""
    import gc

    warm_up()
    gc.collect()
    gc.freeze()


def check_token(client, api_url: str, *, sleep=time.sleep, attempts: int | None = None) -> str:
    """One workspace: ask Slack who the token is. A refused token stops start-up in one line; Slack out of
    reach is retried with back-off (logged) until it answers."""
    from slack_sdk.errors import SlackApiError

    delay, tried = 1.0, 0
    while True:
        tried += 1
        try:
            return client.auth_test()["team_id"]
        except SlackApiError as exc:
            if exc.response.status_code >= 500 or exc.response.status_code == 429:
                problem = f"Slack answered {exc.response.status_code}"
            else:
                raise StartupError(f"SLACK_BOT_TOKEN: Slack refused it at {api_url} "
                                   f"({exc.response.get('error') or exc.response.status_code})") from None
        except OSError as exc:  # DNS, refused connection, TLS, timeout
            problem = f"cannot reach {api_url} ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
        if attempts is not None and tried >= attempts:
            raise StartupError(f"SLACK_API_URL: {problem}")
        log.warning("%s; trying again in %.0f s", problem, delay)
        sleep(delay)
        delay = min(delay * 2, 60.0)


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
    except KeyboardInterrupt:  # stopped before it was serving (e.g. while waiting for Slack to answer)
        log.info("stopped before start-up finished")
        return 0


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server and the scheduler like Ctrl-C does


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
