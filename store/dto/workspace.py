"""Workspaces: the audit log, roles, customer channels, attached messages, exports and erasures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class AuditLine:
    id: int
    at: datetime
    actor_id: str
    action: str  # role.grant | role.revoke | refused | export | forget | install | uninstall | intake.token | …
    target: str | None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Roles:
    """Who may do what: Slack's admins and owners (CRM admins), the managers they named, everyone else."""

    admins: list[str]
    managers: list[str]


@dataclass(frozen=True)
class RoleChange:
    user_id: str
    role: str  # manager | rep
    changed: bool


@dataclass(frozen=True)
class LinkedChannelInfo:
    channel_id: str
    name: str | None
    organization_id: int
    organization: str
    lead_id: int | None
    is_shared: bool
    linked_by: str
    linked_at: datetime
    messages: int = 0
    last_at: datetime | None = None


@dataclass(frozen=True)
class ChannelDay:
    """One day of a customer channel, for the summary line in the lead card's thread."""

    channel_id: str
    channel_name: str | None
    day: str  # local date, ISO
    messages: int
    people: int
    external_messages: int
    external_people: int
    last_at: datetime | None
    last_text: str | None


@dataclass(frozen=True)
class Attached:
    lead_id: int
    comments: int  # messages newly stored
    already: int  # messages that were in a history already
    watching: bool  # later replies of the thread are captured


@dataclass(frozen=True)
class Erased:
    contact_id: int
    organization: str
    leads: list[int]
    rewritten: int  # comments, notes and texts that quoted the contact


@dataclass(frozen=True)
class ExportTable:
    name: str  # the CSV file's name, without .csv
    header: list[str]
    rows: object  # an iterable of row lists, read lazily
