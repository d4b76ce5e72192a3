"""The notifier's sender for `channel_day`: the one line per day, in a lead card's thread, about the customer
channel linked to its organization. Posted the first time, edited as the day goes on (never a second line)."""

from __future__ import annotations

from bot.sending import Sent
from bot.views.channels import day_line
from store.dto import Owed
from store.services import channels


def post(n, owed: Owed) -> Sent | None:
    crm, p = n.crm, owed.payload
    found = channels.day_summary(crm.db, owed.team_id, owed.id, p.get("channel", ""), p.get("day", ""))
    card_channel, card_ts = channels.card_of(crm.db, owed.team_id, int(p.get("lead_id") or 0))
    if found is None or card_ts is None:
        return None  # nothing left to say (deleted, unlinked), or the card is not posted
    summary, channel, ts = found
    text = day_line(summary, channels.team_tz(crm.db, owed.team_id))  # the day is the workspace's day
    if channel and ts:
        n.call("chat.update", lambda: n.client.chat_update(channel=channel, ts=ts, text=text))
        return Sent(channel, ts)
    resp = n.call("chat.postMessage", lambda: n.client.chat_postMessage(
        channel=card_channel, thread_ts=card_ts, text=text, unfurl_links=False, unfurl_media=False))
    channels.day_line_posted(crm.db, owed.id, resp["channel"], resp["ts"])  # even if a newer message re-armed it
    return Sent(resp["channel"], resp["ts"])
