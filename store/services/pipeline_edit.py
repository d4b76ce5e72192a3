"""Changing a workspace's pipelines: lead statuses and deal stages. Pick a template, or rename, add,
reorder and retire entries. Leads (deals) in a retired entry move to the one named; renamed entries carry
their leads with them. Existing history keeps the old names, and every lead that moves gets a status change
that says why."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, delete, func, insert, literal, select, update

from store.clock import Clock
from store.db import Database
from store.dto import StageInfo, StatusInfo
from store.errors import Invalid
from store.models import Deal, DealStage, Lead, Organization, PipelineStatus, StatusChange, Team
from store.services import deal_stages, deal_totals, pipeline
from store.services.members import require_manager
from store.text import clean, name_key
from store.vocabulary import TEMPLATES

MAX_ENTRIES = 30


@dataclass(frozen=True)
class Entry:
    name: str
    renamed_from: str | None = None


def _entries(names: list[tuple[str, str | None]], field: str) -> list[Entry]:
    """Clean names, refuse empty, long or repeated ones."""
    out, seen = [], set()
    for name, old in names:
        name = clean(name, single_line=True) or ""
        if not name:
            continue
        if len(name) > 40:
            raise Invalid("pipeline_name_long", field=field, name=name[:40])
        if name_key(name) in seen:
            raise Invalid("pipeline_name_twice", field=field, name=name)
        seen.add(name_key(name))
        out.append(Entry(name, clean(old, single_line=True) if old else None))
    if not 2 <= len(out) <= MAX_ENTRIES:
        raise Invalid("pipeline_size", field=field, most=MAX_ENTRIES)
    return out


def _moves(old: list[str], new: list[Entry], move_to: str | None, in_use: dict[str, int], field: str,
           target_field: str) -> dict[str, str]:
    """Old name → new name for every entry whose leads (deals) move: renamed ones, and retired ones that
    still have some, to `move_to` (refused when it is not in the new list)."""
    by_key = {name_key(e.name): e.name for e in new}
    moves = {}
    for e in new:
        if e.renamed_from:
            source = next((o for o in old if name_key(o) == name_key(e.renamed_from)), None)
            if source is None:
                raise Invalid("pipeline_rename_unknown", field=field, name=e.renamed_from)
            moves[source] = e.name
    retired = [o for o in old if name_key(o) not in by_key and o not in moves and in_use.get(o)]
    target = by_key.get(name_key(move_to or ""))
    if retired and target is None:
        raise Invalid("pipeline_retired_target", field=target_field, retired=", ".join(retired),
                      count=sum(in_use[o] for o in retired))
    return {**moves, **{o: target for o in retired if target}}


def replace(db: Database, clock: Clock, team_id: str, actor_id: str, *,
            statuses: list[tuple[str, str | None, str, bool]], stages: list[tuple[str, str | None, int, str]],
            move_to: str | None = None, move_deals_to: str | None = None,
            template: str | None = None) -> tuple[list[StatusInfo], list[StageInfo]]:
    """Both pipelines at once, in one transaction: all of it is saved, or (a field error) none of it."""
    require_manager(db, team_id, actor_id, "settings")
    now = clock.now()
    with db.write() as s:
        pipeline.ensure_team(s, team_id, clock)
        s.execute(select(Team.id).where(Team.id == team_id).with_for_update())
        _statuses(s, team_id, actor_id, statuses, move_to, template, now)
        _stages(s, team_id, stages, move_deals_to, now)
    pipeline.forget_cache(team_id)
    deal_stages.forget_cache()
    with db.read() as s:
        return pipeline.statuses(s, team_id), deal_stages.stages(s, team_id)


def _statuses(s, team_id: str, actor_id: str, lines: list[tuple[str, str | None, str, bool]], move_to: str | None,
              template: str | None, now) -> None:
    """The team's statuses become `lines` (name, renamed from, meaning, closed?), or a template's."""
    if template:
        if template not in TEMPLATES:
            raise Invalid("choice_unknown", field="template", text=template, what="template",
                          options=", ".join(TEMPLATES))
        lines = [(n, None, m, c) for n, m, c in TEMPLATES[template]]
    entries = _entries([(n, old) for n, old, _m, _c in lines], "statuses")
    meaning = {name_key(n): (clean(m, single_line=True, limit=150) or "", c) for n, _o, m, c in lines}
    if all(meaning[name_key(e.name)][1] for e in entries):
        raise Invalid("pipeline_all_closed", field="statuses")
    old = [st.name for st in s.scalars(select(PipelineStatus).where(PipelineStatus.team_id == team_id)
                                       .order_by(PipelineStatus.position))]
    in_use = dict(s.execute(select(Lead.status, func.count()).where(Lead.team_id == team_id)
                            .group_by(Lead.status)).all())
    renamed = {name_key(e.renamed_from) for e in entries if e.renamed_from}
    for source, dest in _moves(old, entries, move_to, in_use, "statuses", "move_to").items():
        why = "status renamed" if name_key(source) in renamed else "status retired"
        s.execute(insert(StatusChange).from_select(
            ["team_id", "lead_id", "from_status", "to_status", "reason", "actor_id", "changed_at"],
            select(Lead.team_id, Lead.id, Lead.status, literal(dest), literal(why), literal(actor_id),
                   literal(now, type_=StatusChange.changed_at.type))
            .where(Lead.team_id == team_id, Lead.status == source)))
        s.execute(update(Lead).where(Lead.team_id == team_id, Lead.status == source)
                  .values(status=dest, status_since=now).execution_options(synchronize_session=False))
        s.execute(update(Organization).where(Organization.team_id == team_id, Organization.status == source)
                  .values(status=dest).execution_options(synchronize_session=False))
    s.execute(delete(PipelineStatus).where(PipelineStatus.team_id == team_id))
    s.flush()
    for pos, e in enumerate(entries):
        m, closed = meaning[name_key(e.name)]
        s.add(PipelineStatus(team_id=team_id, name=e.name, meaning=m, position=pos, is_closed=closed))
    closed_names = [e.name for e in entries if meaning[name_key(e.name)][1]]
    s.execute(update(Lead).where(Lead.team_id == team_id)
              .values(is_open=case((Lead.status.in_(closed_names), False), else_=True))
              .execution_options(synchronize_session=False))
    s.get(Team, team_id).pipeline = template or "custom"
    s.flush()


def _stages(s, team_id: str, lines: list[tuple[str, str | None, int, str]], move_to: str | None, now) -> None:
    """The team's deal stages become `lines` (name, renamed from, probability %, outcome open|won|lost)."""
    entries = _entries([(n, old) for n, old, _p, _o in lines], "stages")
    info = {name_key(n): (p, o) for n, _old, p, o in lines}
    outcomes = [info[name_key(e.name)][1] for e in entries]
    if outcomes.count("won") != 1 or outcomes.count("lost") != 1 or "open" not in outcomes:
        raise Invalid("stages_outcomes", field="stages")
    if any(not 0 <= info[name_key(e.name)][0] <= 100 for e in entries):
        raise Invalid("stages_probability", field="stages")
    old = [st.name for st in deal_stages.stages(s, team_id)]
    in_use = dict(s.execute(select(Deal.stage, func.count()).where(Deal.team_id == team_id)
                            .group_by(Deal.stage)).all())
    for source, dest in _moves(old, entries, move_to, in_use, "stages", "move_deals_to").items():
        s.execute(update(Deal).where(Deal.team_id == team_id, Deal.stage == source)
                  .values(stage=dest, updated_at=now).execution_options(synchronize_session=False))
    s.execute(delete(DealStage).where(DealStage.team_id == team_id))
    s.flush()
    for pos, e in enumerate(entries):
        p, o = info[name_key(e.name)]
        s.add(DealStage(team_id=team_id, name=e.name, probability=p, position=pos, outcome=o))
    open_names = [e.name for e in entries if info[name_key(e.name)][1] == "open"]
    s.execute(update(Deal).where(Deal.team_id == team_id)
              .values(is_open=case((Deal.stage.in_(open_names), True), else_=False))
              .execution_options(synchronize_session=False))
    deal_totals.rebuild(s, team_id)
