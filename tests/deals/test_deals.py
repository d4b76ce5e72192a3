"""Deals end to end: the deal modal by its labels, bad input as field errors, won and lost with the
organization following, conversion from the update modal, pipeline totals against hand-computed values."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from scheduler.jobs import deliver_owed_posts
from store.dto import DealInput
from store.errors import Invalid
from store.models import Deal, DealChange, Lead, Organization
from store.money import parse_amount
from store.services import deal_totals, deals, leads
from tests.slack_driver import message_text


def labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def _deals(db) -> list[Deal]:
    with db.read() as s:
        return list(s.scalars(select(Deal).order_by(Deal.id)))


@pytest.mark.parametrize("typed, minor, currency", [
    ("1,200,000", 1_200_000, "KRW"), ("₩1,200,000", 1_200_000, "KRW"), ("1.2m", 1_200_000, "KRW"),
    ("120만", 1_200_000, "KRW"), ("1.2억", 120_000_000, "KRW"), ("1억 2천만", 120_000_000, "KRW"),
    ("1,200,000원", 1_200_000, "KRW"), ("3k", 3_000, "KRW"), ("USD 1,500.50", 150_050, "USD"),
    ("1500 usd", 150_000, "USD"), ("$99.99", 9_999, "USD"), ("EUR 10", 1_000, "EUR"),
])
def test_money_as_people_type_it(typed, minor, currency):
    assert parse_amount(typed, "KRW") == (minor, currency)


@pytest.mark.parametrize("typed, code", [
    ("-5", "amount_negative"), ("abc", "amount_invalid"), ("12.5", "amount_whole"), ("1.234 USD", "amount_precision"),
    ("", "amount_missing"), ("1e400", "amount_invalid"), ("99999999999999999", "amount_too_large"),
])
def test_bad_money_is_refused_with_a_reason(typed, code):
    with pytest.raises(Invalid) as err:
        parse_amount(typed, "KRW")
    assert err.value.code == code and err.value.field == "amount"


def test_deal_modal_by_its_labels_field_errors_and_one_deal_per_submission(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("deal acme")
    view = bot.last_view()
    assert view["title"]["text"] == "Convert to a deal"  # its first deal: the organization and contact confirmed too
    assert labels(view) == ["Contact name", "Contact email", "Deal name", "Amount", "Billing", "Stage", "Expected close", "Next step", "Owner",
                            "Type", "Lost reason", "Why it was lost"]
    stage_options = next(b for b in view["blocks"] if b.get("block_id") == "stage")["element"]["options"]
    assert [o["text"]["text"] for o in stage_options] == ["Discovery · 10%", "Demo · 30%", "Proposal · 60%",
                                                          "Negotiation · 80%", "Won · 100%", "Lost · 0%"]
    for amount, error in (("-5", "can't be negative"), ("lots", "is not an amount"), ("XYZ 10", "is not an amount")):
        r = bot.submit(view, {"Amount": amount})
        assert error in r.json["errors"]["amount"], r.json
    r = bot.submit(view, {"Amount": "120만", "Expected close": "2026-11-01"})
    assert "has passed" in r.json["errors"]["expected_close"]
    r = bot.submit(view, {"Amount": "1m", "Stage": "Lost · 0%"})
    assert "Why was it lost" in r.json["errors"]["lost_reason"]
    assert _deals(db) == []  # nothing written by a refused submission
    fill = {"Amount": "120만", "Billing": "Monthly recurring (MRR)", "Stage": "Demo · 30%",
            "Expected close": "2026-12-15", "Next step": "send the quote"}
    for _ in range(2):  # Slack retried, or a double click: one deal
        r = bot.submit(view, fill, view_id="VDEAL1")
        assert r.status == 200 and r.raw == b""
    [deal] = _deals(db)
    assert (deal.amount_minor, deal.currency, deal.recurring, deal.stage) == (1_200_000, "KRW", True, "Demo")
    assert deal.owner_id == "U1" and deal.name == "Acme Shop"
    card = (fake.of("chat.update") or fake.of("chat.postMessage"))[-1]
    assert "₩1,200,000/month" in message_text(card) and "Demo (30%)" in message_text(card)
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert len(thread) == 1 and "New deal *Acme Shop*: *Demo* · ₩1,200,000/month" in message_text(thread[0])
    assert "New deal" in bot.last_reply_text()


def test_won_makes_the_organization_a_customer_and_lost_asks_why(bot, fake, db, clock):
    bot.command("new Acme Shop")
    lead = leads.resolve_lead(db, "T1", "acme")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="1,000,000", stage="Proposal"))
    bot.command("won acme")
    with db.read() as s:
        assert s.scalar(select(Deal.stage)) == "Won" and s.scalar(select(Deal.won_at)) is not None
        assert s.scalar(select(Lead.status)) == "Customer" and s.scalar(select(Organization.status)) == "Customer"
    thread = [message_text(m) for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert any("*Proposal* → *Won*" in t and "Status *Unidentified* → *Customer*" in t for t in thread)

    bot.command("new Busan Bakery")
    lead = leads.resolve_lead(db, "T1", "busan")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="500000", stage="Demo"))
    bot.command("lost busan")
    view = bot.last_view()
    assert view["title"]["text"] == "Deal lost" and labels(view) == ["Lost reason", "Why it was lost"]
    r = bot.submit(view, {"Why it was lost": "no idea"})
    assert r.json["errors"]  # the reason is required
    bot.submit(view, {"Lost reason": "Competitor", "Why it was lost": "chose a cheaper tool"})
    with db.read() as s:
        d = s.scalar(select(Deal).where(Deal.lead_id == lead.id))
        assert (d.stage, d.is_open, d.lost_reason, d.lost_note) == ("Lost", False, "Competitor", "chose a cheaper tool")
    bot.command("lost busan price")  # nothing open any more
    assert "has no open deal" in bot.last_reply_text()


def test_lost_with_the_reason_typed_needs_no_modal(bot, fake, db, clock):
    bot.command("new Acme Shop")
    lead = leads.resolve_lead(db, "T1", "acme")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="1m"))
    fake.clear()
    bot.command("lost acme price too high for them")
    assert not fake.of("views.open")
    with db.read() as s:
        assert s.scalar(select(Deal.lost_reason)) == "Price" and s.scalar(select(Deal.lost_note)) == "too high for them"
        assert s.scalar(select(func.count()).select_from(DealChange)) == 2


def test_moving_to_closing_in_the_update_modal_turns_it_into_the_deal_form(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("update acme")
    r = bot.submit(bot.last_view(), {"Status": "Closing", "Activity": "Meeting", "Outcome": "Connected",
                                     "Note": "they want it"}, view_id="VUPD")
    assert r.json["response_action"] == "update"
    convert = r.json["view"]
    assert convert["title"]["text"] == "Convert to a deal" and "Amount" in labels(convert)
    r = bot.submit(convert, {"Amount": "₩2,400,000", "Expected close": "2026-12-20"}, view_id="VUPD")
    assert r.status == 200
    [deal] = _deals(db)
    assert deal.amount_minor == 2_400_000 and deal.stage == "Discovery"
    with db.read() as s:
        assert s.scalar(select(Lead.status)) == "Closing"
    bot.command("update acme")  # a lead with an open deal is not offered a second conversion
    bot.submit(bot.last_view(), {"Status": "Qualifying"}, view_id="VUPD2")
    bot.command("update acme")
    r = bot.submit(bot.last_view(), {"Status": "Closing"}, view_id="VUPD3")
    assert r.raw == b"" and len(_deals(db)) == 1


def test_pipeline_totals_against_hand_computed_values(bot, fake, db, clock):
    made = []
    for name, amount, stage, close, owner in [
        ("A Shop", "1,000,000", "Demo", "2026-11-28", "U1"), ("B Shop", "2,000,000", "Demo", "2026-12-05", "U1"),
        ("C Shop", "3,000,000", "Proposal", "2026-11-30", "U2"), ("D Shop", "500,000", "Won", None, "U1"),
    ]:
        lead = leads.create_lead(db, clock, "T1", owner, leads.NewLead(company=name)).lead
        from datetime import date
        made.append(deals.save_deal(db, clock, "T1", owner, DealInput(
            lead.id, amount=amount, stage=stage, expected_close=date.fromisoformat(close) if close else None)))
    summary = deals.pipeline_summary(db, clock, "T1", "Asia/Seoul")
    by_stage = {t.stage.name: t for t in summary.stages}
    assert (by_stage["Demo"].count, by_stage["Demo"].amounts, by_stage["Demo"].weighted) == (
        2, {"KRW": 3_000_000}, {"KRW": 900_000})
    assert (by_stage["Proposal"].count, by_stage["Proposal"].weighted) == (1, {"KRW": 1_800_000})
    assert by_stage["Discovery"].count == 0 and "Won" not in by_stage  # won deals are not in the pipeline
    assert (summary.closing_this_month.count, summary.closing_this_month.amounts) == (2, {"KRW": 4_000_000})
    bot.command("pipeline all")
    text = message_text(bot.replies()[-1])
    assert "*Demo* (30%) · 2 deals · ₩3,000,000 · weighted ₩900,000" in text
    assert "*Total* 3 open · ₩6,000,000 · weighted ₩2,700,000" in text
    assert "*Expected to close this month* 2 · ₩4,000,000" in text
    bot.command("pipeline")  # mine: U1's open deals only
    assert "*Total* 2 open · ₩3,000,000" in message_text(bot.replies()[-1])
    bot.command("pipeline <@U2>")
    reply = bot.replies()[-1]
    assert "*Total* 1 open · ₩3,000,000" in message_text(reply)
    bot.click(reply, "C Shop · Proposal")
    view = bot.last_view()
    assert view["title"]["text"] == "Edit deal"
    bot.submit(view, {"Stage": "Negotiation · 80%"}, view_id="VEDIT")
    assert deals.pipeline_summary(db, clock, "T1", "UTC", owner_id="U2").stages[3].weighted == {"KRW": 2_400_000}
    kept = deals.pipeline_summary(db, clock, "T1", "UTC")  # the running totals equal a recount from the deals
    with db.write() as s:
        deal_totals.rebuild(s, "T1")
    assert deals.pipeline_summary(db, clock, "T1", "UTC") == kept


def test_deal_text_is_escaped_and_a_deal_needs_its_own_team(bot, fake, db, clock):
    bot.command("new Acme Shop")
    lead = leads.resolve_lead(db, "T1", "acme")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, name="<!channel> deal", amount="1m"))
    assert deliver_owed_posts(bot.crm) == 1  # the sweep delivers what a change owes
    card = fake.of("chat.update")[-1]
    assert "&lt;!channel&gt; deal" in message_text(card)
    assert not [c for c in fake.calls if "<!channel>" in str(c.args)]
    with pytest.raises(Exception):
        deals.save_deal(db, clock, "T2", "U1", DealInput(lead.id, amount="1m"))  # another team's lead


def test_convert_button_offers_the_existing_organization_instead_of_a_duplicate(bot, fake, db, clock):
    first = leads.create_lead(db, clock, "T1", "U1", leads.NewLead(company="Acme", email="kim@acme.kr")).lead
    deals.save_deal(db, clock, "T1", "U1", DealInput(first.id, amount="1m", stage="Won"))
    bot.command("new Acme Shop")  # the same customer typed differently, months later
    card = fake.of("chat.postMessage")[-1]
    bot.click(card, "Convert")
    view = bot.last_view()
    assert view["title"]["text"] == "Convert to a deal"
    merge = next(b for b in view["blocks"] if b.get("block_id") == "merge_into")
    assert [o["text"]["text"] for o in merge["element"]["options"]] == ["Keep Acme Shop",
                                                                       "Merge into Acme (similar name)"]
    r = bot.submit(view, {"Organization": "Merge into Acme (similar name)", "Contact name": "Jane Kim",
                          "Contact email": "not-an-email", "Amount": "300만"})
    assert "is not an e-mail address" in r.json["errors"]["contact_email"]
    r = bot.submit(view, {"Organization": "Merge into Acme (similar name)", "Contact name": "Jane Kim",
                          "Contact email": "<!channel>@x.y", "Amount": "300만"})
    said = r.json["errors"]["contact_email"]  # what a field error quotes is escaped (issue 17.5)
    assert "&lt;!channel&gt;@x.y" in said and "<!channel>" not in said
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Organization)) == 2  # a refused form changed nothing
    r = bot.submit(view, {"Organization": "Merge into Acme (similar name)", "Contact name": "Jane Kim",
                          "Contact email": "jane@acme.kr", "Amount": "300만", "Type": "Upsell"}, view_id="VCONV")
    assert r.raw == b""
    with db.read() as s:
        orgs = s.scalars(select(Organization)).all()
        assert [o.name for o in orgs] == ["Acme"]  # one customer, one history
        lead_orgs = set(s.scalars(select(Lead.organization_id)))
        assert lead_orgs == {orgs[0].id}
        deal = s.scalar(select(Deal).where(Deal.kind == "upsell"))
        assert deal.amount_minor == 3_000_000 and deal.organization_id == orgs[0].id
    with db.read() as s:
        second = s.scalar(select(Lead.id).where(Lead.id != first.id))
    bot.command(f"show #{second}")
    shown = message_text(bot.replies()[-1])
    assert "Convert" not in shown and "Deal" in shown
    assert "Jane Kim" in shown and "jane@acme.kr" in shown and "₩3,000,000" in shown


def test_churned_asks_why_and_records_it(bot, fake, db, clock):
    bot.command("new Acme Shop")
    lead = leads.resolve_lead(db, "T1", "acme")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="50만", recurring=True, stage="Won"))
    bot.command("churned acme")
    assert "Why did they leave?" in bot.last_reply_text()
    bot.command("churned acme moved to a cheaper tool")
    with db.read() as s:
        assert s.scalar(select(Lead.status)) == "Churned" and s.scalar(select(Organization.status)) == "Churned"
    assert "*Customer* → *Churned*" in bot.last_reply_text()
    thread = [message_text(m) for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert "moved to a cheaper tool" in thread[-1]


def test_won_by_a_mention_in_the_thread_answers_with_the_thread_line_only(bot, fake, db, clock):
    from tests.commands.test_events import event

    bot.command("new Acme Shop")
    lead = leads.resolve_lead(db, "T1", "acme")[0]
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="1m", stage="Demo"))
    fake.clear()
    event(bot, {"type": "app_mention", "user": "U1", "channel": "C1", "thread_ts": lead.card_ts,
                "ts": "1800000000.000900", "text": "<@UBOT> won"}, "EvWon1")
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == lead.card_ts]
    assert [message_text(m) for m in thread if "Won" in message_text(m)] == [message_text(thread[-1])]
    assert "*Demo* → *Won*" in message_text(thread[-1])
    assert not fake.of("chat.postEphemeral")  # the thread line is everyone's answer
