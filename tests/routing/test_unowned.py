"""Leads nobody sees (issue 14.5): with no routing queue and no card channel, a web-form lead has no owner and
no card. It is listed by `/lead list unowned` with Take it / Assign…, the workspace's admins hear of it once,
and start-up warns when intake is on with nowhere for such leads to go."""

from __future__ import annotations

import logging

from store.models import Lead
from store.services import routing
from tests.routing.test_intake import TOKEN, post
from tests.slack_driver import message_text
from tests.sweeps.helpers import dms
from scheduler import build_notifier


def nowhere(bot):
    """Intake on, no CRM_CHANNEL, no queue: a lead arriving without an owner has nowhere to go."""
    bot.crm.settings = bot.crm.settings.model_copy(update={"crm_intake_token": TOKEN, "crm_channel": None})


def notify(bot, db) -> None:
    from sqlalchemy import func, select

    from store.models import Notification
    from tests.routing.test_intake import _wait_for

    def owed():
        with db.read() as s:
            return s.scalar(select(func.count()).select_from(Notification)) > 0
    assert _wait_for(owed)  # the intake delivers its card after its answer, in the background
    for _ in range(3):  # the team row finds the admins, then each admin's DM row is sent
        build_notifier(bot.crm).deliver_due()


def test_the_first_lead_with_nowhere_to_go_tells_each_admin_once(bot, fake, db):
    nowhere(bot)
    fake.add_user("UADM", name="founder", is_admin=True)  # never seen by the CRM: found with users.list
    fake.add_user("UOWN", name="owner", is_owner=True)
    r = post(bot, {"company": "Routed Shop", "email": "a@b.kr"})
    assert r.status == 201 and r.json["owner"] is None
    bot.executor.wait_idle()
    assert not [c for c in fake.of("chat.postMessage") if c.get("channel", "").startswith("C")]  # no card
    notify(bot, db)
    for admin in ("UADM", "UOWN"):  # and not U1, an admin the CRM knew, but who is no admin in Slack today
        got = dms(fake, admin)
        assert len(got) == 1, got
        text = message_text(got[0])
        assert "nowhere to go" in text and "Routed Shop" in text
        assert "/lead routing" in text and "/lead settings channel" in text and "/lead list unowned" in text
    assert not dms(fake, "U1") and not dms(fake, "U2")
    assert fake.of("users.list")
    post(bot, {"company": "Second Shop", "email": "c@d.kr"})  # the second lead: nobody is told again
    bot.executor.wait_idle()
    notify(bot, db)
    assert len(dms(fake, "UADM")) == 1 and len(dms(fake, "UOWN")) == 1


def test_list_unowned_shows_them_with_take_it_and_assign(bot, fake, db):
    nowhere(bot)
    post(bot, {"company": "Routed Shop", "email": "a@b.kr", "source": "Inbound form"})
    bot.executor.wait_idle()
    bot.command("list unowned", user="U2")
    reply = bot.replies()[-1]
    text = message_text(reply)
    assert "1 lead* nobody owns" in text and "Routed Shop" in text
    labels = [el["text"]["text"] for b in reply["blocks"] if b["type"] == "actions" for el in b["elements"]]
    assert labels == ["Take it", "Assign…"]
    bot.click(reply, "Take it", user="U2")
    assert "is yours now" in bot.last_reply_text()
    with db.read() as s:
        assert s.query(Lead).one().owner_id == "U2"
    bot.click(reply, "Take it", user="U3")  # a second rep, on the same (now stale) list
    assert bot.last_reply_text() == "bob took this lead first: it is theirs now."
    with db.read() as s:
        assert s.query(Lead).one().owner_id == "U2"
    bot.command("list unowned", user="U2")
    assert "Every lead has an owner" in bot.last_reply_text()


def test_start_up_warns_when_intake_is_on_and_leads_have_nowhere_to_go(bot, db, clock, caplog):
    from app import warn_of_lost_leads

    settings = bot.crm.settings.model_copy(update={"crm_intake_token": TOKEN, "crm_channel": None})
    with caplog.at_level(logging.WARNING, logger="crm-bot"):
        warn_of_lost_leads(settings, db, "T1")
    assert "no routing queue and no card channel" in caplog.text and "T1" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="crm-bot"):
        warn_of_lost_leads(settings.model_copy(update={"crm_channel": "CCRM"}), db, "T1")
        warn_of_lost_leads(settings.model_copy(update={"crm_intake_token": None}), db, "T1")
    assert caplog.text == ""
    routing.save_queue(db, clock, "T1", "U1", name="Inbound", channel_id="CIN", members=["U2"], segment=None,
                       sla_minutes=60, on_breach="notify")
    with caplog.at_level(logging.WARNING, logger="crm-bot"):
        warn_of_lost_leads(settings, db, "T1")
    assert caplog.text == ""
