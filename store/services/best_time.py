"""When a customer answers: connect rates of the attempts the team logs, by weekday and hour, and the slots
they suggest for the next call.

**Counting.** An attempt is an activity whose outcome says whether anyone was reached (Connected, No answer,
Left message). In the transaction that logs it, `contact_stat` gains one attempt (and one connect if it
connected) in the organization's local weekday and hour, for four scopes: the organization, its type, its
segment and the whole workspace (`all`). Reading a suggestion is therefore four small index reads, whatever
the number of activities. The organization's zone is its own when known, else the workspace's (set once, from
the zone most of its members have, and kept).

**Estimating.** Hours are read in two-hour bands (08–10 … 18–20). Each cell's rate is shrunk toward the
broader scope's: `(connects + K × prior) / (attempts + K)`, the workspace's overall rate toward 30 %, each
workspace cell toward the workspace's overall rate, a segment's or type's cell toward the workspace's cell, an
organization's toward its type's (else segment's) cell. Few attempts say little and lean on the group; many
attempts speak for themselves. The estimate shown is the narrowest scope with enough attempts of its own.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from store.db import Database
from store.errors import Invalid
from store.dto import ContactHours
from store.dto.reports import BestTimes, Slot
from store.models import Activity, ContactStat, Lead, Member, Organization, Team

ATTEMPT_OUTCOMES = ("Connected", "No answer", "Left message")
BANDS = [(8, 10), (10, 12), (12, 14), (14, 16), (16, 18), (18, 20)]
K = 10  # attempts a cell needs before its own rate counts as much as its group's
BASE_RATE, BASE_K = 0.3, 5
ENOUGH = {"org": 20, "type": 30, "segment": 30, "all": 10}  # attempts a scope needs to be shown on its own
EVIDENCE = 3  # attempts (in the workspace) a cell needs to be suggested or called the worst
CLOSE = 0.05  # weekdays whose rates are this close to the best (or worst) are named with it


# ------------------------------------------------------------------------------------------------ counting


def team_zone(s: Session, team_id: str, *, keep: bool = False) -> str:
    """The workspace's zone: the one set for it, else the zone most of its members have (kept once `keep`)."""
    team = s.get(Team, team_id)
    tz = ((team.settings or {}).get("tz") if team else None)
    if tz:
        return tz
    row = s.execute(select(Member.tz, func.count()).where(Member.team_id == team_id, Member.is_bot.is_(False),
                                                          Member.tz != "UTC")
                    .group_by(Member.tz).order_by(func.count().desc(), Member.tz).limit(1)).first()
    tz = row[0] if row else "UTC"
    if keep and team is not None:
        team.settings = {**(team.settings or {}), "tz": tz}
    return tz


def set_team_zone(db: Database, team_id: str, tz: str) -> int:
    """Managers set the workspace's zone (organizations without one of their own are read in it); the attempts
    are counted again in it. Returns how many were counted."""
    try:
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid("tz_unknown", field="value", text=tz[:60]) from None
    with db.write() as s:
        team = s.get(Team, team_id)
        if team is None:
            raise Invalid("tz_unknown", field="value", text=tz[:60])
        team.settings = {**(team.settings or {}), "tz": tz}
    return rebuild_team(db, team_id)


def scopes(org: Organization) -> list[str]:
    """Whose counts an attempt on this organization joins."""
    out = ["all", f"org:{org.id}"]
    if org.kind:
        out.append(f"type:{org.kind.casefold()}")
    if org.segment:
        out.append(f"segment:{org.segment.casefold()}")
    return out


def _add(s: Session, team_id: str, scope_names: list[str], weekday: int, hour: int, attempts: int,
         connects: int) -> None:
    insert = pg_insert if s.bind.dialect.name == "postgresql" else sqlite_insert
    for scope in scope_names:
        ins = insert(ContactStat).values(team_id=team_id, scope=scope[:120], weekday=weekday, hour=hour,
                                         attempts=attempts, connects=connects)
        s.execute(ins.on_conflict_do_update(
            index_elements=["team_id", "scope", "weekday", "hour"],
            set_={"attempts": ContactStat.attempts + ins.excluded.attempts,
                  "connects": ContactStat.connects + ins.excluded.connects}))


def record(s: Session, lead: Lead, occurred_at: datetime, outcome: str) -> None:
    """Inside the transaction that logs an activity: count it when it was an attempt to reach someone."""
    if outcome not in ATTEMPT_OUTCOMES:
        return
    org = lead.organization
    local = occurred_at.astimezone(ZoneInfo(org.tz or team_zone(s, lead.team_id, keep=True)))
    _add(s, lead.team_id, scopes(org), local.weekday(), local.hour, 1, int(outcome == "Connected"))


def _org_cells(s: Session, org: Organization, tz: str) -> dict[tuple[int, int], list[int]]:
    """The organization's attempts from its activities, by local (weekday, hour): [attempts, connects]."""
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    zone = ZoneInfo(tz)
    for at, outcome in s.execute(select(Activity.occurred_at, Activity.outcome).join(Lead, Lead.id == Activity.lead_id)
                                 .where(Lead.team_id == org.team_id, Lead.organization_id == org.id,
                                        Activity.outcome.in_(ATTEMPT_OUTCOMES))):
        local = at.astimezone(zone)
        cell = cells[(local.weekday(), local.hour)]
        cell[0] += 1
        cell[1] += outcome == "Connected"
    return cells


def recount_org(s: Session, org: Organization, *, old_scopes: list[str], old_tz: str | None) -> None:
    """The organization's type, segment or zone changed: take its attempts out of the old scopes and cells and
    put them into the new ones (read from its own activities, so nothing drifts)."""
    team_tz = team_zone(s, org.team_id, keep=True)
    for (weekday, hour), (attempts, connects) in _org_cells(s, org, old_tz or team_tz).items():
        _add(s, org.team_id, old_scopes, weekday, hour, -attempts, -connects)
    for (weekday, hour), (attempts, connects) in _org_cells(s, org, org.tz or team_tz).items():
        _add(s, org.team_id, scopes(org), weekday, hour, attempts, connects)
    _drop_empty(s, org.team_id)


def merging(s: Session, duplicate: Organization, into: Organization) -> None:
    """Before a duplicate's leads move to the organization it is merged into: its attempts leave its scopes
    and join the other's (in the other's zone)."""
    team_tz = team_zone(s, duplicate.team_id, keep=True)
    for (weekday, hour), (attempts, connects) in _org_cells(s, duplicate, duplicate.tz or team_tz).items():
        _add(s, duplicate.team_id, scopes(duplicate), weekday, hour, -attempts, -connects)
    for (weekday, hour), (attempts, connects) in _org_cells(s, duplicate, into.tz or team_tz).items():
        _add(s, into.team_id, scopes(into), weekday, hour, attempts, connects)
    _drop_empty(s, duplicate.team_id)


def _drop_empty(s: Session, team_id: str) -> None:
    s.execute(delete(ContactStat).where(ContactStat.team_id == team_id, ContactStat.attempts <= 0))


def rebuild_team(db: Database, team_id: str) -> int:
    """Count a workspace's attempts from scratch (after an upgrade, or its zone changed). Returns how many.
    One pass over its attempts (joined to their organizations, read once), one batch insert of the cells."""
    with db.write() as s:
        team_tz = team_zone(s, team_id, keep=True)
        s.execute(delete(ContactStat).where(ContactStat.team_id == team_id))
        orgs = {o.id: (scopes(o), ZoneInfo(o.tz or team_tz)) for o in s.scalars(
            select(Organization).where(Organization.team_id == team_id))}
        cells: dict[tuple[str, int, int], list[int]] = defaultdict(lambda: [0, 0])
        n = 0
        rows = s.execute(select(Activity.occurred_at, Activity.outcome, Lead.organization_id)
                         .join(Lead, Lead.id == Activity.lead_id)
                         .where(Activity.team_id == team_id, Activity.outcome.in_(ATTEMPT_OUTCOMES))
                         .execution_options(yield_per=10_000))
        for at, outcome, org_id in rows:
            names, zone = orgs[org_id]
            local = at.astimezone(zone)
            connected = outcome == "Connected"
            for scope in names:
                cell = cells[(scope, local.weekday(), local.hour)]
                cell[0] += 1
                cell[1] += connected
            n += 1
        values = [{"team_id": team_id, "scope": scope[:120], "weekday": d, "hour": h, "attempts": a, "connects": c}
                  for (scope, d, h), (a, c) in cells.items()]
        for i in range(0, len(values), 5000):
            s.execute(insert(ContactStat), values[i:i + 5000])
        team = s.get(Team, team_id)
        team.settings = {**(team.settings or {}), "contact_stats": 1}
        return n


def rebuild_missing(db: Database) -> list[tuple[str, int]]:
    """At start-up: count the attempts of workspaces that have never been counted (those created before this
    version; new ones are counted from their first attempt). Returns (team, attempts) for each."""
    with db.read() as s:
        teams = [t.id for t in s.scalars(select(Team)) if not (t.settings or {}).get("contact_stats")]
    return [(t, rebuild_team(db, t)) for t in teams]


# ------------------------------------------------------------------------------------------------ estimating


def _bands(rows) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for weekday, hour, attempts, connects in rows:
        for i, (start, end) in enumerate(BANDS):
            if start <= hour < end:
                cell = out[(weekday, i)]
                cell[0] += attempts
                cell[1] += connects
    return out


def _shrink(cell: list[int] | None, prior: float) -> float:
    attempts, connects = cell or (0, 0)
    return (connects + K * prior) / (attempts + K)


def contact_hours(org: Organization) -> ContactHours:
    days = tuple(i for i, c in enumerate(org.contact_days or "") if c == "1") if org.contact_days else None
    return ContactHours(days, org.contact_from, org.contact_to, org.contact_note, org.tz)


def slot_start(hours: ContactHours | None, weekday: int, band: int) -> time | None:
    """When in this band a call may start (its start, or the contact hours' start within it); None when the
    contact hours leave nothing of it."""
    start, end = time(BANDS[band][0]), time(BANDS[band][1] % 24) if BANDS[band][1] < 24 else time(23, 59)
    if hours is None:
        return start
    if hours.days is not None and weekday not in hours.days:
        return None
    if hours.start and time.fromisoformat(hours.start) > start:
        start = time.fromisoformat(hours.start)
    if start >= end or (hours.end and start >= time.fromisoformat(hours.end)):
        return None
    return start


def best_times(db: Database, now: datetime, team_id: str, lead_id: int, *, slots: int = 3,
               days: int = 7) -> BestTimes | None:
    """What the attempts say about when this lead's organization answers, and the next slots to try; None
    when too few attempts were logged to say anything."""
    with db.read() as s:
        row = s.execute(select(Lead, Organization).join(Organization, Organization.id == Lead.organization_id)
                        .where(Lead.team_id == team_id, Lead.id == lead_id)).first()
        if row is None:
            return None
        lead, org = row
        names = scopes(org)
        stats = s.execute(select(ContactStat.scope, ContactStat.weekday, ContactStat.hour, ContactStat.attempts,
                                 ContactStat.connects)
                          .where(ContactStat.team_id == team_id, ContactStat.scope.in_(names))).all()
        tz = org.tz or team_zone(s, team_id)
        hours = contact_hours(org)
    by_scope: dict[str, list] = defaultdict(list)
    for scope, weekday, hour, attempts, connects in stats:
        by_scope[scope].append((weekday, hour, attempts, connects))
    cells = {scope: _bands(rows) for scope, rows in by_scope.items()}
    totals = {scope: [sum(c[0] for c in v.values()), sum(c[1] for c in v.values())] for scope, v in cells.items()}
    all_total = totals.get("all", [0, 0])
    if all_total[0] < ENOUGH["all"]:
        return None
    overall = (all_total[1] + BASE_K * BASE_RATE) / (all_total[0] + BASE_K)
    group = next((n for n in names if n.startswith("type:")), None) or next(
        (n for n in names if n.startswith("segment:")), None)
    keys = [(d, b) for d in range(7) for b in range(len(BANDS))]
    estimate: dict[str, dict[tuple[int, int], float]] = {"all": {
        k: _shrink(cells.get("all", {}).get(k), overall) for k in keys}}
    for n in names:
        if n.startswith(("type:", "segment:")):
            estimate[n] = {k: _shrink(cells.get(n, {}).get(k), estimate["all"][k]) for k in keys}
    org_scope = f"org:{org.id}"
    parent = estimate.get(group or "", estimate["all"])
    estimate[org_scope] = {k: _shrink(cells.get(org_scope, {}).get(k), parent[k]) for k in keys}
    shown = next((n for n in (org_scope, *(x for x in names if x.startswith("type:")),
                              *(x for x in names if x.startswith("segment:")), "all")
                  if totals.get(n, [0])[0] >= ENOUGH[n.split(":")[0]]), "all")
    rates = estimate[shown]
    evidence = cells.get("all", {})
    known = [k for k in keys if (evidence.get(k) or [0])[0] >= EVIDENCE]
    if not known:
        return None
    fit = [k for k in known if slot_start(hours, *k) is not None]
    best = _grouped(max(fit or known, key=lambda k: rates[k]), known, rates)
    worst = _grouped(min(known, key=lambda k: rates[k]), known, rates)
    kind = shown.split(":")[0]
    who = org.name if kind == "org" else (org.kind if kind == "type" else
                                         (org.segment or lead.segment) if kind == "segment" else "")
    return BestTimes(who or "", kind, totals.get(shown, [0])[0], best, worst if worst != best else None,
                     next_slots(fit or [], rates, hours, tz, now, slots=slots, days=days), tz,
                     None if hours.empty else hours, {k: rates[k] for k in known})


def rate_at(bt: BestTimes, at: datetime) -> float | None:
    """The estimated chance of an answer at that moment (None: outside the bands, or no evidence there)."""
    local = at.astimezone(ZoneInfo(bt.tz))
    band = next((i for i, (start, end) in enumerate(BANDS) if start <= local.hour < end), None)
    return None if band is None else bt.grid.get((local.weekday(), band))


def poor_choice(bt: BestTimes | None, at: datetime, *, gap: float = 0.15) -> bool:
    """A planned time that is much less likely to reach them than the best slot (worth a tip)."""
    if bt is None or bt.best is None or not bt.slots:
        return False
    rate = rate_at(bt, at)
    return rate is not None and bt.best[2] - rate >= gap


def _grouped(cell: tuple[int, int], known: list[tuple[int, int]], rates: dict) -> tuple:
    """The cell and the neighbouring weekdays in the same band whose rates are within CLOSE of it."""
    day, band = cell
    target = rates[cell]
    group = [day]
    for step in (-1, 1):
        d = day + step
        while 0 <= d < 7 and (d, band) in known and abs(rates[(d, band)] - target) <= CLOSE:
            group.append(d)
            d += step
    group.sort()
    rate = sum(rates[(d, band)] for d in group) / len(group)
    return tuple(group), BANDS[band], rate


def next_slots(cells: list[tuple[int, int]], rates: dict, hours: ContactHours | None, tz: str, now: datetime, *,
               slots: int = 3, days: int = 7) -> list[Slot]:
    """The best of the next `days` days' slots (each cell's start within the contact hours), at least half an
    hour from now, one per day; in time order."""
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone)
    candidates = []
    for offset in range(days + 1):
        day = (local_now + timedelta(days=offset)).date()
        for weekday, band in cells:
            start = slot_start(hours, weekday, band) if day.weekday() == weekday else None
            at = datetime.combine(day, start, zone) if start else None
            if at is not None and at >= local_now + timedelta(minutes=30):
                candidates.append((-rates[(weekday, band)], at))
    picked: list[Slot] = []
    days_used: set = set()
    for neg_rate, at in sorted(candidates):
        if at.date() not in days_used:
            days_used.add(at.date())
            picked.append(Slot(at.astimezone(ZoneInfo("UTC")), -neg_rate))
        if len(picked) == slots:
            break
    return sorted(picked, key=lambda p: p.at)
