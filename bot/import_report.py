"""What the importer prints: the file as read, the errors by line, the status mapping with its counts (values
that map to nothing listed), the owners nobody matches, and what the run did (or, dry, would do)."""

from __future__ import annotations

from bot.i18n import N_, _, ngettext
from bot.labels import label
from bot.wording import say
from store.dto.imports import ImportPlan, ImportResult
from store.errors import CrmError

DELIMITERS = {",": N_("comma-separated"), ";": N_("semicolon-separated"), "\t": N_("tab-separated")}
EXAMPLES = 10  # contacts added, listed by line before "and N more"


def rows(n: int) -> str:
    return ngettext("{n} row", "{n} rows", n).format(n=n)


def _leads(n: int) -> str:
    return ngettext("{n} lead", "{n} leads", n).format(n=n)


def _contacts(n: int) -> str:
    return ngettext("{n} contact", "{n} contacts", n).format(n=n)


def _owners(n: int) -> str:
    return ngettext("{n} owner", "{n} owners", n).format(n=n)


def error_line(line: int, error: CrmError) -> str:
    field = f"{error.field}: " if error.field and error.field not in ("map",) else ""
    return _("line {line}: {problem}").format(line=line, problem=field + say(error))


def file_lines(plan: ImportPlan, name: str) -> list[str]:
    parsed = plan.parsed
    count = len(parsed.rows) + len(parsed.errors)
    encoding = "UTF-8" if parsed.encoding == "utf-8" else parsed.encoding.upper()
    delimiter = DELIMITERS.get(parsed.delimiter)
    separated = _(delimiter) if delimiter else _("{delimiter}-separated").format(delimiter=repr(parsed.delimiter))
    if parsed.footer:
        footer = ngettext("{n} report footer line", "{n} report footer lines", parsed.footer).format(n=parsed.footer)
        head = _("Read {name} ({encoding}, {separated}): {rows}; {footer} (totals, notices) left out.").format(
            name=name, encoding=encoding, separated=separated, rows=rows(count), footer=footer)
    else:
        head = _("Read {name} ({encoding}, {separated}): {rows}.").format(
            name=name, encoding=encoding, separated=separated, rows=rows(count))
    out = [head]
    if parsed.unmapped:
        shown = ", ".join(parsed.unmapped[:20])
        if len(parsed.unmapped) > 20:
            shown = _("{names} and {n} more").format(names=shown, n=len(parsed.unmapped) - 20)
        out.append(_("Ignored columns: {names}").format(names=shown))
    return out


def mapping_lines(plan: ImportPlan) -> list[str]:
    if not plan.mapping:
        return []
    first = label(plan.first_status)
    out = [_("Statuses: where each value lands (change a line with --map \"value=Status\"; rows that map to "
             "nothing start as {status}):").format(status=first)]
    width = max(len(m.column) for m in plan.mapping)
    for m in plan.mapping:
        where = (label(m.status) + (" (--map)" if m.overridden else "")) if m.status else _("nothing")
        out.append(f"  {m.column.ljust(width)}  {m.value} → {where}: {rows(m.rows)}")
    lost = [m for m in plan.mapping if not m.status]
    if lost:
        names = ", ".join(f"{m.column} “{m.value}” ({rows(m.rows)})" for m in lost)
        out.append(_("Values that map to nothing (they start as {status}): {names}. "
                     "Map them with --map \"{value}=<status>\".").format(status=first, names=names,
                                                                        value=lost[0].value))
    return out


def plan_lines(plan: ImportPlan, *, keep_owners: bool) -> list[str]:
    out = []
    if plan.owners_missing:
        names = ", ".join(f"{owner} ({rows(n)})" for owner, n, _why in plan.owners_missing)
        out.append(_("Owners that match nobody in Slack: {names}.").format(names=names))
    if keep_owners and not plan.owners_missing and any(p.row.owner for p in plan.rows):
        out.append(_("Every owner in the file is a member of this Slack workspace."))
    return out


def left_out(plan: ImportPlan, result: ImportResult | None = None) -> int:
    """Rows not imported: the invalid ones (the file's own errors on its header excepted) and the refused."""
    lines = {line for line, _e in plan.errors} | {line for line, _e in (result.errors if result else [])}
    return len(lines)


def predicted(plan: ImportPlan, *, skip_invalid: bool) -> str:
    creates = plan.creates
    existing = [p for p in plan.rows if p.action == "existing"]
    would = _("create {leads} ({routed} routed), find {existing} already there, add {contacts} to organizations "
              "already there, set {owners} on leads that had none").format(
        leads=_leads(len(creates)), routed=sum(p.routed for p in creates), existing=len(existing),
        contacts=_contacts(sum(p.add_contact for p in existing)), owners=_owners(sum(p.set_owner for p in existing)))
    bad = left_out(plan)
    if plan.errors and not skip_invalid:
        return _("Dry run: the real run would import nothing, because {rows} above can't be imported "
                 "(fix them, or pass --skip-invalid to import the others: {would}). Nothing was written.").format(
            rows=rows(bad), would=would)
    return _("Dry run: the real run would {would}; {left} not imported. Nothing was written.").format(
        would=would, left=bad)


def summary_lines(plan: ImportPlan) -> list[str]:
    """The new leads by source and by status."""
    if not plan.creates:
        return []
    sources = ", ".join(f"{label(s)} {n}" for s, n in plan.sources)
    statuses = ", ".join(f"{label(s)} {n}" for s, n in plan.statuses)
    return [_("New leads by source: {counts}.").format(counts=sources),
            _("New leads by status: {counts}.").format(counts=statuses)]


def done_lines(plan: ImportPlan, result: ImportResult) -> list[str]:
    out = [error_line(line, e) for line, e in sorted(result.errors, key=lambda e: e[0])]
    for line, company, contact in result.contacts_added[:EXAMPLES]:
        out.append(_("line {line}: {company} was there already; added its contact {contact}").format(
            line=line, company=company, contact=contact))
    if len(result.contacts_added) > EXAMPLES:
        more = len(result.contacts_added) - EXAMPLES
        out.append(ngettext("… and {n} more contact added", "… and {n} more contacts added", more).format(n=more))
    out.append(_("Created {leads} ({routed} routed), {existing} already there, {contacts} added to organizations "
                 "already there, {owners} set on leads that had none; {left} not imported.").format(
        leads=_leads(len(result.created)), routed=result.routed, existing=len(result.existed),
        contacts=_contacts(len(result.contacts_added)), owners=_owners(len(result.owners_set)),
        left=left_out(plan, result)))
    return out
