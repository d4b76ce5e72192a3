"""Acks before work: post-ack work waits (briefly) for requests that are still waiting for their ack.

One Python process serves every request with one interpreter lock, so ten listeners busy building
modals and calling Slack slow down the eleventh request's ack. Slack needs that ack within 3 seconds
and the person waits for it, while the work after an ack can start a few milliseconds later without
anyone noticing. So the HTTP layer records each request until its response has left, and a listener
that has acked yields to the requests still in that list, for at most `MAX_YIELD` seconds.
(Socket Mode sends acks over its own connection; nothing is recorded there and nobody waits.)
"""

from __future__ import annotations

import itertools
import threading
import time

MAX_YIELD = 0.1  # seconds a listener may wait after its ack
_STALE = 3.0  # a request older than this is no longer waited for


class AckFirst:
    def __init__(self, max_yield: float = MAX_YIELD) -> None:
        self.max_yield = max_yield
        self._pending: dict[int, float] = {}
        self._ids = itertools.count(1)
        self._cv = threading.Condition()

    def arrived(self) -> int:
        token = next(self._ids)
        with self._cv:
            self._pending[token] = time.monotonic()
        return token

    def answered(self, token: int) -> None:
        with self._cv:
            self._pending.pop(token, None)
            self._cv.notify_all()

    def yield_to_pending(self) -> None:
        """Called right after an ack: let requests still in flight (this one's response included) go first."""
        deadline = time.monotonic() + self.max_yield
        with self._cv:
            while True:
                now = time.monotonic()
                if not any(now - t < _STALE for t in self._pending.values()) or now >= deadline:
                    return
                self._cv.wait(deadline - now)


class YieldingAck:
    """Wraps Bolt's `ack`: acks, then yields to requests still waiting for theirs."""

    def __init__(self, ack, gate: AckFirst | None) -> None:
        self._ack, self._gate = ack, gate
        self.sent = False  # whether Slack has its answer: after that, work may wait for the Web API

    def __call__(self, *args, **kwargs):
        result = self._ack(*args, **kwargs)
        self.sent = True
        if self._gate is not None:
            self._gate.yield_to_pending()
        return result

    @property
    def response(self):
        return self._ack.response
