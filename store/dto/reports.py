"""Reports and the App Home: figures as services compute them, ready to be drawn and worded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from store.dto.customers import ContactHours
from store.dto.deals import PipelineSummary, StageTotal
from store.dto.work import FollowUpList


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, with the zone its days were cut in. `kind`: week, month, quarter or YYYY-MM."""

    kind: str
    start: datetime
    end: datetime
    tz: str

    @property
    def first_day(self) -> date:
        from zoneinfo import ZoneInfo

        return self.start.astimezone(ZoneInfo(self.tz)).date()

    @property
    def last_day(self) -> date:
        from datetime import timedelta
        from zoneinfo import ZoneInfo

        return (self.end.astimezone(ZoneInfo(self.tz)) - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Scope:
    """Whose figures: everyone's (all None), one rep's, one routing queue's, one segment's or one type's."""

    owner_id: str | None = None
    queue_id: int | None = None
    queue_name: str | None = None
    segment: str | None = None
    org_type: str | None = None

    @property
    def is_team(self) -> bool:
        return not (self.owner_id or self.queue_id or self.segment or self.org_type)


@dataclass(frozen=True)
class FunnelStep:
    """Leads that entered a status in the period; of those, how many later reached a status further along the
    main path (`moved_on`; None for side exits), and how long they stayed (median of finished stays)."""

    status: str
    entered: int
    moved_on: int | None
    median_hours: float | None
    still_there: int
    side_exit: bool = False

    @property
    def conversion(self) -> float | None:
        return None if self.moved_on is None or not self.entered else self.moved_on / self.entered


@dataclass(frozen=True)
class DealFigures:
    created: int
    won: int
    lost: int
    won_amounts: dict[str, int]  # currency → minor units
    lost_reasons: list[tuple[str, int]]  # most frequent first
    median_cycle_days: float | None  # deal created → won, over the deals won in the period
    stages: list[StageTotal]  # open deals now, by stage
    forecast: StageTotal  # open deals expected to close in the current month (weighted by stage)
    won_this_month: dict[str, int]

    @property
    def win_rate(self) -> float | None:
        decided = self.won + self.lost
        return self.won / decided if decided else None


@dataclass(frozen=True)
class RepActivity:
    """One rep's logged work in the period. Attempts are activities whose outcome says whether anyone was
    reached (connected, no answer, left a message)."""

    user_id: str
    by_kind: dict[str, int]  # Call, Email, Meeting, Message, Note → count
    connected: int
    no_answer: int
    left_message: int
    active_days: int

    @property
    def attempts(self) -> int:
        return self.connected + self.no_answer + self.left_message

    @property
    def connect_rate(self) -> float | None:
        return self.connected / self.attempts if self.attempts else None


@dataclass(frozen=True)
class DayActivity:
    """One rep's work on one local day (the CSV's rows, the chart's bars)."""

    user_id: str
    day: date
    kind: str
    outcome: str
    count: int


@dataclass(frozen=True)
class SlaFigure:
    """Leads routed in the period to one queue or rep: touched within the first-touch SLA, late (breached or
    touched after it), still within it; median minutes from routing to first touch."""

    name: str  # a queue's name, or a rep's user id
    routed: int
    in_time: int
    late: int
    pending: int
    median_minutes: float | None

    @property
    def compliance(self) -> float | None:
        decided = self.in_time + self.late
        return self.in_time / decided if decided else None


@dataclass(frozen=True)
class SourceFigure:
    source: str
    leads: int  # arrived in the period
    customers: int  # became customers in the period
    revenue: dict[str, int]  # won in the period, by currency


@dataclass(frozen=True)
class ChurnFigure:
    count: int
    reasons: list[tuple[str, int]]
    examples: list[tuple[str, str | None, datetime]]  # (company, reason, when), newest first


@dataclass(frozen=True)
class ReportData:
    period: Period
    scope: Scope
    currency: str
    funnel: list[FunnelStep]
    deals: DealFigures
    activity: list[RepActivity]  # most attempts first
    days: list[DayActivity]
    sla_queues: list[SlaFigure]
    sla_reps: list[SlaFigure]
    sources: list[SourceFigure]
    churn: ChurnFigure
    names: dict[str, str] = field(default_factory=dict)  # user id → display name (charts, CSV)


@dataclass(frozen=True)
class RecentChange:
    """A change on a lead someone follows: what, by whom, when."""

    at: datetime
    lead_id: int
    company: str
    kind: str  # activity | status | assignment | deal
    actor_id: str | None
    old: str | None
    new: str | None
    text: str | None = None


@dataclass(frozen=True)
class RepLine:
    """A rep in the team section of a manager's Home."""

    user_id: str
    open_leads: int
    open_deals: int
    amounts: dict[str, int]
    weighted: dict[str, int]
    overdue: int


@dataclass(frozen=True)
class TeamHome:
    reps: list[RepLine]
    sla_queues: list[SlaFigure]  # this week
    sla_reps: list[SlaFigure]
    unassigned: list  # LeadSummary, newest first
    unassigned_count: int
    breached: list  # LeadSummary: first-touch SLA missed, still untouched
    breached_count: int
    week_start: datetime


@dataclass(frozen=True)
class HomeData:
    user_id: str
    overdue: FollowUpList
    today: FollowUpList
    routed: list  # LeadSummary: routed to me, first touch not logged yet, newest first
    routed_count: int
    by_status: list[tuple[str, int]]  # my open leads per status, in pipeline order
    pipeline: PipelineSummary
    recent: list[RecentChange]
    team: TeamHome | None = None
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    """A suggested time to reach a customer: when (UTC) and the estimated chance that someone answers."""

    at: datetime
    rate: float


@dataclass(frozen=True)
class BestTimes:
    """What the logged attempts say about when a customer answers. `who` names the group the estimate comes
    from (the organization itself once it has enough attempts, else its type, segment or the whole book);
    `best`/`worst` are (weekdays, hours, rate) such as ((1, 2, 3), (14, 16), 0.41)."""

    who: str
    who_kind: str  # org | type | segment | all
    attempts: int
    best: tuple[tuple[int, ...], tuple[int, int], float] | None
    worst: tuple[tuple[int, ...], tuple[int, int], float] | None
    slots: list[Slot]
    tz: str  # the organization's zone (the hours above are in it)
    contact_hours: ContactHours | None = None
    grid: dict[tuple[int, int], float] = field(default_factory=dict)  # (weekday, band) → estimated rate
