"""An organization as the CRM knows it, and its deals as rendered: what leads and the pipeline refer to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class ContactHours:
    """When an organization takes calls, in its own zone: weekdays (0 = Monday), from/to (HH:MM), a note."""

    days: tuple[int, ...] | None  # None: any day
    start: str | None
    end: str | None
    note: str | None
    tz: str | None = None

    @property
    def empty(self) -> bool:
        return self.days is None and not self.start and not self.end and not self.note


@dataclass(frozen=True)
class OrgInfo:
    id: int
    name: str
    domain: str | None
    kind: str | None  # type: Shop, Agency, Partner…
    authority: str | None  # alone | internal | external
    approver: str | None
    segment: str | None
    status: str
    relations: tuple[tuple[str, int, str], ...] = ()  # (how, read from this one; other org's id; its name)
    hours: ContactHours | None = None  # when they take calls (None: never said)


@dataclass(frozen=True)
class StageInfo:
    name: str
    probability: int  # percent
    position: int
    outcome: str  # open | won | lost


@dataclass(frozen=True)
class DealInfo:
    id: int
    lead_id: int | None
    organization_id: int
    company: str
    name: str
    kind: str
    owner_id: str | None
    stage: str
    probability: int
    is_open: bool
    amount_minor: int
    currency: str
    recurring: bool
    expected_close: date | None
    next_step: str | None
    won_at: datetime | None = None
    lost_at: datetime | None = None
    lost_reason: str | None = None
    lost_note: str | None = None
