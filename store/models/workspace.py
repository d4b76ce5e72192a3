"""What the CRM keeps about each installed workspace beyond its records: the audit log of roles and refusals,
the channels linked to customers, and the threads attached to leads from elsewhere."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from store.models.base import ID, Base


class AuditEntry(Base):
    """Who did what to whom, when: role changes, refusals, exports, erasures, installs and uninstalls."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_team_time", "team_id", "at"),)
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    at: Mapped[datetime]
    actor_id: Mapped[str] = mapped_column(String(32))  # a Slack user, or "slack" / "system"
    action: Mapped[str] = mapped_column(String(40))  # role.grant, role.revoke, refused, export, forget, …
    target: Mapped[str | None] = mapped_column(String(200))  # a user id, "contact #12", a command
    detail: Mapped[dict | None] = mapped_column(JSON)


class LinkedChannel(Base):
    """A channel (usually Slack Connect, shared with the customer) whose messages are an organization's
    history. `lead_id` is the lead whose card thread gets the day's summary line."""

    __tablename__ = "linked_channel"
    __table_args__ = (Index("ix_linked_channel_org", "team_id", "organization_id"),)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    channel_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))
    name: Mapped[str | None] = mapped_column(String(120))
    is_shared: Mapped[bool] = mapped_column(Boolean, default=False)
    linked_by: Mapped[str] = mapped_column(String(32))
    linked_at: Mapped[datetime]


class WatchedThread(Base):
    """A thread attached to a lead with "Attach to lead": its later replies are the lead's history."""

    __tablename__ = "watched_thread"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    thread_ts: Mapped[str] = mapped_column(String(32), primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    attached_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class Draft(Base):
    """Something a person started in Slack and finishes in a modal (the message a shortcut was used on):
    kept in the database, not in the modal, so any replica sees it and nothing is cut to fit. Kept a day."""

    __tablename__ = "draft"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
