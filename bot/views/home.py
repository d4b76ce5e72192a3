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

from bot.i18n import N_, _, ngettext, pgettext
from bot.ids import Action, Callback
from bot.labels import label
from bot.metadata import LeadRef, ListRef, NudgeRef
from bot.views import charts
from bot.views.charts import Chart
from bot.views.report import labelled_stages, sla_line, stage_line
from bot.views.text import ago, amounts, esc, esc_cut, fit_lines, num, pct, plain, user, when
from store.dto import FollowUpItem, LeadSummary
from store.dto.reports import HomeData, RecentChange

MAX_BLOCKS = 100


def home_charts(data: HomeData, currency: str) -> list[Chart]:
    """The Home's pictures: my leads by status, my deals by stage; for managers, the team's pipeline by rep and
    this week's first touch by rep."""
    by_status = tuple((label(s), n) for s, n in data.by_status)
    status_title, stages_title = _("Your open leads by status"), _("Your open deals by stage")
    out = [Chart("home-status", status_title, _("Your open leads by status: {figures}").format(
                 figures="; ".join(f"{s} {n}" for s, n in by_status if n) or _("none")),
                 charts.status_chart, (by_status, status_title)),
           Chart("home-stages", stages_title, _("Your open deals: {figures}").format(figures="; ".join(
                 f"{label(t.stage.name)} {t.count}" for t in data.pipeline.stages if t.count) or _("none")),
                 charts.stages_chart, (labelled_stages(data.pipeline.stages), currency, stages_title))]
    if data.team is not None:
        t = data.team
        names = {u: data.names[u] for u in sorted({r.user_id for r in t.reps} | {f.name for f in t.sla_reps})
                 if u in data.names}
        out.append(Chart("home-reps", _("Pipeline by rep"), _("Weighted pipeline by rep: {figures}").format(
            figures="; ".join(_("{name} {amount} {currency}, {leads} leads, {overdue} overdue").format(
                name=data.names.get(r.user_id, r.user_id), amount=num(r.weighted.get(currency, 0)),
                currency=currency, leads=r.open_leads, overdue=r.overdue) for r in t.reps[:15]) or _("none")),
            charts.reps_chart, (tuple(t.reps), names, currency)))
        sla_title = _("First touch this week")
        out.append(Chart("home-sla", sla_title, _("First touch this week: {figures}").format(figures="; ".join(
            _("{name} {in_time} in time, {late} late").format(name=data.names.get(f.name, f.name), in_time=f.in_time,
                                                              late=f.late) for f in t.sla_reps)
            or _("no leads routed")), charts.sla_chart, (tuple(t.sla_reps), names, sla_title)))
    return out


def _image(chart: Chart | None, files: dict[str, str]) -> list[Block]:
    if chart is None or chart.key not in files:
        return []
    return [ImageBlock(slack_file=SlackFile(id=files[chart.key]), alt_text=chart.alt[:2000])]  # the chart has its title


def _more(n: int, more: str, ref: ListRef, button: str) -> list[Block]:
    """"and 37 more" with a button that lists them all. `more` is the sentence's msgid, with `{n}`."""
    if n <= 0:
        return []
    return [ActionsBlock(elements=[ButtonElement(text=plain(button, 75), action_id=f"{Action.HOME_LIST}:{ref.what}",
                                                 value=ref.dump())]),
            ContextBlock(elements=[MarkdownTextObject(text=_(more).format(n=num(n)))])]


def follow_up_blocks(item: FollowUpItem, tz: str, now: datetime) -> list[Block]:
    f, lead = item.follow_up, item.lead
    overdue = f.due_at < now
    name = f"<{lead.card_permalink}|{esc_cut(lead.company, 150)}>" if lead.card_permalink else \
        f"*{esc_cut(lead.company, 150)}*"
    text = (":warning: " if overdue else "") + _("{lead} · {status} · due {when} ({ago})").format(
        lead=name, status=esc(label(lead.status)), when=when(f.due_at, tz), ago=ago(f.due_at, now))
    if f.note:
        text += f"\n{esc_cut(f.note, 300)}"
    ref = NudgeRef(follow_up_id=f.id, lead_id=lead.id).dump()
    return [SectionBlock(text=MarkdownTextObject(text=text)),
            ActionsBlock(elements=[
                ButtonElement(text=_("Done"), action_id=Action.NUDGE_DONE, value=ref, style="primary"),
                ButtonElement(text=_("Snooze"), action_id=Action.NUDGE_SNOOZE, value=ref),
                ButtonElement(text=_("Log activity"), action_id=Action.NUDGE_LOG, value=ref)])]


def routed_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    parts = [f"*{esc_cut(lead.company, 150)}*"]
    if lead.routed_at:
        parts.append(_("routed {ago}").format(ago=ago(lead.routed_at, now)))
    if lead.sla_due_at:
        due = when(lead.sla_due_at, tz)
        parts.append(_(":warning: first touch overdue since {when}").format(when=due) if lead.sla_due_at <= now else
                     _("first touch due {ago} ({when})").format(ago=ago(lead.sla_due_at, now), when=due))
    elif lead.sla_breached_at:
        parts.append(_(":warning: first-touch SLA missed {ago}").format(ago=ago(lead.sla_breached_at, now)))
    return " · ".join(parts)


def _lead_section(lead: LeadSummary, line: str, button: str = N_("Log activity"),
                  action: str = Action.CARD_LOG) -> SectionBlock:
    """`button` is the msgid of the button's text."""
    return SectionBlock(text=MarkdownTextObject(text=line), accessory=ButtonElement(
        text=_(button), action_id=action, value=LeadRef(lead_id=lead.id).dump()))


def recent_line(c: RecentChange, tz: str) -> str:
    who = user(c.actor_id)
    company = f"*{esc_cut(c.company, 100)}*"
    old, new = esc(label(c.old)), esc(label(c.new))
    if c.kind == "status":
        what = _("{who} moved {company} from {old} to *{new}*").format(who=who, company=company, old=old, new=new)
    elif c.kind == "assignment":
        what = _("{who} gave {company} to {owner}").format(who=who, company=company, owner=user(c.new))
    elif c.kind == "deal":
        what = (_("{who} moved {company}'s deal to *{stage}*") if c.old else
                _("{who} opened a deal on {company} ({stage})")).format(who=who, company=company, stage=new)
    else:
        what = (_("{who} logged *{kind}* on {company}") if c.new in (None, "Not applicable") else
                _("{who} logged *{kind} · {outcome}* on {company}")).format(
            who=who, kind=old, outcome=new, company=company) + (f": {esc_cut(c.text, 120)}" if c.text else "")
    return f"• {what} · {when(c.at, tz)}"


def home_view(data: HomeData, pictures: list[Chart], files: dict[str, str], currency: str, tz: str,
              now: datetime) -> View:
    by_key = {c.key: c for c in pictures}
    blocks: list[Block] = [
        HeaderBlock(text=_("Your CRM")),
        ContextBlock(elements=[MarkdownTextObject(text=_("Updated {when} · times in {tz}").format(
            when=when(now, tz), tz=tz))]),
        ActionsBlock(elements=[
            ButtonElement(text=pgettext("button", "New lead"), action_id=Action.HOME_LIST + ":new",
                          value=ListRef(what="new").dump(), style="primary"),
            ButtonElement(text=_("Log activity"), action_id=Action.HOME_LIST + ":log",
                          value=ListRef(what="log").dump()),
            ButtonElement(text=_("Refresh"), action_id=Action.HOME_REFRESH, value="refresh")]),
    ]
    n_over = len(data.overdue.items) + data.overdue.more
    n_today = len(data.today.items) + data.today.more
    blocks.append(SectionBlock(text=MarkdownTextObject(
        text=ngettext("*Today* · {n} overdue follow-up · {later} due later today",
                      "*Today* · {n} overdue follow-ups · {later} due later today", n_over).format(
            n=num(n_over), later=n_today) if n_over or n_today else
        _("*Today* · nothing due. Plan a next step with `/lead followup &lt;lead&gt; &lt;when&gt;`."))))
    items = (data.overdue.items + data.today.items)[:6]
    for item in items:
        blocks += follow_up_blocks(item, tz, now)
    blocks += _more(n_over + n_today - len(items), N_("and {n} more follow-ups due by tonight"),
                    ListRef(what="followups"), _("All follow-ups ({n})").format(n=n_over + n_today))
    if data.routed_count:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(text=ngettext(
            "*Routed to you* · {n} lead waiting for a first touch",
            "*Routed to you* · {n} leads waiting for a first touch", data.routed_count).format(
            n=num(data.routed_count)))))
        blocks += [_lead_section(lead, routed_line(lead, tz, now)) for lead in data.routed]
        blocks += _more(data.routed_count - len(data.routed), N_("and {n} more routed leads"), ListRef(what="routed"),
                        _("All routed leads ({n})").format(n=data.routed_count))
    blocks.append(DividerBlock())
    total = sum(n for _s, n in data.by_status)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=_("*Your open leads* · {n}").format(n=num(total)))))
    if total:
        blocks += _image(by_key.get("home-status"), files)
        buttons = [ButtonElement(text=plain(f"{label(s)} ({n:,})", 75), action_id=f"{Action.HOME_LIST}:status:{i}",
                                 value=ListRef(what=f"status:{s}").dump()) for i, (s, n) in enumerate(data.by_status)
                   if n][:25]
        blocks.append(ActionsBlock(elements=buttons))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=_("None yet: `/lead new &lt;company&gt;` creates one."))]))
    blocks.append(DividerBlock())
    blocks += _deals(data, by_key, files, currency)
    if data.recent:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(
            [_("*On leads you follow*"), *(recent_line(c, tz) for c in data.recent)], 2900))))
    if data.team is not None:
        blocks += _team(data, by_key, files, currency, tz, now)
    return View(type="home", blocks=blocks)  # bounded by construction (under 60 blocks); tests fill every list


def _deals(data: HomeData, by_key: dict, files: dict[str, str], currency: str) -> list[Block]:
    p = data.pipeline
    open_stages = [t for t in p.stages if t.count]
    if not open_stages:
        return [SectionBlock(text=MarkdownTextObject(
            text=_("*Your deals* · none open. `/lead deal &lt;lead&gt;` or the card's *Convert* starts one.")))]
    n = sum(t.count for t in open_stages)
    lines = [stage_line(t, currency) for t in open_stages]
    m = p.closing_this_month
    lines.append(ngettext("*Expected to close this month:* {n} deal · {amount} (weighted {weighted})",
                          "*Expected to close this month:* {n} deals · {amount} (weighted {weighted})", m.count).format(
        n=num(m.count), amount=amounts(m.amounts, currency), weighted=amounts(m.weighted, currency)))
    return [SectionBlock(text=MarkdownTextObject(text=ngettext(
                "*Your deals* · {n} open deal", "*Your deals* · {n} open deals", n).format(n=num(n)))),
            *_image(by_key.get("home-stages"), files),
            SectionBlock(text=MarkdownTextObject(text=fit_lines(lines, 2900)))]


def _team(data: HomeData, by_key: dict, files: dict[str, str], currency: str, tz: str, now: datetime) -> list[Block]:
    t = data.team
    assert t is not None
    out: list[Block] = [DividerBlock(), HeaderBlock(text=_("Team"))]
    reps = [f"• {user(r.user_id)}: " + " · ".join(_rep_parts(r, currency)) for r in t.reps]
    if len(reps) > 30:
        reps = reps[:30] + [_("…and {n} more reps (`/lead report` has them all).").format(n=len(t.reps) - 30)]
    out += [SectionBlock(text=MarkdownTextObject(text=_("*Pipeline by rep*"))), *_image(by_key.get("home-reps"), files),
            SectionBlock(text=MarkdownTextObject(text=fit_lines(reps or [_("Nobody owns a lead yet.")], 2900)))]
    routed = sum(f.routed for f in t.sla_queues)
    in_time, late = sum(f.in_time for f in t.sla_queues), sum(f.late for f in t.sla_queues)
    sla = [sla_line(f, esc(f.name)) for f in t.sla_queues] + [sla_line(f, user(f.name) if f.name else _("unassigned"))
                                                               for f in t.sla_reps]
    head = [ngettext("*First touch this week* (since {when}) · {n} lead routed",
                     "*First touch this week* (since {when}) · {n} leads routed", routed).format(
        when=when(t.week_start, tz), n=num(routed))]
    if in_time + late:
        head.append(_("{share} on time").format(share=pct(in_time / (in_time + late))))
    out += [SectionBlock(text=MarkdownTextObject(text=" · ".join(head)))]
    if routed:
        out += _image(by_key.get("home-sla"), files)
        out.append(SectionBlock(text=MarkdownTextObject(text=fit_lines(sla, 2900))))
    for title, leads, count, what, more, button in (
            (N_("Nobody owns"), t.unassigned, t.unassigned_count, "unassigned", N_("and {n} more unassigned leads"),
             N_("Assign")),
            (N_("First touch missed"), t.breached, t.breached_count, "breached", N_("and {n} more breached leads"),
             N_("Reassign"))):
        if not count:
            continue
        out.append(SectionBlock(text=MarkdownTextObject(text=ngettext(
            "*{title}* · {n} lead", "*{title}* · {n} leads", count).format(title=_(title), n=num(count)))))
        out += [_lead_section(lead, _team_lead_line(lead, tz, now), button, Action.CARD_REASSIGN) for lead in leads]
        out += _more(count - len(leads), more, ListRef(what=what),
                     ngettext("All {n} lead", "All {n} leads", count).format(n=num(count)))
    return out


def _rep_parts(r, currency: str) -> list[str]:
    """`3 open leads`, `2 deals ₩1,200,000 (weighted …)` or `no open deal`, `:warning: 2 overdue`."""
    parts = [ngettext("{n} open lead", "{n} open leads", r.open_leads).format(n=num(r.open_leads))]
    parts.append(ngettext("{n} deal {amount} (weighted {weighted})", "{n} deals {amount} (weighted {weighted})",
                          r.open_deals).format(n=num(r.open_deals), amount=amounts(r.amounts, currency),
                                               weighted=amounts(r.weighted, currency))
                 if r.open_deals else _("no open deal"))
    if r.overdue:
        parts.append(_(":warning: {n} overdue").format(n=r.overdue))
    return parts


def _team_lead_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    parts = [f"*{esc_cut(lead.company, 150)}*", esc(label(lead.status)),
             _("arrived {ago}").format(ago=ago(lead.arrived_at, now))]
    if lead.owner_id:
        parts.append(user(lead.owner_id))
    if lead.sla_breached_at:
        parts.append(_("SLA missed {when}").format(when=when(lead.sla_breached_at, tz)))
    return " · ".join(parts)


LIST_TITLES = {"followups": N_("Follow-ups due"), "routed": N_("Routed to you"), "unassigned": N_("Nobody owns"),
               "breached": N_("First touch missed")}


def list_title(what: str) -> str:
    if what.startswith("status:"):
        return plain(label(what[7:]), 24)
    return _(LIST_TITLES[what]) if what in LIST_TITLES else _("Leads")


def list_modal(ref: ListRef, rows: list[Block], total: int, shown: int, per_page: int) -> View:
    """A Home list in full, a page at a time (Previous / Next), each row with its button."""
    first = ref.page * per_page + 1
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(
        text=_("{first}–{last} of {total}").format(first=num(first), last=num(first + shown - 1), total=num(total))
        if shown else _("Nothing here any more."))]), *rows]
    nav = []
    if ref.page > 0:
        nav.append(ButtonElement(text=_("Previous"), action_id=f"{Action.HOME_PAGE}:prev",
                                 value=ListRef(what=ref.what, page=ref.page - 1).dump()))
    if first + shown - 1 < total:
        nav.append(ButtonElement(text=_("Next"), action_id=f"{Action.HOME_PAGE}:next",
                                 value=ListRef(what=ref.what, page=ref.page + 1).dump()))
    if nav:
        blocks.append(ActionsBlock(elements=nav))
    return View(type="modal", callback_id=Callback.HOME_LIST, title=list_title(ref.what), close=_("Close"),
                private_metadata=ref.dump(), blocks=blocks)


def lead_rows(leads: list[LeadSummary], what: str, tz: str, now: datetime) -> list[Block]:
    if what == "routed":
        return [_lead_section(lead, routed_line(lead, tz, now)) for lead in leads]
    if what in ("unassigned", "breached"):
        return [_lead_section(lead, _team_lead_line(lead, tz, now), N_("Assign") if what == "unassigned" else
                              N_("Reassign"), Action.CARD_REASSIGN) for lead in leads]
    return [_lead_section(lead, _status_line(lead, tz, now)) for lead in leads]


def _status_line(lead: LeadSummary, tz: str, now: datetime) -> str:
    line = f"*{esc_cut(lead.company, 150)}* #{lead.id} · " + _("since {when}").format(when=when(lead.status_since, tz))
    if lead.follow_up:
        flag = " :warning:" if lead.follow_up.due_at < now else ""
        line += "\n" + _("next:{flag} {when} ({ago})").format(flag=flag, when=when(lead.follow_up.due_at, tz),
                                                               ago=ago(lead.follow_up.due_at, now))
    if lead.card_permalink:
        line += " · <{link}|{card}>".format(link=lead.card_permalink, card=_("card"))
    return line


def follow_up_rows(items: list[FollowUpItem], tz: str, now: datetime) -> list[Block]:
    out: list[Block] = []
    for item in items:
        out += follow_up_blocks(item, tz, now)
    return out
