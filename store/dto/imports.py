"""What an import reads from a file, plans and does (`store/services/imports.py`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from store.dto.inputs import NewLead
from store.errors import CrmError


@dataclass(frozen=True)
class ImportRow:
    """One data row, its fields validated."""

    line: int  # the first line of the record in the file (a quoted note may span several)
    lead: NewLead
    owner: str | None  # as written: an e-mail, or a name
    statuses: tuple[tuple[str, str, str], ...]  # (kind, column, value) of each status column it fills
    created: datetime | None  # the create date as written (naive: the file's local time)
    title: str | None = None  # the contact's job title


@dataclass
class Parsed:
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[tuple[int, CrmError]] = field(default_factory=list)  # (line, what is wrong)
    unmapped: list[str] = field(default_factory=list)  # columns nothing reads
    status_columns: list[tuple[str, str]] = field(default_factory=list)  # (kind, column) present
    footer: int = 0  # report footer lines (Salesforce's "Grand Totals", "Confidential", "Copyright")
    delimiter: str = ","
    encoding: str = "utf-8"


@dataclass(frozen=True)
class MappingLine:
    """How one value of a status column lands in the pipeline, and how many rows have it."""

    column: str
    value: str  # as the file spells it (its first occurrence)
    status: str | None  # None: no status of this pipeline; those rows start in the first one
    rows: int
    overridden: bool = False  # given with --map


@dataclass
class Planned:
    """What the import will do with a valid row."""

    row: ImportRow
    action: str  # "create" | "existing"
    status: str  # create: the status the lead starts in
    because: str | None  # create: the column and value that chose it
    arrived_at: datetime  # create: the lead's arrival (the create date, else the import's time)
    owner_id: str | None  # --keep-owners: the Slack user the owner column names
    routed: bool = False  # create: a queue will take it
    lead_id: int | None = None  # existing: the lead (None: one an earlier row of the file creates)
    company: str = ""  # existing: the organization's name
    add_contact: bool = False  # existing: the row's contact is new to the organization
    set_owner: bool = False  # existing: the lead has no owner yet and the row names one


@dataclass
class ImportPlan:
    team_id: str
    parsed: Parsed
    rows: list[Planned] = field(default_factory=list)
    errors: list[tuple[int, CrmError]] = field(default_factory=list)  # the file's and the owners'
    mapping: list[MappingLine] = field(default_factory=list)
    first_status: str = ""
    owners_missing: list[tuple[str, int, CrmError]] = field(default_factory=list)  # (owner, rows, why)
    sources: list[tuple[str, int]] = field(default_factory=list)  # new leads by source, most first
    statuses: list[tuple[str, int]] = field(default_factory=list)  # new leads by status, in pipeline order

    @property
    def creates(self) -> list[Planned]:
        return [p for p in self.rows if p.action == "create"]


@dataclass
class ImportResult:
    created: list[int] = field(default_factory=list)
    routed: int = 0
    existed: list[int] = field(default_factory=list)
    contacts_added: list[tuple[int, str, str]] = field(default_factory=list)  # (line, company, contact)
    owners_set: list[int] = field(default_factory=list)  # existing leads that got the file's owner
    errors: list[tuple[int, CrmError]] = field(default_factory=list)  # rows the database refused
