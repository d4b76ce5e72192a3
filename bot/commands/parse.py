"""Reading what people type after a `/lead` verb: lead references, people, times."""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo

from dateparser.date import DateDataParser

from bot.commands import korean_time
from bot.i18n import _
from bot.wording import Refusal
from store.text import clean

USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
CHANNEL_MENTION = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$")
_LINK = re.compile(r"<(?:mailto:)?([^<>|]+)\|([^<>]*)>|<((?:https?|mailto):[^<>|]+)>")
_QUOTES = {'"': '"', "“": "”", "”": "”", "'": "'", "‘": "’"}
DEFAULT_HOUR = time(9, 0)
# dateparser's own "period" is unreliable (it says "day" when the time equals the current time), so
# whether a phrase names a time of day is decided here.
_HAS_TIME = re.compile(
    r"\d{1,2}\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}[:h.]\d{2}|\bnoon\b|\bmidnight\b|"
    r"\b(?:hours?|hrs?|minutes?|mins?|seconds?|secs?)\b|\bnow\b|t\d{2}:?\d{2}",
    re.IGNORECASE,
)


# What a quick log (`/lead log acme called, no answer`, `@CRM log 전화했는데 부재중`) says happened: one table of
# (English words, Korean words, activity, outcome). English words match whole words, in any case; Korean ones
# anywhere, because endings and particles attach to them (전화했는데, 부재중이라). Rows with an outcome come
# first, the most telling first (a voicemail says more than "no answer"): the first that matches gives the
# outcome, and its activity when the text names none. Rows without one name an activity: the one named
# first in the text wins. Nothing matches: a Note.
LOG_WORDS: tuple[tuple[str, str, str, str | None], ...] = (
    (r"bounced?|undeliverable", r"반송", "Email", "Bounced"),  # not translated: pattern, stored words
    (r"left (?:a |an )?(?:message|voice ?mail|vm)|voice ?mail",
     r"메[시세]지\s*남|음성\s*메[시세]지|음성\s*사서함|문자\s*남", "Call", "Left message"),  # not translated: stored words
    (r"no answer|no pick ?up|unanswered|not answering|"  # not translated: pattern
     r"(?:didn['’]?t|did not|doesn['’]?t|does not) (?:answer|pick up)|"
     r"(?:couldn['’]?t|could not|can['’]?t|cannot) reach",
     r"부재|안\s*받|받지\s*않|연결\s*안\s*[돼됨되]|통화\s*(?:안\s*[돼됨되]|실패)", "Call", "No answer"),  # not translated: stored words
    (r"talked|spoke|spoken|reached (?:him|her|them)", r"통화", "Call", "Connected"),  # not translated: stored words
    (r"call(?:ed|ing|s)?|phoned?|rang", r"전화(?!\s*번호)", "Call", None),  # not translated: stored word
    (r"e-?mail(?:ed|s)?(?! address)|mailed", r"메일(?!\s*주소)", "Email", None),  # not translated: stored word
    (r"met|meetings?|visited", r"미팅|만남|만났|방문했", "Meeting", None),  # not translated: stored word
    (r"texted|text message|sms|messaged|whatsapp(?:ed)?|kakao(?:talk)?",  # not translated: pattern
     r"카톡|카카오톡|문자", "Message", None),  # not translated: stored word
)
_LOG_PATTERNS = [(re.compile(rf"\b(?:{en})\b|{ko}", re.IGNORECASE), activity, outcome)
                 for en, ko, activity, outcome in LOG_WORDS]


def read_activity(text: str) -> tuple[str, str | None]:
    """(activity, outcome) a quick log's words say: `called, no answer` → (Call, No answer); a Note otherwise."""
    outcome, implied = None, None
    for pattern, activity, said in _LOG_PATTERNS:
        if said and pattern.search(text):
            outcome, implied = said, activity
            break
    named = [(m.start(), activity) for pattern, activity, said in _LOG_PATTERNS if not said
             for m in [pattern.search(text)] if m]
    activity = min(named)[1] if named else implied
    return (activity, outcome) if activity else ("Note", None)  # not translated: stored word


def unwrap_links(text: str) -> str:
    """Slack wraps e-mails and URLs (`<mailto:a@b.c|a@b.c>`); keep what the person typed. Mentions stay."""

    def repl(m: re.Match) -> str:
        if m.group(3):
            return m.group(3).removeprefix("mailto:")
        return m.group(2) or m.group(1)

    return _LINK.sub(lambda m: m.group(0) if m.group(0).startswith(("<@", "<#", "<!")) else repl(m), text)


def split_ref(args: str) -> tuple[str, str]:
    """First word, or a quoted name, is the lead reference; the rest is the argument."""
    args = unwrap_links(args).strip()
    if not args:
        return "", ""
    close = _QUOTES.get(args[0])
    if close:
        end = args.find(close, 1)
        if end == -1:
            end = next((args.find(c, 1) for c in "\"”’" if args.find(c, 1) > 0), -1)
        if end > 0:
            return args[1:end].strip(), args[end + 1:].strip()
        return args[1:].strip(), ""
    ref, _space, rest = args.partition(" ")
    return ref, rest.strip()


def fixed_ref(args: str) -> tuple[str, str] | None:
    """A reference whose end is plain: a quoted name, `#id`, an e-mail, or a mention (a person where the lead
    should be). None when the text starts with bare words, which may be a name of several words."""
    args = unwrap_links(args).strip()
    first = args.split(None, 1)[0] if args else ""
    if not first or first[0] in _QUOTES or first.startswith(("#", "<@")) or "@" in first:
        return split_ref(args)
    return None


def mentioned_user(text: str) -> str:
    m = USER_MENTION.search(text or "")
    if not m:
        raise Refusal(_("Mention the new owner with @, e.g. `/lead assign acme @alice`."))
    return m.group(1)


def warm_up() -> None:
    """dateparser compiles its patterns on first use (~200 ms): do it at start-up, not on a rep's command."""
    parse_when("tomorrow 10am", "UTC", datetime.now(timezone.utc))


def parse_when(text: str, tz: str, now: datetime, *, day_tz: str | None = None) -> tuple[datetime, str]:
    """Read the longest leading phrase that is a time, in the person's zone. Returns (UTC time, the rest).

    A date without a time means 09:00 that day in `day_tz` (the follow-up owner's zone) if given, else in
    the person's zone.
    """
    words = (clean(text, single_line=True) or "").split(" ")
    zone = ZoneInfo(tz)
    local_now = now.astimezone(zone).replace(tzinfo=None)
    for n in range(min(len(words), 6), 0, -1):
        phrase = " ".join(words[:n])[:80]
        if not phrase or phrase.isdigit():
            continue
        korean = korean_time.read(phrase, local_now)
        data = korean[0] if korean else _get(phrase, local_now)
        if data is None:
            continue
        value = data
        if not (korean[1] if korean else _HAS_TIME.search(phrase)):
            if day_tz and day_tz != tz:
                zone = ZoneInfo(day_tz)
                there = now.astimezone(zone).replace(tzinfo=None)
                value = (korean_time.read(phrase, there) or (None,))[0] or _get(phrase, there) or value
            value = datetime.combine(value.date(), DEFAULT_HOUR)
        due = value.replace(tzinfo=zone) if value.tzinfo is None else value
        due = due.astimezone(timezone.utc)
        rest = " ".join(words[n:]).lstrip("-–—:;, ").strip()
        if due <= now:
            raise Refusal(_("{phrase} is in the past. Give a time still to come, e.g. `tomorrow 10am`.").format(
                phrase=phrase))
        return due, rest
    raise Refusal(_(
        "I couldn't read “{text}” as a time. "
        "Try `tomorrow 10am`, `in 3 days`, `next friday`, `2026-12-01 14:30`, `내일 오후 3시` or `다음 주 월요일`."
    ).format(text=(text or "").strip()[:60]))


def _get(phrase: str, local_now: datetime) -> datetime | None:
    parser = DateDataParser(languages=["en"], settings={
        "PREFER_DATES_FROM": "future", "RELATIVE_BASE": local_now,
    })
    try:
        data = parser.get_date_data(phrase)
    except (ValueError, OverflowError):
        return None
    if data is None or data.date_obj is None:
        return None
    return data.date_obj.replace(tzinfo=None)
