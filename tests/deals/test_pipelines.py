"""Managers edit the statuses and deal stages from Slack: templates, renames, retired entries whose
leads (deals) move where they are told, history that keeps the old names, and everything follows."""

from __future__ import annotations

from sqlalchemy import select

from store.dto import DealInput
from store.models import Deal, Lead, StatusChange
from store.services import deals, leads, members, updates
from tests.slack_driver import message_text


def _form(view: dict) -> dict:
    return {b["label"]["text"]: b["element"].get("initial_value") for b in view["blocks"] if b["type"] == "input"}


def test_statuses_renamed_retired_and_templated(bot, fake, db, clock):
    bot.command("settings statuses", user="U2")
    assert "Only managers" in bot.last_reply_text()
    members.save_member(db, clock, "T1", "U1", name="alice", tz="Europe/Berlin", is_admin=True)
    acme = leads.create_lead(db, clock, "T1", "U1", leads.NewLead(company="Acme")).lead
    updates.change_status(db, clock, "T1", "U1", acme.id, "Potential")
    bot.command("settings statuses")
    view = bot.last_view()
    current = _form(view)
    assert list(current) == ["Template", "Statuses", "Move leads of removed statuses to", "Deal stages",
                             "Move deals of removed stages to"]
    assert current["Statuses"].splitlines()[1] == "Potential | Worth checking whether they fit."
    without_potential = "\n".join(line for line in current["Statuses"].splitlines() if not line.startswith("Potential"))
    r = bot.submit(view, {"Statuses": without_potential})
    assert "1 lead is in Potential, which you removed: say where to move it." in r.json["errors"]["move_to"]
    renamed = without_potential.replace("Qualifying |", "Qualifying -> Checking fit |")
    r = bot.submit(view, {"Statuses": renamed, "Move leads of removed statuses to": "checking fit"})
    assert r.raw == b"", r.json
    with db.read() as s:
        assert s.scalar(select(Lead.status)) == "Checking fit"
        history = [(c.from_status, c.to_status, c.reason) for c in s.scalars(select(StatusChange).order_by(StatusChange.id))]
    assert history == [("Unidentified", "Potential", None), ("Potential", "Checking fit", "status retired")]
    bot.command("status acme checking")
    assert "is already Checking fit" in bot.last_reply_text()
    bot.command("list checking")
    assert "*1* lead match *Checking fit*" in message_text(bot.replies()[-1])
    bot.command("settings statuses")
    r = bot.submit(bot.last_view(), {"Template": next(o["text"]["text"] for o in next(
        b for b in bot.last_view()["blocks"] if b.get("block_id") == "template")["element"]["options"]
        if o["value"] == "classic"), "Move leads of removed statuses to": "Contacted"})
    assert r.raw == b""
    with db.read() as s:
        assert s.scalar(select(Lead.status)) == "Contacted"
    bot.command("update acme")
    options = next(b for b in bot.last_view()["blocks"] if b.get("block_id") == "status")["element"]["options"]
    assert [o["text"]["text"] for o in options] == ["New lead", "Attempting contact", "Contacted", "Qualified", "Closed"]


def test_deal_stages_renamed_and_checked(bot, fake, db, clock):
    members.save_member(db, clock, "T1", "U1", name="alice", tz="Europe/Berlin", is_admin=True)
    lead = leads.create_lead(db, clock, "T1", "U1", leads.NewLead(company="Acme")).lead
    deals.save_deal(db, clock, "T1", "U1", DealInput(lead.id, amount="1m", stage="Demo"))
    bot.command("settings stages")
    view = bot.last_view()
    stages = _form(view)["Deal stages"]
    assert stages.splitlines() == ["Discovery | 10", "Demo | 30", "Proposal | 60", "Negotiation | 80",
                                   "Won | 100 | won", "Lost | 0 | lost"]
    r = bot.submit(view, {"Deal stages": stages.replace("Lost | 0 | lost", "Lost | 0")})
    assert "exactly one marked won and one marked lost" in r.json["errors"]["stages"]
    r = bot.submit(view, {"Deal stages": stages.replace("Demo | 30", "Demo | thirty")})
    assert "Line 2" in r.json["errors"]["stages"]
    statuses = _form(view)["Statuses"]
    r = bot.submit(view, {"Statuses": statuses.replace("Potential |", "Potential -> Prospect |"),
                          "Deal stages": stages.replace("Won | 100 | won", "Won | 100")})
    assert r.json["errors"]["stages"]
    bot.command("update acme")  # all or nothing: the statuses were not renamed either
    options = next(b for b in bot.last_view()["blocks"] if b.get("block_id") == "status")["element"]["options"]
    assert "Potential" in [o["text"]["text"] for o in options]
    r = bot.submit(view, {"Deal stages": stages.replace("Demo | 30", "Demo -> Trial | 40")})
    assert r.raw == b""
    with db.read() as s:
        assert s.scalar(select(Deal.stage)) == "Trial"
    summary = deals.pipeline_summary(db, clock, "T1", "UTC")
    trial = next(t for t in summary.stages if t.stage.name == "Trial")
    assert (trial.count, trial.weighted) == (1, {"KRW": 400_000})
