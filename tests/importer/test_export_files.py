"""Real export files: Pipedrive's `Lead - Organization` / `Person - Organization` and labelled fields, Salesforce's
`Company / Account` and report footer, Zoho's leads, HubSpot's Message / Office Number / Cell Number, the specific
column before the generic one, both phone numbers, and files as people save them (semicolons, Korean Excel)."""

from __future__ import annotations

import re

from sqlalchemy import select

from store.models import Activity, Contact, Lead, Organization
from tests.importer.conftest import FIXTURES


def _contact(db, company: str) -> Contact:
    with db.read() as s:
        contact = s.scalar(select(Contact).join(Organization, Organization.id == Contact.organization_id)
                           .where(Organization.name == company).order_by(Contact.id))
        s.expunge(contact)
        return contact


def _note(db, company: str) -> str | None:
    with db.read() as s:
        return s.scalar(select(Activity.text).join(Lead, Lead.id == Activity.lead_id)
                        .join(Organization, Organization.id == Lead.organization_id)
                        .where(Organization.name == company))


def test_every_fixture_has_the_shape_people_export(db):
    for path in FIXTURES.glob("*.csv"):
        data = path.read_bytes()
        assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b""), path.name
        if path.name != "korean_excel.csv":  # CP949 has no BOM
            assert data.startswith(b"\xef\xbb\xbf"), path.name
    assert FIXTURES.joinpath("hubspot_contacts.csv").read_text("utf-8-sig").splitlines()[0] == (
        "Record ID,First Name,Last Name,Email,Phone Number,Contact owner,Lifecycle Stage,Lead Status,Company Name,"
        "Original Source,Create Date")
    assert FIXTURES.joinpath("salesforce_leads.csv").read_text("utf-8-sig").splitlines()[0] == (
        '"First Name","Last Name","Title","Company / Account","Lead Source","Lead Status","Lead Owner","Email",'
        '"Phone","Created Date"')


def test_pipedrive_organizations_and_labelled_fields(run, db):
    code, out, err = run("pipedrive_leads.csv")
    assert code == 0, out + err
    assert "Ignored columns" not in out
    daegu = _contact(db, "Daegu Books")
    assert (daegu.name, daegu.email, daegu.phone) == ("Ha Yoon", "ha@daegu.example", "053-333-4444, 010-3333-4444")
    assert _contact(db, "Busan Cafe").phone == "010-7777-8888"  # only a mobile: it is the number
    assert _note(db, "Daegu Books") == "Daegu Books deal, 2 shops"  # Lead - Title: the first note
    assert _note(db, "Busan Cafe") == "Busan Cafe\nrenewal, next spring"
    with db.read() as s:
        assert s.scalar(select(Lead.source).where(Lead.external_id == "9f1c2b30-1a2b-11ef-9c3d-5b8f4e0a1c01")) \
            == "Web forms"
    code, out, err = run("pipedrive_people.csv")
    assert code == 0, out + err
    assert "line 2: Daegu Books was there already; added its contact Ha Yoon" not in out  # the same person
    gimhae = _contact(db, "Gimhae Foods")
    assert gimhae.email == "sun@gimhae.example"
    assert _note(db, "Gimhae Foods") is None


def test_pipedrive_people_use_the_home_email_when_there_is_no_work_one(run, db):
    code, out, _ = run("pipedrive_people.csv")
    assert code == 0, out
    daegu = _contact(db, "Daegu Books")
    assert (daegu.email, daegu.phone) == ("ha.home@mail.example", "053-333-4444, 010-3333-4444")
    assert _note(db, "Daegu Books") == "Met at the fair, Daegu\nwants a demo"


def test_a_salesforce_lead_report_and_its_footer(run, db):
    code, out, err = run("salesforce_leads.csv")
    assert code == 0, out + err
    assert "4 rows; 3 report footer lines (totals, notices) left out." in out
    assert not re.search(r"^line \d", out, re.M) and "0 not imported" in out
    jane = _contact(db, "Acme, Inc.")
    assert (jane.name, jane.title, jane.email, jane.phone) == ("Jane Doe", "Head of Purchasing", "jane@acme.example",
                                                                "(415) 555-0100")


def test_a_zoho_leads_export(run, db):
    code, out, err = run("zoho_leads.csv")
    assert code == 0, out + err
    mi = _contact(db, "Changwon Steel")
    assert (mi.name, mi.title, mi.phone) == ("Mi Na", "Buyer", "055-123-4567, 010-1234-5678")
    assert _note(db, "Changwon Steel") == "Visited our booth, Hall B.\nSend the price list."
    with db.read() as s:
        assert s.scalar(select(Lead.source).where(Lead.external_id == "zcrm_5710000000123001")) == "Trade Show"


def test_hubspot_office_and_cell_numbers_and_its_message(run, db):
    code, out, err = run("hubspot_leads.csv")
    assert code == 0, out + err
    assert _contact(db, "Mokpo Fish, Ltd.").phone == "+82 61 555 0101, +82 10 5555 0202"
    assert _note(db, "Mokpo Fish, Ltd.") == "Needs a quote:\n- 200 boxes\n- delivery, weekly"


def test_the_specific_column_wins_and_both_numbers_are_kept_main_first(run, db):
    code, out, _ = run("hubspot_form_contacts.csv")
    assert code == 0, out
    assert _contact(db, "Busan Bakery").phone == "+82 51 111 2222, +82 10 1111 2222"
    with db.read() as s:
        assert s.scalar(select(Organization.id).where(Organization.name == "Busan Holdings")) is None


def test_korean_excel_semicolons_and_cp949(run, db):
    code, out, err = run("korean_excel.csv")
    assert code == 0, out + err
    assert "(CP949, semicolon-separated): 2 rows." in out
    busan = _contact(db, "부산 베이커리")
    assert (busan.name, busan.phone) == ("김지은", "051-111-2222, 010-1111-2222")
    assert _note(db, "부산 베이커리") == "오븐 3대 문의; 5월 전 납품\n오후 2시 이후 통화"
    with db.read() as s:
        assert set(s.scalars(select(Lead.source))) == {"네이버 광고", "지인 소개"}


def test_files_that_are_not_text_we_can_read_get_one_line(run, db, tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("company;contact_name\r\nCafé Müller;Jürgen Groß\r\n".encode("latin-1"))
    code, out, err = run(latin)
    assert code == 2 and out == ""
    assert err == ("crm-import: latin.csv: the file is not UTF-8 text (nor Korean Excel's CP949): in Excel, save it "
                   "as “CSV UTF-8 (Comma delimited)” and import that file\n").replace("latin.csv", str(latin))
    utf16 = tmp_path / "unicode.txt"
    utf16.write_bytes("company\tcontact_name\r\nCafé Müller\tJürgen Groß\r\n".encode("utf-16"))
    code, out, _ = run(utf16)
    assert code == 0 and "(UTF-16, tab-separated): 1 row." in out
    hint = tmp_path / "hint.csv"
    hint.write_bytes(b"sep=;\r\ncompany;email\r\nSemi Shop;semi@shop.example\r\nBad;nope\r\n")
    code, out, _ = run(hint)
    assert code == 1 and "line 4: email:" in out  # Excel's "sep=;" line is not the header
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"\xef\xbb\xbf\r\n\r\n")
    code, _out, err = run(empty)
    assert code == 2 and "the file is empty" in err
    nameless = tmp_path / "nameless.csv"
    nameless.write_bytes(b"name,city\r\nAcme,Seoul\r\n")
    code, _out, err = run(nameless)
    assert code == 2 and "no company column" in err and "Company / Account" in err
