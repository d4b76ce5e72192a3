"""Where an exported lead lands in the workspace's pipeline: the default table (read it, then change any line
with `--map "value=Status"`), and the rule for a row that fills several status columns.

Values are compared without case, spaces or punctuation, so HubSpot's internal `salesqualifiedlead` and its
label `Sales Qualified Lead` are one value. Each value names where it lands in both templates: the first of
the two statuses the pipeline has (a pipeline edited so that it has neither leaves that value unmapped, and
its rows start in the first status, listed by the import)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from store.dto import StatusInfo
from store.errors import Invalid
from store.services.import_columns import STATUS_COLUMNS, normalise
from store.services.pipeline import match_status
from store.text import name_key

# kind → value → (lifecycle template's status, classic template's status)
DEFAULTS: dict[str, dict[str, tuple[str, str]]] = {
    "lifecycle": {  # HubSpot's Lifecycle Stage
        "subscriber": ("Unidentified", "New lead"),
        "lead": ("Potential", "New lead"),
        "marketingqualifiedlead": ("Potential", "New lead"),
        "salesqualifiedlead": ("Qualifying", "Qualified"),
        "opportunity": ("Closing", "Qualified"),
        "customer": ("Customer", "Closed"),
        "evangelist": ("Customer", "Closed"),
        "other": ("Unidentified", "New lead"),
    },
    "lead_status": {
        # HubSpot's Lead Status
        "new": ("Unidentified", "New lead"),
        "open": ("Potential", "New lead"),
        "inprogress": ("Qualifying", "Contacted"),
        "opendeal": ("Closing", "Qualified"),
        "unqualified": ("Bad fit", "Closed"),
        "attemptedtocontact": ("Potential", "Attempting contact"),
        "connected": ("Qualifying", "Contacted"),
        "badtiming": ("Nurturing", "Contacted"),
        # Salesforce's Lead Status (and its older picklist: Open, Contacted, Qualified, Unqualified)
        "opennotcontacted": ("Potential", "New lead"),
        "workingcontacted": ("Qualifying", "Contacted"),
        "closedconverted": ("Closing", "Qualified"),
        "closednotconverted": ("Bad fit", "Closed"),
        "contacted": ("Qualifying", "Contacted"),
        "qualified": ("Closing", "Qualified"),
        # Zoho's Lead Status
        "notcontacted": ("Potential", "New lead"),
        "contactinfuture": ("Nurturing", "Contacted"),
        "prequalified": ("Qualifying", "Contacted"),
        "notqualified": ("Bad fit", "Closed"),
        "junklead": ("Bad fit", "Closed"),
        "lostlead": ("Bad fit", "Closed"),
    },
    "deal_status": {  # Pipedrive's Deal - Status
        "open": ("Closing", "Qualified"),
        "won": ("Customer", "Closed"),
        "lost": ("Bad fit", "Closed"),
    },
    "deal_stage": {  # Pipedrive's default pipeline
        "leadin": ("Potential", "New lead"),
        "qualified": ("Qualifying", "Qualified"),
        "contactmade": ("Qualifying", "Contacted"),
        "demoscheduled": ("Closing", "Qualified"),
        "proposalmade": ("Closing", "Qualified"),
        "negotiationsstarted": ("Closing", "Qualified"),
    },
    "labels": {  # Pipedrive's labels (leads: Hot, Warm, Cold; people and organizations: … lead, Customer)
        "hot": ("Qualifying", "Contacted"),
        "hotlead": ("Qualifying", "Contacted"),
        "warm": ("Potential", "Attempting contact"),
        "warmlead": ("Potential", "Attempting contact"),
        "cold": ("Nurturing", "New lead"),
        "coldlead": ("Nurturing", "New lead"),
        "customer": ("Customer", "Closed"),
    },
}

# A row with several status columns takes the first that maps: an outcome that is settled (the project's own
# status column; a Pipedrive deal won or lost; a HubSpot stage past the lead stages), else the most specific
# column in this order. (HubSpot keeps a stale Lead Status on customers: the stage wins there.)
DECIDED = {("deal_status", "won"), ("deal_status", "lost"), ("lifecycle", "opportunity"),
           ("lifecycle", "customer"), ("lifecycle", "evangelist"), ("labels", "customer")}
ORDER = ("status", "lead_status", "deal_stage", "deal_status", "lifecycle", "labels")
LABELS = {"status": "Status", "lifecycle": "Lifecycle Stage", "lead_status": "Lead Status",
          "deal_status": "Deal - Status", "deal_stage": "Deal - Stage", "labels": "Labels"}


@dataclass(frozen=True)
class Override:
    kind: str | None  # None: the value in any status column
    value: str  # normalised
    status: str  # a status of the pipeline


def parse_overrides(texts: Iterable[str], statuses: list[StatusInfo]) -> list[Override]:
    """`--map "opportunity=Closing"` (any column) or `--map "Lead Status:open=Potential"` (one column)."""
    out = []
    for text in texts:
        left, eq, right = text.partition("=")
        if not eq or not left.strip() or not right.strip():
            raise Invalid("map_invalid", field="map", text=text[:80])
        kind = None
        column, colon, value = left.partition(":")
        if colon:
            key = normalise(column)
            kind = next((k for k, heads in STATUS_COLUMNS.items() if key in heads or key == normalise(LABELS[k])),
                        None)
            if kind is None:
                raise Invalid("map_column_unknown", field="map", text=column.strip()[:80],
                              names=", ".join(LABELS.values()))
        else:
            value = left
        if not normalise(value):
            raise Invalid("map_invalid", field="map", text=text[:80])
        out.append(Override(kind, normalise(value), match_status(statuses, right.strip()).name))
    return out


class StatusMap:
    """The default table against one pipeline, with the person's overrides."""

    def __init__(self, statuses: list[StatusInfo], overrides: list[Override] = ()) -> None:
        self.statuses = statuses
        self.first = statuses[0]
        self._by_key = {name_key(st.name): st for st in statuses}
        self._overrides = {(o.kind, o.value): o.status for o in overrides}

    def status(self, name: str) -> StatusInfo:
        return self._by_key[name_key(name)]

    def target(self, kind: str, value: str) -> tuple[str | None, bool]:
        """(the status this value lands in or None, whether an override said so)."""
        key = normalise(value)
        for k in (kind, None):
            if (k, key) in self._overrides:
                return self._overrides[(k, key)], True
        if kind == "status":
            try:
                return match_status(self.statuses, value).name, False
            except Invalid:
                return None, False
        if kind == "labels" and "," in value:  # "Cold, Customer": a settled label, else the first that maps
            labels = sorted(value.split(","), key=lambda label: not settled(kind, label))
            return next((got for got in (self.target(kind, label) for label in labels) if got[0]), (None, False))
        pair = DEFAULTS.get(kind, {}).get(key)
        found = next((self._by_key[name_key(n)].name for n in pair or () if name_key(n) in self._by_key), None)
        return found, False

    def decide(self, values: tuple[tuple[str, str, str], ...]) -> tuple[StatusInfo, str | None]:
        """The row's status and what chose it (`Lifecycle Stage “customer”`), else the first status."""
        mapped = [(kind, column, value, self.target(kind, value)[0]) for kind, column, value in values]
        mapped = [m for m in mapped if m[3]]
        decided = [m for m in mapped if m[0] == "status" or settled(m[0], m[2])]
        ranked = decided or sorted(mapped, key=lambda m: ORDER.index(m[0]))
        if not ranked:
            return self.first, None
        kind, column, value, status = ranked[0]
        return self.status(status), f"{column} “{value}”"


def settled(kind: str, value: str) -> bool:
    """Whether this value says how things ended (or a label among several does)."""
    return any((kind, normalise(part)) in DECIDED for part in (value.split(",") if kind == "labels" else [value]))
