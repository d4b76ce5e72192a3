"""What the importer prints: the file as read, the errors by line, the status mapping with its counts (values
that map to nothing listed), the owners nobody matches, and what the run did (or, dry, would do)."""

from __future__ import annotations

from store.dto.imports import ImportPlan, ImportResult
from store.errors import CrmError
from bot.wording import say

DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
EXAMPLES = 10  # contacts added, listed by line before "and N more"


def plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def error_line(line: int, error: CrmError) -> str:
    field = f"{error.field}: " if error.field and error.field not in ("map",) else ""
    return f"line {line}: {field}{say(error)}"


def file_lines(plan: ImportPlan, name: str) -> list[str]:
    parsed = plan.parsed
    rows = len(parsed.rows) + len(parsed.errors)
    head = (f"Read {name} ({'UTF-8' if parsed.encoding == 'utf-8' else parsed.encoding.upper()}, "
            f"{DELIMITERS.get(parsed.delimiter, repr(parsed.delimiter))}-separated): {plural(rows, 'row')}")
    if parsed.footer:
        head += f"; {plural(parsed.footer, 'report footer line')} (totals, notices) left out"
    out = [head + "."]
    if parsed.unmapped:
        shown = ", ".join(parsed.unmapped[:20]) + (f" and {len(parsed.unmapped) - 20} more"
                                                    if len(parsed.unmapped) > 20 else "")
        out.append(f"Ignored columns: {shown}")
    return out


def mapping_lines(plan: ImportPlan) -> list[str]:
    if not plan.mapping:
        return []
    out = [f"Statuses: where each value lands (change a line with --map \"value=Status\"; rows that map to "
           f"nothing start as {plan.first_status}):"]
    width = max(len(m.column) for m in plan.mapping)
    for m in plan.mapping:
        where = (m.status + (" (--map)" if m.overridden else "")) if m.status else "nothing"
        out.append(f"  {m.column.ljust(width)}  {m.value} → {where}: {plural(m.rows, 'row')}")
    lost = [m for m in plan.mapping if not m.status]
    if lost:
        names = ", ".join(f"{m.column} “{m.value}” ({plural(m.rows, 'row')})" for m in lost)
        out.append(f"Values that map to nothing (they start as {plan.first_status}): {names}. "
                   f"Map them with --map \"{lost[0].value}=<status>\".")
    return out


def plan_lines(plan: ImportPlan, *, keep_owners: bool) -> list[str]:
    out = []
    if plan.owners_missing:
        names = ", ".join(f"{owner} ({plural(n, 'row')})" for owner, n, _why in plan.owners_missing)
        out.append(f"Owners that match nobody in Slack: {names}.")
    if keep_owners and not plan.owners_missing and any(p.row.owner for p in plan.rows):
        out.append("Every owner in the file is a member of this Slack workspace.")
    return out


def left_out(plan: ImportPlan, result: ImportResult | None = None) -> int:
    """Rows not imported: the invalid ones (the file's own errors on its header excepted) and the refused."""
    lines = {line for line, _e in plan.errors} | {line for line, _e in (result.errors if result else [])}
    return len(lines)


def predicted(plan: ImportPlan, *, skip_invalid: bool) -> str:
    creates = plan.creates
    existing = [p for p in plan.rows if p.action == "existing"]
    would = (f"create {plural(len(creates), 'lead')} ({sum(p.routed for p in creates)} routed), find {len(existing)} "
             f"already there, add {plural(sum(p.add_contact for p in existing), 'contact')} to organizations "
             f"already there, set {plural(sum(p.set_owner for p in existing), 'owner')} on leads that had none")
    bad = left_out(plan)
    if plan.errors and not skip_invalid:
        return (f"Dry run: the real run would import nothing, because {plural(bad, 'row')} above can't be imported "
                f"(fix them, or pass --skip-invalid to import the others: {would}). Nothing was written.")
    return f"Dry run: the real run would {would}; {bad} not imported. Nothing was written."


def summary_lines(plan: ImportPlan) -> list[str]:
    """The new leads by source and by status."""
    if not plan.creates:
        return []
    return ["New leads by source: " + ", ".join(f"{s} {n}" for s, n in plan.sources) + ".",
            "New leads by status: " + ", ".join(f"{s} {n}" for s, n in plan.statuses) + "."]


def done_lines(plan: ImportPlan, result: ImportResult) -> list[str]:
    out = [error_line(line, e) for line, e in sorted(result.errors, key=lambda e: e[0])]
    for line, company, contact in result.contacts_added[:EXAMPLES]:
        out.append(f"line {line}: {company} was there already; added its contact {contact}")
    if len(result.contacts_added) > EXAMPLES:
        out.append(f"… and {plural(len(result.contacts_added) - EXAMPLES, 'more contact')} added")
    out.append(f"Created {plural(len(result.created), 'lead')} ({result.routed} routed), "
               f"{len(result.existed)} already there, "
               f"{plural(len(result.contacts_added), 'contact')} added to organizations already there, "
               f"{plural(len(result.owners_set), 'owner')} set on leads that had none; "
               f"{left_out(plan, result)} not imported.")
    return out
