"""Routing as a manager and reps use it: the routing modal, /lead away and back, the assignment notice
with Accept / Log activity / Pass, pass chains, and the first-touch SLA breach announced once."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from store.models import Assignment, Lead, Notification
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, buttons, dms


def _labels(view):
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def _setup_queue(bot, fake, *, members=("U2", "U3"), sla="1m", on_breach="Notify the manager"):
    fake.users["U1"]["is_admin"] = True
    bot.command("routing", user="U1")
    view = bot.last_view()
    assert view["title"]["text"] == "New routing queue"
    assert _labels(view) == ["Name", "Channel", "Members", "Segment rule", "First-touch SLA", "On breach"]
    r = bot.submit(view, {"Name": "Inbound", "Channel": "CQ", "Members": list(members), "First-touch SLA": sla,
                          "On breach": on_breach})
    assert r.status == 200 and r.raw == b""


def _card(fake, channel="CQ"):
    posts = [m for m in fake.of("chat.postMessage") if m["channel"] == channel and not m.get("thread_ts")]
    updates = [m for m in fake.of("chat.update") if m["channel"] == channel]
    return (updates or posts)[-1]


def test_routing_modal_needs_a_manager_and_checks_its_fields(bot, fake, db):
    bot.command("routing", user="U2")
    assert "Only managers and workspace admins" in bot.last_reply_text()
    fake.users["U1"]["is_admin"] = True
    bot.command("routing", user="U1")
    view = bot.last_view()
    r = bot.submit(view, {"Name": "Inbound", "Channel": "CQ", "Members": ["U2"], "First-touch SLA": "soon"})
    assert r.json["errors"] == {"sla": "“soon” is not a duration. Use `45m`, `1h` or `2d`."}
    r = bot.submit(view, {"Name": "Inbound", "Channel": "CQ", "Members": ["UBOT2"], "First-touch SLA": "1h"})
    assert "Bots can't take leads" in r.json["errors"]["members"]
    bot.submit(view, {"Name": "Inbound", "Channel": "CQ", "Members": ["U2", "U3"], "First-touch SLA": "45m"})
    bot.command("routing", user="U1")
    listing = bot.replies()[-1]
    assert "Inbound" in message_text(listing) and "SLA 45 min" in message_text(listing)
    assert buttons(listing) == ["Edit", "Weights", "New queue"]
    bot.click(listing, "Weights", ephemeral=True)
    weights = bot.last_view()
    assert _labels(weights) == ["Weight for bob", "Weight for carol"]
    r = bot.submit(weights, {"Weight for bob": "two"})
    assert r.json["response_action"] == "errors"
    bot.submit(weights, {"Weight for bob": "2"})
    assert "<@U2> 2, <@U3> 1" in message_text(fake.of("chat.postEphemeral")[-1])


def test_new_lead_is_routed_with_a_notice_and_a_dm(bot, fake, db):
    _setup_queue(bot, fake)
    bot.command("away", user="U3")
    assert "away until you say `/lead back`" in bot.last_reply_text()
    fake.clear()
    bot.command("new <!channel> Shop", user="U1")
    card = _card(fake)
    text = message_text(card)
    assert "Routed to <@U2>" in text and "skipped carol: away until further notice" in text
    assert "&lt;!channel&gt; Shop" in text and "<!channel>" not in text
    assert buttons(card) == ["Accept", "Log activity", "Pass"]
    [dm] = dms(fake, "U2")
    assert "A new lead for you" in message_text(dm) and "First touch due by" in message_text(dm)
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.owner_id == "U2" and lead.card_channel == "CQ" and lead.sla_due_at is not None


def test_pass_chain_and_accept(bot, fake, db):
    _setup_queue(bot, fake, members=("U2", "U3"))
    bot.command("new Acme", user="U1")
    card = _card(fake)
    bot.click(card, "Pass", user="U3", channel="CQ")
    assert "Only the lead's owner" in message_text(bot.replies()[-1])
    bot.click(card, "Pass", user="U2", channel="CQ")
    card = _card(fake)
    assert "Routed to <@U3>" in message_text(card) and "bob passed" in message_text(card)
    assert len(dms(fake, "U3")) == 1 and "passed to you" in message_text(dms(fake, "U3")[0])
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert "Owner <@U2> → <@U3>" in message_text(thread[-1])
    bot.click(card, "Pass", user="U3", channel="CQ")  # everyone in the queue passed: it stays
    assert "Nobody else in Inbound can take it" in message_text(bot.replies()[-1])
    bot.click(card, "Accept", user="U3", channel="CQ")
    bot.click(card, "Accept", user="U3", channel="CQ")  # a double click: accepted once
    card = _card(fake)
    assert buttons(card) == ["Log activity", "Change status", "Reassign", "Convert", "History", "Follow"] and "Accepted" in message_text(card)
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert sum("Accepted the lead" in message_text(m) for m in thread) == 1
    with db.read() as s:
        kinds = list(s.scalars(select(Assignment.kind).order_by(Assignment.id)))
    assert kinds == ["routed", "passed"]


def test_first_touch_sla_breach_announced_once_and_reassigned(bot, fake, db, clock):
    _setup_queue(bot, fake, members=("U2", "U3"), sla="1m", on_breach="Notify and reassign to the next rep")
    bot.command("new Slow Shop", user="U1")
    sweep = Sweeper(bot)
    clock.advance(seconds=59)
    sweep()
    assert not [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    clock.advance(seconds=2)
    sweep()
    sweep()
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len([m for m in thread if "First-touch SLA missed" in message_text(m)]) == 1
    assert "<@U2> logged no activity within 1 min" in message_text(thread[-1])
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.owner_id == "U3" and lead.sla_due_at == clock.now() + timedelta(minutes=1)
    manager = [m for m in dms(fake, "U1")]  # no manager set: the queue's creator hears of it
    assert len(manager) == 1 and "SLA missed" in message_text(manager[0]) and "now belongs to <@U3>" in \
        message_text(manager[0])
    # the new owner touches it in time: no second breach
    bot.command("log slow called them", user="U3")
    clock.advance(minutes=5)
    sweep()
    with db.read() as s:
        assert s.scalar(select(Notification.id).where(Notification.kind == "sla_breach", Notification.id > 1)) is None
    assert len([m for m in fake.of("chat.postMessage") if m.get("thread_ts") and
                "SLA missed" in message_text(m)]) == 1


def test_away_until_a_date_and_back_for_someone_else(bot, fake, db):
    fake.users["U1"]["is_admin"] = True
    bot.command("away <@U2> until next friday", user="U3")
    assert "Only managers" in bot.last_reply_text()
    bot.command("away <@U2> until next friday", user="U1")
    assert "<@U2> is away until Fri 27 Nov" in bot.last_reply_text()
    bot.command("back <@U2>", user="U1")
    assert "in the rotation again" in bot.last_reply_text()
