"""`/lead report` as people read it: every figure in text (for screen readers and for search), up to three
charts as image blocks, and the buttons to share it in the channel or get its rows as a CSV."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, ImageBlock, MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.basic_components import SlackFile

from bot.i18n import N_, _, ngettext
from bot.ids import Action, Block as B
from bot.labels import label
from bot.views import charts
from bot.views.charts import Chart
from bot.views.csv_files import SafeWriter
from bot.views.text import amounts, day_span, esc, esc_cut, fit_lines, num, pct, plain, span_hours, user, when
from store.dto import StageTotal
from store.dto.reports import ReportData, RepActivity, SlaFigure

PERIOD_WORDS = {"week": N_("the last 7 days"), "month": N_("this month"), "quarter": N_("this quarter")}


def title_of(data: ReportData) -> str:
    """`Team report · 1–30 Nov 2026`."""
    sc = data.scope
    if sc.owner_id:
        whose = _("Report")
    elif sc.queue_name:
        whose = _("{queue} queue").format(queue=sc.queue_name)
    else:
        whose = _("Team report")
    if sc.segment:
        whose += f" · {label(sc.segment)}"
    if sc.org_type:
        whose += f" · {label(sc.org_type)}"
    return f"{whose} · {day_span(data.period.first_day, data.period.last_day)}"


def scope_words(data: ReportData) -> str:
    sc = data.scope
    bits = []
    if sc.owner_id:
        bits.append(_("{owner}'s leads, deals and work").format(owner=user(sc.owner_id)))
    elif sc.queue_name:
        bits.append(_("leads routed through *{queue}*").format(queue=esc(sc.queue_name)))
    else:
        bits.append(_("the whole team"))
    if sc.segment:
        bits.append(_("segment *{segment}*").format(segment=esc(label(sc.segment))))
    if sc.org_type:
        bits.append(_("type *{type}*").format(type=esc(label(sc.org_type))))
    return ", ".join(bits)


def _name(data: ReportData, user_id: str) -> str:
    return data.names.get(user_id) or user_id or _("unassigned")


def labelled_stages(stages) -> tuple[StageTotal, ...]:
    """Stages as a chart draws them: each name in the reader's language."""
    return tuple(replace(t, stage=replace(t.stage, name=label(t.stage.name))) for t in stages)


def stage_line(t: StageTotal, currency: str) -> str:
    """`• Demo (40%): 2 deals · ₩3,000,000 · weighted ₩1,200,000`."""
    return "• " + ngettext("{stage} ({probability}%): {n} deal · {amount} · weighted {weighted}",
                           "{stage} ({probability}%): {n} deals · {amount} · weighted {weighted}", t.count).format(
        stage=esc(label(t.stage.name)), probability=t.stage.probability, n=num(t.count),
        amount=amounts(t.amounts, currency), weighted=amounts(t.weighted, currency))


def funnel_lines(data: ReportData) -> list[str]:
    lines = []
    for f in data.funnel:
        if not f.entered and f.side_exit:
            continue
        parts = [_("{n} entered").format(n=f.entered)]
        if f.moved_on is not None and f.entered:
            parts.append(_("{n} ({share}) moved on").format(n=f.moved_on, share=pct(f.conversion)))
        if f.median_hours is not None:
            parts.append(_("median stay {time}").format(time=span_hours(f.median_hours)))
        if f.still_there and f.entered:
            parts.append(_("{n} still there").format(n=f.still_there))
        lines.append(f"• *{esc(label(f.status))}*: " + " · ".join(parts))
    return lines


def deal_text(data: ReportData) -> str:
    d, cur = data.deals, data.currency
    lines = [_("*Deals* · {created} created · {won} won ({won_amount}) · {lost} lost · win rate {win_rate} · "
               "median sales cycle {cycle}").format(
        created=d.created, won=d.won, won_amount=amounts(d.won_amounts, cur), lost=d.lost, win_rate=pct(d.win_rate),
        cycle=span_hours(d.median_cycle_days * 24) if d.median_cycle_days is not None else "–")]
    if d.lost_reasons:
        lines.append(_("Lost because: {reasons}").format(
            reasons=", ".join(f"{esc(label(r))} ({n})" for r, n in d.lost_reasons[:8])))
    open_stages = [t for t in d.stages if t.count]
    if open_stages:
        lines.append(_("*Pipeline now*"))
        lines += [stage_line(t, cur) for t in open_stages]
    else:
        lines.append(_("No open deals."))
    f = d.forecast
    lines.append(ngettext("*This month* · won {won} · expected to close: {n} deal, {amount} (weighted {weighted})",
                          "*This month* · won {won} · expected to close: {n} deals, {amount} (weighted {weighted})",
                          f.count).format(won=amounts(d.won_this_month, cur), n=num(f.count),
                                          amount=amounts(f.amounts, cur), weighted=amounts(f.weighted, cur)))
    return "\n".join(lines)


def kind_count(kind: str, n: int) -> str:
    """`3 calls`, `1 e-mail`: how many activities of one kind."""
    if kind == "Call":
        text = ngettext("{n} call", "{n} calls", n)
    elif kind == "Email":
        text = ngettext("{n} e-mail", "{n} e-mails", n)
    elif kind == "Meeting":
        text = ngettext("{n} meeting", "{n} meetings", n)
    elif kind == "Message":
        text = ngettext("{n} message", "{n} messages", n)
    elif kind == "Note":
        text = ngettext("{n} note", "{n} notes", n)
    else:  # a kind outside the built-in vocabulary: its own word, as written
        return f"{num(n)} {kind.lower()}"
    return text.format(n=num(n))


def rep_line(data: ReportData, r: RepActivity) -> str:
    parts = [", ".join(kind_count(k, n) for k, n in sorted(r.by_kind.items(), key=lambda kv: -kv[1]))]
    if r.attempts:
        parts.append(ngettext(
            "{n} attempt: {connected} connected, {no_answer} no answer, {left_message} left a message · "
            "*{rate}* reached",
            "{n} attempts: {connected} connected, {no_answer} no answer, {left_message} left a message · "
            "*{rate}* reached", r.attempts).format(n=num(r.attempts), connected=r.connected, no_answer=r.no_answer,
                                                  left_message=r.left_message, rate=pct(r.connect_rate)))
    parts.append(ngettext("on {n} day", "on {n} days", r.active_days).format(n=num(r.active_days)))
    return f"• {user(r.user_id)}: " + " · ".join(parts)


def sla_line(f: SlaFigure, name: str) -> str:
    parts = [ngettext("{n} lead routed", "{n} leads routed", f.routed).format(n=num(f.routed))]
    parts.append((_("{in_time} in time, {late} late, {pending} not yet due") if f.pending else
                  _("{in_time} in time, {late} late")).format(in_time=f.in_time, late=f.late, pending=f.pending))
    if f.compliance is not None:
        parts.append(_("*{share}* on time").format(share=pct(f.compliance)))
    if f.median_minutes is not None:
        parts.append(_("median first touch {time}").format(time=span_hours(f.median_minutes / 60)))
    return f"• {name}: " + " · ".join(parts)


def source_lines(data: ReportData) -> list[str]:
    return [f"• {esc_cut(label(f.source), 60)}: " + " · ".join([
        ngettext("{n} lead", "{n} leads", f.leads).format(n=num(f.leads)),
        ngettext("{n} new customer", "{n} new customers", f.customers).format(n=num(f.customers)),
        *([_("won {amount}").format(amount=amounts(f.revenue, data.currency))] if f.revenue else [])])
        for f in data.sources]


def churn_text(data: ReportData, tz: str) -> str:
    c = data.churn
    if not c.count:
        return _("*Churn* · no customer left in this period.")
    lines = [ngettext("*Churn* · {n} customer left", "*Churn* · {n} customers left", c.count).format(n=num(c.count))]
    lines += [f"• {esc_cut(label(r), 120)} ({n})" for r, n in c.reasons[:6]]
    lines += [f"   _{esc_cut(name, 80)}_ · {when(at, tz)}" for name, _r, at in c.examples[:5]]
    return "\n".join(lines)


def report_charts(data: ReportData) -> list[Chart]:
    """The report's three pictures, each with the numbers in words beside it."""
    cur = data.currency
    funnel_alt = _("Leads entering each status: {figures}").format(figures="; ".join(
        (_("{status} {n} ({share} moved on)") if f.conversion is not None else "{status} {n}").format(
            status=label(f.status), n=f.entered, share=pct(f.conversion))
        for f in data.funnel if f.entered or not f.side_exit))
    stage_alt = _("Open deals by stage ({currency}): {figures}").format(currency=cur, figures="; ".join(
        _("{stage} {n} deals, {amount}, weighted {weighted}").format(
            stage=label(t.stage.name), n=t.count, amount=num(t.amounts.get(cur, 0)),
            weighted=num(t.weighted.get(cur, 0)))
        for t in data.deals.stages if t.count)) if any(t.count for t in data.deals.stages) else _("No open deals.")
    act_alt = _("Attempts by rep: {figures}").format(figures="; ".join(
        _("{name} {attempts} attempts, {connected} connected, {no_answer} no answer, {left_message} left a message")
        .format(name=_name(data, r.user_id), attempts=r.attempts, connected=r.connected, no_answer=r.no_answer,
                left_message=r.left_message) for r in data.activity[:12])
    ) if data.activity else _("No activity logged.")
    names = {r.user_id: data.names.get(r.user_id, r.user_id) for r in data.activity[:12]}
    steps = tuple(replace(f, status=label(f.status)) for f in data.funnel)
    stages_title = _("Open deals by stage")
    return [
        Chart("funnel", _("Funnel"), funnel_alt, charts.funnel_chart, (steps,)),
        Chart("activity", _("Attempts by rep"), act_alt, charts.activity_chart, (tuple(data.activity), names)),
        Chart("stages", stages_title, stage_alt, charts.stages_chart, (labelled_stages(data.deals.stages), cur,
                                                                       stages_title)),
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
    made = " · ".join([_("Made {when}").format(when=when(now, tz)),
                       *([_("shared by {user}").format(user=user(shared_by))] if shared_by else []),
                       *([weekly] if weekly else [])])
    blocks: list[Block] = [
        HeaderBlock(text=plain(title, 150)),
        ContextBlock(elements=[MarkdownTextObject(text=f"{scope_words(data)} · {made}")]),
        SectionBlock(text=MarkdownTextObject(text=fit_lines([_("*Funnel*"), *funnel_lines(data)], 2900))),
        *(_image(by_key["funnel"], files) if "funnel" in by_key else []),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=_fit(deal_text(data)))),
        *(_image(by_key["stages"], files) if "stages" in by_key else []),
        DividerBlock(),
    ]
    reps = [rep_line(data, r) for r in data.activity]
    if not reps:
        reps = [_("No activities logged in this period.")]
    elif len(reps) > 25:
        reps = reps[:25] + [_("…and {n} more reps (the CSV has everyone).").format(n=len(data.activity) - 25)]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines([_("*Activity*"), *reps], 2900))))
    blocks += _image(by_key["activity"], files) if "activity" in by_key else []
    blocks.append(DividerBlock())
    sla = [sla_line(f, esc(label(f.name))) for f in data.sla_queues] + [
        sla_line(f, user(f.name) if f.name else _("unassigned")) for f in data.sla_reps]
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
        [_("*First touch*"), *(sla or [_("No leads were routed in this period.")])], 2900))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
        [_("*Lead sources*"), *(source_lines(data) or [_("No leads arrived in this period.")])], 2900))))
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_fit(churn_text(data, tz)))))
    if buttons_value:
        elements = [ButtonElement(text=_("Download CSV"), action_id=Action.REPORT_CSV, value=buttons_value)]
        if share:
            elements.insert(0, ButtonElement(text=_("Share to channel"), action_id=Action.REPORT_SHARE,
                                             value=buttons_value, style="primary"))
        blocks.append(ActionsBlock(block_id=B.REPORT_ACTIONS, elements=elements))
    d = data.deals
    arrived = data.funnel[0].entered if data.funnel else 0
    attempts = sum(r.attempts for r in data.activity)
    text = _("{title}: {leads}, {created} deals created, {won} won, {attempts} to reach customers").format(
        title=title, leads=ngettext("{n} new lead", "{n} new leads", arrived).format(n=num(arrived)),
        created=d.created, won=d.won,
        attempts=ngettext("{n} attempt", "{n} attempts", attempts).format(n=num(attempts)))
    return text, blocks


def _fit(text: str) -> str:
    return fit_lines(text.split("\n"), 2900)


def report_csv(data: ReportData) -> str:
    """Every figure as a row: section, name, day, measure, value (a sheet can pivot it any way). Sections and
    measures stay English in every language: they are the keys a sheet's pivots and formulas refer to."""
    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(["section", "name", "day", "measure", "value"])
    p = data.period
    w.writerow(["period", p.kind, p.first_day.isoformat(), "last day",  # not translated: CSV key
                p.last_day.isoformat()])
    for f in data.funnel:
        w.writerow(["funnel", f.status, "", "entered", f.entered])
        if f.moved_on is not None:
            w.writerow(["funnel", f.status, "", "moved on", f.moved_on])  # not translated: CSV key
        if f.median_hours is not None:
            w.writerow(["funnel", f.status, "", "median hours", round(f.median_hours, 2)])  # not translated: CSV key
        w.writerow(["funnel", f.status, "", "still there", f.still_there])  # not translated: CSV key
    d = data.deals
    for measure, value in (("created", d.created), ("won", d.won), ("lost", d.lost)):
        w.writerow(["deals", "", "", measure, value])
    for currency, value in d.won_amounts.items():
        w.writerow(["deals", currency, "", "won amount (minor units)", value])  # not translated: CSV key
    if d.median_cycle_days is not None:
        w.writerow(["deals", "", "", "median sales cycle days",  # not translated: CSV key
                    round(d.median_cycle_days, 2)])
    for reason, n in d.lost_reasons:
        w.writerow(["lost reasons", reason, "", "deals", n])  # not translated: CSV key
    for t in d.stages:
        for currency, value in t.amounts.items():
            w.writerow(["pipeline", t.stage.name, "",
                        f"open amount {currency} (minor units)", value])  # not translated: CSV key
            w.writerow(["pipeline", t.stage.name, "", f"weighted {currency} (minor units)",  # not translated: CSV key
                        t.weighted.get(currency, 0)])
        w.writerow(["pipeline", t.stage.name, "", "open deals", t.count])  # not translated: CSV key
    for r in data.days:
        w.writerow(["activity", _name(data, r.user_id), r.day.isoformat(), f"{r.kind} · {r.outcome}", r.count])
    for f in data.sla_queues:
        _sla_rows(w, "first touch by queue", f.name, f)  # not translated: CSV key
    for f in data.sla_reps:
        _sla_rows(w, "first touch by rep", _name(data, f.name), f)  # not translated: CSV key
    for f in data.sources:
        w.writerow(["sources", f.source, "", "leads", f.leads])
        w.writerow(["sources", f.source, "", "new customers", f.customers])  # not translated: CSV key
        for currency, value in f.revenue.items():
            w.writerow(["sources", f.source, "", f"won {currency} (minor units)", value])  # not translated: CSV key
    for reason, n in data.churn.reasons:
        w.writerow(["churn", reason, "", "customers", n])
    return out.getvalue()


def _sla_rows(w, section: str, name: str, f: SlaFigure) -> None:
    for measure, value in (("routed", f.routed), ("in time", f.in_time), ("late", f.late),  # not translated: CSV key
                           ("not yet due", f.pending)):  # not translated: CSV key
        w.writerow([section, name, "", measure, value])
    if f.median_minutes is not None:
        w.writerow([section, name, "", "median minutes to first touch",  # not translated: CSV key
                    round(f.median_minutes, 1)])


def csv_name(data: ReportData) -> str:
    return f"crm-report-{data.period.first_day.isoformat()}-{data.period.last_day.isoformat()}.csv"
