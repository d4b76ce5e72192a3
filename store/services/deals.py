"""Deals: what the team is trying to win from a lead's organization, worked through the deal stages.

One transaction per change: the deal, a `deal_change` row for the lead's history, the card edit and one
thread line owed (outbox), the followers told. Won moves the lead and its organization to *Customer* (the
pipeline's won status); Lost needs a reason. A submission is applied once (`once`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from store.clock import Clock
from store.db import Database
from store.dto import ChangeRecord, DealChanged, DealInfo, DealInput, PipelineSummary, StageInfo, StageTotal
from store.errors import Duplicate, Invalid, NotFound
from store.models import Contact, Deal, DealChange, DealTotal, Lead, Organization, StatusChange
from store.money import parse_amount
from store.services import deal_totals, followers, organizations, outbox, pipeline
from store.services.deal_stages import currency_of, deal_info, match_stage, stages
from store.services.members import require_person
from store.services.once import once
from store.services.snapshots import lead_summary, load_lead
from store.text import EMAIL, clean, name_key
from store.vocabulary import DEAL_KINDS, LOST_REASONS, WON_STATUS

LIST_DEALS = 20  # deals with a button in /lead pipeline


def save_deal(db: Database, clock: Clock, team_id: str, actor_id: str, inp: DealInput, *,
              idempotency_key: str | None = None) -> DealChanged:
    """Create the lead's deal (`inp.deal_id` None) or change one. Raises Invalid(field=…) for bad input."""
    try:
        with db.write() as s:
            pipeline.ensure_team(s, team_id, clock)
            if not once(s, team_id, idempotency_key, clock.now()):
                raise Duplicate("already_saved")
            return _save(s, team_id, actor_id, inp, clock.now())
    except IntegrityError:
        raise Duplicate("already_saved") from None


def convert(db: Database, clock: Clock, team_id: str, actor_id: str, inp: DealInput, *, merge_into: int | None = None,
            contact_name: str | None = None, contact_email: str | None = None,
            idempotency_key: str | None = None) -> DealChanged:
    """Lead conversion in one transaction: the organization confirmed (or merged into the existing one it
    duplicates), the primary contact confirmed, the first deal created."""
    now = clock.now()
    try:
        with db.write() as s:
            pipeline.ensure_team(s, team_id, clock)
            if not once(s, team_id, idempotency_key, now):
                raise Duplicate("already_saved")
            lead = load_lead(s, team_id, inp.lead_id, for_update=True)
            if merge_into is not None:
                organizations.merge(s, team_id, lead.organization_id, merge_into)
            _confirm_contact(s, lead, contact_name, contact_email, now)
            return _save(s, team_id, actor_id, inp, now)
    except IntegrityError:
        raise Duplicate("already_saved") from None


def _confirm_contact(s, lead: Lead, name: str | None, email: str | None, now: datetime) -> None:
    name, email = clean(name, single_line=True, limit=200), clean(email, single_line=True, limit=320)
    if email and not EMAIL.match(email):
        raise Invalid("email_invalid", field="contact_email", email=email[:80])
    if not (name or email):
        return
    contact = s.get(Contact, lead.contact_id) if lead.contact_id else None
    if contact is None:
        contact = Contact(team_id=lead.team_id, organization_id=lead.organization_id, created_at=now)
        s.add(contact)
    contact.organization_id = lead.organization_id
    contact.name, contact.name_key = name or contact.name, name_key(name) if name else contact.name_key
    contact.email, contact.email_key = email or contact.email, email.lower() if email else contact.email_key
    s.flush()
    lead.contact_id = contact.id


def _save(s, team_id: str, actor_id: str, inp: DealInput, now: datetime) -> DealChanged:
    lead = load_lead(s, team_id, inp.lead_id, for_update=True)
    deal = _deal_of(s, team_id, inp.deal_id, lead.id) if inp.deal_id else None
    options = stages(s, team_id)
    by_name = {o.name: o for o in options}
    if inp.stage:
        stage = match_stage(options, inp.stage)
    else:
        stage = by_name.get(deal.stage if deal else "", options[0])
    old = deal_info(deal, lead.organization.name, by_name) if deal else None
    before = deal_totals.contribution(deal) if deal else None
    deal = deal or Deal(team_id=team_id, organization_id=lead.organization_id, lead_id=lead.id,
                        owner_id=lead.owner_id or actor_id, created_by=actor_id, created_at=now,
                        currency=currency_of(s, team_id), amount_minor=0, kind="new", recurring=False,
                        is_open=True, stage=stage.name)
    _fill(s, deal, inp, stage, now, lead.organization.name, new=old is None)
    deal.updated_at = now
    if deal.id is None:
        s.add(deal)
    s.flush()
    deal_totals.move(s, team_id, before, deal_totals.contribution(deal))
    return _record(s, lead, deal, old, stage, actor_id, now)


def decide(db: Database, clock: Clock, team_id: str, actor_id: str, lead_id: int, outcome: str, *,
           deal_id: int | None = None, lost_reason: str | None = None, lost_note: str | None = None,
           idempotency_key: str | None = None) -> DealChanged:
    """`/lead won` and `/lead lost`: the lead's open deal (the one named, or its only one) is won or lost."""
    with db.read() as s:
        stage = next((o for o in stages(s, team_id) if o.outcome == outcome), None)
        if deal_id is None:
            open_ids = list(s.scalars(select(Deal.id).where(Deal.team_id == team_id, Deal.lead_id == lead_id,
                                                            Deal.is_open.is_(True)).order_by(Deal.id.desc())))
            if not open_ids:
                raise Invalid("no_open_deal", field="deal")
            if len(open_ids) > 1:
                raise Invalid("several_open_deals", field="deal", count=len(open_ids))
            deal_id = open_ids[0]
    if stage is None:
        raise Invalid("no_stage_for", field="stage", outcome=outcome)
    return save_deal(db, clock, team_id, actor_id, DealInput(
        lead_id, deal_id=deal_id, stage=stage.name, lost_reason=lost_reason, lost_note=lost_note),
        idempotency_key=idempotency_key)


def lost_reason_of(text: str | None) -> tuple[str | None, str | None]:
    """(a reason of the list, the rest as a note): `price too high` → (Price, too high); `comp` → (Competitor,
    None); `budget cut` → (Other, budget cut). Empty → (None, None)."""
    words = clean(text, single_line=True) or ""
    if not words:
        return None, None
    for reason in LOST_REASONS:
        if name_key(words).startswith(name_key(reason)):
            return reason, words[len(reason):].strip(" :,-") or None
    first, _, rest = words.partition(" ")
    hits = [r for r in LOST_REASONS if name_key(r).startswith(name_key(first))]
    if len(hits) == 1 and len(first) >= 3:
        return hits[0], rest.strip(" :,-") or None
    return "Other", words


def _deal_of(s, team_id: str, deal_id: int, lead_id: int) -> Deal:
    deal = s.scalar(select(Deal).where(Deal.team_id == team_id, Deal.id == deal_id))
    if deal is None or deal.lead_id != lead_id:
        raise NotFound("deal_not_found", deal_id=deal_id)
    return deal


def _fill(s, deal: Deal, inp: DealInput, stage: StageInfo, now: datetime, company: str, *, new: bool) -> None:
    name = clean(inp.name, single_line=True, limit=200) if inp.name is not None else deal.name
    deal.name = name or deal.name or company
    if inp.amount is not None and inp.amount.strip():
        deal.amount_minor, deal.currency = parse_amount(inp.amount, deal.currency)
    elif new:
        raise Invalid("amount_missing", field="amount")
    if inp.recurring is not None:
        deal.recurring = inp.recurring
    if inp.kind is not None:
        if inp.kind not in DEAL_KINDS:
            raise Invalid("choice_unknown", field="kind", text=inp.kind, what="deal type",
                          options=", ".join(DEAL_KINDS.values()))
        deal.kind = inp.kind
    if inp.expected_close is not None:
        if new and stage.outcome == "open" and inp.expected_close < now.date() - timedelta(days=1):
            raise Invalid("close_date_past", field="expected_close")
        deal.expected_close = inp.expected_close
    if inp.next_step is not None:
        deal.next_step = clean(inp.next_step, limit=2000)
    if inp.owner_id:
        require_person(s, deal.team_id, inp.owner_id, "owner")
        deal.owner_id = inp.owner_id
    deal.stage, deal.is_open = stage.name, stage.outcome == "open"
    deal.won_at = (deal.won_at or now) if stage.outcome == "won" else None
    if stage.outcome == "lost":
        reason, note = inp.lost_reason or deal.lost_reason, clean(inp.lost_note, limit=2000)
        if not reason:
            raise Invalid("lost_reason_missing", field="lost_reason")
        if reason not in LOST_REASONS:
            raise Invalid("choice_unknown", field="lost_reason", text=reason, what="lost reason",
                          options=", ".join(LOST_REASONS))
        deal.lost_at, deal.lost_reason, deal.lost_note = deal.lost_at or now, reason, note or deal.lost_note
    else:
        deal.lost_at, deal.lost_reason, deal.lost_note = None, None, None


def _record(s, lead: Lead, deal: Deal, old: DealInfo | None, stage: StageInfo, actor_id: str,
            now: datetime) -> DealChanged:
    """The deal's history row, the lead's status when won, the card and thread line owed, followers told."""
    info = deal_info(deal, lead.organization.name, {stage.name: stage})
    if old is not None and old == info:
        raise Invalid("nothing_to_save")
    summary = {"id": deal.id, "name": deal.name, "from": old.stage if old else None, "to": deal.stage,
               "amount": deal.amount_minor, "currency": deal.currency, "recurring": deal.recurring,
               "close": deal.expected_close.isoformat() if deal.expected_close else None,
               "lost": deal.lost_reason, "new": old is None}
    s.add(DealChange(team_id=lead.team_id, deal_id=deal.id, lead_id=lead.id, actor_id=actor_id,
                     from_stage=old.stage if old else None, to_stage=deal.stage,
                     summary=deal.lost_reason and f"{deal.lost_reason}: {deal.lost_note or ''}".strip(": "),
                     changed_at=now))
    rec: dict = {"actor_id": actor_id, "deal": summary}
    if stage.outcome == "won" and (old is None or old.stage != stage.name):
        rec.update(_won_status(s, lead, actor_id, now))
    lead.updated_at = now
    outbox.enqueue(s, lead, "card", now)
    change = ChangeRecord(**rec)
    outbox.enqueue(s, lead, "thread", now, payload=change.to_json())
    if old is None or old.stage != deal.stage:
        followers.changed(s, lead, actor_id, now, "deal", old=old.stage if old else None, new=deal.stage,
                          deal=deal.name)
    s.flush()
    return DealChanged(lead_summary(s, lead.team_id, lead.id), info, change)


def _won_status(s, lead: Lead, actor_id: str, now: datetime) -> dict:
    """Won: the lead and its organization become customers (the pipeline's won status), recorded as usual."""
    options = pipeline.statuses(s, lead.team_id)
    target = next((o for key in WON_STATUS for o in options if name_key(o.name) == key), None)
    if target is None or target.name == lead.status:
        return {}
    s.add(StatusChange(team_id=lead.team_id, lead_id=lead.id, from_status=lead.status, to_status=target.name,
                       reason="deal won", actor_id=actor_id, changed_at=now))
    change = {"status_from": lead.status, "status_to": target.name}
    lead.status, lead.status_since, lead.is_open = target.name, now, not target.is_closed
    s.get(Organization, lead.organization_id).status = target.name
    return change


def pipeline_summary(db: Database, clock: Clock, team_id: str, tz: str, *, owner_id: str | None = None,
                     limit: int = LIST_DEALS) -> PipelineSummary:
    """Open deals by stage (count, amounts, weighted amounts, by currency), what closes this month in the
    reader's zone, and the first deals for buttons: the running totals (`deal_total`) and a page of deals
    read in index order, so the cost does not grow with the number of deals."""
    local = clock.now().astimezone(ZoneInfo(tz)).date()
    with db.read() as s:
        options = stages(s, team_id)
        by_name = {o.name: o for o in options}
        where = [Deal.team_id == team_id, Deal.is_open.is_(True)]
        sums = [DealTotal.team_id == team_id]
        if owner_id:
            where.append(Deal.owner_id == owner_id)
            sums.append(DealTotal.owner_id == owner_id)
        rows = s.execute(select(DealTotal.stage, DealTotal.currency, DealTotal.close_month, func.sum(DealTotal.count),
                                func.sum(DealTotal.amount_minor))
                         .where(*sums).group_by(DealTotal.stage, DealTotal.currency, DealTotal.close_month)).all()
        stage_list, month = stage_totals(options, rows, f"{local:%Y-%m}")
        totals = {t.stage.name: t for t in stage_list}
        deals: list[DealInfo] = []
        for stage in (o for o in options if o.outcome == "open" and totals[o.name].count):
            # one stage at a time, soonest close first, read in index order (deals with no date after)
            for dated in (Deal.expected_close.is_not(None), Deal.expected_close.is_(None)):
                if len(deals) >= limit:
                    break
                listed = s.execute(select(Deal, Organization.name)
                                   .join(Organization, Organization.id == Deal.organization_id)
                                   .where(*where, Deal.stage == stage.name, dated)
                                   .order_by(Deal.expected_close, Deal.id).limit(limit - len(deals))).all()
                deals += [deal_info(d, company, by_name) for d, company in listed]
        count = sum(t.count for t in totals.values())
        return PipelineSummary(stage_list, month, deals, max(0, count - len(deals)))


def stage_totals(options: list[StageInfo], rows, this_month: str) -> tuple[list[StageTotal], StageTotal]:
    """Open deals by stage, from rows of (stage, currency, close month "YYYY-MM", count, amount), and those
    expected to close in `this_month`; stages in pipeline order (a stage no longer in it comes last)."""
    by_name = {o.name: o for o in options}
    totals = {o.name: StageTotal(o, 0, {}, {}) for o in options if o.outcome == "open"}
    month = StageTotal(StageInfo("This month", 0, -1, "open"), 0, {}, {})
    for stage_name, currency, close_month, count, amount in rows:
        if not count:
            continue
        stage = by_name.get(stage_name) or StageInfo(stage_name, 0, len(options), "open")
        t = totals.setdefault(stage_name, StageTotal(stage, 0, {}, {}))
        totals[stage_name] = _add(t, currency, int(count), int(amount or 0), stage.probability)
        if close_month == this_month:
            month = _add(month, currency, int(count), int(amount or 0), stage.probability)
    return sorted(totals.values(), key=lambda t: t.stage.position), month


def _add(t: StageTotal, currency: str, count: int, amount: int, probability: int) -> StageTotal:
    """Add deals to a stage's total; weighted amounts are the stage's amount × its probability."""
    amounts, weighted = dict(t.amounts), dict(t.weighted)
    if count:
        amounts[currency] = amounts.get(currency, 0) + amount
        weighted[currency] = weighted.get(currency, 0) + amount * probability // 100
    return StageTotal(t.stage, t.count + count, amounts, weighted)


def deal_of_lead(db: Database, team_id: str, lead_id: int, deal_id: int | None = None) -> DealInfo | None:
    """The deal to edit: the one named, else the lead's newest open deal (None: the lead has none)."""
    with db.read() as s:
        q = select(Deal, Organization.name).join(Organization, Organization.id == Deal.organization_id).where(
            Deal.team_id == team_id, Deal.lead_id == lead_id)
        q = q.where(Deal.id == deal_id) if deal_id else q.where(Deal.is_open.is_(True))
        row = s.execute(q.order_by(Deal.id.desc()).limit(1)).first()
        return deal_info(row[0], row[1], {o.name: o for o in stages(s, team_id)}) if row else None


def closes_this_month(d: DealInfo, today: date) -> bool:
    return d.expected_close is not None and (d.expected_close.year, d.expected_close.month) == (today.year, today.month)
