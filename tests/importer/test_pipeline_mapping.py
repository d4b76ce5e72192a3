"""What a team moves in with: HubSpot's lifecycle stages and lead statuses, Pipedrive's labels, Salesforce's and
Zoho's lead statuses land in the pipeline (a table a person can read and override with --map); the original
source and the create date (the lead's arrival, in its history) are kept; values that map to nothing are listed."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select

from store.models import Activity, Lead, Organization, StatusChange
from store.services import leads


def _leads(db) -> dict[str, Lead]:
    with db.read() as s:
        rows = s.scalars(select(Lead).join(Organization, Organization.id == Lead.organization_id)).all()
        out = {}
        for lead in rows:
            out[lead.organization.name] = lead
            s.expunge(lead)
        return out


def test_a_hubspot_contacts_export_keeps_stages_sources_and_create_dates(run, db, clock):
    code, out, err = run("hubspot_contacts.csv")
    assert code == 0, out + err
    assert "Ignored columns" not in out  # Lifecycle Stage and Create Date are read
    got = _leads(db)
    assert {name: lead.status for name, lead in got.items()} == {
        "Busan Bakery": "Customer",  # customer; its stale Lead Status (CONNECTED) does not win
        "Daegu Books, Inc.": "Closing",  # opportunity
        "Seoul Coffee": "Qualifying",  # salesqualifiedlead + IN_PROGRESS
        "Incheon Tea": "Nurturing",  # lead + BAD_TIMING: the lead status refines an early stage
        "Ulsan Flowers": "Unidentified",  # subscriber
        "Jeju Farms": "Potential",  # marketingqualifiedlead + ATTEMPTED_TO_CONTACT
        "Gwangju Print": "Customer",  # evangelist
        "Suwon Tools": "Bad fit",  # other + UNQUALIFIED
        "Pohang Fish": "Unidentified",  # "partner" maps to nothing: listed, first status
    }
    busan = got["Busan Bakery"]
    assert busan.source == "ORGANIC_SEARCH" and got["Incheon Tea"].source == "Offline Sources"
    assert busan.arrived_at == datetime(2024, 3, 14, 10, 5, tzinfo=timezone.utc)  # the workspace's zone: UTC
    assert busan.is_open is False and got["Seoul Coffee"].is_open is True
    with db.read() as s:
        change = s.scalar(select(StatusChange).where(StatusChange.lead_id == busan.id))
        assert (change.from_status, change.to_status, change.changed_at) == (
            "Unidentified", "Customer", datetime(2024, 3, 14, 10, 5, tzinfo=timezone.utc))
        assert change.reason == "imported: Lifecycle Stage “customer”"
        assert s.scalar(select(StatusChange).where(StatusChange.lead_id == got["Ulsan Flowers"].id)) is None
    history = leads.lead_detail(db, "T1", busan.id).timeline
    assert [(e.kind, e.new, e.at) for e in history] == [
        ("status", "Customer", datetime(2024, 3, 14, 10, 5, tzinfo=timezone.utc))]


def test_the_dry_run_prints_the_mapping_with_counts_and_lists_what_maps_to_nothing(run, db):
    code, out, _ = run("hubspot_contacts.csv", "--dry-run")
    assert code == 0
    assert "  Lifecycle Stage  customer → Customer: 2 rows" in out
    assert "  Lead Status      BAD_TIMING → Nurturing: 1 row" in out
    assert "  Lifecycle Stage  partner → nothing: 1 row" in out
    assert ("Values that map to nothing (they start as Unidentified): Lifecycle Stage “partner” (1 row). "
            "Map them with --map \"partner=<status>\".") in out
    assert "New leads by status: Unidentified 2, Potential 1, Qualifying 1, Closing 1, Customer 2, Nurturing 1, " \
           "Bad fit 1." in out
    assert "the real run would create 9 leads (0 routed), find 1 already there, add 1 contact to organizations" in out
    assert _leads(db) == {}


def test_map_overrides_a_line_of_the_table(run, db):
    code, out, _ = run("hubspot_contacts.csv", "--map", "opportunity=Qualifying", "--map", "partner=potential",
                       "--map", "Lead Status:bad_timing=Unidentified")
    assert code == 0, out
    assert "opportunity → Qualifying (--map): 1 row" in out and "partner → Potential (--map)" in out
    assert "Values that map to nothing" not in out
    got = _leads(db)
    assert got["Daegu Books, Inc."].status == "Qualifying" and got["Pohang Fish"].status == "Potential"
    assert got["Incheon Tea"].status == "Unidentified"  # its Lead Status, mapped there, still refines "lead"
    code, _out, err = run("hubspot_contacts.csv", "--map", "opportunity=Wonderful")
    assert code == 2 and "“Wonderful” is not a status here" in err and "Closing" in err
    code, _out, err = run("hubspot_contacts.csv", "--map", "opportunity")
    assert code == 2 and 'write it as value=Status' in err
    code, _out, err = run("hubspot_contacts.csv", "--map", "Colour:red=Closing")
    assert code == 2 and "“Colour” is not a status column" in err


def test_the_classic_pipeline_gets_its_own_names(run, db, clock):
    _classic(db, clock)
    code, out, _ = run("hubspot_contacts.csv")
    assert code == 0, out
    got = _leads(db)
    assert got["Busan Bakery"].status == "Closed" and got["Daegu Books, Inc."].status == "Qualified"
    assert got["Jeju Farms"].status == "Attempting contact" and got["Ulsan Flowers"].status == "New lead"


def _classic(db, clock):
    from store.models import PipelineStatus
    from store.services import pipeline
    from store.vocabulary import TEMPLATES

    with db.write() as s:
        pipeline.ensure_team(s, "T1", clock, template="classic")
    pipeline.forget_cache()
    with db.read() as s:
        assert [p.name for p in s.scalars(select(PipelineStatus).order_by(PipelineStatus.position))] == \
            [n for n, _m, _c in TEMPLATES["classic"]]


def test_salesforce_zoho_and_pipedrive_statuses(run, db):
    for name in ("salesforce_leads.csv", "zoho_leads.csv", "pipedrive_leads.csv"):
        code, out, err = run(name)
        assert code == 0, out + err
    got = _leads(db)
    assert {n: got[n].status for n in ("Acme, Inc.", "Globex", "Initech", "Umbrella")} == {
        "Acme, Inc.": "Potential", "Globex": "Qualifying", "Initech": "Closing", "Umbrella": "Bad fit"}
    assert got["Acme, Inc."].source == "Web" and got["Globex"].source == "Phone Inquiry"
    assert got["Acme, Inc."].arrived_at == datetime(2024, 3, 14, 9, 0, tzinfo=timezone.utc)  # a date: 09:00
    assert {n: got[n].status for n in ("Changwon Steel", "Yeosu Marine", "Andong Rice")} == {
        "Changwon Steel": "Qualifying", "Yeosu Marine": "Bad fit", "Andong Rice": "Qualifying"}
    assert got["Changwon Steel"].arrived_at == datetime(2024, 2, 1, 9, 15, tzinfo=timezone.utc)
    assert {n: got[n].status for n in ("Daegu Books", "Busan Cafe", "Jeonju Print")} == {
        "Daegu Books": "Qualifying", "Busan Cafe": "Customer", "Jeonju Print": "Potential"}  # Hot; "Cold, Customer"


def test_the_first_note_comes_with_the_lead_at_its_arrival(run, db):
    code, out, err = run("hubspot_form_contacts.csv", "--tz", "Asia/Seoul")
    assert code == 0, out + err
    got = _leads(db)
    busan = got["Busan Bakery"]  # "Company name" beats "Associated Company"
    assert "Seoul Group" in got  # the generic column still counts when the specific one is empty
    assert busan.arrived_at == datetime(2024, 3, 14, 1, 5, tzinfo=timezone.utc)  # the file named its zone
    with db.read() as s:
        note = s.scalars(select(Activity).where(Activity.lead_id == busan.id)).one()
        assert note.text == "Wants 3 ovens, delivered before May.\nCall after 2pm, please."
        assert (note.kind, note.occurred_at) == ("Note", busan.arrived_at)
    assert busan.status == "Potential"  # lead
