"""Each part of a report against figures worked out by hand on a fixed month (tests/reports/dataset.py)."""

from __future__ import annotations

import pytest

from store.dto.reports import Scope
from store.services import reports
from tests.reports.dataset import ALICE, BOB, REPORT_AT, T, build


@pytest.fixture
def november(db, clock):
    ids = build(db, clock)
    period = reports.period_of("2026-11", "UTC", REPORT_AT)
    return ids, period


def _steps(data):
    return {f.status: (f.entered, f.moved_on, f.median_hours, f.still_there) for f in data.funnel}


def test_team_report_for_november(db, clock, november):
    _ids, period = november
    data = reports.report(db, clock, T, period, Scope())
    assert _steps(data) == {
        "Unidentified": (6, 3, 24.0, 3), "Potential": (3, 1, 48.0, 1), "Qualifying": (2, 1, 96.0, 0),
        "Closing": (1, 1, 240.0, 0), "Customer": (1, None, None, 1),
        "Nurturing": (1, None, None, 1), "Bad fit": (1, None, None, 1), "Churned": (1, None, None, 1)}
    assert [f.status for f in data.funnel if f.side_exit] == ["Nurturing", "Bad fit", "Churned"]
    assert data.funnel[1].conversion == pytest.approx(1 / 3)

    d = data.deals
    assert (d.created, d.won, d.lost, d.win_rate) == (2, 1, 1, 0.5)
    assert d.won_amounts == {"KRW": 1_000_000} and d.lost_reasons == [("Price", 1)]
    assert d.median_cycle_days == pytest.approx(10 - 5 / 1440)  # created 10 Nov 09:05, won 20 Nov 09:00
    open_stages = [(t.stage.name, t.count, t.amounts, t.weighted) for t in d.stages if t.count]
    assert open_stages == [("Proposal", 1, {"KRW": 3_000_000}, {"KRW": 1_800_000})]
    assert (d.forecast.count, d.forecast.amounts, d.forecast.weighted) == (1, {"KRW": 3_000_000}, {"KRW": 1_800_000})
    assert d.won_this_month == {"KRW": 1_000_000}

    alice, bob = data.activity
    assert alice.user_id == ALICE and bob.user_id == BOB  # most attempts first
    assert alice.by_kind == {"Call": 4, "Email": 1, "Meeting": 1}
    assert (alice.connected, alice.no_answer, alice.left_message, alice.attempts) == (3, 1, 1, 5)
    assert alice.connect_rate == 0.6 and alice.active_days == 5
    assert bob.by_kind == {"Call": 4} and (bob.connected, bob.no_answer, bob.attempts) == (2, 2, 4)
    assert bob.connect_rate == 0.5 and bob.active_days == 4
    per_day = {(r.user_id, r.day.day, r.kind, r.outcome): r.count for r in data.days}
    assert per_day[(BOB, 4, "Call", "No answer")] == 1 and per_day[(ALICE, 4, "Call", "Left message")] == 1
    assert sum(r.count for r in data.days) == 10
    assert data.names == {ALICE: "alice", BOB: "bob"}

    (inbound,) = data.sla_queues
    assert (inbound.name, inbound.routed, inbound.in_time, inbound.late, inbound.pending) == ("Inbound", 3, 1, 1, 1)
    assert inbound.median_minutes == 75 and inbound.compliance == 0.5
    reps = {f.name: (f.routed, f.in_time, f.late, f.pending, f.median_minutes) for f in data.sla_reps}
    assert reps == {ALICE: (2, 1, 0, 1, 30), BOB: (1, 0, 1, 0, 120)}

    sources = {f.source: (f.leads, f.customers, f.revenue) for f in data.sources}
    assert sources == {"Inbound form": (5, 1, {"KRW": 1_000_000}), "Referral": (1, 0, {})}

    assert data.churn.count == 1 and data.churn.reasons == [("moved to a cheaper tool", 1)]
    assert data.churn.examples[0][:2] == ("Echo Shop", "moved to a cheaper tool")


def test_a_reps_own_report(db, clock, november):
    _ids, period = november
    data = reports.report(db, clock, T, period, Scope(owner_id=ALICE))
    steps = _steps(data)
    assert steps["Unidentified"][:2] == (4, 2) and steps["Potential"][:2] == (2, 1)
    assert steps["Churned"][0] == 1 and steps["Bad fit"][0] == 0
    assert (data.deals.created, data.deals.won, data.deals.lost) == (1, 1, 0)
    assert not [t for t in data.deals.stages if t.count]
    assert [r.user_id for r in data.activity] == [ALICE]
    assert [(f.name, f.routed) for f in data.sla_queues] == [("Inbound", 2)]


def test_a_type_and_a_queue(db, clock, november):
    _ids, period = november
    agencies = reports.report(db, clock, T, period, Scope(org_type="agency"))
    assert agencies.deals.created == 1 and [t.stage.name for t in agencies.deals.stages if t.count] == ["Proposal"]
    assert agencies.activity == [] and sum(f.entered for f in agencies.funnel) == 0
    queue = reports.scope_queue(db, T, "inb")
    routed = reports.report(db, clock, T, period, queue)
    assert queue.queue_name == "Inbound" and routed.funnel[0].entered == 3
    assert {r.user_id for r in routed.activity} == {ALICE, BOB} and sum(r.attempts for r in routed.activity) == 2


def test_periods_are_whole_local_days():
    from datetime import datetime, timezone

    now = datetime(2026, 12, 1, 3, 0, tzinfo=timezone.utc)  # Tuesday 12:00 in Seoul
    week = reports.period_of("week", "Asia/Seoul", now)
    assert (week.first_day.isoformat(), week.last_day.isoformat()) == ("2026-11-25", "2026-12-01")
    assert week.start == datetime(2026, 11, 24, 15, 0, tzinfo=timezone.utc)
    quarter = reports.period_of("quarter", "Asia/Seoul", now)
    assert (quarter.first_day.isoformat(), quarter.last_day.isoformat()) == ("2026-10-01", "2026-12-31")
    month = reports.period_of("2026-03", "America/New_York", now)
    assert month.start == datetime(2026, 3, 1, 5, 0, tzinfo=timezone.utc)  # EST
    assert month.end == datetime(2026, 4, 1, 4, 0, tzinfo=timezone.utc)  # EDT
    from store.services.reports.period import offsets
    assert [o for _a, _b, o in offsets(month)] == [-5 * 3600, -4 * 3600]
