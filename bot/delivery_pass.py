"""One delivery pass of the notifier: what is owed is claimed a batch at a time and sent by a few threads at once.

Slack answers a post in tens to hundreds of milliseconds, and each DM also reads and writes the database, so
one sender alone would stay far under the rate Slack allows. `CRM_SENDERS` threads share the pass; the pacer
(`bot/sending.py`, one per Web API method, thread-safe) keeps them together under Slack's limit.

- **Claims**: a batch is claimed when the last one is used up, about `CLAIM_SECONDS` of this pass's sending
  (at most `batch`), so a process that Slack paces slowly holds little while a faster one runs out of work.
  Every claim still held is renewed as the pass goes (`RENEW_EVERY`), so it never outlives its lease while
  this process is at work on it (another process would take it over and send it again). What another
  process took over meanwhile is dropped.
- **Set aside**: a DM Slack refused on its own (a 429 that is not the method's limit) waits out its
  Retry-After here, still claimed, while the others go on; after `MAX_DEFERRALS` it waits in place instead.
- **The end**: when the budget is spent or the bot stops, what was claimed and not sent is handed back.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from bot.sending import Deferred
from store.dto import Owed
from store.services import nudges

log = logging.getLogger(__name__)

RENEW_EVERY = nudges.LEASE / 4  # a claim is renewed this often (on the CRM's clock) while its DMs are sent
MAX_DEFERRALS = 10  # times one DM is set aside for its own 429; then it waits in place like any call
IDLE = 0.05  # seconds an idle sender waits for a DM set aside by another to come due
TICK = 1.0  # seconds between looks at the claims' age (renewed when RENEW_EVERY has passed on the CRM's clock)
CLAIM_SECONDS = 2.0  # a claim takes about what this pass sends in that time: a slow process holds little


class DeliveryPass:
    """The claimed DMs of one pass, shared by its sender threads (all state under one lock)."""

    def __init__(self, crm, deliver: Callable[..., bool], stop: threading.Event, *, batch: int,
                 budget: float | None) -> None:
        self.crm, self.deliver, self.stop, self.batch = crm, deliver, stop, batch
        self.deadline = None if budget is None else time.monotonic() + budget
        self.lock = threading.Lock()
        self.todo: deque[Owed] = deque()
        self.later: list[tuple[float, int, Owed]] = []  # set aside: (when it may go, order, the DM)
        self.set_aside: dict[int, int] = {}  # notification id → times set aside
        self.renewed: dict[str, object] = {}  # claim token → when it was last renewed (the CRM's clock)
        self.order = itertools.count()
        self.sending: dict[int, Owed] = {}  # being sent right now, by notification id (renewed too)
        self.sent = 0
        self.accepted: deque[float] = deque(maxlen=4096)  # when Slack took each DM (monotonic)
        self.senders = 1
        self.drained = False  # the last claim found nothing
        self.done = threading.Event()

    def run(self, senders: int) -> int:
        """Send until nothing is due, the budget is spent or the bot stops; returns the DMs Slack accepted."""
        self.senders = max(1, senders)
        helpers = [threading.Thread(target=self._work, name=f"notifier-{i}", daemon=True)
                   for i in range(1, max(1, senders))]
        keeper = threading.Thread(target=self._keep_claims, name="notifier-claims", daemon=True)
        for t in [*helpers, keeper]:
            t.start()
        try:
            self._work()
        finally:
            for t in helpers:
                t.join()
            self.done.set()
            keeper.join()
            with self.lock:
                rest = [*self.todo, *(entry[2] for entry in self.later)]
                self.todo.clear()
                self.later.clear()
            for owed in rest:  # hand back what this pass did not get to
                nudges.unclaim(self.crm.db, owed)
        return self.sent

    def _over(self) -> bool:
        return self.stop.is_set() or (self.deadline is not None and time.monotonic() > self.deadline)

    def _work(self) -> None:
        while True:
            item = self._next()
            if item is None:
                return
            try:
                sent = self.deliver(item, defer=self.set_aside.get(item.id, 0) < MAX_DEFERRALS)
            except Deferred as wait:
                with self.lock:
                    del self.sending[item.id]
                    self.set_aside[item.id] = self.set_aside.get(item.id, 0) + 1
                    heapq.heappush(self.later, (time.monotonic() + wait.retry_after, next(self.order), item))
                continue
            except BaseException:
                with self.lock:
                    del self.sending[item.id]
                raise
            with self.lock:
                del self.sending[item.id]
                self.sent += sent
                if sent:
                    self.accepted.append(time.monotonic())

    def _next(self) -> Owed | None:
        """The next DM to send; None when the pass is over for this sender."""
        while not self._over():
            with self.lock:
                now = time.monotonic()
                item = None
                if self.later and self.later[0][0] <= now:
                    item = heapq.heappop(self.later)[2]
                elif self.todo:
                    item = self.todo.popleft()
                if item is not None:
                    self.sending[item.id] = item
                    return item
                if not self.drained:
                    fresh = nudges.claim(self.crm.db, self.crm.clock, limit=self._claim_size(now))
                    if fresh:
                        self.todo.extend(fresh)
                        self.renewed[fresh[0].token] = self.crm.clock.now()
                        continue
                    self.drained = True  # later DMs set aside still go; new work waits for the next pass
                if not self.later:
                    return None
                delay = self.later[0][0] - now
            self.stop.wait(min(IDLE if delay > IDLE else delay, 1.0))
        return None

    def _claim_size(self, now: float) -> int:
        """About CLAIM_SECONDS of this pass's recent sending; two rounds of the senders before it has any."""
        recent = sum(1 for t in self.accepted if t > now - CLAIM_SECONDS)
        wanted = recent if recent and self.accepted[0] <= now - CLAIM_SECONDS else 2 * self.senders
        return max(self.senders, min(self.batch, wanted))

    def _keep_claims(self) -> None:
        """Beside the senders: renew the claims as they age, even while every sender waits out a long 429."""
        while not self.done.wait(TICK):
            try:
                with self.lock:
                    self._renew()
            except Exception:  # noqa: BLE001 - the database away for a moment: try again at the next tick
                log.warning("renewing the notifier's claims failed", exc_info=True)

    def _renew(self) -> None:
        """Renew the claims whose turn has come; drop what was taken over meanwhile (not ours to send)."""
        now = self.crm.clock.now()
        for token in [t for t, at in self.renewed.items() if now - at >= RENEW_EVERY]:
            held_here = [*self.todo, *(e[2] for e in self.later), *self.sending.values()]
            mine = [o.id for o in held_here if o.token == token]
            if not mine:
                del self.renewed[token]  # all of it sent
                continue
            held = nudges.renew(self.crm.db, self.crm.clock, token, mine)
            self.renewed[token] = now
            lost = set(mine) - held
            if lost:
                log.warning("notifications %s were taken over while queued here: left to their new holder",
                            sorted(lost))
                kept = [o for o in self.todo if o.id not in lost]
                self.todo.clear()
                self.todo.extend(kept)
                self.later[:] = [e for e in self.later if e[2].id not in lost]
                heapq.heapify(self.later)
