"""`/lead report` as people read it: every figure in text (for screen readers and for search), up to three
charts as image blocks, and the buttons to share it in the channel or get its rows as a CSV."""

from __future__ import annotations

import io
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, ImageBlock, MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.basic_components import SlackFile

from bot.ids import Action, Block as B
from bot.views import charts
from bot.views.charts import Chart
from bot.views.csv_files import SafeWriter
from bot.views.text import amounts, day_span, esc, esc_cut, fit_lines, pct, plain, plural, span_hours, user, when
from store.dto.reports import ReportData, RepActivity, SlaFigure

PERIOD_WORDS = {"week": "the last 7 days", "month": "this month", "quarter": "this quarter"}


def title_of(data: ReportData) -> str:
    """`Team report · 1–30 Nov 2026`."""
    sc = data.scope
    if sc.owner_id:
        whose = "Report"
    elif sc.queue_name:
        whose = f"{sc.queue_name} queue"
    else:
        whose = "Team report"
    if sc.segment:
        whose += f" · {sc.segment}"
    if sc.org_type:
        whose += f" · {sc.org_type}"
    return f"{whose} · {day_span(data.period.first_day, data.period.last_day)}"


def scope_words(data: ReportData) -> str:
    sc = data.scope
    bits = []
    if sc.owner_id:
        bits.append(f"{user(sc.owner_id)}'s leads, deals and work")
    elif sc.queue_name:
        bits.append(f"leads routed through *{esc(sc.queue_name)}*")
    else:
        bits.append("the whole team")
    if sc.segment:
        bits.append(f"segment *{esc(sc.segment)}*")
    if sc.org_type:
        bits.append(f"type *{esc(sc.org_type)}*")
    return ", ".join(bits)


def _name(data: ReportData, user_id: str) -> str:
    return data.names.get(user_id) or user_id or "unassigned"


def funnel_lines(data: ReportData) -> list[str]:
    lines = []
    for f in data.funnel:
        if not f.entered and f.side_exit:
            continue
        line = f"• *{esc(f.status)}*: {f.entered} entered"
        if f.moved_on is not None and f.entered:
            line += f" · {f.moved_on} ({pct(f.conversion)}) moved on"
        if f.median_hours is not None:
            line += f" · median stay {span_hours(f.median_hours)}"
        if f.still_there and f.entered:
            line += f" · {f.still_there} still there"
        lines.append(line)
    return lines


def deal_text(data: ReportData) -> str:
    d, cur = data.deals, data.currency
    lines = [f"*Deals* · {d.created} created · {d.won} won ({amounts(d.won_amounts, cur)}) · "
             f"{d.lost} lost · win rate {pct(d.win_rate)} · median sales cycle "
             f"{span_hours(d.median_cycle_days * 24) if d.median_cycle_days is not None else '–'}"]
    if d.lost_reasons:
        lines.append("Lost because: " + ", ".join(f"{esc(r)} ({n})" for r, n in d.lost_reasons[:8]))
    open_stages = [t for t in d.stages if t.count]
    if open_stages:
        lines.append("*Pipeline now*")
        lines += [f"• {esc(t.stage.name)} ({t.stage.probability}%): {plural(t.count, 'deal')} · "
                  f"{amounts(t.amounts, cur)} · weighted {amounts(t.weighted, cur)}" for t in open_stages]
    else:
        lines.append("No open deals.")
    f = d.forecast
    lines.append(f"*This month* · won {amounts(d.won_this_month, cur)} · expected to close: {plural(f.count, 'deal')}, "
                 f"{amounts(f.amounts, cur)} (weighted {amounts(f.weighted, cur)})")
    return "\n".join(lines)


def rep_line(data: ReportData, r: RepActivity) -> str:
    kinds = ", ".join(plural(n, k.lower() if k != "Email" else "e-mail") for k, n in
                      sorted(r.by_kind.items(), key=lambda kv: -kv[1]))
    line = f"• {user(r.user_id)}: {kinds}"
    if r.attempts:
        line += (f" · {plural(r.attempts, 'attempt')}: {r.connected} connected, {r.no_answer} no answer, "
                 f"{r.left_message} left a message · *{pct(r.connect_rate)}* reached")
    return line + f" · on {plural(r.active_days, 'day')}"


def sla_line(f: SlaFigure, label: str) -> str:
    line = f"• {label}: {plural(f.routed, 'lead')} routed · {f.in_time} in time, {f.late} late"
    if f.pending:
        line += f", {f.pending} not yet due"
    if f.compliance is not None:
        line += f" · *{pct(f.compliance)}* on time"
    if f.median_minutes is not None:
        line += f" · median first touch {span_hours(f.median_minutes / 60)}"
    return line


def source_lines(data: ReportData) -> list[str]:
    return [f"• {esc_cut(f.source, 60)}: {plural(f.leads, 'lead')} · {plural(f.customers, 'new customer')}"
            + (f" · won {amounts(f.revenue, data.currency)}" if f.revenue else "") for f in data.sources]


def churn_text(data: ReportData, tz: str) -> str:
    c = data.churn
    if not c.count:
        return "*Churn* · no customer left in this period."
    lines = [f"*Churn* · {plural(c.count, 'customer')} left"]
    lines += [f"• {esc_cut(r, 120)} ({n})" for r, n in c.reasons[:6]]
    lines += [f"   _{esc_cut(name, 80)}_ · {when(at, tz)}" for name, _r, at in c.examples[:5]]
    return "\n".join(lines)


def report_charts(data: ReportData) -> list[Chart]:
    """The report's three pictures, each with the numbers in words beside it."""
    funnel_alt = "Leads entering each status: " + "; ".join(
        f"{f.status} {f.entered}" + (f" ({pct(f.conversion)} moved on)" if f.conversion is not None else "")
        for f in data.funnel if f.entered or not f.side_exit)
    stage_alt = f"Open deals by stage ({data.currency}): " + "; ".join(
        f"{t.stage.name} {t.count} deals, {t.amounts.get(data.currency, 0):,}, weighted {t.weighted.get(data.currency, 0):,}"
        for t in data.deals.stages if t.count) if any(t.count for t in data.deals.stages) else "No open deals."
    act_alt = "Attempts by rep: " + "; ".join(
        f"{_name(data, r.user_id)} {r.attempts} attempts, {r.connected} connected, {r.no_answer} no answer, "
        f"{r.left_message} left a message" for r in data.activity[:12]) if data.activity else "No activity logged."
    names = {r.user_id: data.names.get(r.user_id, r.user_id) for r in data.activity[:12]}
    return [
        Chart("funnel", "Funnel", funnel_alt, charts.funnel_chart, (tuple(data.funnel),)),
        Chart("activity", "Attempts by rep", act_alt, charts.activity_chart, (tuple(data.activity), names)),
        Chart("stages", "Open deals by stage", stage_alt, charts.stages_chart, (tuple(data.deals.stages), data.currency)),
    ]


def _image(chart: Chart, files: dict[str, str]) -> list[Block]:
    file_id = files.get(chart.key)
    if not file_id:
        return []
    return [ImageBlock(slack_file=SlackFile(id=file_id), alt_text=chart.alt[:2000])]  # the chart has its title


def report_message(data: ReportData, pictures: list[Chart], files: dict[str, str], tz: str, now: datetime, *,
                   buttons_value: str | None = None, share: bool = True, shared_by: str | None = None,
                   weekly: str | None = None) -> tuple[str, list[Block]]:
    """(fallback text, blocks): at most 20 blocks whatever the data. `buttons_value` (the report's reference)
    adds Download CSV, and Share to channel unless `share` is False (asked in a DM: there is no channel)."""
    by_key = {c.key: c for c in pictures}
    title = title_of(data)
    made = f"Made {when(now, tz)}" + (f" · shared by {user(shared_by)}" if shared_by else "") + (
        f" · {weekly}" if weekly else "")
    blocks: list[Block] = [
        HeaderBlock(text=plain(title, 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{scope_words(data)} · {made}")]),
        SectionBlock(text=MarkdownTextObject(text=fit_lines(["*Funnel*", *funnel_lines(data)], 2900))),
        *(_image(by_key["funnel"], files) if "funnel" in by_key else []),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=_fit(deal_text(data)))),
        *(_image(by_key["stages"], files) if "stages" in by_key else []),
        DividerBlock(),
    ]
    reps = [rep_line(data, r) for r in data.activity]
    if not reps:
        reps = ["No activities logged in this period."]
    elif len(reps) > 25:
        reps = reps[:25] + [f"…and {len(data.activity) - 25} more reps (the CSV has everyone)."]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(["*Activity*", *reps], 2900))))
    blocks += _image(by_key["activity"], files) if "activity" in by_key else []
    blocks.append(DividerBlock())
    sla = [sla_line(f, esc(f.name)) for f in data.sla_queues] + [sla_line(f, user(f.name) if f.name else "unassigned")
                                                                  for f in data.sla_reps]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
        ["*First touch*", *(sla or ["No leads were routed in this period."])], 2900))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
        ["*Lead sources*", *(source_lines(data) or ["No leads arrived in this period."])], 2900))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_fit(churn_text(data, tz)))))
    if buttons_value:
        elements = [ButtonElement(text="Download CSV", action_id=Action.REPORT_CSV, value=buttons_value)]
        if share:
            elements.insert(0, ButtonElement(text="Share to channel", action_id=Action.REPORT_SHARE,
                                             value=buttons_value, style="primary"))
        blocks.append(ActionsBlock(block_id=B.REPORT_ACTIONS, elements=elements))
    d = data.deals
    arrived = data.funnel[0].entered if data.funnel else 0
    text = (f"{title}: {plural(arrived, 'new lead')}, {d.created} deals created, {d.won} won, "
            f"{plural(sum(r.attempts for r in data.activity), 'attempt')} to reach customers")
    return text, blocks


def _fit(text: str) -> str:
    return fit_lines(text.split("\n"), 2900)


def report_csv(data: ReportData) -> str:
    """Every figure as a row: section, name, day, measure, value (a sheet can pivot it any way)."""
    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(["section", "name", "day", "measure", "value"])
    p = data.period
    w.writerow(["period", p.kind, p.first_day.isoformat(), "last day", p.last_day.isoformat()])
    for f in data.funnel:
        w.writerow(["funnel", f.status, "", "entered", f.entered])
        if f.moved_on is not None:
            w.writerow(["funnel", f.status, "", "moved on", f.moved_on])
        if f.median_hours is not None:
            w.writerow(["funnel", f.status, "", "median hours", round(f.median_hours, 2)])
        w.writerow(["funnel", f.status, "", "still there", f.still_there])
    d = data.deals
    for measure, value in (("created", d.created), ("won", d.won), ("lost", d.lost)):
        w.writerow(["deals", "", "", measure, value])
    for currency, value in d.won_amounts.items():
        w.writerow(["deals", currency, "", "won amount (minor units)", value])
    if d.median_cycle_days is not None:
        w.writerow(["deals", "", "", "median sales cycle days", round(d.median_cycle_days, 2)])
    for reason, n in d.lost_reasons:
        w.writerow(["lost reasons", reason, "", "deals", n])
    for t in d.stages:
        for currency, value in t.amounts.items():
            w.writerow(["pipeline", t.stage.name, "", f"open amount {currency} (minor units)", value])
            w.writerow(["pipeline", t.stage.name, "", f"weighted {currency} (minor units)", t.weighted.get(currency, 0)])
        w.writerow(["pipeline", t.stage.name, "", "open deals", t.count])
    for r in data.days:
        w.writerow(["activity", _name(data, r.user_id), r.day.isoformat(), f"{r.kind} · {r.outcome}", r.count])
    for f in data.sla_queues:
        _sla_rows(w, "first touch by queue", f.name, f)
    for f in data.sla_reps:
        _sla_rows(w, "first touch by rep", _name(data, f.name), f)
    for f in data.sources:
        w.writerow(["sources", f.source, "", "leads", f.leads])
        w.writerow(["sources", f.source, "", "new customers", f.customers])
        for currency, value in f.revenue.items():
            w.writerow(["sources", f.source, "", f"won {currency} (minor units)", value])
    for reason, n in data.churn.reasons:
        w.writerow(["churn", reason, "", "customers", n])
    return out.getvalue()


def _sla_rows(w, section: str, name: str, f: SlaFigure) -> None:
    for measure, value in (("routed", f.routed), ("in time", f.in_time), ("late", f.late), ("not yet due", f.pending)):
        w.writerow([section, name, "", measure, value])
    if f.median_minutes is not None:
        w.writerow([section, name, "", "median minutes to first touch", round(f.median_minutes, 1)])


def csv_name(data: ReportData) -> str:
    return f"crm-report-{data.period.first_day.isoformat()}-{data.period.last_day.isoformat()}.csv"
