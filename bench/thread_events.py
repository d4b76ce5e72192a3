"""Thread capture under load, and `/lead show` with a 10,000-entry timeline.

(a) The bot runs as in production (`python app.py`, SQLite) with one lead whose card thread receives
replies. This process offers `--rate` signed `message` events per second for `--seconds` seconds to
POST /slack/events (open loop: each event is sent at its scheduled time by a pool of senders, whatever
the answers do), and 10% of them are delivered again as Slack's retries (`X-Slack-Retry-Num`). It
records how long each took to be acknowledged, counted from its scheduled time, and then checks that
every reply is stored exactly once.
(b) `/lead show` server time (service + rendering) and the first History page, with 10,000 timeline
entries on one lead.

    .venv/bin/python bench/thread_events.py [--rate 1000] [--seconds 5] [--senders 64]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, update  # noqa: E402

from bot.views.history import history_view  # noqa: E402
from bot.views.lead_360 import lead_360  # noqa: E402
from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Activity, Comment, Lead, Outbox  # noqa: E402
from store.services import leads  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

SECRET = "bench-secret"
CARD_TS = "1700000000.000001"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str) -> int:
    db = Database(url)
    db.migrate()
    clock = FixedClock(datetime.now(timezone.utc))
    lead = leads.create_lead(db, clock, "T1", "U1", leads.NewLead("Busy Bakery")).lead
    with db.write() as s:
        s.execute(update(Lead).where(Lead.id == lead.id).values(
            card_channel="C1", card_ts=CARD_TS, card_permalink="https://test.slack.com/archives/C1/p1700000000000001"))
        s.execute(update(Outbox).values(state="sent"))
    db.dispose()
    return lead.id


def signed(body: str) -> dict:
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, "Content-Type": "application/json"}


_local = threading.local()


def send(port: int, body: str, retry: int | None) -> int:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = signed(body)
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    try:
        conn.request("POST", "/slack/events", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except (OSError, http.client.HTTPException):
        _local.conn = None
        return 0


def offer(port: int, rate: int, seconds: float, senders: int) -> tuple[list[float], list[int], int]:
    n = int(rate * seconds)
    rng = random.Random(7)
    plan = []
    for i in range(n):
        event = {"type": "message", "user": f"U{i % 16}", "channel": "C1", "text": f"reply {i} about the order",
                 "ts": f"1800000000.{i:06d}", "thread_ts": CARD_TS}
        body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"Ev{i}",
                           "event_time": int(time.time()), "event": event})
        plan.append((i / rate, body, None))
        if rng.random() < 0.10:  # Slack retries this one a moment later with the same event_id
            plan.append((i / rate + 0.05, body, 1))
    plan.sort(key=lambda p: p[0])
    latencies: list[float] = []
    statuses: list[int] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5

    def fire(item):
        at, body, retry = item
        delay = start + at - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        status = send(port, body, retry)
        took = time.perf_counter() - (start + at)
        with lock:
            latencies.append(took)
            statuses.append(status)

    with ThreadPoolExecutor(senders) as pool:
        list(pool.map(fire, plan))
    return latencies, statuses, n


def show_bench(n_entries: int) -> dict[str, list[float]]:
    tmp = tempfile.mkdtemp()
    db = Database(f"sqlite:///{tmp}/show.db")
    db.migrate()
    now = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)
    lead = leads.create_lead(db, FixedClock(now), "T1", "U1", leads.NewLead("Long History Ltd")).lead
    with db.engine.begin() as c:
        c.execute(insert(Comment), [
            {"team_id": "T1", "lead_id": lead.id, "author_id": "U2", "channel": "C1", "ts": f"1700000001.{i:06d}",
             "text": f"comment {i} " + "words " * 30, "posted_at": now - timedelta(minutes=i), "edited": False,
             "deleted": False} for i in range(n_entries // 2)])
        c.execute(insert(Activity), [
            {"team_id": "T1", "lead_id": lead.id, "kind": "Call", "outcome": "Connected", "text": f"call {i}",
             "occurred_at": now - timedelta(minutes=i, seconds=30), "actor_id": "U1", "created_at": now}
            for i in range(n_entries - n_entries // 2)])
        c.exec_driver_sql("ANALYZE")
    out: dict[str, list[float]] = {"show": [], "history page 1": [], "history page 50": []}
    for _ in range(5):
        leads.lead_detail(db, "T1", lead.id)
    for _ in range(200):
        t = time.perf_counter()
        lead_360(leads.lead_detail(db, "T1", lead.id), "Asia/Seoul", now)
        out["show"].append((time.perf_counter() - t) * 1000)
        for page, name in ((0, "history page 1"), (49, "history page 50")):
            t = time.perf_counter()
            summary, entries, older = leads.history(db, "T1", lead.id, page=page)
            history_view(summary, entries, page, older, "Asia/Seoul")
            out[name].append((time.perf_counter() - t) * 1000)
    db.dispose()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=int, default=1000)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--senders", type=int, default=64)
    ap.add_argument("--entries", type=int, default=10_000)
    a = ap.parse_args()

    fake = FakeSlack().start()
    tmp = tempfile.mkdtemp()
    url = f"sqlite:///{tmp}/crm.db"
    lead_id = seed(url)
    port = free_port()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))},
           "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": url, "PORT": str(port)}
    bot = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        latencies, statuses, n = offer(port, a.rate, a.seconds, a.senders)
        db = Database(url)
        deadline = time.monotonic() + 120
        stored = 0
        while time.monotonic() < deadline:
            with db.read() as s:
                stored = s.scalar(select(func.count()).select_from(Comment).where(Comment.lead_id == lead_id))
            if stored >= n:
                break
            time.sleep(0.5)
        time.sleep(1)
        with db.read() as s:
            stored = s.scalar(select(func.count()).select_from(Comment).where(Comment.lead_id == lead_id))
            distinct = s.scalar(select(func.count(func.distinct(Comment.ts))).where(Comment.lead_id == lead_id))
        db.dispose()
    finally:
        bot.terminate()
        bot.wait(20)
        fake.stop()

    ms = [x * 1000 for x in latencies]
    ok_http = sum(1 for st in statuses if st == 200)
    late = sum(1 for x in latencies if x > 3.0)
    print(f"(a) {n:,} thread replies offered at {a.rate}/s for {a.seconds:g} s (+{len(statuses) - n:,} retries), "
          "bot on SQLite\n")
    print(f"| {'measure':<40} | {'value':>16} |")
    print(f"|{'-' * 42}|{'-' * 17}:|")
    for name, value in [
        ("requests answered 200", f"{ok_http:,} / {len(statuses):,}"),
        ("ack latency p50 / p99 / max", f"{statistics.median(ms):.0f} / {pct(ms, 99):.0f} / {max(ms):.0f} ms"),
        ("acknowledged later than 3 s", f"{late:,}"),
        ("replies stored", f"{stored:,} / {n:,}"),
        ("stored twice", f"{stored - distinct:,}"),
    ]:
        print(f"| {name:<40} | {value:>16} |")
    ok_a = ok_http == len(statuses) and late == 0 and stored == n and distinct == n

    show = show_bench(a.entries)
    print(f"\n(b) one lead with {a.entries:,} timeline entries (SQLite), server time\n")
    print(f"| {'command':<18} | {'n':>4} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} |")
    print(f"|{'-' * 20}|{'-' * 5}:|{'-' * 8}:|{'-' * 8}:|{'-' * 8}:|")
    for name, v in show.items():
        print(f"| {name:<18} | {len(v):>4} | {statistics.median(v):>7.2f} | {pct(v, 95):>7.2f} | {max(v):>7.2f} |")
    ok_b = all(pct(v, 95) < 50 for v in show.values())
    print(f"\n(a) every event acked within 3 s and stored once: {'PASS' if ok_a else 'FAIL'}")
    print(f"(b) /lead show p95 < 50 ms: {'PASS' if ok_b else 'FAIL'}")
    return 0 if ok_a and ok_b else 1


if __name__ == "__main__":
    sys.exit(main())
