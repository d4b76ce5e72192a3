"""Proof by killing (issue 15): thread replies sent while `python app.py` is SIGKILLed at random moments.

The bot runs as in production against a fake Slack Web API, on SQLite or PostgreSQL (`--database-url`). Several
senders post signed `message` events (replies in the card threads of a few leads), one after another, and record
each answer. The bot is SIGKILLed `--kills` times at random moments and started again. Then, as Slack would, the
replies that were never acknowledged are sent again until they are. Counted at the end, from Slack's side (every
reply that got a 200) and from the database (the comments stored, by the message ts):

- every acknowledged reply is stored exactly once, and so is every reply after Slack's retries;
- the replies that were not acknowledged are listed (Slack retries those: they are not the bot's to keep).

    .venv/bin/python bench/inbox_kill.py [--replies 2000] [--kills 2] [--threads 4] [--senders 8]
                                         [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/x]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, update  # noqa: E402

from store.clock import FixedClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.models import Comment, InboxEntry, Lead, Outbox  # noqa: E402
from store.services import leads  # noqa: E402
from tests.fake_slack import FakeSlack  # noqa: E402

SECRET = "kill-secret"


@dataclass
class Outcome:
    sent: int = 0
    acked: set[str] = field(default_factory=set)  # message ts that got a 200
    unacked_first: set[str] = field(default_factory=set)  # not acknowledged on the first delivery
    stored: dict[str, int] = field(default_factory=dict)  # ts → comments stored
    kills: list[int] = field(default_factory=list)  # acks counted when each kill came
    seconds: float = 0.0
    drained_in: float = 0.0

    @property
    def lost(self) -> list[str]:
        return sorted(ts for ts in self.acked if self.stored.get(ts, 0) == 0)

    @property
    def doubled(self) -> list[str]:
        return sorted(ts for ts, n in self.stored.items() if n > 1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(url: str, threads: int) -> list[str]:
    db = Database(url)
    db.migrate()
    clock = FixedClock(datetime.now(timezone.utc))
    cards = []
    for i in range(threads):
        lead = leads.create_lead(db, clock, "T1", "U1", leads.NewLead(f"Kill Shop {i:02d}")).lead
        card_ts = f"1700000000.{i + 1:06d}"
        with db.write() as s:
            s.execute(update(Lead).where(Lead.id == lead.id).values(
                card_channel="C1", card_ts=card_ts, card_permalink=f"https://t.slack.com/archives/C1/p{i}"))
        cards.append(card_ts)
    with db.write() as s:
        s.execute(update(Outbox).values(state="sent"))
    db.dispose()
    return cards


class Bot:
    def __init__(self, env: dict, port: int, log: Path) -> None:
        self.env, self.port, self.log, self.proc = env, port, log, None

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=self.env,
                                     stdout=open(self.log, "a"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None:
                raise SystemExit("app.py exited:\n" + self.log.read_text()[-3000:])
            time.sleep(0.05)
        raise SystemExit("app.py did not answer in 60 s")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def deliver(port: int, body: str) -> bool:
    """One signed POST of an event, as Slack sends it; True when the bot answered 200."""
    stamp = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("POST", "/slack/events", body=body, headers={
            "Content-Type": "application/json", "X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": sig})
        return conn.getresponse().status == 200
    except OSError:  # refused while it restarts, reset by the kill
        return False


def event(card_ts: str, ts: str, n: int) -> str:
    return json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": f"EvK{n:06d}",
                       "event_time": int(time.time()),
                       "event": {"type": "message", "user": "U2", "channel": "C1", "text": f"reply {n:06d}",
                                 "ts": ts, "thread_ts": card_ts, "channel_type": "channel"}})


def run(database_url: str | None = None, *, replies: int = 2000, kills: int = 2, threads: int = 4,
        senders: int = 8, seed_random: int | None = None, workdir: Path | None = None) -> Outcome:
    rnd = random.Random(seed_random)
    folder = workdir or Path(tempfile.mkdtemp())
    url = database_url or f"sqlite:///{folder}/kill.db"
    cards = seed(url, threads)
    slack = FakeSlack().start()
    slack.add_user("U1", name="alice")
    slack.add_user("U2", name="bob")
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    bot = Bot({**clean, "SLACK_BOT_TOKEN": "xoxb-kill", "SLACK_SIGNING_SECRET": SECRET,
               "SLACK_API_URL": slack.api_url, "DATABASE_URL": url, "PORT": str(port), "CRM_SWEEP_SECONDS": "2"},
              port, folder / "bot.log")
    out = Outcome()
    plan = [(cards[n % threads], f"1800000000.{n:06d}", n) for n in range(replies)]
    kill_at = sorted(rnd.sample(range(replies // 10, replies - replies // 10), kills))
    lock, next_i, restarting = threading.Lock(), [0], threading.Event()
    restarting.set()  # set: running
    bot.start()
    started = time.monotonic()

    def sender() -> None:
        while True:
            with lock:
                if next_i[0] >= len(plan):
                    return
                card_ts, ts, n = plan[next_i[0]]
                next_i[0] += 1
            restarting.wait()
            ok = deliver(port, event(card_ts, ts, n))
            with lock:
                out.sent += 1
                (out.acked.add if ok else out.unacked_first.add)(ts)
                due = kill_at and len(out.acked) >= kill_at[0] and restarting.is_set()
                if due:
                    kill_at.pop(0)
                    restarting.clear()
            if due:  # this sender is the killer: SIGKILL now, whatever is in flight, then start again
                out.kills.append(len(out.acked))
                bot.kill()
                bot.start()
                restarting.set()

    pool = [threading.Thread(target=sender) for _ in range(senders)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    by_ts = {ts: (card_ts, n) for card_ts, ts, n in plan}
    for _ in range(20):  # Slack retries what was never acknowledged (with the same event_id)
        missing = sorted(ts for ts in out.unacked_first if ts not in out.acked)
        if not missing:
            break
        for ts in missing:
            card_ts, n = by_ts[ts]
            if deliver(port, event(card_ts, ts, n)):
                out.acked.add(ts)
    out.seconds = time.monotonic() - started
    db = Database(url)
    t0 = time.monotonic()
    try:
        while time.monotonic() - t0 < 120:  # what the dead processes left is taken over by the sweep
            with db.read() as s:
                left = s.scalar(select(func.count()).select_from(InboxEntry).where(InboxEntry.state != "done"))
            if not left:
                break
            time.sleep(0.2)
        out.drained_in = time.monotonic() - t0
        with db.read() as s:
            out.stored = dict(s.execute(select(Comment.ts, func.count()).where(Comment.ts.like("1800000000.%"))
                                        .group_by(Comment.ts)).all())
    finally:
        db.dispose()
        bot.stop()
        slack.stop()
    return out


def report(o: Outcome, label: str) -> str:
    return (f"| {label} | {o.sent:,} | {len(o.unacked_first):,} | {len(o.acked):,} | {sum(o.stored.values()):,} | "
            f"{len(o.lost)} | {len(o.doubled)} | {', '.join(map(str, o.kills))} | {o.drained_in:.1f} s |")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replies", type=int, default=2000)
    ap.add_argument("--kills", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--senders", type=int, default=8)
    ap.add_argument("--database-url", default=None)
    args = ap.parse_args()
    o = run(args.database_url, replies=args.replies, kills=args.kills, threads=args.threads, senders=args.senders)
    print("| database | sent | not acked at first | acked in the end | comments | acked but lost | doubled | "
          "killed after acks | left-overs done in |")
    print("|---|---:|---:|---:|---:|---:|---:|---|---:|")
    print(report(o, "PostgreSQL" if args.database_url and "postgres" in args.database_url else "SQLite"))
    ok = not o.lost and not o.doubled and len(o.acked) == args.replies
    print(f"\n{'PASS' if ok else 'FAIL'}: every acknowledged reply stored exactly once ({o.seconds:.1f} s)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
