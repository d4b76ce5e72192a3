"""Plain results services hand back (and inputs they take): what views render, detached from any session."""

from store.dto.leads import Captured, ChangeRecord, ContactInfo, FollowUpInfo, LeadChanged, LeadCreated, LeadDetail, LeadSummary, MemberInfo, SearchHit, StatusInfo, TimelineEntry
from store.dto.work import FollowUpActed, FollowUpItem, FollowUpList, Handled, NudgeData, NudgePolicy, OutboxItem, Owed, QueueInfo, Routed
from store.dto.inputs import DealInput, LeadUpdate, NewLead, Report, Row
from store.dto.deals import DealChanged, DealInfo, OrgInfo, PipelineSummary, StageInfo, StageTotal

__all__ = [
    "Captured",
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
    "Report",
    "Routed",
    "Row",
    "SearchHit",
    "StageInfo",
    "StageTotal",
    "StatusInfo",
    "TimelineEntry",
]
