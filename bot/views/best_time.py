"""How the best time to reach a customer reads: "Shops answer 41% Tue–Thu 14–16h, 6% Mon 10–12h", the
suggested slots as one-click choices, and an organization's contact hours."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, Option, StaticSelectElement

from bot.i18n import N_, _, korean
from bot.ids import Field
from bot.labels import label
from bot.views.text import esc, local, num, plain, when
from store.dto import ContactHours
from store.dto.reports import BestTimes, Slot

# Marked for the catalog; shown with _(DAYS[i]).
DAYS = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))


def days_text(days: tuple[int, ...]) -> str:
    """(1, 2, 3) → Tue–Thu; (0, 2) → Mon, Wed; all seven → every day."""
    if len(days) == 7:
        return _("every day")
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(_(DAYS[r[0]]) if len(r) == 1 else f"{_(DAYS[r[0]])}–{_(DAYS[r[-1]])}" for r in runs)


def _plural(word: str) -> str:
    if not word.isascii():
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def who_answers(bt: BestTimes) -> str:
    if bt.who_kind == "org":
        return _("{name} answers").format(name=esc(bt.who))
    if bt.who_kind == "type":
        # an English type becomes plural (Shops); a translated one (쇼핑몰) is not ASCII and stays as it is
        return _("{types} answer").format(types=esc(_plural(label(bt.who))))
    if bt.who_kind == "segment":
        return _("{segment} customers answer").format(segment=esc(label(bt.who)))
    return _("Your customers answer")


def explain(bt: BestTimes, reader_tz: str) -> str:
    """`Shops answer 41% Tue–Thu 14–16h, 6% Mon 10–12h` (hours in the customer's zone, named when it is not the
    reader's), from how many attempts."""
    parts = []
    for found in (bt.best, bt.worst):
        if found:
            days, (start, end), rate = found
            parts.append(_("{rate} {days} {start}–{end}h").format(
                rate=f"{rate:.0%}", days=days_text(days), start=f"{start:02d}", end=f"{end:02d}"))
    zone = "" if bt.tz == reader_tz else " " + _("({city} time)").format(city=bt.tz.split("/")[-1].replace("_", " "))
    return _("{who} {slots}{zone} · from {n} logged attempts").format(
        who=who_answers(bt), slots=", ".join(parts), zone=zone, n=num(bt.attempts))


def hours_text(hours: ContactHours | None) -> str | None:
    """`Takes calls Tue–Fri from 15:00 · parcels go out at 16:00` (None when nothing is known)."""
    if hours is None or hours.empty:
        return None
    bits = []
    days = days_text(hours.days) if hours.days is not None else ""
    span = (f"{hours.start}–{hours.end}" if hours.start and hours.end else
            _("from {time}").format(time=hours.start) if hours.start else
            _("until {time}").format(time=hours.end) if hours.end else "")
    if days or span:
        bits.append(_("Takes calls {when}").format(when=" ".join(x for x in (days, span) if x)))
    if hours.note:
        bits.append(esc(hours.note))
    return " · ".join(bits)


def slot_label(slot: Slot, tz: str) -> str:
    d = local(slot.at, tz)
    shown = when(slot.at, tz) if korean() else f"{d:%a} {d.day} {d:%b} {d:%H:%M}"
    return _("{time} · {rate} answer").format(time=shown, rate=f"{slot.rate:.0%}")


def suggestion_input(bt: BestTimes, reader_tz: str, *, replaces: str) -> InputBlock | None:
    """The slots as a one-click choice in a form (None when there is none to offer)."""
    if not bt.slots:
        return None
    options = [Option(value=s.at.isoformat(), label=plain(slot_label(s, reader_tz), 75)) for s in bt.slots]
    hint = explain(bt, reader_tz)
    if hours_text(bt.contact_hours):
        hint += f". {hours_text(bt.contact_hours)}"
    return InputBlock(block_id=Field.SUGGESTION, label=_("Suggested time"), optional=True,
                      element=StaticSelectElement(action_id=Field.SUGGESTION, placeholder=_("Choose a time…"),
                                                  options=options),
                      hint=plain(f"{hint}. {replaces}", 2000))
