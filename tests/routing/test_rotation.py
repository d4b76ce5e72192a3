"""Fairness of the rotation (1,000 routings, weights, away members) and concurrent creations that never
take the same slot (threads, and two processes), on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from store.models import Assignment, Lead
from store.services import leads, routing

ROOT = Path(__file__).resolve().parents[2]


def _queue(db, clock, members, *, weights=None, sla="1h", on_breach="notify"):
    q = routing.save_queue(db, clock, "T1", "U1", name="Inbound", channel_id="CQ", members=members, segment=None,
                           sla_minutes=routing.parse_sla(sla), on_breach=on_breach)
    if weights:
        q = routing.set_weights(db, "T1", q.id, weights)
    return q


def _owners(db) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Lead.owner_id).order_by(Lead.id)))


def _route_many(db, clock, n, start=0):
    for i in range(start, start + n):
        leads.create_lead(db, clock, "T1", "intake", leads.NewLead(f"Lead {i:05d}"))


def test_equal_weights_never_differ_by_more_than_one_over_any_window(db, clock):
    _queue(db, clock, ["UA", "UB", "UC"])
    _route_many(db, clock, 1000)
    owners = _owners(db)
    assert Counter(owners) == {"UA": 334, "UB": 333, "UC": 333}
    for size in (2, 3, 7, 50, 999):  # every window, not only the total
        for start in range(0, len(owners) - size + 1, 37):
            counts = Counter(owners[start:start + size])
            values = [counts.get(u, 0) for u in ("UA", "UB", "UC")]
            assert max(values) - min(values) <= 1


def test_weight_two_gets_twice_the_leads(db, clock):
    _queue(db, clock, ["UA", "UB"], weights={"UA": 2, "UB": 1})
    _route_many(db, clock, 999)
    assert Counter(_owners(db)) == {"UA": 666, "UB": 333}


def test_away_members_are_skipped_and_the_reason_says_so(db, clock):
    _queue(db, clock, ["UA", "UB", "UC"])
    routing.set_away(db, clock, "T1", "UB", clock.now() + timedelta(days=8))
    _route_many(db, clock, 600)
    assert Counter(_owners(db)) == {"UA": 300, "UC": 300}
    with db.read() as s:
        reason = s.scalar(select(Lead.routing_reason).order_by(Lead.id.desc()))
    assert reason == "next in rotation; skipped UB: away until Dec 1"
    routing.set_away(db, clock, "T1", "UB", None)  # back: the split stays fair from here on
    _route_many(db, clock, 300, start=600)
    tail = Counter(_owners(db)[600:])
    assert tail == {"UA": 100, "UB": 100, "UC": 100}


def test_forty_concurrent_creations_take_forty_different_slots(db, clock):
    _queue(db, clock, ["UA", "UB", "UC", "UD"])
    errors = []

    def create(i):
        try:
            leads.create_lead(db, clock, "T1", "intake", leads.NewLead(f"Concurrent {i}"))
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert Counter(_owners(db)) == {"UA": 10, "UB": 10, "UC": 10, "UD": 10}
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Assignment).where(Assignment.kind == "routed")) == 40


CHILD = """
import sys
from store.clock import SystemClock
from store.db import Database
from store.services import leads
db = Database(sys.argv[1])
for i in range(int(sys.argv[3])):
    leads.create_lead(db, SystemClock(), "T1", "intake", leads.NewLead(f"{sys.argv[2]} {i}"))
"""


def test_two_processes_share_one_rotation(db, clock):
    _queue(db, clock, ["UA", "UB"])
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, db.url, name, "20"], cwd=ROOT)
             for name in ("Proc A", "Proc B")]
    for p in procs:
        assert p.wait(120) == 0
    assert Counter(_owners(db)) == {"UA": 20, "UB": 20}
