"""Export and erase, on SQLite and PostgreSQL: /lead export sends admins a ZIP of CSV files by DM (their
workspace's rows only, spreadsheet-safe, Korean intact); /lead forget erases a contact everywhere after a
confirmation, keeps a tombstone and writes the audit log."""

from __future__ import annotations

import csv
import io
import zipfile

from sqlalchemy import select

from store.dto import NewLead
from store.models import Activity, AuditEntry, Comment, Contact
from store.services import leads, updates
from store.dto import LeadUpdate
from bot.delivery import deliver_lead
from tests.slack_driver import message_text


def _zip(fake) -> zipfile.ZipFile:
    (upload,) = [f for f in fake.files.values() if f["name"].endswith(".zip")]
    return zipfile.ZipFile(io.BytesIO(upload["data"]))


def _csv(z: zipfile.ZipFile, name: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(z.read(name).decode("utf-8-sig"))))


def _admin(bot, fake, user="U1"):
    fake.users[user]["is_admin"] = True
    bot.event({"type": "user_change", "user": fake.users[user]})


def test_export_is_a_zip_of_csv_files_in_the_admins_dm(bot, fake, db, clock):
    leads.create_lead(db, clock, "T1", "U1", NewLead(company="부산 베이커리", contact_name="김민지",
                                                      email="minji@busan.kr"))
    leads.create_lead(db, clock, "T1", "U1", NewLead(company="=HYPERLINK(\"x\")"))
    leads.create_lead(db, clock, "T2", "U9", NewLead(company="Other team's shop"))
    _admin(bot, fake)
    bot.command("export", user="U1")
    assert "Working on the export" in bot.last_reply_text()
    z = _zip(fake)
    assert set(z.namelist()) == {"organizations.csv", "contacts.csv", "leads.csv", "activities.csv",
                                 "comments.csv", "follow_ups.csv", "status_changes.csv", "assignments.csv",
                                 "README.txt"}  # no deals.csv: the team has none
    orgs = _csv(z, "organizations.csv")
    assert sorted(o["name"] for o in orgs) == ["'=HYPERLINK(\"x\")", "부산 베이커리"]  # formula-safe; T2's absent
    (contact,) = _csv(z, "contacts.csv")
    assert contact["name"] == "김민지" and contact["email"] == "minji@busan.kr"
    assert len(_csv(z, "leads.csv")) == 2
    (upload,) = fake.of("files.completeUploadExternal")
    assert upload["channel_id"] == "D1" and "rows in 8 CSV files" in upload["initial_comment"]
    with db.read() as s:
        assert s.scalar(select(AuditEntry.action).where(AuditEntry.action == "export")) == "export"


def test_export_and_forget_are_for_admins_only(bot, fake, db, clock):
    bot.command("export", user="U2")
    assert "Only workspace admins and owners can export the CRM's data" in bot.last_reply_text()
    bot.command("forget someone@x.kr", user="U2")
    assert "Only workspace admins and owners can erase a contact's personal data" in bot.last_reply_text()
    assert not fake.files
    with db.read() as s:
        assert [a for a in s.scalars(select(AuditEntry.target).where(AuditEntry.action == "refused"))] == [
            "export", "forget"]


def test_forget_erases_a_contact_everywhere_after_a_confirmation(bot, fake, db, clock):
    created = leads.create_lead(db, clock, "T1", "U1", NewLead(company="Acme Shop", contact_name="Kim Minji",
                                                                email="minji@acme.kr", phone="010-1234-5678"))
    lead = deliver_lead(bot.app.client, bot.crm, "T1", created.lead.id).lead  # its card is posted
    assert "Kim Minji" in message_text(fake.of("chat.postMessage")[-1])
    updates.update_lead(db, clock, "T1", "U1", LeadUpdate(lead.id, activity="Call", outcome="Connected",
                                                          note="Kim Minji asked for samples; mail minji@acme.kr"))
    with db.write() as s:
        s.add(Comment(team_id="T1", lead_id=lead.id, organization_id=lead.organization_id, author_id="U2",
                      channel="C1", ts="1.1", text="kim minji is the buyer", posted_at=clock.now(), edited=False,
                      deleted=False))
        s.add(Comment(team_id="T1", lead_id=None, organization_id=lead.organization_id, source="channel",
                      author_id="UX", author_name="Kim Minji", external=True, channel="CS", ts="1.2",
                      text="Please call me back", posted_at=clock.now(), edited=False, deleted=False))
    _admin(bot, fake)
    bot.command("forget <mailto:minji@acme.kr|minji@acme.kr>", user="U1")
    ask = bot.replies()[-1]
    assert "Erase *Kim Minji* (minji@acme.kr) of Acme Shop?" in message_text(ask)
    with db.read() as s:
        assert s.scalar(select(Contact.name)) == "Kim Minji"  # nothing happens before the confirmation
    bot.click(ask, "Erase their data", user="U1", ephemeral=True)
    assert "the contact of Acme Shop is erased" in bot.last_reply_text()
    with db.read() as s:
        c = s.scalar(select(Contact))
        assert (c.name, c.email, c.phone, c.name_key, c.email_key) == (None, None, None, None, None)
        assert c.erased_at is not None and c.notes.startswith("Contact erased on 2026-11-23")
        assert s.scalar(select(Activity.text)) == "[erased] asked for samples; mail [erased]"
        texts = sorted(s.scalars(select(Comment.text)))
        assert texts == ["[erased]", "[erased] is the buyer"]
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "forget"))
        assert entry.actor_id == "U1" and entry.target == f"contact #{c.id}" and "minji" not in str(entry.detail)
    card = [m for m in fake.of("chat.update") if m.get("ts") == lead.card_ts]
    assert card and "Kim Minji" not in message_text(card[-1])  # the card was edited
    bot.click(ask, "Erase their data", user="U1", ephemeral=True)  # the button again: nothing left to erase
    assert "No contact matches" in bot.last_reply_text()


def test_forget_asks_when_a_name_is_ambiguous_and_cancel_changes_nothing(bot, fake, db, clock):
    leads.create_lead(db, clock, "T1", "U1", NewLead(company="One", contact_name="Lee Jun", email="a@one.kr"))
    leads.create_lead(db, clock, "T1", "U1", NewLead(company="Two", contact_name="Lee Jun", email="b@two.kr"))
    _admin(bot, fake)
    bot.command("forget Lee Jun", user="U1")
    assert "names 2 contacts" in bot.last_reply_text() and "Give the e-mail" in bot.last_reply_text()
    bot.command("forget a@one.kr", user="U1")
    bot.click(bot.replies()[-1], "Cancel", user="U1", ephemeral=True)
    assert "nothing was erased" in bot.last_reply_text()
    with db.read() as s:
        assert sorted(s.scalars(select(Contact.email))) == ["a@one.kr", "b@two.kr"]
