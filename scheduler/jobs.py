"""The sweeps. Each reads the database for due work; claims in the database keep processes apart."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot import people
from bot.delivery import deliver_lead
from bot.crm import Crm
from bot.notifier import Notifier
from store.services import nudges, outbox, routing, weekly_report

PLAN_BATCH = 500
BREACH_BATCH = 200

log = logging.getLogger(__name__)


def deliver_owed_posts(crm: Crm, client: WebClient, *, limit: int = 200) -> int:
    """Cards and thread lines whose first delivery failed (429, Slack error, crash): deliver them now."""
    delivered = 0
    for team_id, lead_id in outbox.due_leads(crm.db, crm.clock, limit=limit):
        try:
            result = deliver_lead(client, crm, team_id, lead_id)
        except Exception:
            log.exception("sweep: delivering lead %s failed; it stays queued", lead_id)
            continue
        delivered += result.error is None
    return delivered


def sweep_follow_ups(crm: Crm, notifier: Notifier) -> int:
    """Plan due nudges, repeats, escalations, digests, weekly reports and first-touch SLA breaches, then send what is
    owed (for at most about one
    sweep period, so planning stays fresh; what is left goes out in the next run)."""
    for team_id, user_id in nudges.owners_to_profile(crm.db, crm.clock):
        try:
            people.member(notifier.client, crm, team_id, user_id)  # their zone decides their digest time
        except Exception:  # noqa: BLE001 - a profile we cannot read must not stop the sweep
            log.warning("sweep: no profile for %s", user_id, exc_info=True)
    while nudges.plan_nudges(crm.db, crm.clock, limit=PLAN_BATCH) == PLAN_BATCH and not crm.stopping.is_set():
        pass
    nudges.plan_digests(crm.db, crm.clock)
    weekly_report.plan(crm.db, crm.clock)
    breached = BREACH_BATCH
    while breached == BREACH_BATCH and not crm.stopping.is_set():
        breached = routing.breach_slas(crm.db, crm.clock, limit=BREACH_BATCH)
        if breached:  # the thread line, the card edit and a reassigned owner's DM go out now, not next sweep
            deliver_owed_posts(crm, notifier.client)
    return notifier.deliver_due(budget=max(5.0, crm.settings.crm_sweep_seconds))
