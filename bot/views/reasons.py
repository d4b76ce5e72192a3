"""Why a lead went to whom, in the reader's language.

The store writes each assignment's reason once, in a small fixed grammar (store/services/routing.py:
`next in rotation; skipped bob: away until Nov 5; carol: Slack status 'OOO'`, `alice passed; …`,
`first-touch SLA missed; …`, `deal won`, `imported: …`), so history keeps what was true then. This reads that
grammar back phrase by phrase; names, statuses and anything unknown stay as written. Unescaped.
"""

from __future__ import annotations

import re
from bot.i18n import N_, _, korean

FIXED = {p: p for p in (N_("next in rotation"), N_("first-touch SLA missed"), N_("deal won"), N_("imported"),
                        N_("the owner in the imported file"), N_("away"), N_("away until further notice"),
                        N_("do not disturb in Slack"))}
_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), start=1)}
_PASSED = re.compile(r"^(?P<name>.+) passed$")
_SKIPPED = re.compile(r"^skipped (?P<rest>.+)$")
_WHO = re.compile(r"^(?P<name>[^:]+): (?P<why>.+)$")
_UNTIL = re.compile(r"^away until (?P<month>[A-Z][a-z]{2}) (?P<day>\d{1,2})$")
_STATUS = re.compile(r"^Slack status '(?P<status>.*)'$")
_DND = re.compile(r"^do not disturb in Slack for the next (?P<n>\d+) h$")
_IMPORTED = re.compile(r"^imported: (?P<why>.+)$")


def _why(text: str) -> str:
    if text in FIXED:
        return _(text)
    if m := _UNTIL.match(text):
        month, day = _MONTHS.get(m["month"]), int(m["day"])
        when = f"{month}월 {day}일" if korean() and month else f"{m['month']} {day}"
        return _("away until {date}").format(date=when)
    if m := _STATUS.match(text):
        return _("Slack status '{status}'").format(status=m["status"])
    if m := _DND.match(text):
        return _("do not disturb in Slack for the next {n} h").format(n=m["n"])
    return text


def routing_reason(reason: str | None) -> str:
    """The stored reason as the reader reads it (English: exactly as stored)."""
    if not reason or not korean():
        return reason or ""
    out, skipping = [], False
    for part in reason.split("; "):
        if part in FIXED:
            out.append(_(part))
            skipping = False
        elif m := _SKIPPED.match(part):
            who = _WHO.match(m["rest"])
            out.append(_("skipped {name}: {why}").format(name=who["name"], why=_why(who["why"])) if who else part)
            skipping = True
        elif skipping and (who := _WHO.match(part)):
            out.append(_("{name}: {why}").format(name=who["name"], why=_why(who["why"])))
        elif m := _PASSED.match(part):
            out.append(_("{name} passed").format(name=m["name"]))
        elif m := _IMPORTED.match(part):
            out.append(_("imported: {why}").format(why=m["why"]))
        else:
            out.append(part)
    return "; ".join(out)
