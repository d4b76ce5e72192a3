"""The notifier's senders for a lead with nowhere to go (store/services/lost_leads.py): `nowhere` finds the
workspace's admins and owners (from `users.list`, else the ones the CRM knows) and owes each a DM; `nowhere_dm` sends
one admin the DM that says what happened and how to fix it."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot import people
from bot.sending import Sent
from bot.views.unowned import nowhere_dm
from store.dto import Owed
from store.errors import NotFound
from store.services import leads, lost_leads

log = logging.getLogger(__name__)
PAGES = 20  # users.list pages of 200 read at most to find the admins (4,000 members)


def find_admins(n, owed: Owed) -> Sent | None:
    crm, lead_id = n.crm, int(owed.payload.get("lead_id") or 0)
    try:
        admins = _admins_from_slack(n, owed.team_id)
    except SlackApiError as exc:  # users.list refused (a scope taken away): the admins the CRM has seen
        log.warning("nowhere: users.list of %s failed (%s); telling the admins already known", owed.team_id,
                    exc.response.get("error"))
        admins = []
    admins = admins or lost_leads.known_admins(crm.db, owed.team_id)
    lost_leads.tell_admins(crm.db, crm.clock, owed.team_id, lead_id, admins)
    crm.wake.set()
    return None  # nothing posted by this row itself: the DMs are rows of their own


def _admins_from_slack(n, team_id: str) -> list[str]:
    found, cursor = [], None
    for _ in range(PAGES):
        resp = n.call("users.list", lambda: n.client.users_list(limit=200, cursor=cursor))
        for user in resp.get("members") or []:
            if user.get("deleted") or user.get("is_bot") or user.get("id") == "USLACKBOT":
                continue
            if user.get("is_admin") or user.get("is_owner"):
                people.save_profile(n.crm, team_id, user)  # their zone and name, for the DM and later
                found.append(user["id"])
        cursor = (resp.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found


def tell_admin(n, owed: Owed) -> Sent | None:
    crm = n.crm
    try:
        lead = leads.get_lead(crm.db, owed.team_id, int(owed.payload.get("lead_id") or 0))
    except NotFound:
        lead = None
    _found, unowned = leads.list_leads(crm.db, owed.team_id, unowned=True, per_page=1)
    return n.dm(owed, nowhere_dm(lead, unowned))
