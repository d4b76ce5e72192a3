"""The sweeps. Each reads the database for due work; claims in the database keep processes apart."""

from __future__ import annotations

import logging

from slack_sdk import WebClient

from bot.delivery import deliver_lead
from bot.deps import Crm
from store.services import outbox

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
