"""A workspace's deal stages (seeded from the default, configurable) and deal snapshots for rendering."""

from __future__ import annotations


from sqlalchemy import select
from sqlalchemy.orm import Session

from store.dto import DealInfo, StageInfo
from store.errors import Invalid
from store.models import Deal, DealStage, Team
from store.ttl import expiry, fresh
from store.text import name_key
from store.vocabulary import DEAL_STAGES, DEFAULT_CURRENCY

CACHE_SECONDS = 60.0
_cache: dict[str, tuple[float, list[StageInfo]]] = {}
DEFAULTS = [StageInfo(n, p, i, o) for i, (n, p, o) in enumerate(DEAL_STAGES)]


def stages(s: Session, team_id: str) -> list[StageInfo]:
    """The team's stages in order (the default ones until the team changes them); cached for a minute."""
    cached = _cache.get(team_id)
    if cached is not None and fresh(cached[0]):
        return cached[1]
    rows = s.scalars(select(DealStage).where(DealStage.team_id == team_id).order_by(DealStage.position)).all()
    if not rows:
        return DEFAULTS
    result = [StageInfo(r.name, r.probability, r.position, r.outcome) for r in rows]
    _cache[team_id] = (expiry(CACHE_SECONDS), result)
    return result


def forget_cache() -> None:
    _cache.clear()


def match_stage(options: list[StageInfo], text: str | None, *, field: str = "stage") -> StageInfo:
    """Exact name (any case), else a unique prefix (`neg` is Negotiation)."""
    key = name_key(text or "")
    names = ", ".join(o.name for o in options)
    if not key:
        raise Invalid("stage_missing", field=field, names=names)
    exact = [o for o in options if name_key(o.name) == key]
    hits = exact or [o for o in options if name_key(o.name).startswith(key)]
    if len(hits) == 1:
        return hits[0]
    raise Invalid("stage_unknown", field=field, text=(text or "")[:40], names=names)


def currency_of(s: Session, team_id: str) -> str:
    team = s.get(Team, team_id)
    return ((team.settings or {}).get("currency") if team else None) or DEFAULT_CURRENCY


def deal_info(d: Deal, company: str, by_name: dict[str, StageInfo]) -> DealInfo:
    stage = by_name.get(d.stage)
    return DealInfo(d.id, d.lead_id, d.organization_id, company, d.name, d.kind, d.owner_id, d.stage,
                    stage.probability if stage else 0, d.is_open, d.amount_minor, d.currency, d.recurring,
                    d.expected_close, d.next_step, d.won_at, d.lost_at, d.lost_reason, d.lost_note)


def deals_by_lead(s: Session, team_id: str, companies: dict[int, str], *, open_only: bool = True,
                  limit_each: int = 5) -> dict[int, list[DealInfo]]:
    """The deals of these leads (lead id → company name), newest first: one query for all of them (open
    ones only, or all)."""
    if not companies:
        return {}
    q = select(Deal).where(Deal.team_id == team_id, Deal.lead_id.in_(list(companies)))
    if open_only:
        q = q.where(Deal.is_open.is_(True))
    by_name = {st.name: st for st in stages(s, team_id)}
    out: dict[int, list[DealInfo]] = {}
    for d in s.scalars(q.order_by(Deal.id.desc())):
        same = out.setdefault(d.lead_id or 0, [])
        if len(same) < limit_each:
            same.append(deal_info(d, companies[d.lead_id or 0], by_name))
    return out
