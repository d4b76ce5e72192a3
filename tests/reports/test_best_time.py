"""Best time to reach: a synthetic history with a known pattern is recovered, the running counts equal a recount
whatever happens to organizations, and the suggestions are one click where follow-ups are planned."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from store.dto import LeadUpdate, NewLead
from store.models import Activity, ContactStat, FollowUp
from store.services import best_time, leads, members, organizations, updates

T = "T1"
SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 11, 30, 0, 0, tzinfo=timezone.utc)  # Monday 09:00 in Seoul
# (weekday, band start) → (attempts, connects): shops answer Tue–Thu 14–16h, hardly on Monday mornings
SHOPS = {**{(d, h): (10, 2) for d in range(5) for h in (8, 10, 12, 14, 16, 18)},
         **{(d, 14): (20, 9) for d in (1, 2, 3)}, (0, 10): (20, 1)}
AGENCIES = {**{(d, 8): (10, 1) for d in range(4)}, (4, 8): (10, 6)}  # agencies: Friday mornings


def _org(db, clock, name: str, kind: str | None) -> tuple[int, int]:
    lead = leads.create_lead(db, clock, T, "U1", NewLead(company=name, owner_id="U1")).lead
    if kind:
        organizations.classify(db, clock, T, lead.organization_id, kind=kind, authority=None, approver=None)
    return lead.id, lead.organization_id


def _history(db, lead_ids: list[int], pattern: dict) -> None:
    """Attempts on these leads, cell by cell, in past weeks (Seoul time), in bulk."""
    rows, k = [], 0
    for (weekday, hour), (attempts, connects) in pattern.items():
        for i in range(attempts):
            week = 1 + i % 8
            day = NOW.astimezone(SEOUL).date() - timedelta(weeks=week) + timedelta(days=weekday)
            at = datetime(day.year, day.month, day.day, hour, 15 + i % 40, tzinfo=SEOUL)
            rows.append({"team_id": T, "lead_id": lead_ids[k % len(lead_ids)], "actor_id": "U1", "kind": "Call",
                         "outcome": "Connected" if i < connects else ("No answer", "Left message")[i % 2],
                         "occurred_at": at, "created_at": NOW})
            k += 1
    with db.engine.begin() as c:
        c.execute(insert(Activity), rows)


@pytest.fixture
def book(db, clock):
    clock.set(NOW - timedelta(days=90))
    members.save_member(db, clock, T, "U1", name="alice", tz="Asia/Seoul", is_admin=True)
    shops = [_org(db, clock, f"Shop {i:02d}", "Shop") for i in range(12)]
    agencies = [_org(db, clock, f"Agency {i}", "Agency") for i in range(3)]
    _history(db, [lead for lead, _ in shops], SHOPS)
    _history(db, [lead for lead, _ in agencies], AGENCIES)
    best_time.rebuild_team(db, T)
    clock.set(NOW)
    new_shop = _org(db, clock, "Busan Bakery", "Shop")
    return shops, agencies, new_shop


def test_the_pattern_is_recovered(db, clock, book):
    _shops, agencies, (lead_id, _org_id) = book
    bt = best_time.best_times(db, NOW, T, lead_id)
    assert (bt.who_kind, bt.who, bt.tz) == ("type", "Shop", "Asia/Seoul")
    days, band, rate = bt.best
    # truth 45%; by hand: overall (90 + 5 × 0.3) / 395 = 0.232, the workspace's Tue 14–16 (9 + 10 × 0.232) / 30 =
    # 0.377, shops' (9 + 10 × 0.377) / 30 = 0.426
    assert days == (1, 2, 3) and band == (14, 16) and rate == pytest.approx(0.4257, abs=1e-3)
    days, band, rate = bt.worst
    assert days == (0,) and band == (10, 12) and rate == pytest.approx(0.0702, abs=1e-3)  # truth 5%
    local = [s.at.astimezone(SEOUL) for s in bt.slots]
    assert [(d.strftime("%a"), d.hour) for d in local] == [("Tue", 14), ("Wed", 14), ("Thu", 14)]
    agency = best_time.best_times(db, NOW, T, agencies[0][0])
    assert agency.who == "Agency" and agency.best[0] == (4,) and agency.best[1] == (8, 10)


def test_contact_hours_are_respected(db, clock, book):
    _shops, _agencies, (lead_id, org_id) = book
    organizations.set_contact_hours(db, clock, T, org_id, days=[0, 1, 2], start="15:00", end=None,
                                    note="parcels go out at 16:00", tz=None)
    bt = best_time.best_times(db, NOW, T, lead_id)
    local = [s.at.astimezone(SEOUL) for s in bt.slots]
    assert {(d.strftime("%a"), d.hour, d.minute) for d in local} >= {("Tue", 15, 0), ("Wed", 15, 0)}
    assert all(d.weekday() in (0, 1, 2) and d.hour >= 15 for d in local)
    assert bt.contact_hours.note == "parcels go out at 16:00"


def test_an_organization_with_enough_attempts_speaks_for_itself(db, clock, book):
    _shops, _agencies, (lead_id, _org_id) = book
    _history(db, [lead_id], {(4, 10): (20, 14), (1, 14): (10, 1)})
    best_time.rebuild_team(db, T)
    bt = best_time.best_times(db, NOW, T, lead_id)
    assert (bt.who_kind, bt.who) == ("org", "Busan Bakery")
    assert bt.best[0] == (4,) and bt.best[1] == (10, 12)


def _counts(db) -> list[tuple]:
    with db.read() as s:
        return sorted(s.execute(select(ContactStat.scope, ContactStat.weekday, ContactStat.hour,
                                       ContactStat.attempts, ContactStat.connects)).all())


def test_running_counts_equal_a_recount(db, clock, book):
    shops, agencies, (lead_id, org_id) = book
    for i, (shop_lead, _o) in enumerate(shops[:4]):  # logged the usual way: counted in the same transaction
        clock.set(NOW + timedelta(hours=i))
        updates.update_lead(db, clock, T, "U1", LeadUpdate(shop_lead, activity="Call",
                                                             outcome=("Connected", "No answer")[i % 2]))
    updates.update_lead(db, clock, T, "U1", LeadUpdate(lead_id, activity="Email", outcome="Not applicable"))
    organizations.classify(db, clock, T, shops[0][1], kind="Agency", authority=None, approver=None)
    organizations.set_contact_hours(db, clock, T, shops[1][1], days=None, start=None, end=None, note=None,
                                    tz="America/New_York")
    with db.write() as s:
        organizations.merge(s, T, shops[2][1], agencies[0][1])
    kept = _counts(db)
    best_time.rebuild_team(db, T)
    assert kept == _counts(db)
    assert ("type:agency", 0, 8) in {r[:3] for r in kept}


def test_suggestions_where_follow_ups_are_planned(bot, db, clock, book, fake):
    _shops, _agencies, (lead_id, org_id) = book
    fake.add_user("U1", tz="Asia/Seoul", name="alice", is_admin=True)
    clock.set(NOW)
    bot.command("followup busan")
    answer = bot.replies()[-1]
    text = answer["text"]
    assert "When should the next follow-up on *Busan Bakery* be? Shops answer 43% Tue–Thu 14–16h, 7% Mon 10–12h" in text
    blocks = answer["blocks"]
    labels = [e["text"]["text"] for b in blocks for e in b.get("elements") or [] if e.get("type") == "button"]
    assert labels == ["Tue 1 Dec 14:00 · 43% answer", "Wed 2 Dec 14:00 · 43% answer", "Thu 3 Dec 14:00 · 43% answer"]
    bot.click(answer, "Wed 2 Dec 14:00 · 43% answer", ephemeral=True)
    bot.click(answer, "Wed 2 Dec 14:00 · 43% answer", ephemeral=True)  # twice: planned once
    with db.read() as s:
        open_ = s.scalars(select(FollowUp).where(FollowUp.lead_id == lead_id, FollowUp.state == "open")).all()
    assert [f.due_at.astimezone(SEOUL).strftime("%a %H:%M") for f in open_] == ["Wed 14:00"]
    # a time they rarely answer: the answer says so and offers better ones
    bot.command("followup busan next monday 10:30 call about samples")
    tip = bot.replies()[-1]
    assert ":bulb: Shops answer 43% Tue–Thu 14–16h, 7% Mon 10–12h" in json.dumps(tip["blocks"], ensure_ascii=False)
    assert "Move to Tue 1 Dec 14:00 · 43% answer" in json.dumps(tip["blocks"], ensure_ascii=False)
    # the update modal offers them as a one-click choice, used when no date is picked
    bot.command("update busan")
    view = bot.last_view()
    (suggestion,) = [b for b in view["blocks"] if b.get("block_id") == "suggestion"]
    assert suggestion["label"]["text"] == "Suggested time" and "Shops answer 43%" in suggestion["hint"]["text"]
    bot.submit(view, {"Suggested time": "Thu 3 Dec 14:00 · 43% answer", "Activity": "Call", "Outcome": "No answer"})
    with db.read() as s:
        due = [f.due_at for f in s.scalars(select(FollowUp).where(FollowUp.lead_id == lead_id,
                                                                FollowUp.state == "open"))]
    assert [d.astimezone(SEOUL).strftime("%a %d %H:%M") for d in due] == ["Thu 03 14:00"]


def test_contact_hours_from_the_form_reach_the_nudge(bot, db, clock, book, fake):
    from tests.sweeps.helpers import Sweeper, dms

    _shops, _agencies, (lead_id, org_id) = book
    fake.add_user("U1", tz="Asia/Seoul", name="alice", is_admin=True)
    bot.command("org busan")
    bot.submit(bot.last_view(), {"Takes calls on": ["Tue", "Wed", "Thu", "Fri"], "Not before": "15:00",
                                 "Contact hours note": "parcels go out at 16:00"})
    bot.command("show busan")
    assert "Takes calls Tue–Fri from 15:00 · parcels go out at 16:00" in bot.last_reply_text()
    updates.update_lead(db, clock, T, "U1", LeadUpdate(lead_id, follow_up_at=NOW + timedelta(hours=1)))
    clock.set(NOW + timedelta(hours=2))
    Sweeper(bot)()
    (nudge,) = [m for m in dms(fake) if "Busan Bakery" in m.get("text", "")]
    assert "Takes calls Tue–Fri from 15:00 · parcels go out at 16:00" in json.dumps(nudge["blocks"], ensure_ascii=False)
    bot.command("org busan")
    r = bot.submit(bot.last_view(), {"Not before": "18:00", "Not after": "09:00"})
    assert "must be later than" in r.json["errors"]["contact_to"]
    r = bot.submit(bot.last_view(), {"Time zone": "Mars/Olympus"})
    assert "is not a time zone" in r.json["errors"]["org_tz"]


def test_the_workspace_zone_can_be_set_and_the_attempts_are_recounted(bot, db, clock, book, fake):
    fake.add_user("U1", tz="Asia/Seoul", name="alice", is_admin=True)
    before = {(d, h): a for scope, d, h, a, _c in _counts(db) if scope == "all"}
    bot.command("settings timezone America/New_York")
    assert "the workspace's time zone is *America/New_York*" in bot.last_reply_text()
    assert "390 logged attempts were counted again" in bot.last_reply_text()
    after = {(d, h): a for scope, d, h, a, _c in _counts(db) if scope == "all"}
    assert sum(before.values()) == sum(after.values()) == 390
    # Tuesday 10:00 in Seoul is Monday 20:00 in New York since 1 November (EST), 21:00 before it (EDT)
    assert after[(0, 20)] + after[(0, 21)] == before[(1, 10)] and after[(0, 20)] and after[(0, 21)]
    bot.command("settings timezone Mars/Base")
    assert "“Mars/Base” is not a time zone" in bot.last_reply_text()
