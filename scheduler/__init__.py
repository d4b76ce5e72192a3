"""Fixed background sweeps (not one job per record), run inside the bot process by APScheduler 3, and the
notifier loop beside them.

Every `CRM_SWEEP_SECONDS`: owed card posts, and follow-ups (nudges, repeats, escalations, digests).
Each sweep reads the database for due work; claims in the database keep several processes apart. The
notifier loop delivers what is owed as soon as it falls due (a follower's DM, a Home refresh), woken by
the listeners that queue it.
"""

from __future__ import annotations

from datetime import datetime, timezone

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.crm import Crm
from bot.notifier import Notifier, NotifierLoop, build_notifier_client
from bot.sending import Pacers
from scheduler import jobs


def build_notifier(crm: Crm) -> Notifier:
    pacers = Pacers()
    return Notifier(crm, build_notifier_client(crm, pacers, crm.stopping), pacers, crm.stopping)


class Sweeps:
    """What runs in the background: the scheduler's sweeps and the notifier loop (one notifier, so one
    pace per Web API method, shared by both)."""

    def __init__(self, sched: BackgroundScheduler, loop: NotifierLoop) -> None:
        self.sched, self.loop = sched, loop


def start(crm: Crm, client: WebClient) -> Sweeps:
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                              "misfire_grace_time": None})
    every = crm.settings.crm_sweep_seconds
    notifier = build_notifier(crm)
    now = datetime.now(timezone.utc)  # the first run at once: after a restart nothing owed waits a whole period
    sched.add_job(jobs.deliver_owed_posts, "interval", seconds=every, args=(crm, client), id="deliver_owed_posts",
                  next_run_time=now)
    sched.add_job(jobs.sweep_follow_ups, "interval", seconds=every, args=(crm, notifier), id="sweep_follow_ups",
                  next_run_time=now)
    sched.start()
    loop = NotifierLoop(crm, notifier, idle=every)
    loop.start()
    return Sweeps(sched, loop)


def stop(crm: Crm, sweeps: Sweeps) -> None:
    """Let a sweep finish the DM it is sending (sends are claimed one by one), then stop."""
    crm.stopping.set()
    crm.wake.set()
    sweeps.sched.shutdown(wait=True)
    sweeps.loop.join(timeout=30)
