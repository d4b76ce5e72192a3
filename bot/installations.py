"""Where OAuth installations live: slack_sdk's SQLAlchemy installation and state stores on the CRM's own
database (their tables come with the Alembic migrations, `store/models/installations.py`), behind a cache.

A request must not read the database to learn its workspace's token: `CachedInstallationStore` keeps each
workspace's bot for `TTL` seconds (a dictionary look-up per request; see bench/workspaces.py). It is never
the only copy: a token that is close to its expiry is read again from the database (another replica may
have rotated it), and saving or deleting an installation forgets the cached one at once. Several replicas
therefore agree within `TTL` on a token, and never hand out one that has been rotated away.
"""

from __future__ import annotations

import logging
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
        self._bots: dict[str, tuple[float, Bot | None]] = {}  # key → (trusted until, bot)
        self._lock = threading.Lock()
        self.reads = 0  # database look-ups (the cache's misses), for tests and the benchmark

    @property
    def logger(self) -> logging.Logger:
        return self.underlying.logger

    @staticmethod
    def _key(enterprise_id: str | None, team_id: str | None) -> str:
        return f"{enterprise_id or ''}-{team_id or ''}"

    def forget(self, enterprise_id: str | None = None, team_id: str | None = None) -> None:
        with self._lock:
            self._bots.pop(self._key(enterprise_id, team_id), None)

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
            until, bot = hit
            if now < until and (bot is None or not self._expiring(bot)):
                return bot
        bot = self.reader.find_bot(enterprise_id=enterprise_id, team_id=team_id,
                                       is_enterprise_install=is_enterprise_install)
        # spread out: workspaces first seen in the same burst are not all read again in one burst
        ttl = (self.ttl if bot is not None else NEGATIVE_TTL) * (1 - 0.3 * random.random())
        with self._lock:
            self.reads += 1
            self._bots[key] = (now + ttl, bot)
        return bot

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
