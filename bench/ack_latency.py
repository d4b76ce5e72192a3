"""Ack latency and time-to-views.open of `/lead update <company>` with 16 concurrent reps.

Starts, in the same run, (1) the floor: a bare Bolt app whose `/lead` only acks (`bench/floor_app.py`,
same waitress server) and (2) the real bot with `python app.py` on SQLite with 1,000 leads. Both run in
their own processes, as in production; this process plays Slack: the tests' fake Web API (it stamps
each `views.open` on arrival and enforces the 3-second trigger window) and 16 reps, each sending
signed `/lead update <company>` commands one after another, the next once the previous modal opened.

    .venv/bin/python bench/ack_latency.py [--users 16] [--requests 40] [--leads 1000] [--verb update|deal]

`--verb deal` measures the convert modal (`/lead deal <company>` on leads without deals: organization
look-alikes, contact and deal fields).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import update  # noqa: E402

from store.clock import SystemClock  # noqa: E402
from store.models import Outbox  # noqa: E402
from store.db import Database  # noqa: E402
from store.services import leads  # noqa: E402
from bench.reps import StampedTriggers  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402
from tests.slack_driver import SlackDriver  # noqa: E402

SECRET = "bench-secret"


class Slack(FakeSlack):
    """The fake Web API, plus: wake up whoever waits for the modal of a trigger."""

    def __init__(self) -> None:
        super().__init__()
        self.triggers = StampedTriggers()  # the reps' process stamps its own (bench/reps.py)
        self.opened: dict[str, float] = {}
        self.waiters: dict[str, threading.Event] = {}

    def _api(self, method, args, **kw):
        answer = super()._api(method, args, **kw)
        if method == "views.open":
            trigger = args.get("trigger_id", "")
            self.opened[trigger] = time.monotonic()
            if trigger in self.waiters:
                self.waiters[trigger].set()
        return answer


class NoWait:
    def wait_idle(self, timeout: float = 0) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd: list[str], env: dict, port: int) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{cmd} did not start")


def drive(driver: SlackDriver, slack: Slack, users: int, per_user: int, companies: list[str], modal: bool,
          pause: float, verb: str = "update"):
    """Rounds: all users send at the same instant, each waits for its ack (and its modal when `modal`),
    then everyone pauses `pause` seconds (reading the modal). Returns (acks, to_open, lost)."""
    acks, to_open, lost = [], [], []
    lock = threading.Lock()
    start_line = threading.Barrier(users)

    def user(u: int) -> None:
        for i in range(per_user):
            start_line.wait()
            company = companies[(u * per_user + i) % len(companies)]
            trigger = slack.new_trigger()
            event = threading.Event()
            slack.waiters[trigger] = event
            body = urlencode({"command": "/lead", "text": f'{verb} "{company}"', "team_id": "T1",
                              "user_id": f"U{u}", "channel_id": "C1", "trigger_id": trigger,
                              "response_url": driver.response_url(), "api_app_id": "A1"})
            sent = time.monotonic()
            r = driver.post(body, "application/x-www-form-urlencoded", wait=False)
            with lock:
                acks.append(r.elapsed)
            if r.status != 200:
                lost.append(f"HTTP {r.status}")
                continue
            if modal:
                if event.wait(5):
                    with lock:
                        to_open.append(slack.opened[trigger] - sent)
                else:
                    lost.append(trigger)
            time.sleep(pause)

    with ThreadPoolExecutor(users) as pool:
        list(pool.map(user, range(users)))
    return acks, to_open, lost


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def row(name: str, xs: list[float]) -> str:
    ms = [x * 1000 for x in xs]
    return (f"| {name:<32} | {len(ms):>5} | {statistics.median(ms):>7.1f} | {pct(ms, 95):>7.1f} | "
            f"{pct(ms, 99):>7.1f} | {max(ms):>7.1f} |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--requests", type=int, default=40, help="commands per user")
    ap.add_argument("--leads", type=int, default=1000)
    ap.add_argument("--pause", type=float, default=1.0, help="seconds between rounds (a rep reading the modal)")
    ap.add_argument("--verb", default="update", choices=("update", "deal"),
                    help="update: the update modal; deal: the convert modal (leads without deals)")
    args = ap.parse_args()

    slack = Slack().start()
    for u in range(args.users):
        slack.add_user(f"U{u}", tz="Europe/Berlin")
    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/bench.db"
    db = Database(db_url)
    db.migrate()
    companies = [f"Bench Shop {i:05d}" for i in range(args.leads)]
    for name in companies:
        leads.create_lead(db, SystemClock(), "T1", "U0", leads.NewLead(name))
    with db.write() as s:  # a running bot has posted its cards long ago: no backlog for the first sweep
        s.execute(update(Outbox).values(state="sent"))
    db.dispose()

    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    env = {**base, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url,
           "DATABASE_URL": db_url, "CRM_CHANNEL": "CCRM"}
    floor_port, bot_port = free_port(), free_port()
    floor = start([sys.executable, "bench/floor_app.py"], {**env, "PORT": str(floor_port)}, floor_port)
    bot = start([sys.executable, "app.py"], {**env, "PORT": str(bot_port)}, bot_port)
    try:
        floor_d = SlackDriver(f"http://127.0.0.1:{floor_port}", SECRET, slack, NoWait())  # type: ignore[arg-type]
        bot_d = SlackDriver(f"http://127.0.0.1:{bot_port}", SECRET, slack, NoWait())  # type: ignore[arg-type]
        drive(floor_d, slack, args.users, 3, companies, modal=False, pause=args.pause)  # warm-up
        drive(bot_d, slack, args.users, 3, companies, modal=True, pause=args.pause, verb=args.verb)
        floor_acks, _, _ = drive(floor_d, slack, args.users, args.requests, companies, modal=False,
                                  pause=args.pause)
        bot_acks, to_open, lost = drive(bot_d, slack, args.users, args.requests, companies, modal=True, verb=args.verb,
                                      pause=args.pause)
    finally:
        for proc in (floor, bot):
            proc.terminate()
            proc.wait(10)
        slack.stop()

    print(f"{args.users} concurrent reps x {args.requests} `/lead {args.verb} <company>` each; "
          f"{args.leads} leads in SQLite; bot and floor in their own processes\n")
    print("| measure                          |     n |  p50 ms |  p95 ms |  p99 ms |  max ms |")
    print("|----------------------------------|------:|--------:|--------:|--------:|--------:|")
    print(row("ack, floor (bare Bolt, no-op)", floor_acks))
    print(row("ack, CRM bot", bot_acks))
    print(row("command sent → views.open", to_open))
    ratio = pct(bot_acks, 99) / pct(floor_acks, 99)
    ok_ack = ratio <= 1.5
    ok_open = pct(to_open, 99) <= 0.300 and not lost
    print(f"\np99 ack, bot / floor: {ratio:.2f} (target <= 1.5): {'PASS' if ok_ack else 'FAIL'}")
    print(f"views.open p99: {pct(to_open, 99) * 1000:.0f} ms (target <= 300 ms); modals not opened: {len(lost)}: "
          f"{'PASS' if ok_open else 'FAIL'}")
    return 0 if ok_ack and ok_open else 1


if __name__ == "__main__":
    sys.exit(main())
