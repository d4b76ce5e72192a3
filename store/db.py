"""Engine, unit of work and schema migrations for SQLite (default) and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
import hashlib
import threading
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import and_, create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str, *, pool_size: int = 20) -> Engine:
    # hide_parameters: an error's message (and so a logged traceback) never carries the statement's values, which
    # are leads' names, e-mails and phone numbers (docs/architecture.md, "What is logged").
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        _sqlite_tuning(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, hide_parameters=True)


def _sqlite_tuning(engine: Engine) -> None:
    """WAL for concurrent readers; BEGIN IMMEDIATE so writers queue instead of deadlocking."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no cover - exercised by every SQLite test
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if conn.get_execution_options().get("readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


class WriteLock:
    """SQLite's one writer, queued in this process: re-entrant, and `urgent` holders (a write that an ack
    waits for) are let in before the writers already waiting, so a burst of background work never sits
    between Slack and its 200."""

    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._owner: int | None = None
        self._depth = 0
        self._urgent = 0

    @contextmanager
    def hold(self, *, urgent: bool = False) -> Iterator[None]:
        me = threading.get_ident()
        with self._cv:
            if self._owner == me:
                self._depth += 1
            else:
                self._urgent += urgent
                while self._owner is not None or (not urgent and self._urgent):
                    self._cv.wait()
                self._urgent -= urgent
                self._owner, self._depth = me, 1
        try:
            yield
        finally:
            with self._cv:
                self._depth -= 1
                if self._depth == 0:
                    self._owner = None
                    self._cv.notify_all()


class Database:
    """The unit-of-work factory services receive: `with db.write() as s:` is one transaction."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)
        self.dialect = self.engine.dialect.name
        self._writer = sessionmaker(self.engine, expire_on_commit=False)
        self._reader = sessionmaker(self.engine.execution_options(readonly=True), expire_on_commit=False)
        # SQLite has one writer at a time. Threads of this process queue for it here, in order, instead of
        # in SQLite's busy handler, which sleeps up to 100 ms between tries and starves under load
        # (other processes still meet that handler; PostgreSQL needs no such lock).
        self._write_lock = WriteLock() if self.dialect == "sqlite" else None

    @contextmanager
    def write(self) -> Iterator[Session]:
        if self._write_lock is None:
            with self._writer() as session, session.begin():
                yield session
            return
        with self._write_lock.hold(), self._writer() as session, session.begin():
            yield session

    @contextmanager
    def write_core(self, *, urgent: bool = False) -> Iterator[Connection]:
        """A write transaction on a bare connection (hot paths that need no ORM). `urgent`: someone waits for
        it (the inbox INSERT before an ack): on SQLite it goes before the other writers queued."""
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield conn
            return
        with self._write_lock.hold(urgent=urgent), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def writer_lock(self, *, urgent: bool = False) -> Iterator[None]:
        """This process's turn at SQLite's one writer, for a statement on a connection of the caller's own
        (nothing on PostgreSQL)."""
        if self._write_lock is None:
            yield
            return
        with self._write_lock.hold(urgent=urgent):
            yield

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    @contextmanager
    def advisory_lock(self, name: str) -> Iterator[None]:
        """One holder of `name` at a time, across processes on PostgreSQL (an advisory lock held by a
        transaction that does nothing else, so the holder's own writes on other connections never wait for
        it) and across threads on SQLite (one process)."""
        if self.dialect != "postgresql":
            with _named_lock(name):
                yield
            return
        key = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)
        with self.engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
            yield

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (safe with several processes starting)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_lock(727274)"))
                conn.commit()
            try:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
                conn.commit()
            finally:
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_unlock(727274)"))
                    conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


_NAMED: dict[str, threading.Lock] = {}
_NAMED_GUARD = threading.Lock()


def _named_lock(name: str) -> threading.Lock:
    with _NAMED_GUARD:
        return _NAMED.setdefault(name, threading.Lock())


def prefix_match(col, key: str, dialect: str):
    """Index-friendly prefix match on a lower-cased key column (names, e-mails)."""
    from store.text import like_escape

    if dialect == "sqlite":  # a BINARY-collated index range; LIKE would scan in SQLite
        return and_(col >= key, col < key + "\U0010ffff")
    return col.like(like_escape(key) + "%", escape="\\")  # text_pattern_ops index on PostgreSQL
