"""Slack's requests as they came, stored before they are acknowledged (issue 15): what a crash between the
ack and the effect would otherwise lose is replayed from here."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import ID, Base


class InboxEntry(Base):
    """One request from Slack (an event callback, a slash command, a click, a modal submission), its raw body,
    and where its processing stands: sending (being processed: claimed by the process that received it) →
    done | pending (failed, retried after a back-off) → failed (parked after too many attempts)."""

    __tablename__ = "inbox"
    __table_args__ = (
        Index("uq_inbox_key", "key", unique=True),
        Index("ix_inbox_state", "state", "next_attempt_at"),
        Index("ix_inbox_team_state", "team_id", "state"),
        Index("ix_inbox_done", "done_at"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))  # the workspace the request came from ('' when none)
    key: Mapped[str] = mapped_column(String(200))  # event:<event_id> | command:<ts>:<sha256> | <type>:<sha256>
    kind: Mapped[str] = mapped_column(String(40))  # the event type, `command`, block_actions, view_submission …
    content_type: Mapped[str] = mapped_column(String(100))
    body: Mapped[str] = mapped_column(Text)  # the raw body, as signed
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    claimed_at: Mapped[datetime | None]
    claim_token: Mapped[str | None] = mapped_column(String(32))
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(200))
    received_at: Mapped[datetime]
    done_at: Mapped[datetime | None]
