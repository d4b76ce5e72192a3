"""The CRM's fixed words: status templates, activity types, outcomes, segments, sources, breach actions.

Services validate against them and views offer them; neither owns them.
"""

from __future__ import annotations

from store.text import clean, name_key

# name, meaning, closed?
TEMPLATES: dict[str, list[tuple[str, str, bool]]] = {
    "lifecycle": [
        ("Unidentified", "No relationship yet.", False),
        ("Potential", "Worth checking whether they fit.", False),
        ("Qualifying", "Calls and demos to confirm intent.", False),
        ("Closing", "Intent confirmed; a deal is being worked.", False),
        ("Customer", "Paying customer.", True),
        ("Nurturing", "Fits, but not now (budget, contract elsewhere).", False),
        ("Bad fit", "Stop spending time here.", True),
        ("Churned", "Paid, then left: learn why.", True),
    ],
    "classic": [
        ("New lead", "Just arrived; nobody has reached out yet.", False),
        ("Attempting contact", "Trying to reach them; no conversation yet.", False),
        ("Contacted", "We have talked; need and fit being checked.", False),
        ("Qualified", "Real need, budget and decision maker confirmed.", False),
        ("Closed", "Done: won or lost.", True),
    ],
}

# The built-in statuses' Korean names, which `/lead status 부산 검토중` may use (the status keeps its own name:
# what is stored and shown does not change). A status a manager adds is matched by its own name, in any language.
KOREAN_STATUS_NAMES: dict[str, tuple[str, ...]] = {
    "Unidentified": ("미확인",), "Potential": ("잠재", "잠재 고객"), "Qualifying": ("검토중", "검토 중", "확인중"),
    "Closing": ("계약 진행", "계약중", "성사 단계"), "Customer": ("고객", "거래중"), "Nurturing": ("관리중", "보류"),
    "Bad fit": ("부적합",), "Churned": ("이탈", "해지"),
    "New lead": ("신규", "신규 리드"), "Attempting contact": ("연락 시도", "연락중"), "Contacted": ("연락됨", "통화함"),
    "Qualified": ("검증됨", "자격 확인"), "Closed": ("종료", "완료"),
}

ACTIVITY_KINDS = ["Call", "Email", "Meeting", "Message", "Note"]
OUTCOMES = ["Connected", "No answer", "Left message", "Bounced", "Not applicable"]
SEGMENTS = ["SMB", "Enterprise"]
SOURCES = ["Inbound form", "Outbound", "Event", "Referral", "Import"]  # offered; any other source is kept as given
SOURCE_MAX = 40  # characters a source keeps (the column's length)

# What happens when a routed lead's first-touch SLA runs out.
ON_BREACH = {"notify": "Notify the manager", "reassign": "Notify and reassign to the next rep"}

# Deal stages: name, win probability (percent), outcome (open, won, lost).
DEAL_STAGES = [("Discovery", 10, "open"), ("Demo", 30, "open"), ("Proposal", 60, "open"),
               ("Negotiation", 80, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
LOST_REASONS = ["Price", "Timing", "Competitor", "No decision", "Not a fit", "No response", "Other"]
DEAL_KINDS = {"new": "New business", "upsell": "Upsell", "renewal": "Renewal"}
DEFAULT_CURRENCY = "KRW"
# Moving a lead to one of these statuses offers to convert it: confirm the organization and create its deal.
CONVERT_AT = ("closing", "qualified")
# A won deal moves its lead (and organization) to the first of these statuses the pipeline has.
WON_STATUS = ("customer", "closed")

# Organizations: what kind of customer (configurable per workspace) and who can say yes.
ORG_TYPES = ["Shop", "Agency", "Partner"]
AUTHORITY = {"alone": "Decides alone", "internal": "Needs internal approval", "external": "Needs external approval"}
# How two organizations are related, read from the first to the second, and the other way round.
RELATIONS = {"works_for": ("works for", "agency"), "referred": ("referred", "referred by")}

# Days of the week as people type them (0 = Monday).
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def canonical_source(text: str | None) -> str | None:
    """A lead's source is free text (a web form sends `website`, `Google Ads`, `utm_source=naver`): trimmed,
    on one line, cut to SOURCE_MAX characters; a known source, matched case-insensitively, takes its spelling."""
    value = clean(text, single_line=True)
    if not value:
        return None
    known = next((s for s in SOURCES if name_key(s) == name_key(value)), None)
    return known or value[:SOURCE_MAX].rstrip()
