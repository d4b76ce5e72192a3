"""Which lead a person means: `#id`, a contact's e-mail, or the organization's name, which may be several
words followed by more text (`acme shop called them, wants samples`).

`resolve_lead` reads one reference. `name_readings` reads a text that starts with a name: the longest leading
run of words that names a lead wins, so "acme shop called" is Acme Shop (+ "called"), not Acme (+ "shop
called"). A run names a lead when it is an organization's name (exact), or the beginning of names (a prefix).
When a longer run is only a prefix and a shorter one is an exact name, both readings are returned and the
caller asks (or lets what follows the name decide, e.g. a status that exists in one reading only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from store.db import Database, prefix_match
from store.dto import LeadSummary
from store.models import Contact, Lead, Organization
from store.services.snapshots import _lead_query, summaries
from store.text import clean, compact_key, name_key

MAX_NAME_WORDS = 8  # the longest company name tried, in words
_WORD = re.compile(r"\S+")
_ENDS_NAME = ",:;.!?"


@dataclass(frozen=True)
class NameReading:
    """One way to read a text as a lead reference followed by more words."""

    ref: str  # the words read as the name, as typed
    rest: str  # what follows them, as typed (line breaks kept)
    leads: list[LeadSummary]  # the leads that name gives: one, or several to choose from


def resolve_lead(db: Database, team_id: str, ref: str, *, limit: int = 10) -> list[LeadSummary]:
    """`#id`, a contact e-mail, or an organization name (exact, else unique prefix). Open leads first."""
    ref = (clean(ref, single_line=True) or "").strip('"“”')
    if not ref:
        return []
    with db.read() as s:
        dialect = s.bind.dialect.name
        if ref.startswith("#") and ref[1:].isdigit():
            lead = s.scalar(_lead_query(team_id).where(Lead.id == int(ref[1:])))
            return summaries(s, team_id, [lead]) if lead else []
        if "@" in ref:
            org_ids = select(Contact.organization_id).where(
                Contact.team_id == team_id, Contact.email_key == ref.lower()
            )
        else:
            key = name_key(ref)
            exact = select(Organization.id).where(Organization.team_id == team_id,
                                                  Organization.compact_key == compact_key(key))
            if s.scalar(exact.limit(1)) is not None:
                org_ids = exact
            else:
                org_ids = _prefixed(team_id, key, dialect, limit)
        return _leads_of(s, team_id, org_ids, limit)


def name_readings(db: Database, team_id: str, text: str, *, limit: int = 10) -> list[NameReading]:
    """The readings of `text` as a name followed by more words, longest name first; [] when no leading run of
    words names a lead. At most two: the longest run that begins names, and the longest exact name when it
    is shorter. A comma or colon after the name ends it (`acme shop: called`). A few small index reads (one
    per word of the name, plus one)."""
    runs = [text[:m.end()] for m in _WORD.finditer(text)][:MAX_NAME_WORDS]
    if not runs:
        return []
    with db.read() as s:
        dialect = s.bind.dialect.name
        variants = {compact_key(r) for r in runs} | {compact_key(_trimmed(r)) for r in runs}
        named = {k: oid for oid, k in s.execute(  # by the name without spaces: `부산 베이커리` names 부산베이커리
            select(Organization.id, Organization.compact_key)
            .where(Organization.team_id == team_id, Organization.compact_key.in_(variants)))}
        exact_n, exact_ref = 0, ""
        for n, run in enumerate(runs, 1):
            ref = run if compact_key(run) in named else _trimmed(run)
            if compact_key(ref) in named:
                exact_n, exact_ref = n, ref
        prefix_n, prefix_ids = 0, []
        for n, run in enumerate(runs, 1):  # a run no name starts with: no longer run can name a lead either
            ids = list(s.scalars(_prefixed(team_id, name_key(_trimmed(run)), dialect, limit)))
            if not ids:
                break
            prefix_n, prefix_ids = n, ids
        readings = []
        if prefix_n > exact_n:
            readings.append(NameReading(_trimmed(runs[prefix_n - 1]).strip(), text[len(runs[prefix_n - 1]):].strip(),
                                        _leads_of(s, team_id, prefix_ids, limit)))
        if exact_n:
            readings.append(NameReading(exact_ref.strip(), text[len(runs[exact_n - 1]):].strip(),
                                        _leads_of(s, team_id, [named[compact_key(exact_ref)]], limit)))
        return [r for r in readings if r.leads]


def _trimmed(run: str) -> str:
    """A run without the punctuation that ends a name in a sentence (`acme shop,` → `acme shop`)."""
    return run.rstrip(_ENDS_NAME) or run


def _prefixed(team_id: str, key: str, dialect: str, limit: int):
    return (select(Organization.id)
            .where(Organization.team_id == team_id, prefix_match(Organization.compact_key, compact_key(key), dialect))
            .order_by(Organization.name_key).limit(limit + 1))


def _leads_of(s, team_id: str, org_ids, limit: int) -> list[LeadSummary]:
    leads = s.scalars(
        _lead_query(team_id)
        .where(Lead.organization_id.in_(org_ids))
        .order_by(Lead.is_open.desc(), Lead.id.desc())
    ).unique().all()
    picked = sorted(one_per_org(leads), key=lambda lead: (lead.organization.name_key, -lead.id))
    return summaries(s, team_id, picked[: limit + 1])


def one_per_org(leads: list[Lead]) -> list[Lead]:
    """The open leads of each organization, or its newest closed one when none is open."""
    seen: dict[int, bool] = {}
    out = []
    for lead in leads:
        had_open = seen.get(lead.organization_id)
        if had_open is None or (had_open and lead.is_open):
            out.append(lead)
            seen[lead.organization_id] = lead.is_open
    return out
