"""Workspaces, people, organizations, contacts, leads and their history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from store.models.base import ID, Base
from store.text import compact_key


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (Index("uq_team_intake_token", "intake_token_hash", unique=True),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    pipeline: Mapped[str] = mapped_column(String(32), default="lifecycle")
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    # OAuth: when the app was (last) installed and uninstalled; an uninstalled team's work stops at once and
    # its data is purged PURGE_AFTER later unless the app is installed again.
    installed_at: Mapped[datetime | None]
    uninstalled_at: Mapped[datetime | None]
    # SHA-256 of the workspace's intake token (POST /intake/leads finds the team from it).
    intake_token_hash: Mapped[str | None] = mapped_column(String(64))


class PipelineStatus(Base):
    """The statuses a workspace uses, in order, each with a meaning a rep can read."""

    __tablename__ = "pipeline_status"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    meaning: Mapped[str] = mapped_column(String(150))
    position: Mapped[int] = mapped_column(Integer)
    is_closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Member(Base):
    """A Slack user known to the CRM; the time zone is cached from users.info."""

    __tablename__ = "member"
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    tz: Mapped[str] = mapped_column(String(64), default="UTC")
    locale: Mapped[str | None] = mapped_column(String(16))  # Slack's (`ko-KR`): the language they are written to in
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    role: Mapped[str] = mapped_column(String(16), default="rep")
    manager_id: Mapped[str | None] = mapped_column(String(32))
    away_until: Mapped[datetime | None]  # routing skips them until then (far future: until they say back)
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    digest_time: Mapped[str] = mapped_column(String(5), default="09:00", server_default="09:00")  # local HH:MM
    fetched_at: Mapped[datetime]
    # Availability from Slack, cached: the profile's status (from users.info and user_change events) and
    # the end of a do-not-disturb span covering now (dnd.info, dnd_updated_user events).
    status_text: Mapped[str | None] = mapped_column(String(150))
    status_emoji: Mapped[str | None] = mapped_column(String(100))
    status_expires_at: Mapped[datetime | None]
    dnd_until: Mapped[datetime | None]
    dnd_checked_at: Mapped[datetime | None]


class Organization(Base):
    __tablename__ = "organization"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_organization_team_name"),
        Index("ix_organization_team_domain", "team_id", "domain"),
        Index("ix_organization_team_kind", "team_id", "kind"),
        Index("ix_organization_team_compact", "team_id", "compact_key"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))  # lower-cased, whitespace-collapsed
    compact_key: Mapped[str | None] = mapped_column(String(200))  # name_key without spaces (set with it)
    domain: Mapped[str | None] = mapped_column(String(255))
    segment: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[str | None] = mapped_column(String(40))
    decision_authority: Mapped[str | None] = mapped_column(String(40))  # alone | internal | external
    approver: Mapped[str | None] = mapped_column(String(200))  # who signs off, when someone else must
    source: Mapped[str | None] = mapped_column(String(40))
    tags: Mapped[list] = mapped_column(JSON, default=list)
    owner_id: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime]
    # When to reach them: their zone (NULL: the workspace's), the weekdays they take calls ("1111100" is
    # Monday to Friday; NULL: any day), the hours (local HH:MM, NULL: open) and what a rep should know.
    tz: Mapped[str | None] = mapped_column(String(64))
    contact_days: Mapped[str | None] = mapped_column(String(7))
    contact_from: Mapped[str | None] = mapped_column(String(5))
    contact_to: Mapped[str | None] = mapped_column(String(5))
    contact_note: Mapped[str | None] = mapped_column(String(300))

    contacts: Mapped[list[Contact]] = relationship(back_populates="organization", order_by="Contact.id")

    @validates("name_key")
    def _keep_compact_key(self, _key: str, value: str) -> str:
        """Korean names are written with and without their spaces (`부산 베이커리`, `부산베이커리`): the search
        key without them is kept beside the name's own."""
        self.compact_key = compact_key(value) if value is not None else None
        return value


class Contact(Base):
    __tablename__ = "contact"
    __table_args__ = (
        Index("ix_contact_team_email", "team_id", "email_key"),
        Index("ix_contact_team_name", "team_id", "name_key"),
        Index("ix_contact_org", "organization_id"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    name_key: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    email_key: Mapped[str | None] = mapped_column(String(320))
    phone: Mapped[str | None] = mapped_column(String(64))
    notes: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    erased_at: Mapped[datetime | None]  # `/lead forget`: the personal data is gone, this tombstone stays

    organization: Mapped[Organization] = relationship(back_populates="contacts")


class Lead(Base):
    __tablename__ = "lead"
    __table_args__ = (
        Index("ix_lead_team_owner_open", "team_id", "owner_id", "is_open"),
        Index("ix_lead_team_status", "team_id", "status", "status_since"),
        Index("ix_lead_team_open_since", "team_id", "is_open", "status_since"),
        Index("ix_lead_team_org", "team_id", "organization_id"),
        Index("ix_lead_card", "card_channel", "card_ts"),
        Index("ix_lead_sla_due", "sla_due_at"),
        Index("ix_lead_team_arrived", "team_id", "arrived_at"),
        Index("ix_lead_team_routed", "team_id", "routed_at"),
        Index("ix_lead_team_breached", "team_id", "sla_breached_at"),
        UniqueConstraint("team_id", "external_id", name="uq_lead_external_id"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contact.id"))
    owner_id: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str | None] = mapped_column(String(40))
    segment: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(40))
    status_since: Mapped[datetime]
    is_open: Mapped[bool] = mapped_column(Boolean, default=True)
    arrived_at: Mapped[datetime]
    routed_at: Mapped[datetime | None]
    first_touch_at: Mapped[datetime | None]
    created_by: Mapped[str | None] = mapped_column(String(32))
    card_channel: Mapped[str | None] = mapped_column(String(32))
    card_ts: Mapped[str | None] = mapped_column(String(32))
    card_permalink: Mapped[str | None] = mapped_column(String(500))
    card_digest: Mapped[str | None] = mapped_column(String(64))  # SHA-256 of the card as Slack shows it now
    external_id: Mapped[str | None] = mapped_column(String(200))  # the web form's or an import's id
    # Routing: the queue, why this owner, the first-touch SLA clock (NULL once touched or breached).
    queue_id: Mapped[int | None] = mapped_column(ForeignKey("routing_queue.id"))
    routing_reason: Mapped[str | None] = mapped_column(String(300))
    accepted_at: Mapped[datetime | None]
    sla_due_at: Mapped[datetime | None]
    sla_breached_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    organization: Mapped[Organization] = relationship()
    contact: Mapped[Contact | None] = relationship()


class LeadRecord:
    """A row of a lead's history (activity, status change, assignment): whose, on which lead, by whom."""

    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    actor_id: Mapped[str] = mapped_column(String(32))


class Activity(LeadRecord, Base):
    __tablename__ = "activity"
    __table_args__ = (
        Index("ix_activity_team_lead_time", "team_id", "lead_id", "occurred_at"),
        # reports: a period's activities by rep, type and outcome, read from the index alone
        Index("ix_activity_team_time", "team_id", "occurred_at", "actor_id", "kind", "outcome", "lead_id"),
    )
    kind: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str] = mapped_column(String(24))
    text: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime]
    created_at: Mapped[datetime]


class StatusChange(LeadRecord, Base):
    __tablename__ = "status_change"
    __table_args__ = (
        Index("ix_status_change_team_lead_time", "team_id", "lead_id", "changed_at"),
        Index("ix_status_change_team_time", "team_id", "changed_at", "to_status"),
    )
    from_status: Mapped[str | None] = mapped_column(String(40))
    to_status: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[datetime]


class Assignment(LeadRecord, Base):
    """Every change of a lead's owner, with who did it and why."""

    __tablename__ = "assignment"
    __table_args__ = (Index("ix_assignment_team_lead_time", "team_id", "lead_id", "assigned_at"),)
    from_owner: Mapped[str | None] = mapped_column(String(32))
    to_owner: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(16))  # created | routed | passed | breach | reassigned
    assigned_at: Mapped[datetime]


class FollowUp(Base):
    __tablename__ = "follow_up"
    __table_args__ = (
        Index("ix_follow_up_due", "state", "due_at"),
        Index("ix_follow_up_team_lead", "team_id", "lead_id", "state"),
        Index("ix_follow_up_owner", "team_id", "owner_id", "state", "due_at"),
        Index("ix_follow_up_next_nudge", "next_nudge_at"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"))
    owner_id: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done | cancelled
    snooze_count: Mapped[int] = mapped_column(Integer, default=0)
    # Nudging: when the owner is owed the next DM (NULL once closed or escalated), and how many were planned
    # for the current due time (the first nudge plus repeats).
    next_nudge_at: Mapped[datetime | None]
    nudges_sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    escalated_at: Mapped[datetime | None]
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]


class Comment(Base):
    """A human message that is a customer's history (captured from Slack events): a reply in a lead card's
    thread (`source` thread), a message attached with "Attach to lead" and the replies of its thread
    (`attached`), or a message in a channel linked to the organization (`channel`, no lead)."""

    __tablename__ = "comment"
    __table_args__ = (
        UniqueConstraint("team_id", "channel", "ts", name="uq_comment_message"),
        Index("ix_comment_team_lead_time", "team_id", "lead_id", "posted_at"),
        Index("ix_comment_team_org_time", "team_id", "organization_id", "posted_at"),
    )
    id: Mapped[int] = mapped_column(ID, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"))
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("lead.id"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"))
    source: Mapped[str] = mapped_column(String(16), default="thread", server_default="thread")
    external: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # another org's person
    author_name: Mapped[str | None] = mapped_column(String(200))  # as Slack showed them (external people)
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    author_id: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str] = mapped_column(String(32))
    ts: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    posted_at: Mapped[datetime]
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    edit_ts: Mapped[str | None] = mapped_column(String(32))  # Slack's edited.ts of the text we hold
    permalink: Mapped[str | None] = mapped_column(String(500))
    files: Mapped[list | None] = mapped_column(JSON)  # [{"name": ..., "url": ...}]


class LeadFollower(Base):
    """Someone who wants a DM when the lead's status or owner changes, or a comment mentions them."""

    __tablename__ = "lead_follower"
    __table_args__ = (Index("ix_lead_follower_user", "team_id", "user_id"),)
    team_id: Mapped[str] = mapped_column(ForeignKey("team.id"), primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.id"), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime]
