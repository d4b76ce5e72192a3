"""Importing organizations, contacts and leads from an export file (HubSpot, Pipedrive, Salesforce, Zoho, or the
project's own columns), in three steps that the dry run and the real run share:

1. `read` decodes the file, finds its delimiter, header and footer, and validates every row (nothing is read
   from the database);
2. `plan` says what each row will do in this workspace: the status it lands in (`import_statuses`), the owner
   the file names (looked up by the caller), whether it is new, already there, a new contact of an
   organization already there, or a lead that gets its owner now; owners nobody has are errors;
3. `apply` writes the plan, one transaction per row.

Re-importing the same file creates nothing twice (same external id, else the organization's lead)."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from store.clock import Clock
from store.db import Database
from store.dto import NewLead
from store.dto.imports import ImportPlan, ImportResult, ImportRow, MappingLine, Parsed, Planned
from store.errors import CrmError, Invalid
from store.services import best_time, import_dates, leads, pipeline
from store.services.availability import unavailable
from store.services.import_columns import Columns, decode, delimiter_of, is_blank, is_footer, records
from store.services.import_statuses import Override, StatusMap
from store.services.import_world import PlannedWorld, find
from store.services.import_write import write
from store.services.routing import pick_queue
from store.models import QueueMember
from store.text import EMAIL, name_key
from sqlalchemy import select

DEFAULT_SOURCE = "Import"
PHONES_MAX = 64  # the contact's phone column: both numbers when they fit


def owner_key(owner: str) -> str:
    """How an owner is looked up: an e-mail lower-cased, a name without case or extra spaces."""
    return owner.strip().lower() if "@" in owner else name_key(owner)


def read(data: bytes | str) -> Parsed:
    """Parse and validate every row of the file (nothing is read or written)."""
    parsed = Parsed()
    try:
        text, parsed.encoding = decode(data) if isinstance(data, bytes) else (data.lstrip("\ufeff"), "utf-8")
    except Invalid as exc:
        parsed.errors.append((1, exc))
        return parsed
    first, _, rest = text.partition("\n")
    if first.strip().lower().startswith("sep=") and len(first.strip()) == 5:  # Excel's "sep=;" hint line
        parsed.delimiter, text = first.strip()[4], "\n" + rest
    else:
        parsed.delimiter = delimiter_of(text)
    rows = records(text, parsed.delimiter)
    header = next(((line, cells) for line, cells in rows if not is_blank(cells)), None)
    if header is None:
        parsed.errors.append((1, Invalid("csv_empty")))
        return parsed
    columns = Columns(header[1])
    parsed.unmapped = columns.unmapped
    parsed.status_columns = [(kind, header[1][i].strip()) for kind, i in columns.statuses.items()]
    if "company" not in columns.fields:
        parsed.errors.append((header[0], Invalid("csv_no_company")))
        return parsed
    body = [(line, cells) for line, cells in rows]
    created = [cells[i].strip() for _l, cells in body for i in columns.fields.get("created", [])[:1]
               if i < len(cells) and cells[i].strip()]
    dayfirst = import_dates.day_first(created)
    totals = False
    for line, cells in body:
        if is_blank(cells):
            continue
        if is_footer(cells, totals):
            parsed.footer += 1
            totals = totals or cells[0].strip().lower().startswith("grand total")
            continue
        try:
            parsed.rows.append(_row(line, columns, cells, dayfirst))
        except Invalid as exc:
            parsed.errors.append((line, exc))
    return parsed


def _row(line: int, columns: Columns, cells: list[str], dayfirst: bool) -> ImportRow:
    values = columns.values(cells)
    one = {k: v[0] for k, v in values.items()}
    name = " ".join(x for x in (one.get("first_name"), one.get("last_name")) if x)
    phones = values.get("phone", []) + [p for p in values.get("other_phone", []) if p not in values.get("phone", [])]
    for extra in phones[1:]:
        leads.validate_new_lead(NewLead(company="-", phone=extra))  # each number must look like one
    new = leads.validate_new_lead(NewLead(
        company=one.get("company", ""), contact_name=one.get("contact_name") or name or None, email=one.get("email"),
        phone=phones[0] if phones else None, segment=one.get("segment"),
        source=one.get("source") or DEFAULT_SOURCE, note="\n\n".join(values.get("note", [])) or None,
        external_id=one.get("external_id"), domain=one.get("domain")))
    if len(phones) > 1:
        joined = ", ".join(phones)
        if len(joined) <= PHONES_MAX:
            new = replace(new, phone=joined)
        else:
            new = replace(new, note="\n\n".join(x for x in (new.note, "Other phones: " + ", ".join(phones[1:])) if x))
    created = None
    if one.get("created"):
        try:
            created = import_dates.parse(one["created"], dayfirst=dayfirst)
        except ValueError:
            raise Invalid("date_invalid", field=_header(columns, "created", cells), text=one["created"][:40]) from None
    owner = one.get("owner")
    if owner and "@" in owner and not EMAIL.match(owner):
        raise Invalid("email_invalid", field="owner", email=owner[:80])
    title = (one.get("title") or "")[:200] or None
    return ImportRow(line, new, owner, columns.status_values(cells), created, title)


def _header(columns: Columns, field: str, cells: list[str]) -> str:
    return next((columns.header[i].strip() for i in columns.fields[field] if i < len(cells) and cells[i].strip()),
                field)


def plan(db: Database, clock: Clock, team_id: str, parsed: Parsed, *, owners: dict[str, str] | None = None,
         owner_errors: dict[str, CrmError] | None = None, overrides: list[Override] = (),
         tz: str | None = None) -> ImportPlan:
    """What the import will do. `owners` (with --keep-owners): owner key → Slack user id, and `owner_errors`
    the owners nobody matches (their rows are errors: nothing is written while any row is invalid)."""
    keep = owners is not None
    owners, owner_errors = owners or {}, owner_errors or {}
    out = ImportPlan(team_id, parsed, errors=list(parsed.errors))
    now = clock.now()
    with db.read() as s:
        smap = StatusMap(pipeline.statuses(s, team_id), overrides)
        out.first_status = smap.first.name
        zone = ZoneInfo(tz or best_time.team_zone(s, team_id))
        world = PlannedWorld(s, team_id)
        missing: Counter[str] = Counter()
        routes: dict[str | None, bool] = {}
        for row in parsed.rows:
            owner_id = None
            if keep and row.owner:
                owner_id = owners.get(owner_key(row.owner))
                if owner_id is None:
                    why = owner_errors.get(owner_key(row.owner)) or Invalid("owner_name_unknown", name=row.owner)
                    out.errors.append((row.line, _with_field(why)))
                    missing[row.owner] += 1
                    continue
            found = find(world, row, owner_id)
            world.record(row, found, owner_id)
            status, because = smap.decide(row.statuses)
            arrived = _arrival(row.created, zone, now)
            if found.lead is not None:
                out.rows.append(Planned(row, "existing", status.name, None, arrived, owner_id, lead_id=found.lead.id,
                                        company=found.lead.company, add_contact=found.add_contact,
                                        set_owner=found.set_owner))
                continue
            routed = False
            if owner_id is None and not status.is_closed:
                if row.lead.segment not in routes:
                    routes[row.lead.segment] = _would_route(s, team_id, row.lead.segment, now)
                routed = routes[row.lead.segment]
            out.rows.append(Planned(row, "create", status.name, because, arrived, owner_id, routed=routed))
        out.owners_missing = [(o, n, owner_errors.get(owner_key(o)) or Invalid("owner_name_unknown", name=o))
                              for o, n in missing.most_common()]
    out.errors.sort(key=lambda e: e[0])
    out.mapping = _mapping(parsed, smap)
    creates = out.creates
    out.sources = Counter(p.row.lead.source or DEFAULT_SOURCE for p in creates).most_common()
    by_status = Counter(p.status for p in creates)
    out.statuses = [(st.name, by_status[st.name]) for st in smap.statuses if by_status[st.name]]
    return out


def _with_field(error: CrmError) -> CrmError:
    return error if error.field else type(error)(error.code, field="owner", **error.params)


def _arrival(created: datetime | None, zone: ZoneInfo, now: datetime) -> datetime:
    if created is None:
        return now
    at = created if created.tzinfo else created.replace(tzinfo=zone)
    return min(at.astimezone(now.tzinfo), now)


def _would_route(s, team_id: str, segment: str | None, now: datetime) -> bool:
    queue = pick_queue(s, team_id, segment)
    if queue is None:
        return False
    rows = s.execute(select(QueueMember.user_id, QueueMember.weight).where(QueueMember.queue_id == queue.id)).all()
    away = unavailable(s, team_id, [r.user_id for r in rows], now)
    return any(r.weight > 0 and r.user_id not in away for r in rows)


def _mapping(parsed: Parsed, smap: StatusMap) -> list[MappingLine]:
    """Each value of each status column, where it lands, and how many valid rows have it."""
    seen: dict[tuple[str, str], list] = {}
    for row in parsed.rows:
        for kind, column, value in row.statuses:
            key = (column, name_key(value))
            if key not in seen:
                status, overridden = smap.target(kind, value)
                seen[key] = [column, value, status, 0, overridden]
            seen[key][3] += 1
    order = {column: i for i, (_k, column) in enumerate(parsed.status_columns)}
    lines = [MappingLine(c, v, st, n, o) for c, v, st, n, o in seen.values()]
    return sorted(lines, key=lambda m: (order.get(m.column, 99), -m.rows, m.value.casefold()))


def apply(db: Database, clock: Clock, team_id: str, planned: ImportPlan) -> ImportResult:
    """Write every planned row (each in its own transaction); rows the database refuses are errors."""
    result = ImportResult()
    with db.read() as s:
        smap = StatusMap(pipeline.statuses(s, team_id))
    for p in planned.rows:
        try:
            done = write(db, clock, team_id, p, smap.status(p.status), smap.first)
        except CrmError as exc:
            result.errors.append((p.row.line, exc))
            continue
        if done.created:
            result.created.append(done.lead_id)
            result.routed += done.routed
            continue
        result.existed.append(done.lead_id)
        if done.contact_added:
            result.contacts_added.append((p.row.line, p.company, _contact_label(p.row)))
        if done.owner_set:
            result.owners_set.append(done.lead_id)
    return result


def _contact_label(row: ImportRow) -> str:
    lead = row.lead
    return lead.contact_name or lead.email or lead.phone or ""
