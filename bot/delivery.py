"""Delivering what committed changes owe Slack: the lead card (posted once, then edited when what it shows
changed) and thread lines."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import languages
from bot.crm import Crm
from bot.i18n import speaking
from bot.people import name_of, tz_of
from bot.views.assignment_dm import assignment_dm
from bot.views.lead_card import lead_card, thread_line
from store.dto import ChangeRecord, LeadSummary
from store.services import lost_leads, outbox, team_settings

log = logging.getLogger(__name__)

# Errors that mean "the bot may not post in this channel": fall back to the workspace's channel
# (`/lead settings channel`, else CRM_CHANNEL).
NOT_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action", "cannot_dm_bot",
            "restricted_action_read_only_channel", "restricted_action_thread_only_channel", "ekm_access_denied"}


@dataclass
class Delivered:
    channel: str | None = None
    permalink: str | None = None
    error: str | None = None
    lead: LeadSummary | None = None  # the lead as rendered (None: nothing was owed, or another process has it)


def deliver_lead(client: WebClient, crm: Crm, team_id: str, lead_id: int, *, rounds: int = 5) -> Delivered:
    """Post or edit the card and post owed thread lines. Safe to call from several processes at once:
    whoever holds the lead's claim also delivers what others queued meanwhile (up to `rounds` passes)."""
    result = Delivered()
    for _ in range(rounds):
        claimed = outbox.claim_lead(crm.db, crm.clock, team_id, lead_id)
        if claimed is None:
            break
        result = _deliver(client, crm, team_id, lead_id, *claimed)
        if result.error:
            break
    return result


def _deliver(client: WebClient, crm: Crm, team_id: str, lead_id: int, token: str, lead, items) -> Delivered:
    owner_tz = tz_of(crm, team_id, lead.owner_id)
    shared = languages.of_workspace(crm, team_id)  # the card and its thread are read by everyone there
    with speaking(shared):
        text, blocks = lead_card(lead, owner_tz)
    cards = [i.id for i in items if i.kind == "card"]
    channel, ts, permalink = lead.card_channel, lead.card_ts, lead.card_permalink
    done: list[int] = []
    try:
        if cards:
            digest = card_digest(text, blocks)
            if ts is None:
                hints = [i.channel_hint for i in items if i.kind == "card" and i.channel_hint]
                channel, ts = _post_card(client, crm, team_id, hints[0] if hints else None, text, blocks)
                permalink = _permalink(client, channel, ts)
                outbox.card_posted(crm.db, team_id, lead_id, channel, ts, permalink, digest)
            elif digest != outbox.shown_digest(crm.db, team_id, lead_id):  # a note changes nothing on the card
                client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
                outbox.card_shown(crm.db, team_id, lead_id, digest)
            done += cards
        for item in items:
            if item.kind == "dm":  # the new owner hears of it directly
                who = (item.payload or {}).get("user")
                if who:
                    current = _posted(lead, channel, ts, permalink)
                    with speaking(languages.of_person(crm, team_id, who)):
                        dm_text, dm_blocks = assignment_dm(current, (item.payload or {}).get("why", "routed"),
                                                           tz_of(crm, team_id, who))
                    client.chat_postMessage(channel=who, text=dm_text, blocks=dm_blocks, unfurl_links=False)
                done.append(item.id)
                continue
            if item.kind != "thread":
                continue
            if ts is None:
                raise _NoCard()
            if item.attempts > 1 and _in_thread(client, channel, ts, item.id):
                pass  # a holder that died had posted it: not again
            else:
                change = ChangeRecord.from_json(item.payload or {})
                with speaking(shared):
                    line = thread_line(change, owner_tz, name_of(crm, team_id, change.actor_id))
                client.chat_postMessage(channel=channel, thread_ts=ts, text=line, unfurl_links=False,
                                        unfurl_media=False, metadata=_line_key(item.id))
            outbox.mark_sent(crm.db, crm.clock, token, [item.id])  # at once: a crash now re-posts nothing
            done.append(item.id)
    except _NoCard:
        outbox.release(crm.db, crm.clock, token, [i.id for i in items if i.id not in done],
                       "no card yet", retry_in=60)  # not translated: for operators
    except CannotPost as exc:
        outbox.release(crm.db, crm.clock, token, [i.id for i in items], exc.error, retry_in=300)
        if lead.owner_id is None and lost_leads.had_nowhere_to_go(crm.db, crm.clock, team_id, lead_id):
            log.warning("lead %s of %s has no owner and no channel takes its card (%s): the workspace's admins "
                        "are told once; create a routing queue or set a card channel", lead_id, team_id, exc.error)
            crm.wake.set()
        return Delivered(error=exc.error)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or exc.response.status_code)
        retry = float(exc.response.headers.get("Retry-After", 5)) if exc.response.status_code == 429 else 15
        log.warning("delivering lead %s: %s", lead_id, error)
        outbox.mark_sent(crm.db, crm.clock, token, done)
        outbox.release(crm.db, crm.clock, token, [i.id for i in items if i.id not in done], error, retry_in=retry)
        return Delivered(channel, permalink, error, _posted(lead, channel, ts, permalink))
    except Exception as exc:  # network trouble: keep the work for the sweep, then let the caller see it
        outbox.mark_sent(crm.db, crm.clock, token, done)
        outbox.release(crm.db, crm.clock, token, [i.id for i in items if i.id not in done], repr(exc), retry_in=15)
        raise
    outbox.mark_sent(crm.db, crm.clock, token, done)
    return Delivered(channel, permalink, lead=_posted(lead, channel, ts, permalink))


def card_digest(text: str, blocks) -> str:
    """SHA-256 of the card as Slack would show it (its text and blocks)."""
    shown = json.dumps([text, [b.to_dict() if hasattr(b, "to_dict") else b for b in blocks]], sort_keys=True,
                       ensure_ascii=False)
    return hashlib.sha256(shown.encode()).hexdigest()


LINE_EVENT = "crm_thread_line"


def _line_key(item_id: int) -> dict:
    """Message metadata naming the outbox row a thread line delivers (read back after a takeover)."""
    return {"event_type": LINE_EVENT, "event_payload": {"outbox_id": item_id}}


def _in_thread(client: WebClient, channel: str, ts: str, item_id: int) -> bool:
    """Whether the card's thread already holds the line of this outbox row (posted by a process that died
    before it could record it). Asked only after a takeover; when the thread can't be read, it is posted."""
    try:
        resp = client.conversations_replies(channel=channel, ts=ts, include_all_metadata=True, limit=200)
    except SlackApiError:
        return False
    return any((m.get("metadata") or {}).get("event_type") == LINE_EVENT
               and (m["metadata"].get("event_payload") or {}).get("outbox_id") == item_id
               for m in resp.get("messages") or [])


def _posted(lead: LeadSummary, channel: str | None, ts: str | None, permalink: str | None) -> LeadSummary:
    return dataclasses.replace(lead, card_channel=channel, card_ts=ts, card_permalink=permalink)


class _NoCard(Exception):
    pass


def _post_card(client: WebClient, crm: Crm, team_id: str, hint: str | None, text: str, blocks) -> tuple[str, str]:
    fallback = team_settings.fallback_channel(crm.db, team_id) or crm.settings.crm_channel
    candidates = [c for c in (hint, fallback) if c]
    if hint and hint.startswith("D") and fallback:
        candidates = [fallback]  # a DM is private: the team's card goes to the CRM channel
    error = "no_crm_channel"
    for channel in candidates:
        try:
            resp = client.chat_postMessage(channel=channel, text=text, blocks=blocks, unfurl_links=False)
            return resp["channel"], resp["ts"]
        except SlackApiError as exc:
            if exc.response.get("error") not in NOT_HERE:
                raise
            error = exc.response.get("error")
    raise CannotPost(error)


class CannotPost(Exception):
    """Neither the command's channel nor the workspace's fallback channel takes the card."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


def _permalink(client: WebClient, channel: str, ts: str) -> str | None:
    try:
        return client.chat_getPermalink(channel=channel, message_ts=ts).get("permalink")
    except SlackApiError:
        return None
