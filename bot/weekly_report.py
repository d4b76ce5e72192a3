"""Posting the weekly team report in its channel: the notifier's sender for `report` notifications."""

from __future__ import annotations

import logging
from datetime import date

from slack_sdk.errors import SlackApiError

from bot.i18n import _

from bot.sending import Sent
from bot.uploads import upload_charts, with_image_retry
from bot.views.report import report_charts, report_message
from bot.views.text import esc, weekday_name
from store.dto import Owed
from store.dto.reports import Scope
from store.services import chart_files, reports, weekly_report

log = logging.getLogger(__name__)
CANNOT_POST = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}


def post(n, owed: Owed) -> Sent | None:
    """`n` is the Notifier. The week before the notification's local day, the whole team, charts included."""
    crm, channel = n.crm, owed.user_id
    sched = weekly_report.schedule_of(crm.db, owed.team_id)
    if not sched or sched.get("channel") != channel:
        return None  # turned off or moved since it was planned
    tz = owed.payload.get("tz") or "UTC"
    period = reports.week_before(date.fromisoformat(owed.payload["day"]), tz)
    data = reports.report(crm.db, crm.clock, owed.team_id, period, Scope())
    pictures = report_charts(data)
    files = upload_charts(n.client, crm, owed.team_id, pictures, call=n.call)
    text, blocks = report_message(data, pictures, files, tz, crm.clock.now(), weekly=weekly_line(sched))
    try:
        resp = with_image_retry(lambda b: n.call("chat.postMessage", lambda: n.client.chat_postMessage(
            channel=channel, text=text, blocks=b, unfurl_links=False)), [b.to_dict() for b in blocks],
            refused=lambda ids: chart_files.forget(crm.db, owed.team_id, ids))
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error in CANNOT_POST and owed.payload.get("by"):  # tell the person who set it up, then give up
            n.call("chat.postMessage", lambda: n.client.chat_postMessage(
                channel=owed.payload["by"], text=_(
                    "I couldn't post the weekly report in {channel} ({error}). Invite me there with "
                    "`/invite @CRM`, or choose another channel with `/lead settings report #channel mon 09:00`."
                ).format(channel=f"<#{esc(channel)}>", error=error)))
        raise
    return Sent(resp.get("channel"), resp.get("ts"))


def weekly_line(sched: dict) -> str:
    day = weekday_name(int(sched["weekday"]))  # `Fri`, `금요일`
    return _("Posted every {day} at {time} ({tz}). `/lead settings report off` stops it.").format(
        day=day, time=sched["time"], tz=sched.get("tz"))
