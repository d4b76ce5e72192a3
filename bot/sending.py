"""Calling Slack at the pace it accepts: one pacer per Web API method, learned from its 429s.

Slack limits each method separately (chat.postMessage, views.publish and files.* have tiers of their own),
so a burst of Home refreshes must not slow the reminders down, nor the other way round. Calls go through
`paced`: the method's `Pacer` spaces them, and a 429 is read either as the method's limit (every call waits
`Retry-After`, then the pace is set just under what Slack accepted) or as the refusal of that one call (it
alone waits, or is set aside by the notifier while the rest go on). The pace probes upward while Slack
stays quiet, and lives as long as the notifier, so every sweep starts from what the last one learned.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

T = TypeVar("T")


@dataclass(frozen=True)
class Sent:
    """Where Slack put what was owed (a DM's channel and ts; a Home view has neither)."""

    channel: str | None = None
    ts: str | None = None


class RateLimited(Exception):
    """Slack kept answering 429 beyond every retry: hand the work back for later, never drop it."""


IN_A_ROW = 4  # refusals in a row that are the method's limit, not chance (5% random 429s: once in 160,000 calls)


class Pacer:
    """How fast one Web API method may be called, learned from Slack's 429s (thread-safe; `sleep` and
    `clock` injectable for tests).

    - **A refused call gives its slot back** and, alone, waits `Retry-After` (the notifier sets it aside,
      `Deferred`, and goes on): one refusal says nothing about the method (a channel's own limit, a storm).
    - **The method's limit** is several calls in a row refused: every call of the method then waits
      `Retry-After`, and the pace becomes `margin` × what Slack accepted over that window. A 429 with nothing
      accepted teaches nothing and cuts nothing. `good`, the best rate Slack has taken, drops by at most a
      tenth at the first such limit, and after a cut the pace climbs back to `margin` × `good` within
      seconds, so a chance run of refusals does not stick; a second limit within 30 s means the limit fell,
      and `good` becomes what Slack now takes.
    - **Probing**: after `probe` calm seconds the pace tries past `good`. If Slack took more, `good` is what
      it took and the next probe comes as soon, a bigger step; if not, the pace goes back under `good` and
      the next probe waits twice as long (up to `probe_max`). A rate learned while another process shared the
      limit so grows back once that process is done.
    """

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 margin: float = 0.98, probe: float = 20.0, probe_max: float = 120.0, step: float = 0.05) -> None:
        self.sleep, self.clock, self.margin = sleep, clock, margin
        self.probe_min, self.probe_max, self.step_min = probe, probe_max, step
        self.rate: float | None = None  # calls per second; None: as fast as Slack lets us
        self.good: float | None = None  # the best rate Slack has taken lately
        self._probe, self._step = probe, step
        self._probe_from: float | None = None  # when the probe under way began
        self._accepted: deque[float] = deque(maxlen=5000)
        self._refused_in_row = 0
        self._next = 0.0  # the next call's slot
        self._held_until = float("-inf")  # Retry-After of the method's limit
        self._calm_since = clock()  # the last limit, cut or probe (or the start)
        self._cut_at = float("-inf")
        self._fell_at = float("-inf")  # the last limit met below `good`
        self._lock = threading.Lock()
        self.limited = 0  # 429s seen
        self.limits = 0  # of which read as the method's limit

    def reserve(self) -> float:
        """Take the next call's slot: seconds to wait before making it."""
        with self._lock:
            now = self.clock()
            at = max(now, self._held_until)
            if self.rate is not None:
                at = max(at, self._next)
                self._next = at + 1 / self.rate
            return at - now

    def wait(self, stop: threading.Event | None = None) -> None:
        delay = self.reserve()
        if delay > 0:
            if stop is not None:
                stop.wait(delay)
            else:
                self.sleep(delay)

    def _taken(self, now: float, window: float) -> float:
        """Calls per second Slack accepted over the last `window` seconds."""
        return sum(1 for t in self._accepted if t > now - window) / window

    def sent(self) -> None:
        """Slack accepted a call."""
        with self._lock:
            now = self.clock()
            self._accepted.append(now)
            self._refused_in_row = 0
            if self.rate is None or self.good is None:
                return
            aim, calm = self.margin * self.good, now - self._calm_since
            if self._probe_from is not None:  # a probe is on: judge it once it has run long enough to tell
                span = now - self._probe_from
                if span < max(2.0, 40 / self.good):
                    return
                taken = self._taken(now, span)
                self._probe_from = None
                self._calm_since = now
                if taken > self.good * (1 + self._step / 2):  # Slack took more: that is the new best
                    self.good, self._probe, self._step = taken, self.probe_min, min(0.5, 2 * self._step)
                    self.rate = self.margin * taken
                else:  # it did not: back under the best, and probe less often
                    self.rate, self._probe, self._step = aim, min(self.probe_max, 2 * self._probe), self.step_min
            elif self.rate < aim and calm >= 1:  # after a cut: back to what Slack took, within seconds
                self.rate = min(aim, self.rate + max(0.5 * (aim - self.rate), 0.05 * self.good))
                self._calm_since = now
            elif calm >= self._probe:  # calm for a while: try past the best Slack took
                self.rate = self.good * (1 + self._step)
                self._probe_from = now

    def refused(self, retry_after: float) -> bool:
        """Slack answered 429. True when it is the method's limit (every call now waits `retry_after`);
        False when only the refused call should wait."""
        with self._lock:
            now = self.clock()
            self.limited += 1
            self._refused_in_row += 1
            if self.rate is not None and self._refused_in_row == 1:  # a lone refusal used none of the allowance
                self._next = max(now, self._next - 1 / self.rate)
            if retry_after <= 0 or self._refused_in_row < IN_A_ROW:
                return False
            window = max(1.0, retry_after)
            self._held_until = max(self._held_until, now + retry_after)
            self._calm_since = now + retry_after
            if now - self._cut_at < window:
                return True  # the same limit answered again: learn from it once
            self._cut_at = now
            self.limits += 1
            taken = self._taken(now, window)
            if taken <= 0:
                return True
            if self.good is None:  # the first limit: what Slack took until it said stop
                self.good = taken
            elif self._probe_from is not None:  # a probe met the limit: back under the best Slack took
                self._probe_from = None
                self._probe, self._step = min(self.probe_max, 2 * self._probe), self.step_min
                self.good = taken = max(self.good, taken)
            elif now - self._fell_at < 30:  # met again within seconds, below the best: the limit fell
                self.good = taken
            else:  # met below the best Slack took: the limit fell, or a chance run of refusals
                self.good = max(taken, 0.9 * self.good)
                self._fell_at = now
            self.rate = self.margin * taken
            return True

    def rate_limited(self, retry_after: float) -> None:
        """A 429 waited out by the client itself (a call outside `paced`): the pace hears of it."""
        self.refused(retry_after)


class Pacers:
    """One pacer per Web API method (`chat.postMessage`, `views.publish`, …), made on first use."""

    def __init__(self, make: Callable[[], Pacer] = Pacer) -> None:
        self._make = make
        self._by_method: dict[str, Pacer] = {}
        self._lock = threading.Lock()

    def get(self, method: str) -> Pacer:
        with self._lock:
            pacer = self._by_method.get(method)
            if pacer is None:
                pacer = self._by_method[method] = self._make()
            return pacer

    def __getitem__(self, method: str) -> Pacer:
        return self.get(method)


def method_of(url: str) -> str:
    """`https://slack.com/api/chat.postMessage?x` → `chat.postMessage`."""
    return url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def retry_after_of(headers) -> float:
    """Seconds from a 429's `Retry-After` (1 when it is missing or unreadable)."""
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), "1")
    try:
        return max(0.0, float(value[0] if isinstance(value, list) else value))
    except (TypeError, ValueError):
        return 1.0


_own = threading.local()  # set while `paced` makes a call: its 429s are the pacer's to handle


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """Bolt's 429 handler, but the wait is exactly Retry-After and the method's pacer hears about it. A call
    made through `paced` is not retried here: `paced` decides whether it waits or is set aside."""

    def __init__(self, pacers: Pacers, max_retry_count: int = 3, stop: threading.Event | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacers, self.stop = pacers, stop

    def _can_retry(self, *, state: RetryState, request: HttpRequest, response: HttpResponse | None = None,
                   error: Exception | None = None) -> bool:
        return not getattr(_own, "active", False) and super()._can_retry(
            state=state, request=request, response=response, error=error)

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        retry_after = retry_after_of(response.headers)
        self.pacers.get(method_of(request.url)).rate_limited(retry_after)
        state.next_attempt_requested = True
        if self.stop is not None:
            self.stop.wait(retry_after)
        else:
            time.sleep(retry_after)
        state.increment_current_attempt()


class Deferred(RateLimited):
    """Slack refused this one call for `retry_after` seconds while the method's pace holds: set it aside
    (claimed) and go on with the next; it is tried again when its wait is over."""

    def __init__(self, method: str, retry_after: float) -> None:
        super().__init__(method)
        self.retry_after = retry_after


def paced(pacers: Pacers, method: str, call: Callable[[], T], stop: threading.Event | None = None,
          *, tries: int = 20, defer: bool = False) -> T:
    """One Web API call at the method's pace. A 429 that is the method's limit is waited out with every
    other call of the method; one that is the call's alone is waited out by this call, or raised as
    `Deferred` when `defer` (the caller has other work to do meanwhile). After `tries` 429s: `RateLimited`,
    and the caller keeps the work for later."""
    pacer = pacers.get(method)
    for _ in range(tries):
        pacer.wait(stop)
        _own.active = True
        try:
            result = call()
        except SlackApiError as exc:
            if exc.response.status_code != 429 or (stop is not None and stop.is_set()):
                raise
            retry_after = retry_after_of(exc.response.headers)
            if pacer.refused(retry_after):
                continue  # the method's limit: the next wait() holds for Retry-After
            if defer:
                raise Deferred(method, retry_after) from None
            if stop is not None:
                stop.wait(retry_after)
            else:
                pacer.sleep(retry_after)
            continue
        finally:
            _own.active = False
        pacer.sent()
        return result
    raise RateLimited(method)
