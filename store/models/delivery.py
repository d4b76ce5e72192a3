"""What the bot owes Slack (outbox, notifications) and the keys that make effects happen once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import ID, Base


class Outbox(Base):
    """Slack posts owed by committed changes: delivered right after the commit, or by the sweep."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_pending", "state", "next_attempt_at"),
        Index("ix_outbox_lead", "lead_id", "state"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    kind: Mapped[str] = mapped_column(String(16))  # card | thread
    payload: Mapped[dict | None] = mapped_column(JSON)
    channel_hint: Mapped[str | None] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class IdempotencyKey(Base):
    """One row per effect that must happen once (a modal submission, a button click)."""

    __tablename__ = "idempotency_key"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime]


class Notification(Base):
    """A DM the bot owes someone (a nudge, an escalation, a digest): planned once under a unique key,
    claimed before it is sent, marked sent when Slack says ok. Its channel and ts let buttons edit it."""

    __tablename__ = "notification"
    __table_args__ = (
        UniqueConstraint("team_id", "key", name="uq_notification_key"),
        Index("ix_notification_pending", "state", "next_attempt_at"),
        Index("ix_notification_follow_up", "follow_up_id"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    kind: Mapped[str] = mapped_column(String(16))  # nudge | escalation | digest
    key: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str] = mapped_column(String(32))  # who receives it
    follow_up_id: Mapped[int | None] = mapped_column(ForeignKey("follow_up.id"))
    payload: Mapped[dict | None] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sending|sent|skipped|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim_token: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str | None] = mapped_column(String(32))
    ts: Mapped[str | None] = mapped_column(String(32))
    acted: Mapped[str | None] = mapped_column(String(200))  # what its buttons did, once
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
