"""The one-line subcommands: help, new, log, status, assign, followup, show, find, mine, and ambiguity."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from store.models import Activity, FollowUp, Lead
from tests.slack_driver import message_text


@pytest.mark.parametrize("text", ["", "help", "HELP", "frobnicate acme", "   "])
def test_help_for_empty_and_unknown(bot, fake, text):
    r = bot.command(text)
    assert r.status == 200
    shown = message_text(r.json)
    assert "/lead new [company]" in shown and "/lead followup <lead> <when> [note]" in shown
    if text.startswith("frob"):
        assert "I don't know `frobnicate`" in shown
    assert r.json.get("response_type", "ephemeral") == "ephemeral"
    assert not fake.calls  # answered in the ack itself


def test_new_inline_and_duplicate_company(bot, fake, db):
    bot.command('new "Busan Bakery"')
    bot.command("new busan   BAKERY")
    assert "already has an open lead (#1" in bot.last_reply_text()
    assert len(fake.of("chat.postMessage")) == 1
    with db.read() as s:
        assert len(s.scalars(select(Lead)).all()) == 1


def test_card_falls_back_to_crm_channel(bot, fake, db):
    fake.forbidden_channels.add("CPRIVATE")
    bot.command("new Acme Shop", channel="CPRIVATE")
    posted = fake.of("chat.postMessage")
    assert posted[-1]["channel"] == "CCRM"
    with db.read() as s:
        assert s.scalars(select(Lead)).one().card_channel == "CCRM"
    assert "<#CCRM>" in bot.last_reply_text() or "CCRM" in bot.last_reply_text()


def test_new_lead_modal(bot, fake, db):
    bot.command("new")
    view = bot.last_view()
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Company", "Contact name", "Email", "Phone", "Segment", "Source", "Or another source", "Owner",
                      "Note"]
    r = bot.submit(view, {"Company": "Acme Shop", "Email": "not-an-email"})
    assert r.json == {"response_action": "errors", "errors": {"email": "“not-an-email” is not an e-mail address."}}
    r = bot.submit(view, {"Company": "   "})
    assert r.json["errors"] == {"company": "Give the company a name."}
    r = bot.submit(view, {"Company": "Acme Shop", "Contact name": "Jane Roe", "Email": "jane@acme.com",
                          "Phone": "+49 30 1234", "Segment": "SMB", "Source": "Referral", "Owner": "U2",
                          "Note": "met at the fair"})
    assert r.status == 200 and r.raw == b""
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert (lead.owner_id, lead.segment, lead.source) == ("U2", "SMB", "Referral")
        assert lead.contact.email == "jane@acme.com" and lead.organization.domain == "acme.com"
    assert "<@U2> owns it" in bot.last_reply_text()


def test_log_status_assign_followup_show(bot, fake, db, clock):
    bot.command("new Acme Shop")
    bot.command("log acme called, no answer — try after 3pm")
    assert "logged Call (No answer)" in bot.last_reply_text()
    bot.command("status acme qual")
    assert "*Unidentified* → *Qualifying*" in bot.last_reply_text()
    bot.command("status acme qualifying")
    assert "already Qualifying" in bot.last_reply_text()
    bot.command("status acme wonderful")
    assert "is not a status here" in bot.last_reply_text() and "Bad fit" in bot.last_reply_text()
    bot.command("assign acme <@U2|bob>")
    assert "owner is now <@U2>" in bot.last_reply_text()
    bot.command("assign acme <@UNOBODY>")
    assert "can't find that person" in bot.last_reply_text()
    bot.command("assign acme bob")
    assert "Mention the new owner with @" in bot.last_reply_text()
    bot.command("followup acme tomorrow 10am send the quote")  # U1 is in Europe/Berlin
    with db.read() as s:
        fu = s.scalars(select(FollowUp)).one()
        assert fu.due_at == datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc) and fu.note == "send the quote"
        assert fu.owner_id == "U2"  # follow-ups belong to the lead's owner
    assert "Tue 24 Nov 10:00 CET" in bot.last_reply_text()
    bot.command("followup acme next friday", user="U2")  # bob is in New York: 09:00 his time
    with db.read() as s:
        open_fu = s.scalars(select(FollowUp).where(FollowUp.state == "open")).one()
        assert open_fu.due_at == datetime(2026, 11, 27, 14, 0, tzinfo=timezone.utc)
    bot.command("followup acme whenever")
    assert "couldn't read “whenever” as a time" in bot.last_reply_text()

    bot.command("show acme")
    shown = message_text(bot.replies()[-1])
    for expected in ("Acme Shop", "Qualifying", "<@U2>", "called, no answer", "Fri 27 Nov 15:00 CET"):
        assert expected in shown
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len(thread) == 5  # note, status, owner, two follow-ups: one line each, in the card's thread
    assert all(m["thread_ts"] == fake.of("chat.postMessage")[0]["ts"] for m in thread) if \
        fake.of("chat.postMessage")[0].get("ts") else True

    # alice (Berlin) plans a day without a time for bob's lead: 09:00 of bob's Monday, in New York
    bot.command("followup acme next monday call back")
    with db.read() as s:
        open_fu = s.scalars(select(FollowUp).where(FollowUp.state == "open")).one()
        assert open_fu.due_at == datetime(2026, 11, 30, 14, 0, tzinfo=timezone.utc) and open_fu.note == "call back"
    bot.command("followup acme next monday 10:00")  # with a time: alice's 10:00
    with db.read() as s:
        open_fu = s.scalars(select(FollowUp).where(FollowUp.state == "open")).one()
        assert open_fu.due_at == datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def test_references_by_id_email_quote_and_ambiguity(bot, fake, db):
    bot.command('new "Acme Shop"')
    bot.command('new "Acme Tools"')
    bot.command('new "Busan Bakery"')
    bot.command("log acme hello")
    reply = bot.replies()[-1]
    assert "matches 2 leads" in message_text(reply)
    with db.read() as s:
        assert s.scalars(select(Activity)).all() == []  # never a guess
    bot.click(reply, "Acme Tools #2", ephemeral=True, message_ts="1700000099.000001")
    bot.click(reply, "Acme Tools #2", ephemeral=True, message_ts="1700000099.000001")  # double click
    with db.read() as s:
        acts = s.scalars(select(Activity)).all()
        assert [(a.lead_id, a.text) for a in acts] == [(2, "hello")]

    bot.command('log "busan bakery" fresh bread')
    bot.command("log #1 by id")
    bot.command("log nobody-here text")
    assert "No lead matches “nobody-here”" in bot.last_reply_text() and "/lead new nobody-here" in bot.last_reply_text()
    with db.read() as s:
        assert {(a.lead_id, a.text) for a in s.scalars(select(Activity))} == {
            (2, "hello"), (3, "fresh bread"), (1, "by id")}


def test_reference_by_contact_email(bot, fake, db):
    bot.command("new")
    bot.submit(bot.last_view(), {"Company": "Acme Shop", "Email": "jane@acme.com"})
    bot.command("show <mailto:jane@acme.com|jane@acme.com>")
    assert "Acme Shop" in message_text(bot.replies()[-1])


def test_find_and_mine(bot, fake, db, clock):
    bot.command("new")
    bot.submit(bot.last_view(), {"Company": "Acme Shop", "Contact name": "Jane Roe", "Email": "jane@shop.io"})
    bot.command("new Zebra Goods")
    bot.command("new Mine Not", user="U2")
    bot.command("find jane")
    assert "Acme Shop" in message_text(bot.replies()[-1]) and "Zebra" not in message_text(bot.replies()[-1])
    bot.command("find shop.io")
    assert "Acme Shop" in message_text(bot.replies()[-1])
    bot.command("find goods")
    assert "Zebra Goods" in message_text(bot.replies()[-1])
    bot.command("find qqqq")
    assert "Nothing matches “qqqq”" in bot.last_reply_text()

    bot.command("followup zebra in 2 hours")
    bot.command("followup acme in 1 hour")
    clock.advance(hours=1, minutes=30)  # acme's follow-up is now overdue
    bot.command("mine")
    mine = message_text(bot.replies()[-1])
    assert "Your open leads: 2" in mine and "Mine Not" not in mine
    assert mine.index("Acme Shop") < mine.index("Zebra Goods") and "overdue" in mine
