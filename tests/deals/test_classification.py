"""Customers sorted by who they are and who decides; relations both ways; `/lead list` filters and pages;
the workspace's currency and organization types."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from store.errors import Invalid
from store.models import Organization, OrganizationRelation
from store.services import leads, members, organizations
from tests.slack_driver import message_text


def _org_id(db, name: str) -> int:
    with db.read() as s:
        return s.scalar(select(Organization.id).where(Organization.name == name))


def test_organization_form_type_authority_and_relations_both_ways(bot, fake, db):
    bot.command("new Busan Bakery")
    bot.command("new Pixel Lab")
    bot.command("org pixel")
    view = bot.last_view()
    assert [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"] == [
        "Type", "Decision authority", "Who approves", "Related organization", "Relation", "Takes calls on",
        "Not before", "Not after", "Contact hours note", "Time zone"]
    options = bot.options("org_select", "bus", block_id="related").json["options"]
    assert [o["text"]["text"] for o in options] == ["Busan Bakery"]
    r = bot.submit(view, {"Related organization": options[0]})
    assert "Choose both" in r.json["errors"]["relation"]
    r = bot.submit(view, {"Type": "Agency", "Decision authority": "Needs external approval",
                          "Who approves": "the shop's owner", "Related organization": options[0],
                          "Relation": "It works for the one below (it is their agency)"})
    assert r.status == 200 and r.raw == b""
    assert "Agency · needs external approval (the shop&#39;s owner)" in bot.last_reply_text() or \
        "Agency · needs external approval (the shop's owner)" in bot.last_reply_text()
    bot.command("show busan")
    shown = message_text(bot.replies()[-1])
    assert "agency: Pixel Lab" in shown
    bot.command("show pixel")
    assert "works for: Busan Bakery" in message_text(bot.replies()[-1])
    with pytest.raises(Invalid) as err:
        organizations.relate(db, bot.crm.clock, "T1", "U1", _org_id(db, "Pixel Lab"), _org_id(db, "Pixel Lab"),
                             "works_for")
    assert err.value.code == "relation_self"
    organizations.relate(db, bot.crm.clock, "T1", "U1", _org_id(db, "Pixel Lab"), _org_id(db, "Busan Bakery"),
                         "works_for")  # the same relation again is one
    with db.read() as s:
        assert len(s.scalars(select(OrganizationRelation)).all()) == 1


def test_list_filters_and_pages(bot, fake, db, clock):
    for i in range(45):
        lead = leads.create_lead(db, clock, "T1", "U1" if i % 3 else "U2", leads.NewLead(company=f"Shop {i:02d}")).lead
        if i % 2:
            from store.services import updates
            updates.change_status(db, clock, "T1", "U1", lead.id, "Potential")
        if i % 5 == 0:
            organizations.classify(db, clock, "T1", lead.organization_id, kind="Agency", authority="alone",
                                   approver=None)
    bot.command("list potential mine")
    reply = bot.replies()[-1]
    mine_potential = [i for i in range(45) if i % 2 and i % 3]
    assert f"*{len(mine_potential)}* leads match *Potential* · owned by <@U1>" in message_text(reply)
    assert reply["blocks"][-1]["type"] != "actions"  # 15 fit on one page
    bot.command("list mine")
    reply = bot.replies()[-1]
    assert "*30* leads match open · owned by <@U1> · 1–20" in message_text(reply)
    assert [e["text"]["text"] for e in reply["blocks"][-1]["elements"]] == ["Next"]
    bot.click(reply, "Next")
    page2 = bot.replies()[-1]
    assert "21–30" in message_text(page2) and page2.get("replace_original") is True
    assert [e["text"]["text"] for e in page2["blocks"][-1]["elements"]] == ["Previous"]
    bot.command("list type:agency")
    assert "*9* leads match open · type Agency" in message_text(bot.replies()[-1])
    bot.command("list type:agency authority:alone potential")
    assert "*4* leads match *Potential* · type Agency · decides alone" in message_text(bot.replies()[-1])
    bot.command("list wizards")
    assert "I don't know the filter `wizards`" in bot.last_reply_text()
    bot.command("list bad fit")
    assert "No leads match *Bad fit*" in bot.last_reply_text()


def test_workspace_currency_and_types(bot, fake, db, clock):
    bot.command("settings currency usd", user="U2")
    assert "Only managers" in bot.last_reply_text()
    members.save_member(db, clock, "T1", "U1", name="alice", tz="Europe/Berlin", is_admin=True)
    bot.command("settings currency dollars")
    assert "is not a currency" in bot.last_reply_text()
    bot.command("settings currency usd")
    assert "deals in *USD*" in bot.last_reply_text()
    bot.command("settings types Shop, Agency, Partner, Brand")
    assert "Shop, Agency, Partner, Brand" in bot.last_reply_text()
    bot.command("new Acme")
    bot.command("deal acme")
    view = bot.last_view()
    assert "In USD unless" in str(view)
    bot.submit(view, {"Amount": "1,500.50"}, view_id="VD")
    bot.command("pipeline")
    assert "$1,500.50" in message_text(bot.replies()[-1])


def test_an_organization_is_never_merged_into_itself(db, clock):
    lead = leads.create_lead(db, clock, "T1", "U1", leads.NewLead(company="Acme")).lead
    with pytest.raises(Invalid) as err:
        with db.write() as s:
            organizations.merge(s, "T1", lead.organization_id, lead.organization_id)
    assert err.value.code == "merge_same"


def test_merging_keeps_relations_once_and_never_to_itself(db, clock):
    made = {name: leads.create_lead(db, clock, "T1", "U1", leads.NewLead(company=name)).lead.organization_id
            for name in ("Acme", "Acme Shop", "Pixel Lab")}
    for org in ("Acme", "Acme Shop"):
        organizations.relate(db, clock, "T1", "U1", made["Pixel Lab"], made[org], "works_for")
    organizations.relate(db, clock, "T1", "U1", made["Acme Shop"], made["Acme"], "referred")
    with db.write() as s:
        organizations.merge(s, "T1", made["Acme Shop"], made["Acme"])
    with db.read() as s:
        info = organizations.org_info(s, "T1", made["Acme"])
    assert info.relations == (("agency", made["Pixel Lab"], "Pixel Lab"),)


def test_list_answers_a_bad_filter_escaped_once(bot, fake, db):
    bot.command("list a&b")
    text = bot.last_reply_text()
    assert "`a&amp;b`" in text and "&amp;amp;" not in text
