"""The pipeline's running totals (`deal_total`): open deals counted and summed by owner, stage, currency and
expected-close month. Every deal change moves its old contribution out and its new one in, in the same
transaction (an upsert: concurrent changes add up); a change of stages rebuilds a team's rows."""

from __future__ import annotations

from sqlalchemy import delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.models import Deal, DealTotal


def contribution(d: Deal) -> tuple | None:
    """(owner, stage, currency, month, amount) of an open deal; None for a closed one."""
    if not d.is_open:
        return None
    month = d.expected_close.strftime("%Y-%m") if d.expected_close else ""
    return d.owner_id or "", d.stage, d.currency, month, d.amount_minor


def move(s: Session, team_id: str, before: tuple | None, after: tuple | None) -> None:
    """Take a deal's old contribution out and put its new one in."""
    if before == after:
        return
    for part, sign in ((before, -1), (after, 1)):
        if part is None:
            continue
        owner, stage, currency, month, amount = part
        values = {"team_id": team_id, "owner_id": owner, "stage": stage, "currency": currency,
                  "close_month": month, "count": sign, "amount_minor": sign * amount}
        ins = (pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert)(DealTotal).values(**values)
        s.execute(ins.on_conflict_do_update(
            index_elements=["team_id", "owner_id", "stage", "currency", "close_month"],
            set_={"count": DealTotal.count + ins.excluded.count,
                  "amount_minor": DealTotal.amount_minor + ins.excluded.amount_minor}))


def rebuild(s: Session, team_id: str) -> None:
    """Recount a team's open deals from scratch (after its stages change, or a bulk load)."""
    dialect = s.bind.dialect.name
    month = (func.to_char(Deal.expected_close, "YYYY-MM") if dialect == "postgresql"
             else func.strftime("%Y-%m", Deal.expected_close))
    open_deals = select(Deal.team_id, func.coalesce(Deal.owner_id, literal("")).label("owner"), Deal.stage,
                        Deal.currency, func.coalesce(month, literal("")).label("month"), Deal.amount_minor) \
        .where(Deal.team_id == team_id, Deal.is_open.is_(True)).subquery()
    s.execute(delete(DealTotal).where(DealTotal.team_id == team_id))
    s.execute(insert(DealTotal).from_select(
        ["team_id", "owner_id", "stage", "currency", "close_month", "count", "amount_minor"],
        select(open_deals.c.team_id, open_deals.c.owner, open_deals.c.stage, open_deals.c.currency,
               open_deals.c.month, func.count(), func.sum(open_deals.c.amount_minor))
        .group_by(open_deals.c.team_id, open_deals.c.owner, open_deals.c.stage, open_deals.c.currency,
                  open_deals.c.month)))
