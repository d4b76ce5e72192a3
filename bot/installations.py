"""Where OAuth installations live: slack_sdk's SQLAlchemy installation and state stores on the CRM's own
database (their tables come with the Alembic migrations, `store/models/installations.py`), behind a cache.

A request must not read the database to learn its workspace's token: `CachedInstallationStore` keeps each
workspace's bot for `TTL` seconds (a dictionary look-up per request; see bench/workspaces.py). A look-up in
the last `REFRESH_AHEAD` of that time still answers from the cache, and has the bot read again by a thread
of the store's own, so a workspace in use never has a request wait for the database before its ack (with 100
workspaces, one request in six did, every minute). It is never the only copy: a token that is close to its
expiry is read again from the database (another replica may have rotated it), and saving or deleting an
installation forgets the cached one at once (a read-ahead begun before is then not kept). Several replicas
therefore agree within `TTL` on a token, and never hand out one that has been rotated away.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
import time
from collections.abc import Callable

from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from store.db import Database

log = logging.getLogger(__name__)

TTL = 60.0  # seconds a cached bot is trusted
NEGATIVE_TTL = 5.0  # "not installed" is remembered briefly (a flood of events from a team that left)
REFRESH_AHEAD = 0.25  # the last quarter of a cached bot's time: used, and read again in the background
ROTATE_WITHIN = 130 * 60  # a token this close to expiry is always read fresh (Bolt rotates at 120 minutes)


class CachedInstallationStore(InstallationStore):
    """slack_sdk's SQLAlchemy store with a per-workspace, time-bounded cache of `find_bot` (what Bolt's
    `InstallationStoreAuthorize(bot_only=True)` asks on every request). `on_saved(team_id, team_name)` and
    `on_deleted(team_id)` tell the CRM about installs and uninstalls."""

    def __init__(self, underlying: SQLAlchemyInstallationStore, *, ttl: float = TTL,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], float] = time.time,
                 on_saved: Callable[[str, str | None], None] | None = None,
                 on_deleted: Callable[[str], None] | None = None,
                 reader: SQLAlchemyInstallationStore | None = None) -> None:
        self.underlying, self.ttl, self.clock, self.wall = underlying, ttl, clock, wall
        # look-ups through a read-only engine: on SQLite a write transaction (BEGIN IMMEDIATE) would queue a
        # request's authorization, before its ack, behind whatever another request is writing
        self.reader = reader or underlying
        self.on_saved, self.on_deleted = on_saved, on_deleted
        self._bots: dict[str, tuple[float, float, Bot | None]] = {}  # key → (read again from, trusted until, bot)
        self._lock = threading.Lock()
        self._generation: dict[str, int] = {}  # bumped by `forget`: a read-ahead begun before is not kept
        self._ahead: queue.SimpleQueue = queue.SimpleQueue()
        self._queued: set[str] = set()
        self._reader_thread: threading.Thread | None = None
        self.reads = 0  # database look-ups (misses and read-aheads), for tests and the benchmark

    @property
    def logger(self) -> logging.Logger:
        return self.underlying.logger

    @staticmethod
    def _key(enterprise_id: str | None, team_id: str | None) -> str:
        return f"{enterprise_id or ''}-{team_id or ''}"

    def forget(self, enterprise_id: str | None = None, team_id: str | None = None) -> None:
        key = self._key(enterprise_id, team_id)
        with self._lock:
            self._bots.pop(key, None)
            self._generation[key] = self._generation.get(key, 0) + 1

    # ---------------------------------------------------------------- writes (forget, then tell the CRM)
    def save(self, installation: Installation) -> None:
        self.underlying.save(installation)
        self.forget(installation.enterprise_id, installation.team_id)
        if self.on_saved is not None and installation.team_id:
            self.on_saved(installation.team_id, installation.team_name)

    def save_bot(self, bot: Bot) -> None:
        self.underlying.save_bot(bot)
        self.forget(bot.enterprise_id, bot.team_id)

    def delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.underlying.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id, team_id)

    def delete_installation(self, *, enterprise_id: str | None, team_id: str | None,
                            user_id: str | None = None) -> None:
        self.underlying.delete_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id)
        self.forget(enterprise_id, team_id)

    def delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        self.underlying.delete_all(enterprise_id=enterprise_id, team_id=team_id)
        self.forget(enterprise_id, team_id)
        if self.on_deleted is not None and team_id:
            self.on_deleted(team_id)

    # ---------------------------------------------------------------- reads
    def find_bot(self, *, enterprise_id: str | None, team_id: str | None,
                 is_enterprise_install: bool | None = False) -> Bot | None:
        key = self._key(enterprise_id, None if is_enterprise_install else team_id)
        now = self.clock()
        hit = self._bots.get(key)
        if hit is not None:
            ahead, until, bot = hit
            if now < until and (bot is None or not self._expiring(bot)):
                if bot is not None and now >= ahead:
                    self._read_ahead(key, (enterprise_id, team_id, is_enterprise_install))
                return bot
        with self._lock:
            generation = self._generation.get(key, 0)
        return self._read(key, generation, enterprise_id, team_id, is_enterprise_install)

    def _read(self, key: str, generation: int, enterprise_id: str | None, team_id: str | None,
              is_enterprise_install: bool | None) -> Bot | None:
        started = self.clock()
        bot = self.reader.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                   is_enterprise_install=is_enterprise_install)
        # spread out: workspaces first seen in the same burst are not all read again in one burst
        ttl = (self.ttl if bot is not None else NEGATIVE_TTL) * (1 - 0.3 * random.random())
        with self._lock:
            self.reads += 1
            if self._generation.get(key, 0) == generation:  # not saved or deleted meanwhile
                self._bots[key] = (started + ttl * (1 - REFRESH_AHEAD), started + ttl, bot)
        return bot

    def _read_ahead(self, key: str, args: tuple) -> None:
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)
            self._ahead.put((key, self._generation.get(key, 0), args))
            if self._reader_thread is None:
                self._reader_thread = threading.Thread(target=self._read_ahead_loop, name="installations",
                                                       daemon=True)
                self._reader_thread.start()

    def _read_ahead_loop(self) -> None:
        while True:
            key, generation, args = self._ahead.get()
            try:
                self._read(key, generation, *args)
            except Exception:  # noqa: BLE001 - the cached bot stays until its time; then a request reads it
                log.warning("installations: reading %s again failed", key, exc_info=True)
            finally:
                with self._lock:
                    self._queued.discard(key)

    def _expiring(self, bot: Bot) -> bool:
        expires = bot.bot_token_expires_at
        return expires is not None and expires - self.wall() < ROTATE_WITHIN

    def find_installation(self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None,
                          is_enterprise_install: bool | None = False) -> Installation | None:
        return self.reader.find_installation(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id,
                                             is_enterprise_install=is_enterprise_install)


def installation_store(db: Database, client_id: str, **kwargs) -> CachedInstallationStore:
    """The store on the CRM's database. Its tables are created by the migrations, never by slack_sdk."""
    return CachedInstallationStore(
        SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine),
        reader=SQLAlchemyInstallationStore(client_id=client_id, engine=db.engine.execution_options(readonly=True)),
        **kwargs)


def state_store(db: Database, *, expiration_seconds: int = 600) -> SQLAlchemyOAuthStateStore:
    """OAuth `state` values, issued with the Add to Slack link and consumed once by the redirect."""
    return SQLAlchemyOAuthStateStore(expiration_seconds=expiration_seconds, engine=db.engine)
