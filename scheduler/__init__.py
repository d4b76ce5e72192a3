"""Fixed background sweeps (not one job per record), run inside the bot process by APScheduler 3.

Every `CRM_SWEEP_SECONDS`: owed card posts, and follow-ups (nudges, repeats, escalations, digests).
Each sweep reads the database for due work; claims in the database keep several processes apart.
"""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient

from bot.crm import Crm
from bot.notifier import Notifier, Pacer, build_notifier_client
from scheduler import jobs


def build_notifier(crm: Crm) -> Notifier:
    pacer = Pacer()
    return Notifier(crm, build_notifier_client(crm, pacer, crm.stopping), pacer, crm.stopping)


def start(crm: Crm, client: WebClient) -> BackgroundScheduler:
    sched = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                              "misfire_grace_time": None})
    every = crm.settings.crm_sweep_seconds
    notifier = build_notifier(crm)
    sched.add_job(jobs.deliver_owed_posts, "interval", seconds=every, args=(crm, client), id="deliver_owed_posts")
    sched.add_job(jobs.sweep_follow_ups, "interval", seconds=every, args=(crm, notifier), id="sweep_follow_ups")
    sched.start()
    return sched


def stop(crm: Crm, sched: BackgroundScheduler) -> None:
    """Let a sweep finish the DM it is sending (sends are claimed one by one), then stop."""
    crm.stopping.set()
    sched.shutdown(wait=True)
