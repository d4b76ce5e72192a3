"""The issue's story: /lead new Acme Shop, /lead update acme (call, no answer, Qualifying, follow-up
tomorrow 15:00 in the rep's zone), then /lead show acme; the card is edited and the thread gets a line."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from sqlalchemy import select

from store.models import Activity, FollowUp, Lead, StatusChange
from tests.slack_driver import message_text


def labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def test_the_reps_story(bot, fake, db):
    r = bot.command("new Acme Shop")
    assert r.status == 200 and r.elapsed < 1
    card = fake.of("chat.postMessage")[0]
    assert card["channel"] == "C1"
    assert "Acme Shop" in message_text(card) and "Unidentified" in message_text(card)
    assert "Created *Acme Shop*" in bot.last_reply_text()

    bot.command("update acme")
    view = bot.last_view()
    assert view["title"]["text"] == "Update lead"
    assert labels(view) == ["Status", "Activity", "Outcome", "Note", "Next follow-up", "Follow-up time", "Next step"]
    status_options = next(b for b in view["blocks"] if b.get("block_id") == "status")["element"]["options"]
    assert [o["text"]["text"] for o in status_options][:3] == ["Unidentified", "Potential", "Qualifying"]
    assert status_options[2]["description"]["text"] == "Calls and demos to confirm intent."

    r = bot.submit(view, {"Status": "Qualifying", "Activity": "Call", "Outcome": "No answer",
                          "Note": "called, no answer", "Next follow-up": "2026-11-24", "Follow-up time": "15:00"},
                   view_id="VUPD1")
    assert r.status == 200 and r.raw == b""  # an empty 200 closes the modal

    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.status == "Qualifying"
        act = s.scalars(select(Activity).where(Activity.kind == "Call")).one()
        assert (act.outcome, act.text, act.actor_id) == ("No answer", "called, no answer", "U1")
        fu = s.scalars(select(FollowUp)).one()
        # 15:00 in Europe/Berlin (the rep's Slack zone) on 24 Nov is 14:00 UTC
        assert fu.due_at == datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc)
        assert s.scalars(select(StatusChange)).one().to_status == "Qualifying"

    updated = fake.of("chat.update")
    assert updated and updated[-1]["ts"] == card_ts(fake) and "Qualifying" in message_text(updated[-1])
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len(thread) == 1 and thread[0]["thread_ts"] == card_ts(fake)
    line = thread[0]["text"]
    assert "Call · No answer" in line and "called, no answer" in line and "Qualifying" in line
    assert line.startswith("*alice*:") and "<@U1>" not in line  # named, not pinged about their own change
    due = int(datetime(2026, 11, 24, 14, 0, tzinfo=timezone.utc).timestamp())
    assert f"<!date^{due}^" in line and "|Tue 24 Nov 15:00 CET>" in line  # each reader sees their own zone

    # the same submission delivered twice (Slack retry / double click) changes nothing more
    bot.submit(view, {"Status": "Qualifying", "Activity": "Call", "Outcome": "No answer",
                      "Note": "called, no answer", "Next follow-up": "2026-11-24", "Follow-up time": "15:00"},
               view_id="VUPD1")
    with db.read() as s:
        assert len(s.scalars(select(Activity).where(Activity.kind == "Call")).all()) == 1
    assert len([m for m in fake.of("chat.postMessage") if m.get("thread_ts")]) == 1

    bot.command("show acme", user="U2")  # a colleague in New York reads it back
    shown = message_text(bot.replies()[-1])
    assert "Acme Shop" in shown and "Qualifying" in shown
    assert "Call · No answer" in shown and "called, no answer" in shown
    assert "Tue 24 Nov 09:00 EST" in shown  # the follow-up, in the reader's own zone
    assert "Open the lead's thread" in shown


def card_ts(fake) -> str:
    return fake.of("chat.postMessage")[0].get("ts") or "1700000000.000001"


def test_update_without_a_lead_uses_the_type_ahead_picker(bot, fake, db):
    for name in ["Acme Shop", "Acme Tools", "Busan Bakery"]:
        bot.command(f'new "{name}"')
    bot.command("update")
    view = bot.last_view()
    assert labels(view)[0] == "Lead"
    picker = view["blocks"][0]["element"]
    assert picker["type"] == "external_select"

    r = bot.options(picker["action_id"], "acm")
    texts = [o["text"]["text"] for o in r.json["options"]]
    assert texts == ["#1 Acme Shop · Unidentified", "#2 Acme Tools · Unidentified"]
    tools = r.json["options"][1]

    r = bot.submit(view, {"Lead": tools, "Activity": "Email", "Note": "sent pricing"})
    assert r.status == 200
    with db.read() as s:
        act = s.scalars(select(Activity).where(Activity.kind == "Email")).one()
        assert act.lead_id == 2


def test_field_errors_come_back_in_the_modal(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("update acme")
    view = bot.last_view()
    r = bot.submit(view, {})
    assert r.json["response_action"] == "errors"
    assert "Nothing to save" in json.dumps(r.json["errors"])

    r = bot.submit(view, {"Outcome": "No answer"})
    assert r.json == {"response_action": "errors", "errors": {"activity": "Which kind of activity had this outcome?"}}

    r = bot.submit(view, {"Next follow-up": "2020-01-01"})
    assert list(r.json["errors"]) == ["follow_up_date"] and "passed" in r.json["errors"]["follow_up_date"]

    r = bot.submit(view, {"Follow-up time": "10:00"})
    assert list(r.json["errors"]) == ["follow_up_date"]
    with db.read() as s:
        assert s.scalars(select(Activity)).all() == []
    assert not fake.of("chat.update")


def test_update_from_the_card_button(bot, fake, db):
    bot.command("new Acme Shop")
    card = fake.of("chat.postMessage")[0]
    bot.click(card, "Log activity", user="U2")
    view = bot.last_view()
    assert "Acme Shop" in message_text({"blocks": view["blocks"]})
    bot.submit(view, {"Activity": "Meeting", "Outcome": "Connected", "Note": "demo went well"}, user="U2")
    with db.read() as s:
        act = s.scalars(select(Activity).where(Activity.kind == "Meeting")).one()
        assert act.actor_id == "U2"
    # the clicker is told privately (the button's response_url), nobody else
    assert "logged Meeting (Connected)" in bot.last_reply_text()
    assert bot.replies()[-1]["response_type"] == "ephemeral"

    bot.click(card, "Change status")
    view = bot.last_view()
    assert labels(view) == ["Status", "Reason"]
    bot.submit(view, {"Status": "Bad fit", "Reason": "sells only offline"})
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert (lead.status, lead.is_open) == ("Bad fit", False)
        assert s.scalars(select(StatusChange)).one().reason == "sells only offline"

    bot.click(card, "Reassign")
    view = bot.last_view()
    r = bot.submit(view, {"New owner": "UBOT2"})
    assert r.json["response_action"] == "errors" and "bot" in r.json["errors"]["owner"]
    bot.submit(view, {"New owner": "U3"})
    with db.read() as s:
        assert s.scalars(select(Lead)).one().owner_id == "U3"
