"""One claim / lease / retry / back-off rule for everything the bot owes Slack.

Two tables hold such work: `outbox` (card posts and edits, thread lines, assignment DMs; claimed per lead)
and `notification` (nudges, digests, escalations, follower DMs; claimed in batches). Both rows carry
`state` (pending → sending → sent | skipped | failed), `attempts`, `claim_token`, `claimed_at`,
`next_attempt_at` and `last_error`, and both follow the rules here:

- a row is **claimable** when it is pending and due, or when its claim is older than the lease (the
  process that held it died): claiming sets a random token, and only the token's holder may finish it;
- a failed send is **released** with a back-off, or marked failed after `max_attempts` (or at once for a
  permanent error), keeping the last error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_


@dataclass(frozen=True)
class WorkQueue:
    model: type  # Outbox or Notification
    lease: timedelta  # a claim older than this is taken over
    max_attempts: int
    backoff: str = "linear"  # linear: retry_in × attempts; exponential: 15 s doubling, at most an hour

    def due(self, now: datetime):
        m = self.model
        return and_(m.state == "pending", m.next_attempt_at <= now)

    def stale(self, now: datetime):
        m = self.model
        return and_(m.state == "sending", m.claimed_at < now - self.lease)

    def claimable(self, now: datetime):
        return or_(self.due(now), self.stale(now))

    def claimed(self, token: str, now: datetime) -> dict:
        """Column values of a claim (for an UPDATE; `take` does the same to loaded rows)."""
        return {"state": "sending", "claimed_at": now, "claim_token": token, "attempts": self.model.attempts + 1}

    def take(self, row, token: str, now: datetime) -> None:
        row.state, row.claim_token, row.claimed_at, row.attempts = "sending", token, now, row.attempts + 1

    def released(self, attempts: int, error: str, now: datetime, *, retry_in: float | None = None,
                 permanent: bool = False) -> dict:
        """Column values after a failed attempt: pending again after the back-off, or failed for good."""
        if permanent or attempts >= self.max_attempts:
            return {"state": "failed", "claim_token": None, "last_error": error[:200]}
        if self.backoff == "linear":
            wait = timedelta(seconds=(retry_in if retry_in is not None else 15) * attempts)
        else:
            wait = timedelta(seconds=retry_in) if retry_in is not None else timedelta(
                seconds=min(3600, 15 * 2 ** (attempts - 1)))
        return {"state": "pending", "claim_token": None, "last_error": error[:200], "next_attempt_at": now + wait}
