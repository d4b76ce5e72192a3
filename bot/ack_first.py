"""Acks before work: post-ack work waits (briefly) for requests that are still waiting for their ack.

One Python process serves every request with one interpreter lock, so ten listeners busy building
modals and calling Slack slow down the eleventh request's ack. Slack needs that ack within 3 seconds
and the person waits for it, while the work after an ack can start a few milliseconds later without
anyone noticing. So the HTTP layer records each request until its response has left, and a listener
that has acked yields to the requests still in that list, and until no request has arrived for `QUIET`
seconds (sixteen reps' commands reach the server over some 10 ms: the first answered must not start building
modals while the last are still being read), for at most `MAX_YIELD` seconds.
(Socket Mode sends acks over its own connection; nothing is recorded there and nobody waits.)

`AckSignal` is the other half: Bolt's request thread, having handed the listener to the executor, looks for its
ack every 10 ms (`time.sleep(0.01)` in its thread runner), so an ack given 1 ms after the listener started
left 9 ms later. The executor Bolt is given (`listener_executor`, its own extension point) instead returns from
`submit` when the listener has acked (or ended), so Bolt's first look finds the ack and the answer leaves at once.
Its pool is shared with work after acks (a `views.open` waiting on Slack, a listener yielding here): when every
worker is busy, a listener whose request waits for its ack starts on a reserve of threads instead of queueing
behind that work (sixteen listeners yielding to sixteen requests whose listeners queue behind them held a burst
for the whole `MAX_YIELD`, and then for the Web API calls).
"""

from __future__ import annotations

import itertools
import threading
import time
from concurrent.futures import Executor, Future

MAX_YIELD = 0.1  # seconds a listener may wait after its ack
QUIET = 0.01  # seconds since the newest arrival before post-ack work starts: a burst may still be arriving
_STALE = 3.0  # a request older than this is no longer waited for
ACK_WAIT = 3.0  # seconds `submit` waits for a listener's ack: Slack's own limit (Bolt then gives up too)
_serving = threading.local()  # a request thread: the context of the request it dispatches
_working = threading.local()  # a listener thread: the signal of the listener it runs


class AckFirst:
    def __init__(self, max_yield: float = MAX_YIELD, quiet: float = QUIET) -> None:
        self.max_yield, self.quiet = max_yield, quiet
        self._last = 0.0  # when the newest request arrived
        self._pending: dict[int, float] = {}
        self._ids = itertools.count(1)
        self._cv = threading.Condition()

    def arrived(self) -> int:
        token = next(self._ids)
        with self._cv:
            self._pending[token] = self._last = time.monotonic()
        return token

    def answered(self, token: int) -> None:
        with self._cv:
            self._pending.pop(token, None)
            self._cv.notify_all()

    def yield_to_pending(self, quiet: float | None = None) -> None:
        """Called right after an ack: let requests still in flight (this one's response included) go first.
        `quiet`: the seconds since the newest arrival to wait for instead of `self.quiet`."""
        deadline = time.monotonic() + self.max_yield
        quiet = self.quiet if quiet is None else quiet
        with self._cv:
            while True:
                now = time.monotonic()
                if now >= deadline:
                    return
                if any(now - t < _STALE for t in self._pending.values()):
                    self._cv.wait(deadline - now)
                elif now - self._last < quiet:  # a burst may still be arriving: its acks go first
                    self._cv.wait(min(deadline, self._last + quiet) - now)
                else:
                    return


class YieldingAck:
    """Wraps Bolt's `ack`: acks, then yields to requests still waiting for theirs."""

    def __init__(self, ack, gate: AckFirst | None) -> None:
        self._ack, self._gate = ack, gate
        self.sent = False  # whether Slack has its answer: after that, work may wait for the Web API

    def __call__(self, *args, **kwargs):
        result = self._ack(*args, **kwargs)
        self.sent = True
        acked()
        if self._gate is not None:
            self._gate.yield_to_pending()
        return result

    @property
    def response(self):
        return self._ack.response


class serving:
    """`with serving(req.context):` around a dispatch: this thread's listener hand-offs wait for that ack."""

    def __init__(self, context) -> None:
        self.context = context

    def __enter__(self) -> None:
        self.outer, _serving.context = getattr(_serving, "context", None), self.context

    def __exit__(self, *exc) -> None:
        _serving.context = self.outer


def acked() -> None:
    """The listener running on this thread has acked: the request thread may answer now."""
    signal = getattr(_working, "signal", None)
    if signal is not None:
        signal.set()


class AckSignal(Executor):
    """Bolt's listener executor: runs listeners on `pool` (`size` workers); a listener handed over while its request
    still waits for an ack (a command, a click, a submission) returns from `submit` once that ack is given or the
    listener has ended. Such a listener starts on `reserve` when all of `pool`'s workers are busy (and `reserve`
    has a free one of its `reserve_size`). Events, acked by Bolt before the hand-over, and work submitted from
    elsewhere don't wait, and always go to `pool`."""

    def __init__(self, pool: Executor, wait: float = ACK_WAIT, *, size: int = 0, reserve: Executor | None = None,
                 reserve_size: int = 0) -> None:
        self.pool, self.wait, self.size = pool, wait, size
        self.reserve, self.reserve_size = reserve, reserve_size if reserve is not None else 0
        self._busy = [0, 0]  # submitted and not finished: pool, reserve
        self._lock = threading.Lock()

    def submit(self, fn, /, *args, **kwargs) -> Future:
        context = getattr(_serving, "context", None)
        ack = context.get("ack") if context is not None else None
        if ack is None or ack.response is not None:
            return self._start(lambda: fn(*args, **kwargs), awaited=False)
        signal = threading.Event()

        def run():
            _working.signal = signal
            try:
                return fn(*args, **kwargs)
            finally:
                _working.signal = None
                signal.set()

        future = self._start(run, awaited=True)
        signal.wait(self.wait)
        return future

    def _start(self, work, *, awaited: bool) -> Future:
        with self._lock:
            which = int(awaited and self._busy[0] >= self.size and self._busy[1] < self.reserve_size)
            self._busy[which] += 1

        def counted():
            try:
                return work()
            finally:
                with self._lock:
                    self._busy[which] -= 1

        return (self.reserve if which else self.pool).submit(counted)  # type: ignore[union-attr]

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)
        if self.reserve is not None:
            self.reserve.shutdown(wait=wait, cancel_futures=cancel_futures)
