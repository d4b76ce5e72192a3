"""A month of a small team's work, built through the services with the clock set for each step, so every
figure a report shows can be worked out by hand (the expected values are in the tests).

November 2026 (times UTC), reps alice (U1) and bob (U2):
- Alpha Shop (alice, Inbound form): arrives 2 Nov 09:00 → Potential 3 Nov 09:00 → Qualifying 5 Nov 09:00 →
  Closing 10 Nov 09:00 with a deal (₩1,000,000, Demo) → deal won 20 Nov 09:00 (→ Customer).
- Beta Shop (alice, Referral): arrives 2 Nov 10:00 → Potential 4 Nov 10:00 → Nurturing 6 Nov 10:00.
- Gamma Shop (bob, Inbound form): arrives 3 Nov 09:00 → Potential 4 Nov 09:00 (still there).
- Delta Shop (bob, Outbound): arrived 20 Oct → Potential 25 Oct (deal 26 Oct, ₩500,000) → Qualifying
  9 Nov 09:00 → Bad fit 12 Nov 09:00, its deal lost for Price that day.
- Echo Shop (alice, Event): arrived 1 Oct, Customer 15 Oct, Churned 15 Nov 09:00 ("moved to a cheaper tool").
- Foxtrot Agency (bob, Agency, Referral): arrived 28 Oct; deal 17 Nov 09:00, ₩3,000,000 at Proposal (60%),
  expected to close 28 Nov.
- Routed through the queue Inbound (alice, bob; SLA 60 min): Golf Shop 16 Nov 10:00 → alice, first call
  10:30; Hotel Shop 16 Nov 11:00 → bob, first call 13:00 (late); India Shop 27 Nov 11:30 → alice (not yet
  touched when the report is made, 27 Nov 12:00).
- Activities: alice calls Alpha 3 Nov 09:30 (Connected) and 4 Nov 10:00 (No answer), calls Beta 4 Nov 11:00
  (Left message), e-mails Alpha 5 Nov 12:00, meets Beta 6 Nov 15:00 (Connected); bob calls Gamma 4, 5 and
  6 Nov at 09:30 (No answer, No answer, Connected).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from store.dto import DealInput, LeadUpdate, NewLead
from store.services import deals, leads, members, organizations, routing, updates

T = "T1"
ALICE, BOB = "U1", "U2"
REPORT_AT = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=timezone.utc)


def build(db, clock) -> dict[str, int]:
    """The data set; returns lead ids by company's first word."""
    clock.set(at(10, 1, 8))
    members.save_member(db, clock, T, ALICE, name="alice", tz="UTC", is_admin=True)
    members.save_member(db, clock, T, BOB, name="bob", tz="UTC")
    ids: dict[str, int] = {}

    def new(name: str, owner: str | None, when: datetime, source: str | None = None) -> int:
        clock.set(when)
        lead = leads.create_lead(db, clock, T, ALICE, NewLead(company=name, owner_id=owner, source=source)).lead
        ids[name.split()[0].lower()] = lead.id
        return lead.id

    def move(lead: str, status: str, when: datetime, reason: str | None = None) -> None:
        clock.set(when)
        updates.update_lead(db, clock, T, ALICE, LeadUpdate(ids[lead], status=status, reason=reason))

    def log(lead: str, actor: str, kind: str, outcome: str, when: datetime) -> None:
        clock.set(when)
        updates.update_lead(db, clock, T, actor, LeadUpdate(ids[lead], activity=kind, outcome=outcome))

    new("Echo Shop", ALICE, at(10, 1), "Event")
    move("echo", "Customer", at(10, 15))
    new("Delta Shop", BOB, at(10, 20), "Outbound")
    move("delta", "Potential", at(10, 25))
    clock.set(at(10, 26))
    delta_deal = deals.save_deal(db, clock, T, BOB, DealInput(ids["delta"], amount="500000", stage="Demo")).deal
    new("Foxtrot Agency", BOB, at(10, 28), "Referral")
    lead = leads.get_lead(db, T, ids["foxtrot"])
    organizations.classify(db, clock, T, lead.organization_id, kind="Agency", authority=None, approver=None)

    new("Alpha Shop", ALICE, at(11, 2, 9), "Inbound form")
    new("Beta Shop", ALICE, at(11, 2, 10), "Referral")
    new("Gamma Shop", BOB, at(11, 3, 9), "Inbound form")
    move("alpha", "Potential", at(11, 3))
    log("alpha", ALICE, "Call", "Connected", at(11, 3, 9, 30))
    move("gamma", "Potential", at(11, 4, 9))
    log("gamma", BOB, "Call", "No answer", at(11, 4, 9, 30))
    log("alpha", ALICE, "Call", "No answer", at(11, 4, 10))
    move("beta", "Potential", at(11, 4, 10))
    log("beta", ALICE, "Call", "Left message", at(11, 4, 11))
    move("alpha", "Qualifying", at(11, 5))
    log("gamma", BOB, "Call", "No answer", at(11, 5, 9, 30))
    log("alpha", ALICE, "Email", "Not applicable", at(11, 5, 12))
    move("beta", "Nurturing", at(11, 6, 10), "budget next year")
    log("gamma", BOB, "Call", "Connected", at(11, 6, 9, 30))
    log("beta", ALICE, "Meeting", "Connected", at(11, 6, 15))
    move("delta", "Qualifying", at(11, 9))
    move("alpha", "Closing", at(11, 10))
    clock.set(at(11, 10, 9, 5))
    alpha_deal = deals.save_deal(db, clock, T, ALICE, DealInput(ids["alpha"], amount="1000000", stage="Demo")).deal
    move("delta", "Bad fit", at(11, 12))
    clock.set(at(11, 12, 9, 5))
    deals.decide(db, clock, T, BOB, ids["delta"], "lost", deal_id=delta_deal.id, lost_reason="Price")
    move("echo", "Churned", at(11, 15), "moved to a cheaper tool")
    clock.set(at(11, 16, 8))
    routing.save_queue(db, clock, T, ALICE, name="Inbound", channel_id="CIN", members=[ALICE, BOB], segment=None,
                       sla_minutes=60, on_breach="notify")
    new("Golf Shop", None, at(11, 16, 10), "Inbound form")
    log("golf", ALICE, "Call", "Connected", at(11, 16, 10, 30))
    new("Hotel Shop", None, at(11, 16, 11), "Inbound form")
    log("hotel", BOB, "Call", "Connected", at(11, 16, 13))
    clock.set(at(11, 17))
    deals.save_deal(db, clock, T, BOB, DealInput(ids["foxtrot"], amount="3000000", stage="Proposal",
                                                 expected_close=date(2026, 11, 28)))
    clock.set(at(11, 20))
    deals.decide(db, clock, T, ALICE, ids["alpha"], "won", deal_id=alpha_deal.id)
    new("India Shop", None, at(11, 27, 11, 30), "Inbound form")
    clock.set(REPORT_AT)
    return ids
