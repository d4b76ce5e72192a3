"""`/lead report [week|month|quarter|YYYY-MM] [mine|@rep|queue <name>|segment <x>|type <x>]`: the funnel, deals,
activity (the attempts that reached nobody included), first touch, lead sources and churn of a period, shown
only to the asker, with **Share to channel** and **Download CSV**.

Reps see their own report; managers and workspace admins see anyone's and the team's (`/lead report` alone is
the team's for them). Charts are uploaded once each (by their hash) and shown by file id.
"""

from __future__ import annotations

from datetime import datetime

from slack_bolt import Ack
from slack_sdk.errors import SlackApiError

from bot import languages
from bot.commands.parse import USER_MENTION
from bot.context import Req
from bot.errors import Listeners
from bot.i18n import _, speaking
from bot.ids import Action
from bot.metadata import ReportRef
from bot.uploads import has_images, send_csv, upload_charts, with_image_retry, without_images
from bot.views.report import csv_name, report_charts, report_csv, report_message, title_of
from bot.views.text import day_span
from bot.wording import Refusal
from store.dto.reports import Period, ReportData, Scope
from store.services import chart_files, members, reports

USAGE = "report [week|month|quarter|YYYY-MM] [mine|@rep|queue <name>|segment <x>|type <x>]"  # not translated: syntax
NOT_HERE = {"not_in_channel", "channel_not_found", "is_archived", "restricted_action"}

listeners = Listeners()
register = listeners.register


def read_args(req: Req, args: str) -> tuple[str, Scope]:
    """The period's kind and whose figures, from what was typed after `report`."""
    words = args.split()
    kind, scope, team = "week", {}, False
    i = 0
    while i < len(words):
        w = words[i].lower()
        if reports.is_period(w):
            kind = w
        elif w in ("mine", "me", "my"):
            scope["owner_id"] = req.user_id
        elif w in ("team", "all", "everyone"):
            team = True
        elif USER_MENTION.fullmatch(words[i]):
            scope["owner_id"] = USER_MENTION.fullmatch(words[i]).group(1)
        elif w in ("queue", "segment", "type") and i + 1 < len(words):
            rest = " ".join(words[i + 1:]) if w == "queue" else words[i + 1]
            if w == "queue":
                q = reports.scope_queue(req.db, req.team_id, rest)
                scope.update(queue_id=q.queue_id, queue_name=q.queue_name)
                break
            scope["segment" if w == "segment" else "org_type"] = rest[:40]
            i += 1
        else:
            raise Refusal(_("I can't read “{text}” in a report. Usage: `/lead {usage}`, e.g. "
                            "`/lead report month mine` or `/lead report 2026-11 queue Inbound`.").format(
                text=words[i][:40], usage=USAGE))
        i += 1
    if team and scope.get("owner_id"):
        raise Refusal(_("A report is either the team's or one person's. Usage: `/lead {usage}`.").format(usage=USAGE))
    return kind, Scope(**scope)


def authorize(req: Req, scope: Scope, *, team_asked: bool = False) -> Scope:
    """Reps see their own figures (a segment or type of them too); everything else is for managers."""
    if scope.owner_id == req.user_id:
        return scope
    if req.me().can_manage:
        return scope
    if scope.owner_id or scope.queue_id or team_asked:
        members.require_manager(req.db, req.team_id, req.user_id, "reports")
    return Scope(owner_id=req.user_id, segment=scope.segment, org_type=scope.org_type)


def report_command(req: Req, args: str) -> None:
    kind, scope = read_args(req, args)
    scope = authorize(req, scope, team_asked=any(w.lower() in ("team", "all", "everyone") for w in args.split()))
    period = reports.period_of(kind, req.tz(), req.clock.now())
    req.reply(_("Working on the report for {period}…").format(period=reports_title(period)))
    data = reports.report(req.db, req.clock, req.team_id, period, scope)
    text, blocks = _render(req, data, shareable=bool(req.channel_id and not req.channel_id.startswith("D")))
    if req.respond is None or req.in_thread:
        req.reply(text, blocks, replace_original=True)
        return
    answer = req.respond(text=text, blocks=blocks, replace_original=True)
    if (answer.status_code != 200 or "invalid" in (answer.body or "")) and has_images(blocks):
        chart_files.forget(req.db, req.team_id, [b["slack_file"]["id"] for b in blocks if b["type"] == "image"])
        req.respond(text=text, blocks=without_images(blocks), replace_original=True)  # the numbers, at least


def reports_title(period: Period) -> str:
    return day_span(period.first_day, period.last_day)


def _ref(req: Req, data: ReportData) -> ReportRef:
    p, sc = data.period, data.scope
    return ReportRef(kind=p.kind, start=p.start.isoformat(), end=p.end.isoformat(), tz=p.tz, owner_id=sc.owner_id,
                     queue_id=sc.queue_id, queue_name=sc.queue_name, segment=sc.segment, org_type=sc.org_type,
                     channel_id=req.channel_id)


def _render(req: Req, data: ReportData, *, shareable: bool = True, shared_by: str | None = None):
    """The report with its charts uploaded; the asker's copy has the buttons, a shared copy has none."""
    pictures = report_charts(data)
    files = upload_charts(req.client, req.crm, req.team_id, pictures)
    value = _ref(req, data).dump() if shared_by is None else None
    text, blocks = report_message(data, pictures, files, req.tz(), req.clock.now(), buttons_value=value,
                                  share=shareable, shared_by=shared_by)
    return text, [b.to_dict() for b in blocks]


def _data_of(req: Req, ref: ReportRef) -> ReportData:
    scope = authorize(req, Scope(owner_id=ref.owner_id, queue_id=ref.queue_id, queue_name=ref.queue_name,
                                 segment=ref.segment, org_type=ref.org_type),
                      team_asked=not (ref.owner_id or ref.segment or ref.org_type or ref.queue_id))
    period = Period(ref.kind, datetime.fromisoformat(ref.start), datetime.fromisoformat(ref.end), ref.tz)
    return reports.report(req.db, req.clock, req.team_id, period, scope)


@listeners.action(Action.REPORT_SHARE)
def share(ack: Ack, req: Req) -> None:
    """Post the same report in the channel it was asked in (a shared copy, without the buttons)."""
    ack()
    ref = req.button(ReportRef, _("That report is out of date. Run `/lead report` again."))
    data = _data_of(req, ref)
    with speaking(languages.of_workspace(req.crm, req.team_id)):  # a channel post: the workspace's language
        text, blocks = _render(req, data, shared_by=req.user_id)
    channel = ref.channel_id or req.channel_id
    try:
        with_image_retry(lambda b: req.client.chat_postMessage(channel=channel, text=text, blocks=b,
                                                               unfurl_links=False), blocks,
                         refused=lambda ids: chart_files.forget(req.db, req.team_id, ids))
    except SlackApiError as exc:
        if exc.response.get("error") not in NOT_HERE or req.respond is None:
            raise
        req.respond(text=text, blocks=blocks, response_type="in_channel", replace_original=False)
    req.reply(_("Shared *{title}* in {channel}.").format(title=title_of(data), channel=f"<#{channel}>"),
              response_type="ephemeral", replace_original=False)


@listeners.action(Action.REPORT_CSV)
def download_csv(ack: Ack, req: Req) -> None:
    """The report's rows as a CSV, sent to the asker's DM with the bot (a CSV can't be shown ephemerally)."""
    ack()
    ref = req.button(ReportRef, _("That report is out of date. Run `/lead report` again."))
    data = _data_of(req, ref)
    send_csv(req.client, req.user_id, csv_name(data), report_csv(data),
             _("The rows of *{title}*: section, name, day, measure, value.").format(title=title_of(data)))
    req.reply(_("I sent you the CSV in our DM."), response_type="ephemeral", replace_original=False)
