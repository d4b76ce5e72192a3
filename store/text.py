"""Cleaning what people type before it is stored."""

from __future__ import annotations

import re
import unicodedata

HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")  # Korean syllables and letters
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Invisible characters that make two texts look the same (`Acme` and `Acme\u200b`) or turn text around on screen
# (U+202E): zero-width spaces and no-break marks, and the bidirectional embeddings, overrides and isolates. The
# zero-width (non-)joiners and the left-to-right and right-to-left marks are kept in text: scripts need them.
_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")
_NOT_IN_NAMES = re.compile("[\u200c-\u200f]")  # and a name's key has none of those either
EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def clean(value: str | None, *, limit: int | None = None, single_line: bool = False) -> str | None:
    """Strip control characters (PostgreSQL refuses NUL), trim, and drop empties."""
    if value is None:
        return None
    value = unicodedata.normalize("NFC", _INVISIBLE.sub("", _CONTROL.sub("", value.replace("\r\n", "\n"))))
    if single_line:
        value = " ".join(value.split())
    value = value.strip()
    if not value:
        return None
    if limit is not None and len(value) > limit:
        value = value[:limit]
    return value


def name_key(name: str) -> str:
    return " ".join(_NOT_IN_NAMES.sub("", _INVISIBLE.sub("", unicodedata.normalize("NFC", name))).casefold().split())


def compact_key(name: str) -> str:
    """A name's search key without any spaces: `부산 베이커리` and `부산베이커리` (and `Acme Shop`, `acmeshop`)
    are one key, so either spelling finds the other."""
    return "".join(name_key(name).split())


def like_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def domain_of(value: str | None) -> str | None:
    if not value:
        return None
    v = value.strip().lower()
    v = re.sub(r"^[a-z]+://", "", v).split("/")[0].removeprefix("www.")
    return v or None
