"""Slack posts owed by committed changes (lead cards and thread lines).

A change writes its outbox rows in the same transaction as the change itself, so a post can be late
but never lost. Delivery claims rows with a conditional UPDATE (one winner on SQLite and PostgreSQL,
however many bot processes run), and marks them sent only after Slack said ok.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import func, select, update

from store.clock import Clock
from store.db import Database
from store.dto import LeadSummary, OutboxItem
from store.models import Lead, Outbox
from store.services import home_refresh
from store.services.snapshots import lead_summary
from store.services.tenancy import active
from store.services.work_queue import WorkQueue

# A claim is renewed with every post it delivers (mark_sent), so a live deliverer never loses it, and a dead
# one's is taken over within the lease, not minutes later.
QUEUE = WorkQueue(Outbox, lease=timedelta(seconds=30), max_attempts=8, backoff="linear")
MAX_ATTEMPTS = QUEUE.max_attempts


def enqueue(s, lead: Lead, kind: str, now, *, payload: dict | None = None, channel_hint: str | None = None) -> None:
    """Owe Slack a post about the lead. Every change owes its card an edit, so this is also where the Homes
    that show the lead are owed a refresh (`home_refresh.lead_changed`)."""
    if kind == "card":
        home_refresh.lead_changed(s, lead, now)
    s.add(Outbox(team_id=lead.team_id, lead_id=lead.id, kind=kind, payload=payload, channel_hint=channel_hint,
                 state="pending", attempts=0, next_attempt_at=now, created_at=now))


def claim_lead(db: Database, clock: Clock, team_id: str, lead_id: int) -> tuple[str, LeadSummary, list[OutboxItem]] | None:
    """Claim everything owed for one lead; None when nothing is, or another process is delivering it.

    One deliverer per lead at a time keeps the card's edits in order (an older render never lands
    after a newer one). On PostgreSQL the lead row lock serialises claimers; SQLite serialises writers.
    """
    now = clock.now()
    token = secrets.token_hex(8)
    with db.write() as s:
        if s.bind.dialect.name == "postgresql":
            s.execute(select(Lead.id).where(Lead.team_id == team_id, Lead.id == lead_id).with_for_update())
        busy = (
            select(Outbox.id)
            .where(Outbox.lead_id == lead_id, Outbox.state == "sending", Outbox.claimed_at >= now - QUEUE.lease)
            .exists()
        )
        if s.scalar(select(busy)):
            return None
        s.execute(
            update(Outbox)
            .where(Outbox.team_id == team_id, Outbox.lead_id == lead_id, QUEUE.claimable(now))
            .values(**QUEUE.claimed(token, now))
            .execution_options(synchronize_session=False)
        )
        rows = s.scalars(select(Outbox).where(Outbox.claim_token == token).order_by(Outbox.id)).all()
        if not rows:
            return None
        items = [OutboxItem(r.id, r.kind, r.payload, r.channel_hint, r.attempts) for r in rows]
        return token, lead_summary(s, team_id, lead_id), items


def due_leads(db: Database, clock: Clock, *, limit: int = 200) -> list[tuple[str, int]]:
    """(team, lead) pairs with posts owed, oldest first: the sweep's work list."""
    now = clock.now()
    with db.read() as s:
        rows = s.execute(
            select(Outbox.team_id, Outbox.lead_id).where(QUEUE.claimable(now), active(Outbox.team_id)).group_by(Outbox.team_id, Outbox.lead_id)
            .order_by(func.min(Outbox.id)).limit(limit)
        ).all()
        return [(r.team_id, r.lead_id) for r in rows]


def card_posted(db: Database, team_id: str, lead_id: int, channel: str, ts: str, permalink: str | None,
                digest: str | None = None) -> None:
    with db.write() as s:
        s.execute(
            update(Lead).where(Lead.team_id == team_id, Lead.id == lead_id)
            .values(card_channel=channel, card_ts=ts, card_permalink=permalink, card_digest=digest)
        )


def shown_digest(db: Database, team_id: str, lead_id: int) -> str | None:
    """The digest of the card as Slack last took it (None: unknown): an equal render needs no edit."""
    with db.read() as s:
        return s.scalar(select(Lead.card_digest).where(Lead.team_id == team_id, Lead.id == lead_id))


def card_shown(db: Database, team_id: str, lead_id: int, digest: str) -> None:
    """Slack took an edit of the card: remember what it shows."""
    with db.write() as s:
        s.execute(update(Lead).where(Lead.team_id == team_id, Lead.id == lead_id).values(card_digest=digest))


def mark_sent(db: Database, clock: Clock, token: str, ids: list[int]) -> None:
    """These were posted; the rest of the claim is renewed (its holder is alive and at work)."""
    now = clock.now()
    with db.write() as s:
        if ids:
            s.execute(update(Outbox).where(Outbox.claim_token == token, Outbox.id.in_(ids))
                      .values(state="sent", sent_at=now))
        s.execute(update(Outbox).where(Outbox.claim_token == token, Outbox.state == "sending")
                  .values(claimed_at=now))


def release(db: Database, clock: Clock, token: str, ids: list[int], error: str, *, retry_in: float) -> None:
    """Give rows back for a later attempt (or give up after the queue's attempts, keeping the error)."""
    now = clock.now()
    with db.write() as s:
        for row in s.scalars(select(Outbox).where(Outbox.claim_token == token, Outbox.id.in_(ids),
                                                  Outbox.state == "sending")):  # never what was posted
            for column, value in QUEUE.released(row.attempts, error, now, retry_in=retry_in).items():
                setattr(row, column, value)
