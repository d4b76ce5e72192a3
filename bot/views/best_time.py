"""How the best time to reach a customer reads: "Shops answer 41% Tue–Thu 14–16h, 6% Mon 10–12h", the
suggested slots as one-click choices, and an organization's contact hours."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, Option, StaticSelectElement

from bot.ids import Field
from bot.views.text import esc, local, plain
from store.dto import ContactHours
from store.dto.reports import BestTimes, Slot

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def days_text(days: tuple[int, ...]) -> str:
    """(1, 2, 3) → Tue–Thu; (0, 2) → Mon, Wed; all seven → every day."""
    if len(days) == 7:
        return "every day"
    runs: list[list[int]] = []
    for d in sorted(days):
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(DAYS[r[0]] if len(r) == 1 else f"{DAYS[r[0]]}–{DAYS[r[-1]]}" for r in runs)


def _plural(word: str) -> str:
    if not word.isascii():
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word if word.endswith("s") else word + "s"


def who_answers(bt: BestTimes) -> str:
    if bt.who_kind == "org":
        return f"{esc(bt.who)} answers"
    if bt.who_kind == "type":
        return f"{esc(_plural(bt.who))} answer"
    if bt.who_kind == "segment":
        return f"{esc(bt.who)} customers answer"
    return "Your customers answer"


def explain(bt: BestTimes, reader_tz: str) -> str:
    """`Shops answer 41% Tue–Thu 14–16h, 6% Mon 10–12h` (hours in the customer's zone, named when it is not the
    reader's), from how many attempts."""
    parts = []
    for found in (bt.best, bt.worst):
        if found:
            days, (start, end), rate = found
            parts.append(f"{rate:.0%} {days_text(days)} {start:02d}–{end:02d}h")
    zone = "" if bt.tz == reader_tz else f" ({bt.tz.split('/')[-1].replace('_', ' ')} time)"
    return f"{who_answers(bt)} {', '.join(parts)}{zone} · from {bt.attempts:,} logged attempts"


def hours_text(hours: ContactHours | None) -> str | None:
    """`Takes calls Tue–Fri from 15:00 · parcels go out at 16:00` (None when nothing is known)."""
    if hours is None or hours.empty:
        return None
    bits = []
    when = days_text(hours.days) if hours.days is not None else ""
    span = (f"{hours.start}–{hours.end}" if hours.start and hours.end else
            f"from {hours.start}" if hours.start else f"until {hours.end}" if hours.end else "")
    if when or span:
        bits.append("Takes calls " + " ".join(x for x in (when, span) if x))
    if hours.note:
        bits.append(esc(hours.note))
    return " · ".join(bits)


def slot_label(slot: Slot, tz: str) -> str:
    d = local(slot.at, tz)
    return f"{d:%a} {d.day} {d:%b} {d:%H:%M} · {slot.rate:.0%} answer"


def suggestion_input(bt: BestTimes, reader_tz: str, *, replaces: str) -> InputBlock | None:
    """The slots as a one-click choice in a form (None when there is none to offer)."""
    if not bt.slots:
        return None
    options = [Option(value=s.at.isoformat(), label=plain(slot_label(s, reader_tz), 75)) for s in bt.slots]
    hint = explain(bt, reader_tz)
    if hours_text(bt.contact_hours):
        hint += f". {hours_text(bt.contact_hours)}"
    return InputBlock(block_id=Field.SUGGESTION, label="Suggested time", optional=True,
                      element=StaticSelectElement(action_id=Field.SUGGESTION, placeholder="Choose a time…",
                                                  options=options),
                      hint=plain(f"{hint}. {replaces}", 2000))
