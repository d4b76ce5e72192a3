"""Services against a real database (SQLite, and PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.wording import say
from store.errors import Duplicate, Invalid, NotFound
from store.models import Activity, Lead, Organization, Outbox
from store.services import leads, outbox, updates


def new(db, clock, name, team="T1", **kw):
    return leads.create_lead(db, clock, team, "U1", leads.NewLead(name, **kw)).lead


def test_resolve_prefers_exact_then_unique_prefix(db, clock):
    new(db, clock, "Acme")
    new(db, clock, "Acme Shop")
    new(db, clock, "Bakery 100%_off")
    assert [lead.company for lead in leads.resolve_lead(db, "T1", "ACME")] == ["Acme"]
    assert [lead.company for lead in leads.resolve_lead(db, "T1", "acme s")] == ["Acme Shop"]
    assert [lead.company for lead in leads.resolve_lead(db, "T1", "ac")] == ["Acme", "Acme Shop"]
    assert [lead.company for lead in leads.resolve_lead(db, "T1", "bakery 100%")] == ["Bakery 100%_off"]
    assert leads.resolve_lead(db, "T1", "%") == [] and leads.resolve_lead(db, "T1", "_") == []
    assert leads.resolve_lead(db, "T2", "acme") == []


def test_same_submission_twice_at_once_applies_once(db, clock):
    lead = new(db, clock, "Acme")
    results, errors = [], []

    def submit():
        try:
            results.append(updates.update_lead(db, clock, "T1", "U1", updates.LeadUpdate(
                lead.id, activity="Call", outcome="No answer"), idempotency_key="view:V1"))
        except Duplicate as exc:
            errors.append(exc)

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 1 and len(errors) == 5
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Activity).where(Activity.kind == "Call")) == 1


def test_concurrent_creation_of_one_company_makes_one_lead(db, clock):
    out = []
    threads = [threading.Thread(target=lambda: out.append(leads.create_lead(
        db, clock, "T1", "U1", leads.NewLead("Racy Shop")))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 1
        assert s.scalar(select(func.count()).select_from(Organization)) == 1
    assert sorted(r.existed for r in out) == [False] + [True] * 5


def test_outbox_is_claimed_by_one_worker(db, clock):
    lead = new(db, clock, "Acme")
    claims = []
    threads = [threading.Thread(target=lambda: claims.append(outbox.claim_lead(db, clock, "T1", lead.id)))
               for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len([c for c in claims if c]) == 1
    # a claim abandoned by a crashed process is taken over after a while, not lost
    assert outbox.claim_lead(db, clock, "T1", lead.id) is None
    clock.advance(minutes=6)
    assert outbox.claim_lead(db, clock, "T1", lead.id) is not None


def test_failed_delivery_backs_off_then_gives_up_keeping_the_error(db, clock):
    lead = new(db, clock, "Acme")
    for _ in range(outbox.MAX_ATTEMPTS):
        token, _, items = outbox.claim_lead(db, clock, "T1", lead.id)
        outbox.release(db, clock, token, [i.id for i in items], "channel_not_found", retry_in=1)
        clock.advance(hours=1)
    with db.read() as s:
        row = s.scalars(select(Outbox)).one()
        assert (row.state, row.last_error) == ("failed", "channel_not_found")


def test_update_validation(db, clock):
    lead = new(db, clock, "Acme")
    # The store names the problem (a code and its field); the bot words it (bot.wording.say).
    with pytest.raises(Invalid) as err:
        updates.schedule_follow_up(db, clock, "T1", "U1", lead.id, clock.now() - timedelta(hours=1))
    assert err.value.field == "follow_up" and "already passed" in say(err.value)
    with pytest.raises(Invalid) as err:
        updates.update_lead(db, clock, "T1", "U1", updates.LeadUpdate(lead.id, activity="Fax"))
    assert "is not a" in say(err.value)
    with pytest.raises(NotFound) as err:
        updates.log_note(db, clock, "T1", "U1", 999, "x")
    assert "no lead #999" in say(err.value)
    with pytest.raises(NotFound):
        updates.log_note(db, clock, "T2", "U1", lead.id, "other team")


def test_first_touch_is_the_owners_first_activity(db, clock):
    lead = new(db, clock, "Acme", note="created with a note")
    updates.log_note(db, clock, "T1", "U2", lead.id, "a colleague's note")
    assert leads.get_lead(db, "T1", lead.id).first_touch_at is None
    clock.advance(minutes=20)
    updates.update_lead(db, clock, "T1", "U1", updates.LeadUpdate(lead.id, activity="Call", outcome="No answer"))
    assert leads.get_lead(db, "T1", lead.id).first_touch_at == clock.now()


def test_timeline_newest_first_one_page(db, clock):
    lead = new(db, clock, "Acme")
    for i in range(30):
        clock.advance(minutes=1)
        updates.log_note(db, clock, "T1", "U1", lead.id, f"note {i}")
    detail = leads.lead_detail(db, "T1", lead.id, entries=5)
    assert [e.text for e in detail.timeline] == ["note 29", "note 28", "note 27", "note 26", "note 25"]
    assert detail.activity_count == 30
