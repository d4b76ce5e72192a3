"""The inbox (issue 15): every request from Slack whose effect follows its ack is stored, raw, before the ack.

- `Receiver` is the one write on the ack path: an INSERT of the raw bodies keyed by each request's own key,
  `ON CONFLICT DO NOTHING` (a Slack retry of an event costs nothing more), for every request that arrived
  together (`receive` does the same for one). A row is born claimed by the request that stored it (`sending`,
  a fresh claim token).
- The listener's end marks it: `done`, or released with a back-off after an error (`pending`), or parked
  (`failed`) after `QUEUE.max_attempts`. The effects themselves are applied once by their own keys (the event's
  message ts, a command's request key, a modal's view id), so a row processed twice changes nothing twice.
- `claim` hands the sweep (at start and every few seconds) the rows nobody is finishing: pending ones that are
  due, and claims older than the lease (the process that held them died). Oldest first; two replicas never take
  the same row (`FOR UPDATE SKIP LOCKED`, and the claim token)."""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from store.clock import Clock
from store.db import Database
from store.models import InboxEntry
from store.services.work_queue import WorkQueue

QUEUE = WorkQueue(InboxEntry, lease=timedelta(seconds=20), max_attempts=5, backoff="exponential")
KEEP_DONE = timedelta(days=7)


@dataclass(frozen=True)
class Received:
    key: str
    token: str | None  # None: already done (a retry of a processed request): nothing to do


@dataclass(frozen=True)
class Stored:
    id: int
    key: str
    content_type: str
    body: str
    token: str
    attempts: int


@dataclass(frozen=True)
class Parked:
    kind: str
    error: str
    count: int


def _values(clock: Clock, team_id: str, key: str, kind: str, content_type: str, body: str) -> dict:
    now = clock.now()
    return dict(team_id=team_id[:32], key=key[:200], kind=kind[:40], content_type=content_type[:100], body=body,
                state="sending", attempts=1, claimed_at=now, claim_token=secrets.token_hex(8), next_attempt_at=now,
                received_at=now)


_COLUMNS = ("team_id", "key", "kind", "content_type", "body", "state", "attempts", "claimed_at", "claim_token",
            "next_attempt_at", "received_at")


def _binder(dialect, column: str):
    """How the model's own column type binds a value on this dialect (the UTC type: naive UTC text on SQLite)."""
    kind = InboxEntry.__table__.c[column].type
    return kind.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)


def _insert(db: Database):
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    return insert(InboxEntry).on_conflict_do_nothing(index_elements=["key"]).returning(InboxEntry.key)


def _seen_before(conn, clock: Clock, values: dict) -> Received:
    """A key stored already: a Slack retry (or a replay). Done: nothing more. Else this delivery takes it over."""
    token = secrets.token_hex(8)
    taken = conn.execute(update(InboxEntry).where(InboxEntry.key == values["key"], InboxEntry.state != "done")
                         .values(state="sending", claimed_at=clock.now(), claim_token=token,
                                 attempts=InboxEntry.attempts + 1))
    return Received(values["key"], token if taken.rowcount == 1 else None)


def receive(db: Database, clock: Clock, *, team_id: str, key: str, kind: str, content_type: str,
            body: str) -> Received:
    """Store one request before it is acknowledged; a retry of one already done gets no token."""
    values = _values(clock, team_id, key, kind, content_type, body)
    with db.write_core(urgent=True) as conn:  # Core, not an ORM session, ahead of background writers
        if conn.execute(_insert(db), [values]).first() is not None:
            return Received(values["key"], values["claim_token"])
        return _seen_before(conn, clock, values)


class Receiver:
    """Requests stored many at once (group commit), written by one thread of its own: whatever arrived
    while a batch was being written is the next batch, one INSERT … ON CONFLICT DO NOTHING RETURNING in one
    transaction. A thousand requests a second then cost a few dozen commits, and a request waits for at most
    two of them. `submit` does not wait: the bot stores a request while its listener starts, and holds the
    ack until the row is in (bot/inbox.py)."""

    IDLE = 1.0  # seconds without requests after which the writer thread ends (`submit` starts another)

    def __init__(self, db: Database, clock: Clock, *, most: int = 500) -> None:
        self.db, self.clock, self.most = db, clock, most
        self._queue: list[tuple[dict, Future]] = []
        self._cv = threading.Condition()
        self._thread: threading.Thread | None = None
        self._raw = None  # SQLite: the writer thread's own connection (`_fast`)
        self._binders: list | None = None  # and how each column's value is bound there

    def submit(self, *, team_id: str, key: str, kind: str, content_type: str, body: str) -> Future:
        """Queue one request for the next batch; the future gives its `Received` (or the write's error)."""
        done: Future = Future()
        with self._cv:
            self._queue.append((_values(self.clock, team_id, key, kind, content_type, body), done))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="inbox-writer", daemon=True)
                self._thread.start()
            self._cv.notify()
        return done

    def _run(self) -> None:
        while True:
            with self._cv:
                if not self._queue:
                    self._cv.wait(self.IDLE)
                if not self._queue:  # nothing came for a while: this thread ends
                    self._thread = None
                    self._close()
                    return
                batch, self._queue = self._queue[:self.most], self._queue[self.most:]
            self._write(batch)

    def _write(self, batch: list[tuple[dict, Future]]) -> None:
        try:
            if self.db.dialect == "sqlite":
                results = self._fast(batch)
            else:
                with self.db.write_core(urgent=True) as conn:  # an ack waits for it
                    stored = set(conn.execute(_insert(self.db), [v for v, _ in batch]).scalars())
                    results = [Received(v["key"], v["claim_token"]) if v["key"] in stored
                               else _seen_before(conn, self.clock, v) for v, _ in batch]
        except Exception as exc:  # noqa: BLE001 - each waiting request sees it (its ack then fails: Slack retries)
            self._close()
            for _v, done in batch:
                done.set_exception(exc)
            return
        for (_v, done), result in zip(batch, results):
            done.set_result(result)

    def _close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            raw.close()

    def _fast(self, batch: list[tuple[dict, Future]]) -> list[Received]:
        """SQLite: the whole batch is one statement (`_sqlite_statement`) on a connection of the writer thread's
        own. Keys stored before (a retry) are then looked at the general way."""
        if self._raw is None:
            self._raw = self.db.engine.raw_connection()
        if self._binders is None:
            self._binders = [_binder(self.db.engine.dialect, c) for c in _COLUMNS]
        rows = [tuple(bind(v[c]) for bind, c in zip(self._binders, _COLUMNS)) for v, _ in batch]
        sql = (f"INSERT INTO inbox ({', '.join(_COLUMNS)}) VALUES "
               + ", ".join(["(" + ", ".join("?" * len(_COLUMNS)) + ")"] * len(rows)) + " ON CONFLICT (key) DO NOTHING")
        added = _sqlite_statement(self.db, sql, [p for row in rows for p in row], urgent=True, raw=self._raw)
        if added != len(rows):  # some key was there: those rows are a retry's (the others are ours, committed)
            with self.db.write_core(urgent=True) as conn:
                ours = dict(conn.execute(select(InboxEntry.key, InboxEntry.claim_token)
                                         .where(InboxEntry.key.in_([v["key"] for v, _ in batch]))).all())
                return [Received(v["key"], v["claim_token"]) if ours.get(v["key"]) == v["claim_token"]
                        else _seen_before(conn, self.clock, v) for v, _ in batch]
        return [Received(v["key"], v["claim_token"]) for v, _ in batch]


def finish_many(db: Database, clock: Clock, tokens: list[str]) -> int:
    """Rows whose processing ended well, by their claim tokens (unique per claim), in one UPDATE per 500."""
    done = 0
    for i in range(0, len(tokens), 500):
        chunk = tokens[i:i + 500]
        if db.dialect == "sqlite":  # one statement in autocommit: the writer is held for the shortest time
            done += _sqlite_statement(db, "UPDATE inbox SET state = 'done', done_at = ?, claim_token = NULL "
                                      f"WHERE state = 'sending' AND claim_token IN ({', '.join('?' * len(chunk))})",
                                      [_binder(db.engine.dialect, "done_at")(clock.now()), *chunk])
            continue
        with db.write_core() as conn:
            done += conn.execute(update(InboxEntry)
                                 .where(InboxEntry.state == "sending", InboxEntry.claim_token.in_(chunk))
                                 .values(state="done", done_at=clock.now(), claim_token=None)).rowcount or 0
    return done


def _sqlite_statement(db: Database, sql: str, params: list, *, urgent: bool = False, raw=None) -> int:
    """One statement on SQLite in autocommit (its own transaction), holding this process's turn at the one
    writer only while SQLite runs it: the thread gives up Python's lock once, not once per BEGIN, statement
    and COMMIT (each time it may wait a switch interval for a busy listener to hand it back)."""
    conn = raw or db.engine.raw_connection()
    try:
        with db.writer_lock(urgent=urgent):
            cur = conn.cursor()
            try:
                cur.execute(sql, params)
                return cur.rowcount
            finally:
                cur.close()
    finally:
        if raw is None:
            conn.close()


def finish(db: Database, clock: Clock, key: str, token: str, error: str | None = None) -> bool:
    """The request's processing ended: done, or (after an unexpected error) retried later or parked."""
    now = clock.now()
    with db.write() as s:
        if error is None:
            values = {"state": "done", "done_at": now, "claim_token": None}
        else:
            attempts = s.scalar(select(InboxEntry.attempts).where(InboxEntry.key == key)) or 1
            values = QUEUE.released(attempts, error, now)
        done = s.execute(update(InboxEntry).where(InboxEntry.key == key, InboxEntry.claim_token == token,
                                                  InboxEntry.state == "sending").values(**values))
        return done.rowcount == 1


def claim(db: Database, clock: Clock, *, limit: int = 50) -> list[Stored]:
    """Rows nobody is finishing, oldest first: due retries and claims of processes that are gone. Looked for
    first without SQLite's one writer: nearly every sweep finds none, and an ack waits for that writer (its row's
    INSERT) while the sweep holds it (105 ms seen under load, while the holder waited for the interpreter)."""
    now, token = clock.now(), secrets.token_hex(8)
    with db.read() as s:
        if s.scalar(select(InboxEntry.id).where(QUEUE.claimable(now)).limit(1)) is None:
            return []
    with db.write() as s:
        rows = list(s.scalars(select(InboxEntry).where(QUEUE.claimable(now))
                              .order_by(InboxEntry.received_at, InboxEntry.id).limit(limit)
                              .with_for_update(skip_locked=True)))
        for row in rows:
            QUEUE.take(row, token, now)
        return [Stored(r.id, r.key, r.content_type, r.body, token, r.attempts) for r in rows]


def parked(db: Database, team_id: str) -> list[Parked]:
    """What failed for good in this workspace, grouped by kind and error (for `/lead settings inbox`)."""
    with db.read() as s:
        rows = s.execute(select(InboxEntry.kind, InboxEntry.last_error, func.count())
                         .where(InboxEntry.team_id == team_id, InboxEntry.state == "failed")
                         .group_by(InboxEntry.kind, InboxEntry.last_error)
                         .order_by(func.count().desc())).all()
        return [Parked(kind, error or "unknown", n) for kind, error, n in rows]


def counts(db: Database, team_id: str) -> dict[str, int]:
    with db.read() as s:
        return dict(s.execute(select(InboxEntry.state, func.count()).where(InboxEntry.team_id == team_id)
                              .group_by(InboxEntry.state)).all())


def retry_parked(db: Database, clock: Clock, team_id: str) -> int:
    """An admin asks for the parked rows to be tried again (after fixing what made them fail)."""
    with db.write() as s:
        return s.execute(update(InboxEntry).where(InboxEntry.team_id == team_id, InboxEntry.state == "failed")
                         .values(state="pending", attempts=0, next_attempt_at=clock.now(),
                                 claim_token=None)).rowcount or 0


def prune(db: Database, clock: Clock, *, batch: int = 5000) -> int:
    """Done rows older than KEEP_DONE go (in batches: one short transaction each)."""
    cutoff, gone = clock.now() - KEEP_DONE, 0
    while True:
        with db.write() as s:
            ids = list(s.scalars(select(InboxEntry.id).where(InboxEntry.state == "done", InboxEntry.done_at < cutoff)
                                 .limit(batch)))
            if not ids:
                return gone
            gone += s.execute(delete(InboxEntry).where(InboxEntry.id.in_(ids))).rowcount or 0
