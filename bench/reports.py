"""The App Home and reports at 100,000 organizations, 200,000 deals, 1,000,000 timeline entries and 50 reps.

    .venv/bin/python bench/reports.py                                   # SQLite file in bench/out/
    .venv/bin/python bench/reports.py --url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/reports.py --orgs 10000 --deals 20000 --entries 100000   # how it grows

1. `app_home_opened` → `views.publish`, end to end: `python app.py` on the database, this process plays Slack
   (the tests' fake Web API). Paced like people (one Home opened every 0.2 s: each rep's first open, published
   at once while its new charts are drawn and uploaded to follow, then a second open, when they are found
   again), then saturated (all 50 reps and the manager at once: publishes per second).
2. Server time of a quarter's team report (and one rep's), and of drawing each chart.

Prints tables; exits 0 when the targets hold: Home published p95 ≤ 300 ms for a rep and ≤ 1 s for a manager,
the quarter's team report p95 ≤ 1 s, every chart drawn in ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from bench.ack_latency import NoWait, free_port, start  # noqa: E402
from bot.views import charts, report as report_view  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.dto.reports import Scope  # noqa: E402
from store.models import (  # noqa: E402
    Activity, Assignment, Base, Comment, Deal, FollowUp, Lead, LeadFollower, Member, Organization, QueueMember,
    RoutingQueue, StatusChange,
)
from store.services import best_time, deal_totals, pipeline, reports  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack_driver import SlackDriver  # noqa: E402

TEAM = "T1"
SECRET = "bench-secret"
REPS = [f"U{n:04d}" for n in range(50)]
MANAGER = "UMGR0001"
STAGES = ["Discovery", "Demo", "Proposal", "Negotiation", "Won", "Lost"]
KINDS = ("Call", "Call", "Call", "Email", "Meeting", "Message", "Note")
OUTCOMES = {"Call": ("Connected", "No answer", "No answer", "Left message"), "Email": ("Not applicable", "Bounced"),
            "Meeting": ("Connected",), "Message": ("Not applicable",), "Note": ("Not applicable",)}
DAYS = 730  # the history spans two years


def build(db: Database, now: datetime, orgs: int, n_deals: int, entries: int) -> None:
    t0 = time.perf_counter()
    if db.dialect == "postgresql":
        with db.engine.begin() as c:
            for table in reversed(Base.metadata.sorted_tables):
                c.execute(text(f'DROP TABLE IF EXISTS "{table.name}" CASCADE'))
            c.execute(text("DROP TABLE IF EXISTS alembic_version"))
    db.migrate()
    clock = FixedClock(now)
    with db.write() as s:
        pipeline.ensure_team(s, TEAM, clock)
    statuses = [name for name, _m, _c in pipeline.TEMPLATES["lifecycle"]]
    rng = random.Random(5)
    ago = lambda: now - timedelta(minutes=rng.randint(0, DAYS * 1440))  # noqa: E731
    batch = 20_000
    with db.engine.begin() as c:
        c.execute(insert(Member), [{"team_id": TEAM, "user_id": u, "name": f"rep{i:02d}", "tz": "Asia/Seoul",
                                    "is_admin": False, "is_bot": False, "role": "rep", "fetched_at": now}
                                   for i, u in enumerate(REPS)]
                  + [{"team_id": TEAM, "user_id": MANAGER, "name": "manager", "tz": "Asia/Seoul", "is_admin": True,
                      "is_bot": False, "role": "admin", "fetched_at": now}])
        c.execute(insert(RoutingQueue), [{"id": 1, "team_id": TEAM, "name": "Inbound", "channel_id": "CIN",
                                          "sla_minutes": 60, "on_breach": "notify", "is_default": True, "position": 0,
                                          "created_by": MANAGER, "created_at": now - timedelta(days=DAYS),
                                          "routed": 0}])
        c.execute(insert(QueueMember), [{"queue_id": 1, "user_id": u, "team_id": TEAM, "weight": 1, "current": 0,
                                         "position": i, "assigned": 0} for i, u in enumerate(REPS)])
        for start_id in range(1, orgs + 1, batch):
            ids = range(start_id, min(start_id + batch, orgs + 1))
            lead_rows, org_rows = [], []
            for i in ids:
                arrived = ago()
                routed = arrived + timedelta(minutes=2) if i % 3 == 0 else None
                touched = routed + timedelta(minutes=rng.randint(3, 240)) if routed and i % 5 else None
                status = statuses[rng.choices(range(8), [20, 25, 15, 8, 12, 8, 8, 4])[0]]
                org_rows.append({"id": i, "team_id": TEAM, "name": f"Shop {i}", "name_key": f"shop {i}",
                                 "status": status, "kind": ("Shop", "Agency", "Partner")[i % 3],
                                 "segment": "Enterprise" if i % 4 == 0 else "SMB", "tags": [], "created_at": arrived})
                lead_rows.append({"id": i, "team_id": TEAM, "organization_id": i,
                                  "owner_id": None if i % 997 == 0 else REPS[i % 50], "status": status,
                                  "status_since": arrived, "is_open": status not in ("Customer", "Bad fit", "Churned"),
                                  "arrived_at": arrived, "routed_at": routed, "queue_id": 1 if routed else None,
                                  "first_touch_at": touched, "sla_breached_at": routed + timedelta(hours=1)
                                  if routed and not touched else None, "source": ("Inbound form", "Referral",
                                                                                  "Event", "Outbound")[i % 4],
                                  "segment": "Enterprise" if i % 4 == 0 else "SMB", "updated_at": arrived})
            c.execute(insert(Organization), org_rows)
            c.execute(insert(Lead), lead_rows)
        for start_id in range(1, n_deals + 1, batch):
            rows = []
            for i in range(start_id, min(start_id + batch, n_deals + 1)):
                stage = rng.choices(STAGES, [25, 20, 15, 10, 15, 15])[0]
                lead_id = (i - 1) % orgs + 1
                created = ago()
                closed = created + timedelta(days=rng.randint(3, 90))
                rows.append({"id": i, "team_id": TEAM, "organization_id": lead_id, "lead_id": lead_id,
                             "name": f"Deal {i}", "kind": "new", "owner_id": REPS[lead_id % 50],
                             "amount_minor": rng.randrange(100_000, 50_000_000, 10_000), "currency": "KRW",
                             "recurring": i % 4 == 0, "stage": stage, "is_open": stage not in ("Won", "Lost"),
                             "expected_close": (now + timedelta(days=rng.randint(-30, 120))).date(),
                             "won_at": closed if stage == "Won" else None, "lost_at": closed if stage == "Lost" else None,
                             "lost_reason": rng.choice(("Price", "Timing", "Competitor")) if stage == "Lost" else None,
                             "created_by": REPS[0], "created_at": created, "updated_at": created})
            c.execute(insert(Deal), rows)
        parts = {"activity": int(entries * 0.6), "status": int(entries * 0.15), "comment": int(entries * 0.15),
                 "followup": int(entries * 0.05), "assignment": entries - int(entries * 0.95)}
        k = 0
        for kind, n in parts.items():
            for start_id in range(0, n, batch):
                rows = []
                for j in range(start_id, min(start_id + batch, n)):
                    lead = rng.randint(1, orgs)
                    owner = REPS[lead % 50]
                    at = ago()
                    if kind == "activity":
                        what = rng.choice(KINDS)
                        rows.append({"team_id": TEAM, "lead_id": lead, "actor_id": owner, "kind": what,
                                     "outcome": rng.choice(OUTCOMES[what]), "text": "Logged.", "occurred_at": at,
                                     "created_at": at})
                    elif kind == "status":
                        a, b = rng.sample(statuses, 2)
                        rows.append({"team_id": TEAM, "lead_id": lead, "actor_id": owner, "from_status": a,
                                     "to_status": b, "reason": "lost touch" if b == "Churned" else None,
                                     "changed_at": at})
                    elif kind == "comment":
                        rows.append({"team_id": TEAM, "lead_id": lead, "author_id": owner, "channel": "C1",
                                     "ts": f"{1600000000 + k + j}.000100", "text": "A reply.", "posted_at": at,
                                     "edited": False, "deleted": False})
                    elif kind == "followup":
                        due = now + timedelta(minutes=rng.randint(-30 * 1440, 30 * 1440))
                        is_open = j % 5 < 2
                        rows.append({"team_id": TEAM, "lead_id": lead, "owner_id": owner, "due_at": due,
                                     "note": "Call back.", "state": "open" if is_open else "done", "snooze_count": 0,
                                     "next_nudge_at": None, "nudges_sent": 1, "created_by": owner, "created_at": at})
                    else:
                        rows.append({"team_id": TEAM, "lead_id": lead, "actor_id": MANAGER, "from_owner": None,
                                     "to_owner": owner, "reason": "routed", "kind": "routed", "assigned_at": at})
                model = {"activity": Activity, "status": StatusChange, "comment": Comment, "followup": FollowUp,
                         "assignment": Assignment}[kind]
                c.execute(insert(model), rows)
                k += len(rows)
                print(f"\r  built {k:,}/{entries:,} timeline entries", end="", file=sys.stderr)
        seen = set()
        followers = []
        for u in REPS + [MANAGER]:
            for _ in range(100):
                lead = rng.randint(1, orgs)
                if (lead, u) not in seen:
                    seen.add((lead, u))
                    followers.append({"team_id": TEAM, "lead_id": lead, "user_id": u, "created_at": now})
        c.execute(insert(LeadFollower), followers)
    print(file=sys.stderr)
    with db.write() as s:
        deal_totals.rebuild(s, TEAM)
    t1 = time.perf_counter()
    counted = best_time.rebuild_team(db, TEAM)
    print(f"  best-time counts rebuilt from {counted:,} attempts in {time.perf_counter() - t1:.1f} s")
    with db.engine.begin() as c:
        c.exec_driver_sql("ANALYZE")
    print(f"  built in {time.perf_counter() - t0:.0f} s")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def row(name: str, t: list[float]) -> str:
    return (f"| {name:<44} | {len(t):>4} | {statistics.median(t):8.1f} | {pct(t, 95):8.1f} | {max(t):8.1f} |")


HEAD = ("| measure                                      |    n |   p50 ms |   p95 ms |   max ms |\n"
        "|----------------------------------------------|-----:|---------:|---------:|---------:|")


class Slack(FakeSlack):
    """The fake Web API, stamping each views.publish on arrival for whoever waits for it."""

    def __init__(self) -> None:
        super().__init__()
        self.published: dict[str, list[float]] = {}
        self.cv = threading.Condition()

    def _api(self, method, args, **kw):
        answer = super()._api(method, args, **kw)
        if method == "views.publish" and answer[2].get("ok"):
            with self.cv:
                self.published.setdefault(args.get("user_id"), []).append(time.monotonic())
                self.cv.notify_all()
        return answer

    def wait_for(self, user: str, count: int, timeout: float = 10) -> float | None:
        with self.cv:
            if self.cv.wait_for(lambda: len(self.published.get(user, ())) >= count, timeout):
                return self.published[user][count - 1]
        return None


def home_bench(url: str, quick: bool) -> tuple[bool, list[str]]:
    slack = Slack().start()
    for i, u in enumerate(REPS):
        slack.add_user(u, tz="Asia/Seoul", name=f"rep{i:02d}")
    slack.add_user(MANAGER, tz="Asia/Seoul", name="manager", is_admin=True)
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
           "SLACK_API_URL": slack.api_url, "DATABASE_URL": url, "PORT": str(port), "SLACK_APP_TOKEN": "",
           "CRM_SWEEP_SECONDS": "60", "CRM_CHANNEL": "CCRM"}
    proc = start([sys.executable, str(ROOT / "app.py")], env, port)
    driver = SlackDriver(f"http://127.0.0.1:{port}", SECRET, slack, NoWait(), team=TEAM)
    lines, ok = [], True
    try:
        def open_and_wait(user: str) -> float:
            """Open the Home; ms until its next views.publish reached Slack."""
            count = len(slack.published.get(user, ()))
            sent = time.monotonic()
            driver.open_home(user, wait=False)
            got = slack.wait_for(user, count + 1)
            if got is None:
                raise SystemExit(f"no Home published for {user}")
            return (got - sent) * 1000

        def settled(user: str) -> None:
            """Wait until the Home's pictures have followed (their publish), then past the refresh delay."""
            count = len(slack.published.get(user, ()))
            slack.wait_for(user, count + 1, timeout=5)
            time.sleep(3.2)

        reps = REPS[:20] if quick else REPS
        first, again, manager = [], [], []
        for u in reps:  # new figures: published at once, the charts drawn and uploaded right after
            time.sleep(0.2)
            first.append(open_and_wait(u))
        time.sleep(4)  # their pictures follow, one more publish each
        for u in reps:  # opened again later: every chart found by its figures
            time.sleep(0.2)
            again.append(open_and_wait(u))
        for i in range(10):
            manager.append(open_and_wait(MANAGER))
            if i == 0:
                settled(MANAGER)  # the first open's pictures follow first
            else:
                time.sleep(3.2)
        lines.append(row("rep, first open (new charts follow)", first))
        lines.append(row("rep, opened again (charts found by figures)", again))
        lines.append(row("manager (team section, 4 charts)", manager))
        ok &= pct(first, 95) <= 300 and pct(again, 95) <= 300 and pct(manager, 95) <= 1000
        time.sleep(4)
        before = {u: len(slack.published.get(u, ())) for u in reps + [MANAGER]}
        t0 = time.monotonic()
        for u in reps + [MANAGER]:
            driver.open_home(u, wait=False)
        for u in reps + [MANAGER]:
            slack.wait_for(u, before[u] + 1, timeout=60)
        took = time.monotonic() - t0
        lines.append(f"\nSaturated: {len(reps) + 1} Homes opened at once, all published in {took:.2f} s "
                     f"({(len(reps) + 1) / took:.1f} publishes/s).")
    finally:
        proc.terminate()
        proc.wait(10)
        slack.stop()
    return ok, lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default=None)
    ap.add_argument("--orgs", type=int, default=100_000)
    ap.add_argument("--deals", type=int, default=200_000)
    ap.add_argument("--entries", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--no-home", action="store_true", help="skip the end-to-end Home measurement")
    ap.add_argument("--quick", action="store_true", help="20 reps instead of 50 in the Home measurement")
    a = ap.parse_args()
    path = ROOT / "bench" / "out" / f"reports_{a.orgs}_{a.deals}_{a.entries}.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    url = a.url or f"sqlite:///{path}"
    if a.url is None and a.rebuild:
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
    db = Database(url)
    fresh = False
    with db.engine.connect() as c:
        if db.dialect == "sqlite" and path.exists() and not a.rebuild:
            fresh = bool(c.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE name='contact_stat'").scalar())
    now = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    if not fresh:
        print(f"Building {a.orgs:,} organizations, {a.deals:,} deals, {a.entries:,} timeline entries, 50 reps "
              f"({db.dialect}) ...")
        build(db, now, a.orgs, a.deals, a.entries)
    with db.read() as s:
        counts = [s.scalar(select(func.count()).select_from(m)) for m in (Organization, Deal, Activity)]
    print(f"Data ({db.dialect}): {counts[0]:,} organizations, {counts[1]:,} deals, {counts[2]:,} activities\n")
    clock = FixedClock(datetime.now(timezone.utc))
    quarter = reports.period_of("quarter", "Asia/Seoul", clock.now())
    ok = True
    print(HEAD)
    for name, scope in (("quarter's team report (all six parts)", Scope()),
                        ("quarter's report of one rep", Scope(owner_id=REPS[7])),
                        ("quarter's report of a segment", Scope(segment="Enterprise"))):
        reports.report(db, clock, TEAM, quarter, scope)
        t = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            reports.report(db, clock, TEAM, quarter, scope)
            t.append((time.perf_counter() - t0) * 1000)
        if scope.is_team:
            ok &= pct(t, 95) <= 1000
        print(row(name, t))
    data = reports.report(db, clock, TEAM, quarter, Scope())
    for chart in report_view.report_charts(data):
        t = []
        for _ in range(a.runs):
            t0 = time.perf_counter()
            chart.png
            t.append((time.perf_counter() - t0) * 1000)
        ok &= pct(t, 95) <= 300
        print(row(f"chart: {chart.key} ({len(data.activity)} reps)", t))
    from store.services import home
    tz = "Asia/Seoul"
    for name, user, manager in (("Home data, a rep", REPS[3], False), ("Home data, the manager", MANAGER, True)):
        t = []
        for i in range(a.runs):
            t0 = time.perf_counter()
            home.home_data(db, clock, TEAM, REPS[i % 50] if not manager else user, tz, manager=manager)
            t.append((time.perf_counter() - t0) * 1000)
        print(row(name, t))
    if not a.no_home:
        from store.models import ChartFile
        with db.write() as s:  # a fresh fake Slack knows no files: every chart is new to it
            s.execute(ChartFile.__table__.delete())
        home_ok, lines = home_bench(url, a.quick)
        ok &= home_ok
        print("\n`app_home_opened` → `views.publish`, end to end through `python app.py` (paced: 0.2 s apart):\n")
        print(HEAD)
        print("\n".join(lines))
    print(f"\ntargets (Home p95 rep ≤ 300 ms, manager ≤ 1 s; quarter report p95 ≤ 1 s; charts ≤ 300 ms): "
          f"{'PASS' if ok else 'FAIL'}")
    db.dispose()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
