"""Owners matched by e-mail else by Slack name; a dry run that predicts the real run; exit codes; nothing written
while any row is invalid; contacts added to organizations already there; owners set on a re-import; the summary."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from store.models import Assignment, Contact, Lead, Organization, Outbox
from store.services import leads, members, routing
from store.dto import NewLead


def _count(db, model=Lead) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(model))


def _owners(db) -> dict[str, str | None]:
    with db.read() as s:
        return dict(s.execute(select(Organization.name, Lead.owner_id)
                              .join(Lead, Lead.organization_id == Organization.id)).all())


def _numbers(text: str) -> list[int]:
    """The counts of a summary line: created, routed, already there, contacts, owners, not imported."""
    return [int(n) for n in re.findall(r"\d+", text)]


def test_owners_by_email_else_by_slack_name_and_the_unmatched_are_reported(run, db, fake):
    code, out, _ = run("pipedrive_leads.csv", "--keep-owners")
    assert code == 1 and "line 5: owner: nobody in this Slack workspace is called Nobody Here" in out
    assert "Owners that match nobody in Slack: Nobody Here (1 row)." in out and "Nothing imported" in out
    assert _count(db) == 0  # an owner nobody has is an invalid row: nothing is written
    code, out, _ = run("pipedrive_leads.csv", "--keep-owners", "--skip-invalid")
    assert code == 0, out
    assert _owners(db) == {"Daegu Books": "U2", "Busan Cafe": "U3"}  # "Bob", "Carol": real names, any case
    assert "1 not imported" in out
    fake.add_user("U4", name="min.park", real_name="Min Park")
    fake.add_user("U5", name="mp2", real_name="min park")
    code, out, _ = run("pipedrive_people.csv", "--keep-owners", "--skip-invalid")
    assert "line 4: owner: 2 people in this Slack workspace are called Min Park (give the owner's e-mail instead)" \
        in out
    code, out, _ = run("salesforce_leads.csv", "--keep-owners")
    assert code == 0, out
    owners = _owners(db)
    assert (owners["Acme, Inc."], owners["Globex"], owners["Initech"], owners["Umbrella"]) == ("U1", "U2", "U3", "U3")
    code, out, _ = run("hubspot_contacts.csv", "--keep-owners", "--skip-invalid")
    assert _owners(db)["Seoul Coffee"] == "U3"  # u3@example.com, looked up with users.lookupByEmail
    assert "line 6: owner: nobody in this Slack workspace has dave@example.com" in out
    assert not any(c.method == "users.list" and c.args.get("cursor") for c in fake.calls)  # one page sufficed


def test_a_dry_run_predicts_the_real_run_owner_lookups_included(run, db):
    code, dry, _ = run("hubspot_contacts.csv", "--keep-owners", "--dry-run")
    assert code == 1  # the real run would refuse, and so does its dry run
    assert "line 6: owner: nobody in this Slack workspace has dave@example.com" in dry
    assert "the real run would import nothing, because 1 row above can't be imported" in dry
    code, real, _ = run("hubspot_contacts.csv", "--keep-owners")
    assert code == 1 and "Nothing imported: 1 row above can't be imported" in real and _count(db) == 0
    code, dry, _ = run("hubspot_contacts.csv", "--keep-owners", "--skip-invalid", "--dry-run")
    assert code == 0 and _count(db) == 0
    code, real, _ = run("hubspot_contacts.csv", "--keep-owners", "--skip-invalid")
    assert code == 0
    predicted = next(line for line in dry.splitlines() if line.startswith("Dry run:"))
    done = next(line for line in real.splitlines() if line.startswith("Created"))
    assert _numbers(predicted) == _numbers(done) == [8, 0, 1, 1, 0, 1]
    assert _count(db) == 8


def test_a_dry_run_predicts_routing(run, db, clock):
    members.save_member(db, clock, "T1", "U1", name="alice", tz="UTC", is_admin=True)
    routing.save_queue(db, clock, "T1", "U1", name="Inbound", channel_id="CQ", members=["U2", "U3"], segment=None,
                       sla_minutes=60, on_breach="notify")
    code, dry, _ = run("hubspot_contacts.csv", "--dry-run")
    code, real, _ = run("hubspot_contacts.csv")
    assert code == 0
    predicted = next(line for line in dry.splitlines() if line.startswith("Dry run:"))
    done = next(line for line in real.splitlines() if line.startswith("Created"))
    assert _numbers(predicted) == _numbers(done) == [9, 6, 1, 1, 0, 0]  # the 3 closed ones are not routed
    with db.read() as s:
        routed = s.scalars(select(Lead).where(Lead.routed_at.is_not(None))).all()
        assert {lead.status for lead in routed} == {"Closing", "Qualifying", "Nurturing", "Unidentified", "Potential"}
        assert s.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "card")) == 6  # only those


def test_a_company_already_there_gets_the_new_contact(run, db, clock):
    leads.create_lead(db, clock, "T1", "U1", NewLead(company="busan bakery", contact_name="Jane Kim",
                                                     email="Jane@Busan.example"))
    code, out, _ = run("hubspot_contacts.csv")
    assert code == 0
    assert "line 3: busan bakery was there already; added its contact Min Lee" in out
    assert "line 2:" not in out  # Jane was there: same e-mail, whatever its case
    with db.read() as s:
        names = s.scalars(select(Contact.name).join(Organization, Organization.id == Contact.organization_id)
                          .where(Organization.name == "busan bakery").order_by(Contact.id)).all()
    assert names == ["Jane Kim", "Min Lee"]
    assert "2 already there, 1 contact added" in out
    code, again, _ = run("hubspot_contacts.csv")
    assert "Created 0 leads (0 routed), 10 already there, 0 contacts added" in again
    assert _count(db, Contact) == 10


def test_a_reimport_with_keep_owners_sets_owners_on_leads_that_have_none(run, db):
    run("hubspot_contacts.csv")
    assert set(_owners(db).values()) == {None}  # no queue and no owners asked for: waiting for someone
    code, out, _ = run("hubspot_contacts.csv", "--keep-owners", "--skip-invalid")
    assert code == 0 and "3 owners set on leads that had none; 1 not imported." in out
    owners = _owners(db)
    assert (owners["Busan Bakery"], owners["Daegu Books, Inc."], owners["Seoul Coffee"]) == ("U1", "U2", "U3")
    with db.read() as s:
        assert s.scalar(select(Organization.owner_id).where(Organization.name == "Seoul Coffee")) == "U3"
        given = s.scalars(select(Assignment).where(Assignment.actor_id == "import")).all()
        assert {(a.from_owner, a.to_owner) for a in given} == {(None, "U1"), (None, "U2"), (None, "U3")}
    code, out, _ = run("hubspot_contacts.csv", "--keep-owners", "--skip-invalid")
    assert "0 owners set" in out and _count(db) == 9


def test_invalid_rows_are_reported_by_line_counted_and_change_the_exit_code(run, db, tmp_path):
    path = tmp_path / "own.csv"
    path.write_bytes("\ufeffcompany,contact_name,email,segment,note,owner_email\r\n"
                     "Good Shop,Ann,ann@good.example,SMB,\"a note\r\non two lines, with a comma\",\r\n"
                     ",Nobody,no@company.example,,,\r\n"
                     "Bad Mail,Bo,not-an-email,,,\r\n"
                     "Wrong Segment,Cy,cy@ws.example,Galactic,,\r\n"
                     "Odd Owner,Di,di@odd.example,,,di@@odd\r\n".encode())
    code, out, _ = run(path)
    assert code == 1 and _count(db) == 0
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("line ")] == [
        "line 4", "line 5", "line 6", "line 7"]  # the note spans lines 2 and 3
    assert "line 4: company: Give the company a name." in out and "line 5: email:" in out
    assert "line 6: segment:" in out and "line 7: owner:" in out
    assert "Nothing imported: 4 rows above can't be imported" in out
    code, out, _ = run(path, "--skip-invalid")
    assert code == 0 and _count(db) == 1
    assert out.strip().endswith("Created 1 lead (0 routed), 0 already there, 0 contacts added to organizations "
                                "already there, 0 owners set on leads that had none; 4 not imported.")


def test_the_command_line(fake, db, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.importer.conftest import FIXTURES

    root = Path(__file__).resolve().parents[2]
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_"))},
           "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": db.url}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bot.importer", *args], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=60)

    out = cli(str(FIXTURES / "salesforce_leads.csv"), "--dry-run")
    assert out.returncode == 0 and "Nothing was written" in out.stdout, out.stdout + out.stderr
    out = cli(str(FIXTURES / "salesforce_leads.csv"))
    assert out.returncode == 0 and "Created 4 leads" in out.stdout, out.stdout + out.stderr
    assert _count(db) == 4
    out = cli(str(tmp_path / "missing.csv"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "cannot read" in out.stderr
    assert str(root) not in out.stderr
