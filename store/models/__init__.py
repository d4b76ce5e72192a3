"""SQLAlchemy 2 typed tables, one module per part of the CRM. Every row carries the Slack team it belongs to."""

from store.models.base import ID, Base, UTCDateTime
from store.models.crm import (
    Activity, Assignment, Comment, Contact, FollowUp, Lead, LeadFollower, LeadRecord, Member, Organization,
    PipelineStatus, StatusChange, Team,
)
from store.models.deals import Deal, DealChange, DealStage, DealTotal, OrganizationRelation
from store.models.delivery import IdempotencyKey, Notification, Outbox
from store.models.inbox import InboxEntry
from store.models.reports import ChartFile, ContactStat
from store.models.routing import QueueMember, RoutingQueue
from store.models.workspace import AuditEntry, Draft, LinkedChannel, WatchedThread
from store.models import installations  # noqa: F401 - slack_sdk's tables, in the same metadata

__all__ = [
    "ID", "Base", "UTCDateTime", "Activity", "Assignment", "Comment", "Contact", "FollowUp", "Lead", "LeadFollower",
    "LeadRecord", "Member", "Organization", "PipelineStatus", "StatusChange", "Team", "Deal", "DealChange",
    "DealStage", "DealTotal", "OrganizationRelation", "IdempotencyKey", "Notification", "Outbox", "QueueMember",
    "RoutingQueue", "ChartFile", "ContactStat", "AuditEntry", "Draft", "LinkedChannel", "WatchedThread",
    "InboxEntry",
]
