"""What people see of deals: the deal and lost modals, one line per deal (card, 360, thread), `/lead pipeline`."""

from __future__ import annotations

from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, DatePickerElement, HeaderBlock, MarkdownTextObject, Option,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.i18n import N_, _, korean, ngettext, speaking
from bot.ids import Action, Callback, Field
from bot.labels import label
from bot.metadata import DealRef, ModalContext
from bot.views.lead_modals import labelled, person_input, select_input, text_input
from bot.views.text import amounts, day_span, esc, esc_cut, money, num, plain, user
from store.dto import DealInfo, LeadSummary, PipelineSummary, StageInfo
from store.vocabulary import DEAL_KINDS, LOST_REASONS

BILLING = {"once": N_("One-time"), "monthly": N_("Monthly recurring (MRR)")}
AMOUNT_HINT = N_("In {currency} unless you name another currency: 1,200,000 · ₩1,200,000 · 1.2m · 120만 · USD 1,500")


def _options(pairs: dict[str, str] | list[str]) -> list[Option]:
    """Options whose value is the canonical word and whose text is its label in the reader's language."""
    items = pairs.items() if isinstance(pairs, dict) else [(p, p) for p in pairs]
    return [Option(value=v, label=plain(label(shown), 75)) for v, shown in items]


def _day(d: date) -> str:
    """`15 Dec 2026`; `2026년 12월 15일`."""
    return day_span(d, d) if korean() else f"{d:%d %b %Y}"


def stage_label(s: StageInfo) -> str:
    return f"{label(s.name)} · {s.probability}%"


def deal_line(d: DealInfo) -> str:
    """`Shop renewal · Proposal (60%) · ₩1,200,000/month · closes 15 Dec` (and why, once lost)."""
    line = f"*{esc_cut(d.name, 120)}* · {esc(label(d.stage))}"
    if d.is_open:
        line += f" ({d.probability}%)"
    line += f" · {money(d.amount_minor, d.currency, d.recurring)}"
    if d.is_open and d.expected_close:
        line += " · " + _("closes {day}").format(day=_day(d.expected_close))
    if d.lost_reason:
        line += " · " + _("lost: {reason}").format(reason=esc(label(d.lost_reason)))
        line += f" ({esc_cut(d.lost_note, 200)})" if d.lost_note else ""
    if d.kind != "new":
        line += f" · {label(DEAL_KINDS.get(d.kind, d.kind)).lower()}"
    return line


def deal_thread_line(deal: dict) -> str:
    """A deal change in the lead's thread (from the change record's `deal`)."""
    name = f"*{esc_cut(deal.get('name'), 120)}*"
    amount = money(int(deal.get("amount") or 0), deal.get("currency") or "KRW", bool(deal.get("recurring")))
    close = (" · " + _("closes {day}").format(day=_day(date.fromisoformat(deal["close"])))
             if deal.get("close") else "")
    to = esc(label(deal.get("to")))
    if deal.get("new"):
        return _("New deal {name}: *{stage}*").format(name=name, stage=to) + f" · {amount}{close}"
    if deal.get("lost") and deal.get("from") != deal.get("to"):
        lost = _(":x: Deal {name} lost ({reason})").format(name=name, reason=esc(label(deal.get("lost"))))
        return f"{lost} · {amount}"
    if deal.get("to") != deal.get("from"):
        moved = _("Deal {name}: *{old}* → *{new}*").format(name=name, old=esc(label(deal.get("from"))), new=to)
        return f"{moved} · {amount}{close}"
    return _("Deal {name} updated: *{stage}*").format(name=name, stage=to) + f" · {amount}{close}"


def _why_alike(why: str) -> str:
    """The reason the store gives for a look-alike organization (its English words), for the reader."""
    if why == "similar name":
        return _("similar name")
    domain = why.removeprefix("same domain ")  # not translated: the store's English, matched to be translated
    return _("same domain {domain}").format(domain=domain) if domain != why else why


def conversion_inputs(lead: LeadSummary, look_alikes: list[tuple[int, str, str]]) -> list[Block]:
    """Converting: confirm the organization (or merge it into the one it duplicates) and the contact."""
    blocks: list[Block] = []
    if look_alikes:
        keep = Option(value="keep", label=plain(_("Keep {company}").format(company=lead.company), 75))
        merge = _("Merge into {name} ({why})")
        options = [keep] + [Option(value=str(i), label=plain(merge.format(name=name, why=_why_alike(why)), 75))
                            for i, name, why in look_alikes]
        blocks.append(select_input(Field.MERGE_INTO, _("Organization"), options, optional=False, initial=keep,
                                   hint=_("These look like the same customer. Merge to keep one history.")))
    c = lead.contact
    blocks += [text_input(Field.CONTACT_NAME, _("Contact name"), max_length=200, initial=c.name if c else None),
               text_input(Field.CONTACT_EMAIL, _("Contact email"), max_length=320, initial=c.email if c else None)]
    return blocks


def deal_modal(stages: list[StageInfo], ctx: ModalContext, lead: LeadSummary, currency: str, *,
               deal: DealInfo | None = None, stage: str | None = None,
               look_alikes: list[tuple[int, str, str]] | None = None) -> View:
    """Create or edit a deal. `stage` preselects one (Won from `/lead won`). Converting a lead, the
    organization and its contact are confirmed first."""
    stage_opts = [Option(value=s.name, label=plain(stage_label(s), 75)) for s in stages]
    current = stage or (deal.stage if deal else stages[0].name)
    initial_stage = next((o for o in stage_opts if o.value == current), None)
    billing = _options({k: _(v) for k, v in BILLING.items()})
    kinds = _options(DEAL_KINDS)
    amount = None
    if deal:
        with speaking("en"):  # a value to edit: written the way the amount parser reads every currency back
            amount = money(deal.amount_minor, deal.currency).replace("/month", "")
    only_lost = _("Only when the stage is Lost.")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f"*{esc_cut(lead.company, 200)}* · #{lead.id} · {esc(label(lead.status))}")),
        *(conversion_inputs(lead, look_alikes or []) if ctx.converting else []),
        text_input(Field.DEAL_NAME, _("Deal name"), optional=False, max_length=200,
                   initial=(deal.name if deal else lead.company)[:200]),
        text_input(Field.AMOUNT, _("Amount"), optional=False, max_length=40, initial=amount,
                   hint=_(AMOUNT_HINT).format(currency=deal.currency if deal else currency)),
        select_input(Field.BILLING, _("Billing"), billing, optional=False,
                     initial=billing[1] if deal and deal.recurring else billing[0]),
        select_input(Field.STAGE, _("Stage"), stage_opts, optional=False, initial=initial_stage,
                     hint=_("The percentage is the chance of winning that weights the pipeline.")),
        labelled(Field.EXPECTED_CLOSE, _("Expected close"), DatePickerElement(
            action_id=Field.EXPECTED_CLOSE, placeholder=_("Pick a date"),
            initial_date=deal.expected_close.isoformat() if deal and deal.expected_close else None)),
        text_input(Field.NEXT_STEP, _("Next step"), multiline=True, max_length=2000,
                   initial=deal.next_step if deal else None),
        person_input(Field.OWNER, _("Owner"), optional=True, initial=(deal.owner_id if deal else lead.owner_id),
                     hint=_("Empty: the lead's owner.")),
        select_input(Field.KIND, _("Type"), kinds, optional=False,
                     initial=next((o for o in kinds if o.value == (deal.kind if deal else "new")), kinds[0])),
        select_input(Field.LOST_REASON, _("Lost reason"), _options(LOST_REASONS), hint=only_lost),
        text_input(Field.LOST_NOTE, _("Why it was lost"), max_length=2000, hint=only_lost),
    ]
    title = _("Convert to a deal") if ctx.converting else (_("Edit deal") if deal else _("New deal"))
    meta = ctx.model_copy(update={"lead_id": lead.id, "deal_id": deal.id if deal else None})
    return View(type="modal", callback_id=Callback.DEAL, title=title, submit=_("Save"), close=_("Cancel"),
                private_metadata=meta.dump(), blocks=blocks)


def lost_modal(ctx: ModalContext, lead: LeadSummary, deals: list[DealInfo], reason: str | None = None,
               note: str | None = None) -> View:
    """Why a deal was lost: a reason of the list and a note (and which deal, when the lead has several)."""
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{esc_cut(lead.company, 200)}* · #{lead.id}"))]
    if len(deals) > 1:
        blocks.append(select_input(Field.DEAL, _("Deal"), [Option(value=str(d.id), label=plain(d.name, 75))
                                                            for d in deals[:100]], optional=False))
    reasons = _options(LOST_REASONS)
    blocks += [
        select_input(Field.LOST_REASON, _("Lost reason"), reasons, optional=False,
                     initial=next((o for o in reasons if o.value == reason), None)),
        text_input(Field.LOST_NOTE, _("Why it was lost"), multiline=True, max_length=2000, initial=note,
                   hint=_("What would have changed their mind? The next rep will want to know.")),
    ]
    meta = ctx.model_copy(update={"lead_id": lead.id, "deal_id": deals[0].id if len(deals) == 1 else None})
    return View(type="modal", callback_id=Callback.DEAL_LOST, title=_("Deal lost"), submit=_("Save"),
                close=_("Cancel"), private_metadata=meta.dump(), blocks=blocks)


def _weighted(by_currency: dict[str, int], currency: str) -> str:
    return _("weighted {amount}").format(amount=amounts(by_currency, currency))


def pipeline_message(p: PipelineSummary, whose: str, currency: str) -> tuple[str, list[Block]]:
    """Open deals by stage: counts, totals and weighted totals, what closes this month, a button per deal."""
    total = sum(t.count for t in p.stages)
    blocks: list[Block] = [HeaderBlock(text=plain(_("Pipeline · {whose}").format(whose=whose), 150))]
    if not total:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("No open deals. Create one with `/lead deal &lt;lead&gt;` or the card's *Deal* button."))))
        return _("Pipeline · {whose}: no open deals").format(whose=whose), blocks
    lines = [f"*{esc(label(t.stage.name))}* ({t.stage.probability}%) · "
             + ngettext("{n} deal", "{n} deals", t.count).format(n=num(t.count))
             + f" · {amounts(t.amounts, currency)} · {_weighted(t.weighted, currency)}" for t in p.stages if t.count]
    everything: dict[str, int] = {}
    weighted: dict[str, int] = {}
    for t in p.stages:
        for c, v in t.amounts.items():
            everything[c] = everything.get(c, 0) + v
        for c, v in t.weighted.items():
            weighted[c] = weighted.get(c, 0) + v
    blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(lines)[:2900])))
    m = p.closing_this_month
    blocks.append(SectionBlock(text=MarkdownTextObject(
        text=_("*Total* {n} open").format(n=num(total))
        + f" · {amounts(everything, currency)} · {_weighted(weighted, currency)}\n"
        + _("*Expected to close this month* {n}").format(n=num(m.count)) + f" · {amounts(m.amounts, currency)}")))
    buttons = [ButtonElement(text=plain(f"{d.company} · {label(d.stage)}", 75), action_id=f"{Action.DEAL_OPEN}:{d.id}",
                             value=DealRef(lead_id=d.lead_id or 0, deal_id=d.id).dump())
               for d in p.deals if d.lead_id]
    for i in range(0, len(buttons), 5):
        blocks.append(ActionsBlock(elements=buttons[i:i + 5]))
    if p.more:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=ngettext("and {n} more open deal: `/lead pipeline @rep` narrows it down.",
                          "and {n} more open deals: `/lead pipeline @rep` narrows it down.", p.more).format(
                n=num(p.more)))]))
    summary = ngettext("Pipeline · {whose}: {n} open deal, {amount}", "Pipeline · {whose}: {n} open deals, {amount}",
                       total).format(whose=whose, n=num(total), amount=amounts(everything, currency))
    return summary, blocks


def deals_section(lead: LeadSummary, closed: tuple[DealInfo, ...] = ()) -> str | None:
    """The deals part of the card and the 360 view (None when the lead has none)."""
    lines = [deal_line(d) for d in lead.deals[:3]] + [deal_line(d) for d in closed[:3]]
    if not lines:
        return None
    more = len(lead.deals) - 3
    return (_("*Deals*") + "\n" + "\n".join(lines)
            + ("\n" + _("…and {n} more open").format(n=num(more)) if more > 0 else ""))


def whose_pipeline(owner_id: str | None) -> str:
    return _("{owner}'s deals").format(owner=user(owner_id)) if owner_id else _("all deals")
