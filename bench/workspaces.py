"""Ack latency with 100 installed workspaces (OAuth mode), requests spread across them, against the bare-Bolt
floor; and what one installation look-up costs (cached, and read from the database).

In one run: the fake Web API (every token belongs to one workspace; unknown tokens are refused), the floor
(`bench/floor_app.py`, one token), and `python app.py` in OAuth mode on SQLite. This process installs 100
workspaces through the real flow (install page, state cookie, `oauth.v2.access`), gives each 20 leads, then
plays 16 reps of random workspaces sending `/lead update <company>` (paced: a pause between rounds, as people
do; then saturated: no pause). The reps run in a process of their own (bench/reps.py), so the fake Web API's
work for the bot does not delay their clocks.

    .venv/bin/python bench/workspaces.py [--teams 100] [--users 16] [--requests 40]
"""

from __future__ import annotations

import argparse
import html
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import reps  # noqa: E402
from bench.ack_latency import SECRET, NoWait, Slack, free_port, pct, row, start  # noqa: E402
from bot.installations import installation_store  # noqa: E402
from store.clock import SystemClock  # noqa: E402
from store.db import Database  # noqa: E402
from store.services import leads  # noqa: E402
from tests.slack_driver import SlackDriver  # noqa: E402


def install(driver: SlackDriver, slack: Slack, team: str) -> None:
    page = driver.get("/slack/install")
    url = html.unescape(re.search(r'href="(https://slack\.com/oauth/v2/authorize[^"]+)"', page.text).group(1))
    state = parse_qs(urlparse(url).query)["state"][0]
    code = slack.issue_code(team, f"U{team}")
    r = driver.get("/slack/oauth_redirect?" + urlencode({"code": code, "state": state}),
                   {"Cookie": page.headers["Set-Cookie"].split(";", 1)[0]})
    if r.status != 200:
        raise SystemExit(f"install of {team} failed: {r.status} {r.text[:200]}")


def lookup_cost(db_url: str, teams: list[str]) -> tuple[float, float]:
    """(cached look-up, database look-up) of one workspace's bot, in microseconds."""
    db = Database(db_url)
    store = installation_store(db, "111.222")
    for t in teams:  # fill the cache
        store.find_bot(enterprise_id=None, team_id=t)
    n = 100_000
    started = time.perf_counter()
    for i in range(n):
        store.find_bot(enterprise_id=None, team_id=teams[i % len(teams)])
    cached = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for i in range(2000):
        store.underlying.find_bot(enterprise_id=None, team_id=teams[i % len(teams)])
    read = (time.perf_counter() - started) / 2000 * 1e6
    db.dispose()
    return cached, read


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--teams", type=int, default=100)
    ap.add_argument("--users", type=int, default=16)
    ap.add_argument("--requests", type=int, default=40, help="commands per rep")
    ap.add_argument("--pause", type=float, default=1.0)
    args = ap.parse_args()

    slack = Slack().start()
    teams = [f"T{i:04d}" for i in range(args.teams)]
    for t in teams:
        slack.add_team(t, f"Shop {t}")
        slack.add_user(f"U{t}", tz="Asia/Seoul", team=t)
    tmp = tempfile.mkdtemp()
    db_url = f"sqlite:///{tmp}/bench.db"
    db = Database(db_url)
    db.migrate()
    companies = [f"Bench Shop {i:03d}" for i in range(20)]
    clock = SystemClock()
    for t in teams:
        for name in companies:
            leads.create_lead(db, clock, t, f"U{t}", leads.NewLead(name))
    from sqlalchemy import update

    from store.models import Outbox

    with db.write() as s:  # long-posted cards: no backlog for the first sweep
        s.execute(update(Outbox).values(state="sent"))
    db.dispose()

    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    floor_port, bot_port = free_port(), free_port()
    floor = start([sys.executable, "bench/floor_app.py"],
                  {**base, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "PORT": str(floor_port)},
                  floor_port)
    bot = start([sys.executable, "app.py"],
                {**base, "SLACK_CLIENT_ID": slack.client_id, "SLACK_CLIENT_SECRET": slack.client_secret,
                 "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": slack.api_url, "DATABASE_URL": db_url,
                 "PORT": str(bot_port), "CRM_CHANNEL": "CCRM",
                 "CRM_SWEEP_SECONDS": os.environ.get("CRM_SWEEP_SECONDS", "60")}, bot_port)
    slack.tokens["xoxb-floor"] = "T0000"  # the floor's one token
    slack.strict_tokens = True
    try:
        bot_d = SlackDriver(f"http://127.0.0.1:{bot_port}", SECRET, slack, NoWait())  # type: ignore[arg-type]
        started = time.perf_counter()
        for t in teams:
            install(bot_d, slack, t)
        install_s = time.perf_counter() - started

        def play(url: str, on: list[str], per_user: int, pause: float) -> tuple[list[float], int, float]:
            """(ack times, errors, acks a second from the first command sent to the last answer)."""
            sent = reps.run(bot_url=url, secret=SECRET, hooks_url=slack.url, teams=on, companies=companies,
                            users=args.users, per_user=per_user, pause=pause)
            span = max(x.at + x.elapsed for x in sent) - min(x.at for x in sent)
            return [x.elapsed for x in sent], sum(x.status != 200 for x in sent), len(sent) / span

        floor_url, bot_url = f"http://127.0.0.1:{floor_port}", f"http://127.0.0.1:{bot_port}"
        play(floor_url, ["T0000"], 3, args.pause)  # warm-up
        # each workspace's first command after a start reads its statuses, its person's profile (users.info)
        # and fills the caches: measured on its own, then the steady state
        first: list[float] = []
        for t in teams:
            first.append(bot_d.command(f'update "{companies[0]}"', user=f"U{t}", team=t, wait=False).elapsed)
            time.sleep(0.02)
        floor_acks, _, _ = play(floor_url, ["T0000"], args.requests, args.pause)
        slack.clear()
        bot_acks, bot_errors, _ = play(bot_url, teams, args.requests, args.pause)
        from collections import Counter

        calls = Counter(c.method for c in slack.calls)
        floor_sat, _, floor_rate = play(floor_url, ["T0000"], args.requests, 0)
        bot_sat, sat_errors, bot_rate = play(bot_url, teams, args.requests, 0)
    finally:
        for proc in (floor, bot):
            proc.terminate()
            proc.wait(10)
        slack.stop()
    cached_us, read_us = lookup_cost(db_url, teams)

    print(f"{args.teams} workspaces installed through OAuth in {install_s:.1f} s; {args.users} reps x {args.requests} "
          f"`/lead update <company>`, each in a random workspace; SQLite\n")
    print("| measure                          |     n |  p50 ms |  p95 ms |  p99 ms |  max ms |")
    print("|----------------------------------|------:|--------:|--------:|--------:|--------:|")
    print(row("ack, floor (bare Bolt, 1 token)", floor_acks))
    print(row(f"ack, CRM bot ({args.teams} workspaces)", bot_acks))
    print(row("first command of each workspace", first))
    print(row("saturated ack, floor", floor_sat))
    print(row("saturated ack, CRM bot", bot_sat))
    print("\nWeb API calls during the paced run: " + ", ".join(f"{m} {n}" for m, n in sorted(calls.items())))
    print(f"saturated throughput: floor {floor_rate:.0f} acks/s, bot {bot_rate:.0f} acks/s")
    print(f"one installation look-up: {cached_us:.2f} µs from the cache, {read_us:.0f} µs from the database")
    ratio = pct(bot_acks, 99) / pct(floor_acks, 99)
    ok = ratio <= 1.5 and not bot_errors and not sat_errors
    print(f"\npaced p99 ack, bot / floor: {ratio:.2f} (target <= 1.5); errors {bot_errors + sat_errors}: "
          f"{'PASS' if ok else 'FAIL'}")
    print(f"(p50 {statistics.median(bot_acks) * 1000:.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
