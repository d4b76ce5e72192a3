"""The catalogs are complete: every user-facing string is in them, every entry is translated, placeholders survive
translation, the compiled .mo files are the .po files, and the built-in vocabulary has a label in both languages."""

from __future__ import annotations

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bot import i18n
from bot.i18n import ngettext, speaking
from bot.labels import BUILT_IN, label
from store import vocabulary
from store.services.reports import routing_figures, sources
from tests import i18n_scan

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
FIELD = re.compile(r"\{([a-z_0-9]*)[^}]*\}")


def _catalog(lang: str):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


def _code_messages() -> set[tuple[str | None, str]]:
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT), method_map=[("bot/**.py", "python"), ("scheduler/**.py", "python")], keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def _entries(lang: str) -> dict[tuple[str | None, str], object]:
    return {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id): m for m in _catalog(lang) if m.id}


def test_no_user_facing_english_is_left_outside_the_catalog():
    left = [(str(p.relative_to(ROOT)), line, text) for p in i18n_scan.user_facing_files()
            for line, text in i18n_scan.scan(p)]
    assert left == [], "\n".join(f"{p}:{n}: {t!r}" for p, n, t in left[:40])


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_message_of_the_code_is_in_the_catalog_and_nothing_else(lang):
    code, catalog = _code_messages(), set(_entries(lang))
    assert code - catalog == set(), f"run python scripts/catalogs.py: {sorted(code - catalog)[:10]}"
    assert catalog - code == set(), f"entries no code uses: {sorted(catalog - code)[:10]}"


def test_every_korean_entry_is_translated_and_keeps_its_placeholders():
    untranslated, broken = [], []
    for key, m in _entries("ko").items():
        strings = m.string if isinstance(m.string, (list, tuple)) else (m.string,)
        if m.fuzzy or not all(strings):
            untranslated.append(key[1])
            continue
        ids = m.id if isinstance(m.id, (list, tuple)) else (m.id,)
        wanted = set(FIELD.findall(ids[0]))
        for s in strings:
            if set(FIELD.findall(s)) != wanted:
                broken.append((key[1], s))
    assert untranslated == [], untranslated[:20]
    assert broken == [], broken[:10]


def test_english_is_the_code_itself():
    for key, m in _entries("en").items():
        assert m.string == (tuple(m.id) if isinstance(m.id, (list, tuple)) else m.id) and not m.fuzzy, key


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_the_compiled_catalog_is_the_po_file(lang):
    """scripts/catalogs.py compiles; a .po edited without compiling would silently not be used."""
    buf = io.BytesIO()
    write_mo(buf, _catalog(lang))
    buf.seek(0)
    fresh = gettext.GNUTranslations(buf)._catalog  # type: ignore[attr-defined]
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        shipped = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    assert fresh == shipped


def test_plural_forms_follow_each_language():
    with speaking("en"):
        assert ngettext("{n} day", "{n} days", 1).format(n=1) == "1 day"
        assert ngettext("{n} day", "{n} days", 3).format(n=3) == "3 days"
    with speaking("ko"):
        assert ngettext("{n} day", "{n} days", 1).format(n=1) == ngettext("{n} day", "{n} days", 3).format(n=1)
    assert _catalog("ko").num_plurals == 1 and _catalog("en").num_plurals == 2


def test_the_built_in_vocabulary_has_a_label_in_both_languages():
    words = {w for t in vocabulary.TEMPLATES.values() for row in t for w in (row[0], row[1])}
    words |= set(vocabulary.ACTIVITY_KINDS) | set(vocabulary.OUTCOMES) | set(vocabulary.SEGMENTS)
    words |= set(vocabulary.SOURCES) | set(vocabulary.ON_BREACH.values()) | set(vocabulary.LOST_REASONS)
    words |= {s[0] for s in vocabulary.DEAL_STAGES} | set(vocabulary.DEAL_KINDS.values())
    words |= set(vocabulary.ORG_TYPES) | set(vocabulary.AUTHORITY.values())
    words |= {w for pair in vocabulary.RELATIONS.values() for w in pair}
    words |= {sources.NO_SOURCE, routing_figures.NO_QUEUE}
    assert words - BUILT_IN == set()
    with speaking("ko"):
        for word in words:
            assert label(word) != word or word in ("SMB", "SLA"), word
        # a status is shown by the Korean name `/lead status 부산 검토중` accepts
        for status, names in vocabulary.KOREAN_STATUS_NAMES.items():
            assert label(status) in names, status
    with speaking("en"):
        assert all(label(w) == w for w in words)
        assert label("My own status") == "My own status"


_MARKED = re.compile(r"\*[^*\n]+?\*")


def test_korean_bold_is_not_glued_to_hangul():
    """Slack formats `*bold*` only between non-word characters, and Hangul is a word character: `*전환*으로`
    shows its asterisks. A zero-width space (U+200B) keeps the particle attached to the eye and apart to Slack."""
    glued = []
    for key, m in _entries("ko").items():
        for s in m.string if isinstance(m.string, (list, tuple)) else (m.string,):
            for hit in _MARKED.finditer(s):
                before = s[hit.start() - 1] if hit.start() else " "
                after = s[hit.end()] if hit.end() < len(s) else " "
                if re.match(r"[가-힣]", before) or re.match(r"[가-힣]", after):
                    glued.append((key[1], s))
    assert glued == [], glued[:5]
