"""`python app.py` with no Slack token (or `--playground`): the real bot, with Slack played locally.

The bot is built exactly as in HTTP mode, with a made-up token and signing secret, `SLACK_API_URL` pointing at
the playground's own Web API, and SQLite (`playground.db` unless `DATABASE_URL` says otherwise). One server on
loopback (`PLAYGROUND_HOST` or `--host` to listen elsewhere) answers the browser, Slack's Web API and the bot.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import sys
import threading
import time
from pathlib import Path

from playground.client import SlackClient
from playground.server import Dispatcher, Playground
from playground.world import SlackWorld

log = logging.getLogger("crm-bot")
TEAM, TEAM_NAME = "T0PLAY", "Seoul Shops Co."
SALES, INBOUND = "C0SALES", "C0INBOUND"
BOT = "U0CRMBOT"
PEOPLE = {
    "minjun": {"id": "U0MINJUN", "name": "minjun", "real_name": "Minjun Kim", "tz": "Asia/Seoul", "city": "Seoul",
               "role": "rep", "locale": "ko-KR"},
    "alex": {"id": "U0ALEX", "name": "alex", "real_name": "Alex Rivera", "tz": "America/New_York",
             "city": "New York", "role": "rep", "locale": "en-US"},
    "sara": {"id": "U0SARA", "name": "sara", "real_name": "Sara Park", "tz": "Asia/Seoul", "city": "Seoul",
             "role": "manager", "locale": "ko-KR", "admin": True},
}
DEFAULT_DB = "sqlite:///playground.db"


def world_for(base_url: str) -> SlackWorld:
    world = SlackWorld(TEAM, real_ts=True, bot_user=BOT, team_name=TEAM_NAME)
    world.base_url = base_url
    for p in PEOPLE.values():
        world.add_user(p["id"], tz=p["tz"], name=p["name"], real_name=p["real_name"], is_admin=p.get("admin", False),
                       locale=p["locale"])
    world.add_user(BOT, name="crm", real_name="CRM", is_bot=True)
    world.add_channel(SALES, "sales")
    world.add_channel(INBOUND, "inbound")
    for p in PEOPLE.values():
        world.dm_of(p["id"])
    return world


def _sqlite_file(url: str) -> Path | None:
    return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") and ":memory:" not in url else None


def run(args, startup_error) -> int:
    """Start the playground; `startup_error(message)` is the exception that ends start-up in one line."""
    from waitress.server import create_server

    import scheduler
    from bot.app_factory import build_bot, build_client
    from bot.commands.parse import warm_up
    from bot.server import WsgiApp
    from bot.settings import SettingsError, load_settings
    from playground.seed import seed
    from store.db import Database
    from store.models import Team
    from store.services import best_time

    started = time.monotonic()
    port = int(os.environ.get("PORT") or 3000)
    host = args.host or os.environ.get("PLAYGROUND_HOST") or "127.0.0.1"
    url = os.environ.get("DATABASE_URL") or DEFAULT_DB
    db_file = _sqlite_file(url)
    saved = db_file.with_name(db_file.name + ".world.json") if db_file else None
    if args.fresh and url == DEFAULT_DB and db_file is not None:
        for suffix in ("", "-wal", "-shm", ".world.json"):
            Path(str(db_file) + suffix).unlink(missing_ok=True)
    base = f"http://127.0.0.1:{port}/"
    secret = secrets.token_hex(16)
    try:
        settings = load_settings(_env_file=None, slack_bot_token="xoxb-playground", slack_signing_secret=secret,
                                 slack_api_url=base + "api/", database_url=url, port=port, crm_channel=SALES,
                                 http_threads=48, crm_sweep_seconds=float(os.environ.get("CRM_SWEEP_SECONDS") or 30))
    except SettingsError as exc:
        raise startup_error(str(exc)) from None
    db = Database(settings.database_url)
    db.migrate()
    best_time.rebuild_missing(db)
    world = world_for(base)
    if saved is not None and saved.exists():
        try:
            world.restore(json.loads(saved.read_text()))
        except (OSError, ValueError):
            log.warning("playground: could not read %s; channels start empty", saved)
    dispatcher = Dispatcher(world)
    try:
        server = create_server(dispatcher, host=host, port=port, threads=settings.http_threads, ident="crm-playground",
                               channel_timeout=60, clear_untrusted_proxy_headers=True)
    except OSError as exc:
        raise startup_error(f"PORT: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    serving = threading.Thread(target=server.run, name="playground-server", daemon=True)
    serving.start()
    bot = build_bot(settings, db, client=build_client(settings))
    dispatcher.bot = WsgiApp(bot)
    client = SlackClient(world, f"http://127.0.0.1:{port}/slack/events", secret)
    people = [{"id": p["id"], "real_name": p["real_name"], "city": p["city"], "role": p["role"]}
              for p in PEOPLE.values()]
    dispatcher.playground = Playground(world, client, people, start=SALES)
    with db.read() as s:
        empty = s.get(Team, TEAM) is None
    if empty and not args.fresh:
        made = seed(db, TEAM, {k: {"id": p["id"], "name": p["real_name"], "tz": p["tz"], "admin": p.get("admin", False)}
                               for k, p in PEOPLE.items()}, channel=SALES, inbound=INBOUND)
        log.info("playground: seeded %s leads (--fresh starts empty)", made)
    warm_up()
    sweeps = scheduler.start(bot.crm)
    print(f"Playground: open http://{host if host not in ('0.0.0.0', '::') else '127.0.0.1'}:{port}/ — a local "
          f"Slack workspace with the real bot (ready in {time.monotonic() - started:.1f} s; no Slack account needed, "
          "see README to connect a real one)", file=sys.stderr, flush=True)
    try:
        while serving.is_alive():
            serving.join(1)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        scheduler.stop(bot.crm, sweeps)
        if saved is not None:
            try:
                saved.write_text(json.dumps(world.snapshot()))
            except OSError:
                log.warning("playground: could not save %s", saved)
        server.close()
        db.dispose()
    return 0
