"""The App Home: today's follow-ups with Done / Snooze / Log activity, leads routed to me and their first-touch
clock, my open leads by status, my deals by stage, recent changes on leads I follow; for managers a team
section. A chart heads the sections where a picture says more than numbers. Whatever the amounts, the view stays
under Slack's 100 blocks: long lists show their first items and "and 37 more" with a button."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, DividerBlock, HeaderBlock, ImageBlock, MarkdownTextObject,
    SectionBlock,
)
from slack_sdk.models.blocks.basic_components import SlackFile
from slack_sdk.models.views import View

from bot.ids import Action, Callback
from bot.metadata import LeadRef, ListRef, NudgeRef
from bot.views import charts
from bot.views.charts import Chart
from bot.views.report import sla_line
from bot.views.text import ago, amounts, esc, esc_cut, fit_lines, pct, plain, plural, user, when
from store.dto import FollowUpItem, LeadSummary
from store.dto.reports import HomeData, RecentChange

MAX_BLOCKS = 100


def home_charts(data: HomeData, currency: str) -> list[Chart]:
    """The Home's pictures: my leads by status, my deals by stage; for managers, the team's pipeline by rep and
    this week's first touch by rep."""
    shown = [(s, n) for s, n in data.by_status if n]
    out = [Chart("home-status", "Your open leads by status",
                 "Your open leads by status: " + ("; ".join(f"{s} {n}" for s, n in shown) or "none"),
                 charts.status_chart, (tuple(data.by_status),)),
           Chart("home-stages", "Your open deals by stage", "Your open deals: " + ("; ".join(
                 f"{t.stage.name} {t.count}" for t in data.pipeline.stages if t.count) or "none"),
                 charts.stages_chart, (tuple(data.pipeline.stages), currency, "Your open deals by stage"))]
    if data.team is not None:
        t = data.team
        names = {u: data.names[u] for u in sorted({r.user_id for r in t.reps} | {f.name for f in t.sla_reps})
                 if u in data.names}
        out.append(Chart("home-reps", "Pipeline by rep", "Weighted pipeline by rep: " + ("; ".join(
            f"{data.names.get(r.user_id, r.user_id)} {r.weighted.get(currency, 0):,} {currency}, "
            f"{r.open_leads} leads, {r.overdue} overdue" for r in t.reps[:15]) or "none"),
            charts.reps_chart, (tuple(t.reps), names, currency)))
        out.append(Chart("home-sla", "First touch this week", "First touch this week: " + ("; ".join(
            f"{data.names.get(f.name, f.name)} {f.in_time} in time, {f.late} late" for f in t.sla_reps)
            or "no leads routed"), charts.sla_chart, (tuple(t.sla_reps), names, "First touch this week")))
    return out


def _image(chart: Chart | None, files: dict[str, str]) -> list[Block]:
    if chart is None or chart.key not in files:
        return []
    return [ImageBlock(slack_file=SlackFile(id=files[chart.key]), alt_text=chart.alt[:2000])]  # the chart has its title


def _more(n: int, what: str, ref: ListRef, label: str) -> list[Block]:
    """"and 37 more" with a button that lists them all."""
    if n <= 0:
        return []
    return [ActionsBlock(elements=[ButtonElement(text=plain(label, 75), action_id=f"{Action.HOME_LIST}:{ref.what}",
                                                 value=ref.dump())]),
            ContextBlock(elements=[MarkdownTextObject(text=f"and {n:,} more {what}")])]


def follow_up_blocks(item: FollowUpItem, tz: str, now: datetime) -> list[Block]:
    f, lead = item.follow_up, item.lead
    overdue = f.due_at < now
    name = f"<{lead.card_permalink}|{esc_cut(lead.company, 150)}>" if lead.card_permalink else \
        f"*{esc_cut(lead.company, 150)}*"
    text = (f"{':warning: ' if overdue else ''}{name} · {esc(lead.status)} · due {when(f.due_at, tz)} "
            f"({ago(f.due_at, now)})")
    if f.note:
        text += f"\n{esc_cut(f.note, 300)}"
    ref = NudgeRef(follow_up_id=f.id, lead_id=lead.id).dump()
    return [SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(elements=[
                ButtonElement(text="Done", action_id=Action.NUDGE_DONE, value=ref, style="primary"),
                ButtonElement(text="Snooze", action_id=Action.NUDGE_SNOOZE, value=ref),
                ButtonElement(text="Log activity", action_id=Action.NUDGE_LOG, value=ref)])]


def routed_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    line = f"*{esc_cut(lead.company, 150)}* · routed {ago(lead.routed_at, now)}" if lead.routed_at else \
        f"*{esc_cut(lead.company, 150)}*"
    if lead.sla_due_at:
        late = lead.sla_due_at <= now
        line += (f" · :warning: first touch overdue since {when(lead.sla_due_at, tz)}" if late else
                 f" · first touch due {ago(lead.sla_due_at, now)} ({when(lead.sla_due_at, tz)})")
    elif lead.sla_breached_at:
        line += f" · :warning: first-touch SLA missed {ago(lead.sla_breached_at, now)}"
    return line


def _lead_section(lead: LeadSummary, line: str, label: str = "Log activity",
                  action: str = Action.CARD_LOG) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=line), accessory=ButtonElement(
        text=label, action_id=action, value=LeadRef(lead_id=lead.id).dump()))


def recent_line(c: RecentChange, tz: str) -> str:
    who = user(c.actor_id)
    company = f"*{esc_cut(c.company, 100)}*"
    if c.kind == "status":
        what = f"moved {company} from {esc(c.old)} to *{esc(c.new)}*"
    elif c.kind == "assignment":
        what = f"gave {company} to {user(c.new)}"
    elif c.kind == "deal":
        what = f"moved {company}'s deal to *{esc(c.new)}*" if c.old else f"opened a deal on {company} ({esc(c.new)})"
    else:
        outcome = "" if c.new in (None, "Not applicable") else f" · {esc(c.new)}"
        what = f"logged *{esc(c.old)}{outcome}* on {company}" + (f": {esc_cut(c.text, 120)}" if c.text else "")
    return f"• {who} {what} · {when(c.at, tz)}"


def home_view(data: HomeData, pictures: list[Chart], files: dict[str, str], currency: str, tz: str,
              now: datetime) -> View:
    by_key = {c.key: c for c in pictures}
    blocks: list[Block] = [
        HeaderBlock(text="Your CRM"),
        ContextBlock(elements=[MarkdownTextObject(text=f"Updated {when(now, tz)} · times in {tz}")]),
        ActionsBlock(elements=[
            ButtonElement(text="New lead", action_id=Action.HOME_LIST + ":new", value=ListRef(what="new").dump(),
                          style="primary"),
            ButtonElement(text="Log activity", action_id=Action.HOME_LIST + ":log", value=ListRef(what="log").dump()),
            ButtonElement(text="Refresh", action_id=Action.HOME_REFRESH, value="refresh")]),
    ]
    n_over = len(data.overdue.items) + data.overdue.more
    n_today = len(data.today.items) + data.today.more
    blocks.append(SectionBlock(text=MarkdownTextObject(
        text=f"*Today* · {plural(n_over, 'overdue follow-up')} · {n_today} due later today"
        if n_over or n_today else "*Today* · nothing due. Plan a next step with `/lead followup &lt;lead&gt; &lt;when&gt;`.")))
    items = (data.overdue.items + data.today.items)[:6]
    for item in items:
        blocks += follow_up_blocks(item, tz, now)
    blocks += _more(n_over + n_today - len(items), "follow-ups due by tonight", ListRef(what="followups"),
                    f"All follow-ups ({n_over + n_today})")
    if data.routed_count:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=f"*Routed to you* · {plural(data.routed_count, 'lead')} waiting for a first touch")))
        blocks += [_lead_section(lead, routed_line(lead, tz, now)) for lead in data.routed]
        blocks += _more(data.routed_count - len(data.routed), "routed leads", ListRef(what="routed"),
                        f"All routed leads ({data.routed_count})")
    blocks.append(DividerBlock())
    total = sum(n for _s, n in data.by_status)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*Your open leads* · {total:,}")))
    if total:
        blocks += _image(by_key.get("home-status"), files)
        buttons = [ButtonElement(text=plain(f"{s} ({n:,})", 75), action_id=f"{Action.HOME_LIST}:status:{i}",
                                 value=ListRef(what=f"status:{s}").dump()) for i, (s, n) in enumerate(data.by_status)
                   if n][:25]
        blocks.append(ActionsBlock(elements=buttons))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="None yet: `/lead new &lt;company&gt;` creates one.")]))
    blocks.append(DividerBlock())
    blocks += _deals(data, by_key, files, currency)
    if data.recent:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
            ["*On leads you follow*", *(recent_line(c, tz) for c in data.recent)], 2900))))
    if data.team is not None:
        blocks += _team(data, by_key, files, currency, tz, now)
    return View(type="home", blocks=blocks)  # bounded by construction (under 60 blocks); tests fill every list


def _deals(data: HomeData, by_key: dict, files: dict[str, str], currency: str) -> list[Block]:
    p = data.pipeline
    open_stages = [t for t in p.stages if t.count]
    if not open_stages:
        return [SectionBlock(text=MarkdownTextObject(
            text="*Your deals* · none open. `/lead deal &lt;lead&gt;` or the card's *Convert* starts one."))]
    n = sum(t.count for t in open_stages)
    lines = [f"• {esc(t.stage.name)} ({t.stage.probability}%): {plural(t.count, 'deal')} · "
             f"{amounts(t.amounts, currency)} · weighted {amounts(t.weighted, currency)}" for t in open_stages]
    m = p.closing_this_month
    lines.append(f"*Expected to close this month:* {plural(m.count, 'deal')} · {amounts(m.amounts, currency)} "
                 f"(weighted {amounts(m.weighted, currency)})")
    return [SectionBlock(text=MarkdownTextObject(text=f"*Your deals* · {plural(n, 'open deal')}")),
            *_image(by_key.get("home-stages"), files),
            SectionBlock(text=MarkdownTextObject(text=fit_lines(lines, 2900)))]


def _team(data: HomeData, by_key: dict, files: dict[str, str], currency: str, tz: str, now: datetime) -> list[Block]:
    t = data.team
    assert t is not None
    out: list[Block] = [DividerBlock(), HeaderBlock(text="Team")]
    reps = [f"• {user(r.user_id)}: {plural(r.open_leads, 'open lead')} · "
            + (f"{plural(r.open_deals, 'deal')} {amounts(r.amounts, currency)} (weighted {amounts(r.weighted, currency)})"
               if r.open_deals else "no open deal")
            + (f" · :warning: {r.overdue} overdue" if r.overdue else "") for r in t.reps]
    if len(reps) > 30:
        reps = reps[:30] + [f"…and {len(t.reps) - 30} more reps (`/lead report` has them all)."]
    out += [SectionBlock(text=MarkdownTextObject(text="*Pipeline by rep*")), *_image(by_key.get("home-reps"), files),
            SectionBlock(text=MarkdownTextObject(text=fit_lines(reps or ["Nobody owns a lead yet."], 2900)))]
    routed = sum(f.routed for f in t.sla_queues)
    in_time, late = sum(f.in_time for f in t.sla_queues), sum(f.late for f in t.sla_queues)
    sla = [sla_line(f, esc(f.name)) for f in t.sla_queues] + [sla_line(f, user(f.name) if f.name else "unassigned")
                                                               for f in t.sla_reps]
    head = f"*First touch this week* (since {when(t.week_start, tz)}) · {plural(routed, 'lead')} routed"
    if in_time + late:
        head += f" · {pct(in_time / (in_time + late))} on time"
    out += [SectionBlock(text=MarkdownTextObject(text=head))]
    if routed:
        out += _image(by_key.get("home-sla"), files)
        out.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(sla, 2900))))
    for title, leads, count, what, action, label in (
            ("Nobody owns", t.unassigned, t.unassigned_count, "unassigned", Action.CARD_REASSIGN, "Assign"),
            ("First touch missed", t.breached, t.breached_count, "breached", Action.CARD_REASSIGN, "Reassign")):
        if not count:
            continue
        out.append(SectionBlock(text=MarkdownTextObject(text=f"*{title}* · {plural(count, 'lead')}")))
        out += [_lead_section(lead, _team_lead_line(lead, tz, now), label, action) for lead in leads]
        out += _more(count - len(leads), f"{what} leads", ListRef(what=what), f"All {plural(count, 'lead')}")
    return out


def _team_lead_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    line = f"*{esc_cut(lead.company, 150)}* · {esc(lead.status)} · arrived {ago(lead.arrived_at, now)}"
    if lead.owner_id:
        line += f" · {user(lead.owner_id)}"
    if lead.sla_breached_at:
        line += f" · SLA missed {when(lead.sla_breached_at, tz)}"
    return line


LIST_TITLES = {"followups": "Follow-ups due", "routed": "Routed to you", "unassigned": "Nobody owns",
               "breached": "First touch missed"}


def list_title(what: str) -> str:
    return plain(what[7:], 24) if what.startswith("status:") else LIST_TITLES.get(what, "Leads")


def list_modal(ref: ListRef, rows: list[Block], total: int, shown: int, per_page: int) -> View:
    """A Home list in full, a page at a time (Previous / Next), each row with its button."""
    first = ref.page * per_page + 1
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(
        text=f"{first:,}–{first + shown - 1:,} of {total:,}" if shown else "Nothing here any more.")]), *rows]
    nav = []
    if ref.page > 0:
        nav.append(ButtonElement(text="Previous", action_id=f"{Action.HOME_PAGE}:prev",
                                 value=ListRef(what=ref.what, page=ref.page - 1).dump()))
    if first + shown - 1 < total:
        nav.append(ButtonElement(text="Next", action_id=f"{Action.HOME_PAGE}:next",
                                 value=ListRef(what=ref.what, page=ref.page + 1).dump()))
    if nav:
        blocks.append(ActionsBlock(elements=nav))
    return View(type="modal", callback_id=Callback.HOME_LIST, title=list_title(ref.what), close="Close",
                private_metadata=ref.dump(), blocks=blocks)


def lead_rows(leads: list[LeadSummary], what: str, tz: str, now: datetime) -> list[Block]:
    if what == "routed":
        return [_lead_section(lead, routed_line(lead, tz, now)) for lead in leads]
    if what in ("unassigned", "breached"):
        return [_lead_section(lead, _team_lead_line(lead, tz, now), "Assign" if what == "unassigned" else "Reassign",
                              Action.CARD_REASSIGN) for lead in leads]
    return [_lead_section(lead, _status_line(lead, tz, now)) for lead in leads]


def _status_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    line = f"*{esc_cut(lead.company, 150)}* #{lead.id} · since {when(lead.status_since, tz)}"
    if lead.follow_up:
        flag = " :warning:" if lead.follow_up.due_at < now else ""
        line += f"\nnext:{flag} {when(lead.follow_up.due_at, tz)} ({ago(lead.follow_up.due_at, now)})"
    if lead.card_permalink:
        line += f" · <{lead.card_permalink}|card>"
    return line


def follow_up_rows(items: list[FollowUpItem], tz: str, now: datetime) -> list[Block]:
    out: list[Block] = []
    for item in items:
        out += follow_up_blocks(item, tz, now)
    return out
