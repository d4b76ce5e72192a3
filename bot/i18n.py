"""The language a message is written in, and its gettext catalogs (Babel manages them: docs/i18n.md).

Message ids are the English sentences in the code, marked with `_()` (translated now), `N_()` (marked for
extraction, translated where it is used: module-level tables) and `ngettext()` (plural forms: English has
two, Korean one). Placeholders are named (`_("Routed to {owner}").format(owner=…)`) so a translation may
put them in another order.

Which language: `speaking(lang)` sets it for what runs inside (a request's listener speaks the person's
language, a DM its recipient's, a card or a channel post the workspace's). A request's language is found
lazily, on the first message that needs it, so a request that says nothing reads nothing.
"""

from __future__ import annotations

import gettext
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from store.services.languages import LANGUAGES, language_code  # noqa: F401 - LANGUAGES re-exported

DEFAULT = "en"
LOCALE_DIR = Path(__file__).with_name("locale")
DOMAIN = "messages"
NAMES = {"en": "English", "ko": "한국어"}

_current: ContextVar[str | Callable[[], str]] = ContextVar("crm_language", default=DEFAULT)
_catalogs: dict[str, gettext.NullTranslations] = {}
_lock = threading.Lock()


def normalize(code: str | None) -> str | None:
    """A Slack locale (`ko-KR`, `en-US`) or a typed code (`ko`, `KO`, `한국어`, `english`) → `ko` / `en`."""
    if not code:
        return None
    text = code.strip().lower()
    if text in ("한국어", "한국말", "korean", "kr"):
        return "ko"
    if text in ("english", "영어"):
        return "en"
    return language_code(text)


def catalog(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of `lang` (bot/locale/<lang>/LC_MESSAGES/messages.mo), loaded once."""
    found = _catalogs.get(lang)
    if found is not None:
        return found
    with _lock:
        if lang not in _catalogs:
            _catalogs[lang] = gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)
        return _catalogs[lang]


def current() -> str:
    """The language being spoken now (a lazy choice is made, and remembered, on first use)."""
    value = _current.get()
    if callable(value):
        try:
            chosen = normalize(value()) or DEFAULT
        except Exception:  # noqa: BLE001 - a failed lookup must never stop the answer itself
            chosen = DEFAULT
        _current.set(chosen)
        return chosen
    return value


@contextmanager
def speaking(lang: str | Callable[[], str | None] | None) -> Iterator[None]:
    """Messages made inside are in `lang` (a code, or a function that finds it when first needed)."""
    if lang is None:
        yield
        return
    value = lang if callable(lang) else (normalize(lang) or DEFAULT)
    token = _current.set(value)  # type: ignore[arg-type]
    try:
        yield
    finally:
        _current.reset(token)


def _(message: str) -> str:
    return catalog(current()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return catalog(current()).ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """For a short word whose meaning depends on where it stands (`Status` a header, `Status` a verb)."""
    return catalog(current()).pgettext(context, message)


def N_(message: str) -> str:
    """Marks `message` for the catalog without translating it (tables built at import time)."""
    return message


def korean() -> bool:
    return current() == "ko"
