"""Routing queues and their members (the rotation's state lives here)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import ID, Base


class RoutingQueue(Base):
    """Where unowned leads go: a channel, members in rotation, a segment rule and a first-touch SLA."""

    __tablename__ = "routing_queue"
    __table_args__ = (UniqueConstraint("team_id", "name", name="uq_routing_queue_name"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(80))
    channel_id: Mapped[str] = mapped_column(String(32))
    segment: Mapped[str | None] = mapped_column(String(40))  # NULL: any segment
    sla_minutes: Mapped[int] = mapped_column(Integer, default=60)
    on_breach: Mapped[str] = mapped_column(String(16), default="notify")  # notify | reassign
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    routed: Mapped[int] = mapped_column(Integer, default=0)  # leads routed (the lock row's counter)


class QueueMember(Base):
    """A rep in a queue's rotation: smooth weighted round robin keeps `current` per member."""

    __tablename__ = "queue_member"
    queue_id: Mapped[int] = mapped_column(ForeignKey("routing_queue.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    weight: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[int] = mapped_column(Integer, default=0)
    position: Mapped[int] = mapped_column(Integer, default=0)
    assigned: Mapped[int] = mapped_column(Integer, default=0)  # leads given to them by this queue
