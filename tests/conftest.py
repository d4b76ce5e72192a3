"""Fixtures: a database (SQLite always; PostgreSQL too when TEST_DATABASE_URL is set), the fake Slack
Web API, and the real bot served over HTTP on a loopback port."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.app_factory import build_bot
from bot.server import make_server
from bot.settings import Settings
from store.clock import FixedClock
from store.db import Database
from store.models import Base
from store.services import deal_stages, pipeline
from tests.fake_slack import FakeSlack
from tests.slack_driver import SlackDriver, TrackingExecutor

SECRET = "test-signing-secret"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


@contextmanager
def scratch_database(server_url: str) -> Iterator[str]:
    """A PostgreSQL database of the tests' own on the server `server_url` names (`crm_test_<pid>_<random>`),
    dropped afterwards. The URL gives the server and the credentials; the database it names is only where the
    CREATE DATABASE is said, and its data is never touched, so two runs never share (or wipe) one."""
    url = make_url(server_url)
    name = f"crm_test_{os.getpid()}_{secrets.token_hex(4)}"
    admin = create_engine(url.set(database=url.database or "postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def empty(database: Database) -> None:
    """Every table of the CRM emptied (the tests' own database only)."""
    with database.engine.begin() as conn:
        names = [t.name for t in reversed(Base.metadata.sorted_tables)]
        if database.dialect == "postgresql":
            conn.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
        else:
            for n in names:
                conn.execute(text(f'DELETE FROM "{n}"'))


@pytest.fixture(scope="session", params=BACKENDS)
def database(request, tmp_path_factory):
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path_factory.mktemp('db') / 'crm.db'}")
        db.migrate()
        yield db
        db.dispose()
        return
    with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:
        db = Database(url)
        db.migrate()
        yield db
        db.dispose()


@pytest.fixture
def db(database):
    """The session's database, emptied before each test."""
    empty(database)
    pipeline.forget_cache()
    deal_stages.forget_cache()
    return database


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))


@pytest.fixture
def fake():
    f = FakeSlack().start()
    f.add_user("U1", tz="Europe/Berlin", name="alice")
    f.add_user("U2", tz="America/New_York", name="bob")
    f.add_user("U3", tz="Asia/Seoul", name="carol")
    f.add_user("UBOT2", name="otherbot", is_bot=True)
    yield f
    f.stop()


def make_settings(fake: FakeSlack, db: Database, **extra) -> Settings:
    return Settings(_env_file=None, slack_bot_token="xoxb-test", slack_signing_secret=SECRET,
                    slack_api_url=fake.api_url, database_url=db.url, crm_channel="CCRM", **extra)


@pytest.fixture
def bot(fake, db, clock):
    """The real Bolt app behind the real WSGI server, talking to the fake Web API."""
    settings = make_settings(fake, db)
    client = WebClient(token=settings.slack_bot_token, base_url=settings.slack_api_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=3))
    executor = TrackingExecutor()
    built = build_bot(settings, db, clock, client=client, executor=executor)
    server = make_server(built, host="127.0.0.1", port=0, threads=16)
    def serve():
        try:
            server.run()
        except OSError:  # the socket map closed under select() at teardown
            pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    port = server.effective_port
    driver = SlackDriver(f"http://127.0.0.1:{port}", SECRET, fake, executor)
    driver.app, driver.crm, driver.edge = built.app, built.crm, built.edge
    driver.fake.clear()
    yield driver
    executor.wait_idle()
    server.close()
    executor.shutdown(wait=True)
    assert not [c for c in fake.calls if c.method == "!invalid_blocks"], "the bot sent invalid blocks"
