"""CSV import: HubSpot, Pipedrive and own headers; errors by line; idempotent; route or keep owners."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from store.models import Contact, Lead, Outbox
from bot import importer as imports
from store.services import members, routing

HUBSPOT = """Record ID,First Name,Last Name,Email,Phone Number,Company name,Contact owner,Original Source
101,Jane,Kim,jane@busan.example,+82 10 1111,Busan Bakery,alice@example.com,Offline Sources
102,Min,Lee,min@seoul.example,+82 10 2222,Seoul Coffee,bob@example.com,Referral
"""

PIPEDRIVE = """Organization - Name,Person - Name,Person - Email,Person - Phone,Lead - Source,Owner,Lead - ID
Daegu Books,Ha Yoon,ha@daegu.example,010-3333,Event,alice@example.com,pd-1
"""

BROKEN = """company,contact_name,email,segment,owner_email
Good Shop,Ann,ann@good.example,SMB,
,Nobody,no@company.example,,
Bad Mail,Bo,not-an-email,,
Wrong Segment,Cy,cy@ws.example,Galactic,
Odd Owner,Di,di@odd.example,,Dana
"""


def _count(db, model=Lead) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_errors_are_reported_by_line_and_nothing_is_written(db):
    report = imports.read_csv(BROKEN)
    assert [line for line, _ in report.errors] == [3, 4, 5, 6]
    messages = dict(report.errors)
    assert messages[3].startswith("company:") and "e-mail" in messages[4] and "Segment" in messages[5]
    assert "owner" in messages[6]
    assert len(report.rows) == 1 and _count(db) == 0
    assert imports.read_csv("name,city\nAcme,Seoul\n").errors == [
        (1, "no company column: name it `company` (HubSpot: Company name; Pipedrive: Organization - Name)")]


def test_hubspot_and_pipedrive_exports_import_once_and_are_routed(db, clock):
    routing.save_queue(db, clock, "T1", "U1", name="Inbound", channel_id="CQ", members=["UA", "UB"], segment=None,
                       sla_minutes=60, on_breach="notify")
    for text in (HUBSPOT, PIPEDRIVE):
        report = imports.read_csv(text)
        assert not report.errors
        imports.import_rows(db, clock, "T1", report, {}, keep_owners=False)
        assert report.routed == len(report.rows)
    assert _count(db) == 3 and _count(db, Contact) == 3
    with db.read() as s:
        rows = {l.external_id: l for l in s.scalars(select(Lead))}
        assert set(rows) == {"101", "102", "pd-1"}
        assert rows["101"].source == "Import" and rows["102"].source == "Referral" and rows["pd-1"].source == "Event"
        assert Counter(l.owner_id for l in rows.values()) == {"UA": 2, "UB": 1}
        contact = s.scalar(select(Contact).where(Contact.email == "jane@busan.example"))
        assert contact.name == "Jane Kim"
    again = imports.import_rows(db, clock, "T1", imports.read_csv(HUBSPOT), {}, keep_owners=False)
    assert again.created == [] and len(again.existed) == 2 and _count(db) == 3  # idempotent


def test_keep_owners_by_email_and_unknown_owners_are_reported(db, clock):
    members.save_member(db, clock, "T1", "U1", name="alice", tz="UTC", email="Alice@Example.com")
    report = imports.read_csv(HUBSPOT)
    owners = members.by_emails(db, "T1", [r.owner_email for r in report.rows])
    assert owners == {"alice@example.com": "U1"}
    imports.import_rows(db, clock, "T1", report, owners, keep_owners=True)
    assert report.errors == [(3, "owner: nobody in this Slack workspace has bob@example.com")]
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.owner_id == "U1" and lead.routed_at is None
        assert s.scalar(select(func.count()).select_from(Outbox)) == 0  # no card flood from an import


def test_the_command_line(fake, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from store.db import Database

    root = Path(__file__).resolve().parents[2]
    broken, good = tmp_path / "broken.csv", tmp_path / "good.csv"
    broken.write_text(BROKEN)
    good.write_text(HUBSPOT)
    url = f"sqlite:///{tmp_path}/crm.db"
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_"))},
           "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": url}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "bot.importer", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=60)

    out = run(str(broken))
    assert out.returncode == 1 and "line 4: email:" in out.stdout and "Nothing imported" in out.stdout
    out = run(str(good), "--keep-owners")
    assert out.returncode == 1 and "nobody in this Slack workspace has alice@example.com" in out.stdout
    assert [c.method for c in fake.calls].count("users.lookupByEmail") == 2
    out = run(str(good))
    assert out.returncode == 0 and "Created 2 lead(s)" in out.stdout, out.stdout + out.stderr
    out = run(str(good))
    assert "Created 0 lead(s) (0 routed), 2 already there" in out.stdout
    db = Database(url)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 2
        assert s.scalar(select(Lead.owner_id)) is None  # no queue, no owner given: waiting for someone
    db.dispose()
