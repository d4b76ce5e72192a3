"""Importing organizations, contacts and leads from CSV: HubSpot's and Pipedrive's export headers or
the project's own. Every row is validated first and errors are reported by line; re-importing the same
file creates nothing twice (same `external_id`, or an open lead of the same company)."""

from __future__ import annotations

import csv
import io
import re

from store.clock import Clock
from store.db import Database
from store.dto import Report, Row
from store.errors import CrmError, Invalid
from store.services import leads, pipeline

# Normalised header (lower case, letters and digits only) → our field.
HEADERS = {
    # the project's own
    "company": "company", "contactname": "contact_name", "email": "email", "phone": "phone",
    "segment": "segment", "source": "source", "note": "note", "owneremail": "owner_email",
    "externalid": "external_id",
    # HubSpot exports
    "companyname": "company", "associatedcompany": "company", "firstname": "first_name", "lastname": "last_name",
    "emailaddress": "email", "phonenumber": "phone", "mobilephonenumber": "phone", "contactowner": "owner_email",
    "hubspotowner": "owner_email", "recordid": "external_id", "originalsource": "source",
    "leadstatus": "status",
    # Pipedrive exports
    "organizationname": "company", "personname": "contact_name", "personemail": "email",
    "personphone": "phone", "leadsource": "source", "owner": "owner_email", "leadowner": "owner_email",
    "personowner": "owner_email", "leadid": "external_id", "dealid": "external_id", "notes": "note",
    "leadtitle": "note",
}


def normalise(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def read_csv(text: str) -> Report:
    """Parse and validate every row (nothing is written)."""
    report = Report()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    if not reader.fieldnames:
        report.errors.append((1, Invalid("csv_empty")))
        return report
    mapping = {h: HEADERS.get(normalise(h)) for h in reader.fieldnames if h}
    report.unmapped = [h for h, f in mapping.items() if f is None]
    if "company" not in mapping.values():
        report.errors.append((1, Invalid("csv_no_company")))
        return report
    for raw in reader:
        line = reader.line_num
        values: dict[str, str] = {}
        for header, value in raw.items():
            target = mapping.get(header) if header else None
            if target and value and value.strip() and target not in values:
                values[target] = value.strip()
        if not any(values.values()):
            continue  # a blank line
        name = " ".join(x for x in (values.get("first_name"), values.get("last_name")) if x)
        source = values.get("source")
        try:
            source = pipeline.pick(pipeline.SOURCES, source, "Source") if source else "Import"
        except Invalid:
            source = "Import"  # HubSpot's "Offline Sources" and the like: keep it an import
        try:
            new = leads.validate_new_lead(leads.NewLead(
                company=values.get("company", ""), contact_name=values.get("contact_name") or name or None,
                email=values.get("email"), phone=values.get("phone"), segment=values.get("segment"), source=source,
                note=values.get("note"), external_id=values.get("external_id")))
        except Invalid as exc:
            report.errors.append((line, exc))
            continue
        owner = values.get("owner_email")
        if owner and "@" not in owner:
            report.errors.append((line, Invalid("owner_not_email", field="owner", email=owner[:80])))
            continue
        report.rows.append(Row(line, new, owner.lower() if owner else None))
    return report


def import_rows(db: Database, clock: Clock, team_id: str, report: Report, owners: dict[str, str], *,
                keep_owners: bool) -> Report:
    """Write the validated rows. `owners`: e-mail → Slack user id. Without `keep_owners` (or for rows
    without an owner) leads are routed like any other."""
    for row in report.rows:
        owner = owners.get(row.owner_email or "") if keep_owners else None
        if keep_owners and row.owner_email and owner is None:
            report.errors.append((row.line, Invalid("owner_unknown", field="owner", email=row.owner_email)))
            continue
        new = leads.NewLead(**{**row.lead.__dict__, "owner_id": owner})
        try:
            result = leads.create_lead(db, clock, team_id, "import", new, quiet=True)
        except CrmError as exc:
            report.errors.append((row.line, exc))
            continue
        (report.existed if result.existed else report.created).append(result.lead.id)
        if not result.existed and result.lead.routed_at is not None:
            report.routed += 1
    return report
