"""Sends the DMs the sweeps planned (nudges, escalations, digests): claimed, paced, marked sent once.

Pacing: Slack answers too many `chat.postMessage` calls with 429 and `Retry-After`. The notifier's client
waits that out and retries (a `RateLimitErrorRetryHandler` that also tells the pacer), and the pacer then
spaces the following sends a little under the rate Slack just allowed, so a sweep of thousands of DMs runs
near the limit instead of bouncing off it. It speeds up again while Slack stays quiet.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.handler import RetryState
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse

from bot import people
from bot.crm import Crm
from bot.views import assignment_dm, history, reminder_dm
from store.dto import Owed
from store.services import leads, nudges

log = logging.getLogger(__name__)

# Slack errors that no retry will fix: the person cannot receive the DM.
PERMANENT = {"user_not_found", "account_inactive", "cannot_dm_bot", "user_disabled", "channel_not_found",
             "not_allowed_token_type", "invalid_auth", "missing_scope", "is_archived"}


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


class PacedRateLimitHandler(RateLimitErrorRetryHandler):
    """Bolt's 429 handler, but the wait is exactly Retry-After and the pacer hears about it."""

    def __init__(self, pacer: Pacer, max_retry_count: int = 3, stop: threading.Event | None = None) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.pacer, self.stop = pacer, stop

    def prepare_for_next_attempt(self, *, state: RetryState, request: HttpRequest,
                                 response: HttpResponse | None = None, error: Exception | None = None) -> None:
        if response is None:
            raise error  # type: ignore[misc]
        header = next((v for k, v in response.headers.items() if k.lower() == "retry-after"), ["1"])
        try:
            retry_after = float(header[0] if isinstance(header, list) else header)
        except ValueError:
            retry_after = 1.0
        self.pacer.rate_limited(retry_after)
        state.next_attempt_requested = True
        if self.stop is not None:
            self.stop.wait(retry_after)
        else:
            time.sleep(retry_after)
        state.increment_current_attempt()


def build_notifier_client(crm: Crm, pacer: Pacer, stop: threading.Event | None = None) -> WebClient:
    s = crm.settings
    client = WebClient(token=s.slack_bot_token, base_url=s.slack_api_url, timeout=15)
    client.retry_handlers.append(PacedRateLimitHandler(pacer, max_retry_count=3, stop=stop))
    return client


class Notifier:
    def __init__(self, crm: Crm, client: WebClient, pacer: Pacer, stop: threading.Event | None = None) -> None:
        self.crm, self.client, self.pacer = crm, client, pacer
        self.stop = stop or threading.Event()

    def deliver_due(self, *, batch: int = 50, budget: float | None = None) -> int:
        """Send what is owed, batch by batch, until nothing is due, the budget (seconds) is spent or the
        bot stops. Returns how many DMs Slack accepted."""
        started, sent = time.monotonic(), 0
        while not self.stop.is_set():
            owed = nudges.claim(self.crm.db, self.crm.clock, limit=batch)
            if not owed:
                break
            for i, item in enumerate(owed):
                if self.stop.is_set() or (budget is not None and time.monotonic() - started > budget):
                    for rest in owed[i:]:  # hand back what this sweep will not get to
                        nudges.unclaim(self.crm.db, rest)
                    return sent
                sent += self.deliver(item)
        return sent

    def deliver(self, owed: Owed) -> bool:
        crm = self.crm
        try:
            message = self._render(owed)
            if message is None:
                nudges.skip(crm.db, owed, "nothing to say any more")
                return False
            text, blocks = message
            for _ in range(20):  # 429s beyond the client's own retries: wait them out, never drop
                self.pacer.wait(self.stop)
                try:
                    resp = self.client.chat_postMessage(channel=owed.user_id, text=text,
                                                        blocks=[b.to_dict() for b in blocks], unfurl_links=False)
                    break
                except SlackApiError as exc:
                    if exc.response.status_code != 429 or self.stop.is_set():
                        raise
            else:
                nudges.release(crm.db, crm.clock, owed, "rate limited", retry_in=timedelta(seconds=30))
                return False
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            log.warning("DM %s (%s) to %s failed: %s", owed.id, owed.kind, owed.user_id, error)
            nudges.release(crm.db, crm.clock, owed, error, permanent=error in PERMANENT)
            return False
        except Exception as exc:  # noqa: BLE001 - a network error or a bug: keep it for the next sweep
            log.exception("DM %s (%s) failed", owed.id, owed.kind)
            nudges.release(crm.db, crm.clock, owed, type(exc).__name__)
            return False
        self.pacer.sent()
        if not nudges.mark_sent(crm.db, crm.clock, owed, resp.get("channel"), resp.get("ts")):
            log.warning("DM %s was sent but its claim had been taken over (slow send)", owed.id)
        return True

    def _render(self, owed: Owed):
        crm, now = self.crm, self.crm.clock.now()
        tz = people.member(self.client, crm, owed.team_id, owed.user_id).tz
        if owed.kind == "nudge":
            data = nudges.nudge_data(crm.db, owed)
            return reminder_dm.nudge_message(data, owed.id, tz, now) if data else None
        if owed.kind == "escalation":
            overdue = nudges.overdue_of(crm.db, crm.clock, owed.team_id, owed.payload.get("owner", ""))
            return reminder_dm.escalation_message(owed.payload["owner"], overdue, tz, now) if overdue.items else None
        if owed.kind == "digest":
            overdue, today = nudges.digest_data(crm.db, crm.clock, owed.team_id, owed.user_id, tz)
            return reminder_dm.digest_message(overdue, today, tz, now) if overdue.items or today.items else None
        if owed.kind == "sla_breach":
            p = owed.payload
            lead = leads.get_lead(crm.db, owed.team_id, int(p["lead_id"]))
            return assignment_dm.breach_dm(lead, p.get("owner"), p.get("minutes"), p.get("reassigned_to"), tz)
        if owed.kind == "follow":
            lead = leads.get_lead(crm.db, owed.team_id, int(owed.payload["lead_id"]))
            return history.follow_dm(lead, owed.payload.get("changes") or [], tz)
        raise ValueError(f"unknown notification kind {owed.kind}")
