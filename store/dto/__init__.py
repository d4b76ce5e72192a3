"""Plain results services hand back (and inputs they take): what views render, detached from any session."""

from store.dto.customers import ContactHours, DealInfo, OrgInfo, StageInfo
from store.dto.deals import DealChanged, PipelineSummary, StageTotal
from store.dto.inputs import DealInput, LeadUpdate, NewLead
from store.dto.leads import (
    Captured,
    ChangeRecord,
    ContactInfo,
    FollowUpInfo,
    LeadChanged,
    LeadCreated,
    LeadDetail,
    LeadSummary,
    MemberInfo,
    SearchHit,
    StatusInfo,
    TimelineEntry,
)
from store.dto.work import (
    FollowUpActed,
    FollowUpItem,
    FollowUpList,
    Handled,
    NudgeData,
    NudgePolicy,
    OutboxItem,
    Owed,
    QueueInfo,
    Routed,
)
from store.dto.workspace import (
    Attached, AuditLine, ChannelDay, Erased, ExportTable, LinkedChannelInfo, RoleChange, Roles,
)

__all__ = [
    "Attached", "AuditLine", "ChannelDay", "Erased", "ExportTable", "LinkedChannelInfo", "RoleChange", "Roles",
    "Captured",
    "ContactHours",
    "ChangeRecord",
    "ContactInfo",
    "DealChanged",
    "DealInfo",
    "DealInput",
    "FollowUpActed",
    "FollowUpInfo",
    "FollowUpItem",
    "FollowUpList",
    "Handled",
    "LeadChanged",
    "LeadCreated",
    "LeadDetail",
    "LeadSummary",
    "LeadUpdate",
    "MemberInfo",
    "NewLead",
    "NudgeData",
    "NudgePolicy",
    "OrgInfo",
    "OutboxItem",
    "Owed",
    "PipelineSummary",
    "QueueInfo",
    "Routed",
    "SearchHit",
    "StageInfo",
    "StageTotal",
    "StatusInfo",
    "TimelineEntry",
]
