"""Calling Slack at the pace it accepts: one pacer per Web API method, learned from its 429s.

Slack limits each method separately (chat.postMessage, views.publish and files.* have tiers of their own),
so a burst of Home refreshes must not slow the reminders down, nor the other way round. The notifier's
client waits out a 429 (`PacedRateLimitHandler`) and tells the pacer of that method, which then spaces the
following calls a little under the rate Slack just allowed and speeds up again while Slack stays quiet.
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


class Pacer:
    """Spacing between sends, learned from Slack's 429s (thread-safe; `sleep` injectable for tests)."""

    def __init__(self, *, sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
                 margin: float = 0.95) -> None:
        self.sleep, self.clock, self.margin = sleep, clock, margin
        self.rate: float | None = None  # sends per second; None: as fast as Slack lets us
        self._sent: deque[float] = deque(maxlen=2000)
        self._next = 0.0
        self._quiet_since = 0.0
        self._adjusted_at = float("-inf")
        self._lock = threading.Lock()
        self.limited = 0  # 429s seen

    def wait(self, stop: threading.Event | None = None) -> None:
        with self._lock:
            now = self.clock()
            if self.rate is None:
                return
            at = max(self._next, now)
            self._next = at + 1 / self.rate
            delay = at - now
        if delay > 0:
            if stop is not None:
                stop.wait(delay)
            else:
                self.sleep(delay)

    def sent(self) -> None:
        with self._lock:
            now = self.clock()
            self._sent.append(now)
            if self.rate is not None and now - self._quiet_since > 30:
                self.rate *= 1.05  # Slack has been quiet for 30 s: try a little faster
                self._quiet_since = now

    def rate_limited(self, retry_after: float) -> None:
        """Slack said 429: aim just under what it accepted over the last window."""
        with self._lock:
            now = self.clock()
            self.limited += 1
            window = max(1.0, retry_after)
            self._next = max(self._next, now + retry_after)
            self._quiet_since = now + retry_after
            if retry_after <= 0 or now - self._adjusted_at < window:
                return  # no wait asked for, or the same overshoot answered twice: adjust once per window
            self._adjusted_at = now
            accepted = sum(1 for t in self._sent if t > now - window) / window
            if accepted == 0:
                self.rate = (self.rate or 2.0) * 0.5
            elif self.rate is None or self.margin * accepted < self.rate:
                self.rate = self.margin * accepted
            else:
                self.rate *= self.margin
            self.rate = max(self.rate, 0.2)


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


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """Bolt's 429 handler, but the wait is exactly Retry-After and the method's pacer hears about it."""

    def __init__(self, pacers: Pacers, max_retry_count: int = 3, stop: threading.Event | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacers, self.stop = pacers, stop

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        try:
            retry_after = float(header[0] if isinstance(header, list) else header)
        except ValueError:
            retry_after = 1.0
        self.pacers.get(method_of(request.url)).rate_limited(retry_after)
        state.next_attempt_requested = True
        if self.stop is not None:
            self.stop.wait(retry_after)
        else:
            time.sleep(retry_after)
        state.increment_current_attempt()


def paced(pacers: Pacers, method: str, call: Callable[[], T], stop: threading.Event | None = None,
          *, tries: int = 20) -> T:
    """One Web API call at the method's pace; 429s beyond the client's own retries are waited out and tried
    again (`tries` in all), then `RateLimited`: the caller keeps the work for later."""
    pacer = pacers.get(method)
    for _ in range(tries):
        pacer.wait(stop)
        try:
            result = call()
        except SlackApiError as exc:
            if exc.response.status_code != 429 or (stop is not None and stop.is_set()):
                raise
            continue
        pacer.sent()
        return result
    raise RateLimited(method)
