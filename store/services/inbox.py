"""The inbox (issue 15): every request from Slack whose effect follows its ack is stored, raw, before the ack.

- `receive` is the one write on the ack path: an INSERT of the raw body keyed by the request's own key,
  `ON CONFLICT DO NOTHING` (a Slack retry of an event costs nothing more). The row is born claimed by the
  request that stored it (`sending`, a fresh claim token).
- The listener's end marks it: `done`, or released with a back-off after an error (`pending`), or parked
  (`failed`) after `QUEUE.max_attempts`. The effects themselves are applied once by their own keys (the event's
  message ts, a command's request key, a modal's view id), so a row processed twice changes nothing twice.
- `claim` hands the sweep (at start and every few seconds) the rows nobody is finishing: pending ones that are
  due, and claims older than the lease (the process that held them died). Oldest first; two replicas never take
  the same row (`FOR UPDATE SKIP LOCKED`, and the claim token)."""

from __future__ import annotations

import secrets
import threading
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
    """`receive` for many requests at once (group commit): requests arriving while a batch is being written
    wait for the next one, and each batch is one INSERT … ON CONFLICT DO NOTHING RETURNING in one transaction.
    A thousand requests a second then cost a few dozen commits, and each ack waits for at most two of them."""

    def __init__(self, db: Database, clock: Clock, *, most: int = 500) -> None:
        self.db, self.clock, self.most = db, clock, most
        self._queue: list[tuple[dict, list]] = []
        self._cv = threading.Condition()
        self._writing = False

    def receive(self, *, team_id: str, key: str, kind: str, content_type: str, body: str) -> Received:
        slot: list = []
        with self._cv:
            self._queue.append((_values(self.clock, team_id, key, kind, content_type, body), slot))
            while not slot:
                if not self._writing:  # nobody is writing: this request writes everything queued
                    self._writing = True
                    batch, self._queue = self._queue[:self.most], self._queue[self.most:]
                    self._cv.release()
                    try:
                        self._write(batch)
                    finally:
                        self._cv.acquire()
                        self._writing = False
                        self._cv.notify_all()
                else:
                    self._cv.wait()
        if isinstance(slot[0], BaseException):
            raise slot[0]
        return slot[0]

    def _write(self, batch: list[tuple[dict, list]]) -> None:
        try:
            with self.db.write_core(urgent=True) as conn:  # an ack waits for it
                stored = set(conn.execute(_insert(self.db), [v for v, _ in batch]).scalars())
                results = [Received(v["key"], v["claim_token"]) if v["key"] in stored
                           else _seen_before(conn, self.clock, v) for v, _ in batch]
        except Exception as exc:  # noqa: BLE001 - each waiting request sees it (its ack then fails: Slack retries)
            results = [exc] * len(batch)
        for (_v, slot), result in zip(batch, results):
            slot.append(result)


def finish_many(db: Database, clock: Clock, tokens: list[str]) -> int:
    """Rows whose processing ended well, by their claim tokens (unique per claim), in one UPDATE."""
    if not tokens:
        return 0
    with db.write_core() as conn:
        return conn.execute(update(InboxEntry).where(InboxEntry.state == "sending", InboxEntry.claim_token.in_(tokens))
                            .values(state="done", done_at=clock.now(), claim_token=None)).rowcount or 0


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
    """Rows nobody is finishing, oldest first: due retries and claims of processes that are gone."""
    now, token = clock.now(), secrets.token_hex(8)
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
