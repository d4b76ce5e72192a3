"""A believable first start: a dozen shops and agencies, their contacts, weeks of calls (many that reached nobody),
a follow-up overdue and one due today, a routing queue and a lead it just routed, a deal, contact hours. Every
row goes through the services, with the clock set for each step, as if the team had worked for three weeks."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from store.clock import FixedClock
from store.db import Database
from store.dto import DealInput, LeadUpdate, NewLead
from store.services import deals, leads, members, organizations, routing, updates

SEOUL = ZoneInfo("Asia/Seoul")

# (company, contact, e-mail, phone, segment, source, owner key, type, days ago)
BOOK = [
    ("부산 베이커리", "김지은", "jieun@busanbakery.kr", "010-2345-6789", "SMB", "Inbound form", "minjun", "Shop", 20),
    ("Seoul Socks", "Park Hana", "hana@seoulsocks.kr", "02-555-0142", "SMB", "Referral", "minjun", "Shop", 18),
    ("Jeju Tea House", "Oh Minseo", "minseo@jejutea.kr", "064-733-0198", "SMB", "Event", "alex", "Shop", 17),
    ("Pixel Lab", "Lee Doyun", "doyun@pixellab.io", "02-6011-2200", "Enterprise", "Outbound", "alex", "Agency", 16),
    ("Mapo Flowers", "Choi Yuna", "yuna@mapoflowers.kr", "010-8765-4321", "SMB", "Inbound form", "minjun", "Shop", 14),
    ("Daegu Leather Works", "Jung Siwoo", "siwoo@daeguleather.kr", "053-422-9090", "SMB", "Referral", "alex", "Shop", 13),
    ("Hanok Candles", "Kang Seoyeon", "seoyeon@hanokcandles.kr", "010-3030-1111", "SMB", "Inbound form", "minjun",
     "Shop", 11),
    ("Nova Growth Agency", "Yoon Jiho", "jiho@novagrowth.co", "02-3141-5926", "Enterprise", "Event", "alex", "Agency", 10),
    ("Incheon Coffee Roasters", "Han Eunwoo", "eunwoo@incheoncoffee.kr", "032-880-4400", "SMB", "Outbound", "minjun",
     "Shop", 8),
    ("Ulsan Outdoor", "Lim Chaewon", "chaewon@ulsanoutdoor.kr", "052-210-7000", "Enterprise", "Referral", "alex", "Shop", 6),
    ("Suwon Kids Closet", "Song Minji", "minji@suwonkids.kr", "031-255-3434", "SMB", "Inbound form", "minjun", "Shop", 4),
]


def _at(now: datetime, days_ago: float, hour: int, minute: int = 0) -> datetime:
    day = (now - timedelta(days=days_ago)).astimezone(SEOUL).date()
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SEOUL).astimezone(timezone.utc)


def seed(db: Database, team_id: str, people: dict[str, dict], *, channel: str, inbound: str,
         now: datetime | None = None) -> int:
    """Fill an empty workspace; returns how many leads it made. `people`: key → {id, name, tz, admin}."""
    now = now or datetime.now(timezone.utc)
    clock = FixedClock(now - timedelta(days=22))
    rng = random.Random(42)
    who = {k: p["id"] for k, p in people.items()}
    for p in people.values():
        members.save_member(db, clock, team_id, p["id"], name=p["name"], tz=p["tz"], is_admin=p.get("admin", False),
                            locale=p.get("locale"))
    made: dict[str, int] = {}

    def at(days_ago: float, hour: int, minute: int = 0) -> datetime:
        moment = _at(now, days_ago, hour, minute)
        clock.set(moment)
        return moment

    def update(lead: str, actor: str, **what) -> None:
        updates.update_lead(db, clock, team_id, who[actor], LeadUpdate(made[lead], **what))

    for company, contact, email, phone, segment, source, owner, kind, ago in BOOK:
        at(ago, 10)
        lead = leads.create_lead(db, clock, team_id, who[owner], NewLead(
            company=company, contact_name=contact, email=email, phone=phone, segment=segment, source=source,
            owner_id=who[owner]), channel_hint=channel).lead
        made[company] = lead.id
        organizations.classify(db, clock, team_id, lead.organization_id, kind=kind, authority=None, approver=None)

    # weeks of calls: shops pick up in the afternoon, hardly on Monday mornings; many attempts reach nobody
    for i in range(70):
        company = BOOK[i % len(BOOK)][0]
        owner = next(b[6] for b in BOOK if b[0] == company)
        days_ago = 1 + (i * 7) % 19 + rng.random()
        moment = _at(now, days_ago, 9 + (i * 5) % 9, (i * 13) % 60)
        local = moment.astimezone(SEOUL)
        answered = 0.45 if local.weekday() in (1, 2, 3) and 14 <= local.hour < 17 else (
            0.05 if local.weekday() == 0 else 0.2)
        outcome = "Connected" if rng.random() < answered else rng.choice(("No answer", "No answer", "Left message"))
        clock.set(moment)
        updates.update_lead(db, clock, team_id, who[owner], LeadUpdate(
            made[company], activity="Call", outcome=outcome,
            note={"Connected": "Talked it through.", "No answer": "No answer.",
                  "Left message": "Left a voicemail."}[outcome]))

    # how far each lead has come
    for company, status, reason, ago in (("부산 베이커리", "Potential", None, 15), ("부산 베이커리", "Qualifying", None, 9),
                                         ("부산 베이커리", "Closing", "demo went well", 3),
                                         ("Seoul Socks", "Potential", None, 12), ("Jeju Tea House", "Potential", None, 11),
                                         ("Jeju Tea House", "Nurturing", "budget after Lunar New Year", 5),
                                         ("Pixel Lab", "Qualifying", None, 8), ("Mapo Flowers", "Potential", None, 7),
                                         ("Daegu Leather Works", "Bad fit", "makes everything to order", 6),
                                         ("Nova Growth Agency", "Potential", None, 5), ("Ulsan Outdoor", "Qualifying", None, 2)):
        at(ago, 16, 30)
        owner = next(b[6] for b in BOOK if b[0] == company)
        update(company, owner, status=status, reason=reason)
    at(3, 17)
    update("부산 베이커리", "minjun", activity="Meeting", outcome="Connected",
           note="Demo with 김지은 and the owner: they want the Pro plan if onboarding is in Korean.")
    deals.save_deal(db, clock, team_id, who["minjun"], DealInput(
        made["부산 베이커리"], name="부산 베이커리 · Pro plan", amount="120만", recurring=True, stage="Proposal",
        expected_close=(now + timedelta(days=12)).date(), next_step="Send the Korean onboarding plan"))
    pixel = leads.get_lead(db, team_id, made["Pixel Lab"]).organization_id
    busan = leads.get_lead(db, team_id, made["부산 베이커리"]).organization_id
    organizations.relate(db, clock, team_id, who["alex"], pixel, busan, "works_for")
    organizations.set_contact_hours(db, clock, team_id, busan, days=[1, 2, 3, 4], start="15:00", end="19:00",
                                    note="parcels go out at 16:00: call after", tz=None)

    # next steps: one overdue since yesterday, one due later today, others ahead
    at(2, 11)
    update("Seoul Socks", "minjun", activity="Call", outcome="No answer",
           follow_up_at=_at(now, 1, 15), follow_up_note="Call Park Hana back about the sample order")
    at(1, 18)
    update("Mapo Flowers", "minjun", follow_up_at=now + timedelta(hours=3), follow_up_note="Send the price list")
    update("Pixel Lab", "alex", follow_up_at=now + timedelta(days=2), follow_up_note="Agency pricing for 5 shops")
    update("부산 베이커리", "minjun", follow_up_at=_at(now, -1, 15, 30), follow_up_note="Walk through the onboarding plan")

    # routing: the Inbound queue, and a web-form lead it gave to the next rep twenty minutes ago
    clock.set(now - timedelta(minutes=40))
    routing.save_queue(db, clock, team_id, who["sara"], name="Inbound", channel_id=inbound,
                       members=[who["minjun"], who["alex"]], segment=None, sla_minutes=60, on_breach="notify")
    clock.set(now - timedelta(minutes=20))
    leads.create_lead(db, clock, team_id, "intake", NewLead(
        company="Gangnam Pet Supplies", contact_name="Bae Suho", email="suho@gangnampets.kr", segment="SMB",
        source="Inbound form", note="Asked for a demo through the website: 3 stores, wants stock sync."))
    return len(made) + 1
