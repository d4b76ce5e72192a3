"""The message catalogs, managed with Babel: `python scripts/catalogs.py` extracts the messages from the code,
updates bot/locale/{en,ko}/LC_MESSAGES/messages.po, copies English msgids into the English catalog (the code is
written in English) and compiles the .mo files the bot loads. Translate what `check` lists, then run it again.

    python scripts/catalogs.py            # extract, update, fill English, compile
    python scripts/catalogs.py check      # list untranslated or fuzzy Korean entries (exit 1 if any)
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "bot" / "locale"
POT = LOCALE / "messages.pot"
LANGUAGES = ("en", "ko")


def pybabel(*args: str) -> None:
    CommandLineInterface().run(["pybabel", "-q", *args])


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "messages.po"


def extract() -> None:
    pybabel("extract", "-F", str(ROOT / "babel.cfg"), "-o", str(POT), "--no-location", "--sort-output",
            "--project", "slack-crm-bot", "--copyright-holder", "slack-crm-bot", "-k", "N_", "-k", "ngettext:1,2",
            "-k", "pgettext:1c,2", str(ROOT))


def update() -> None:
    for lang in LANGUAGES:
        if po_path(lang).exists():
            pybabel("update", "-i", str(POT), "-d", str(LOCALE), "-l", lang, "--no-fuzzy-matching",
                    "--ignore-obsolete")
        else:
            pybabel("init", "-i", str(POT), "-d", str(LOCALE), "-l", lang)


def fill_english() -> None:
    """English is the source language: each msgstr is its msgid (both plural forms)."""
    path = po_path("en")
    with path.open("rb") as f:
        catalog = read_po(f, locale="en")
    for message in catalog:
        if not message.id:
            continue
        message.string = tuple(message.id) if isinstance(message.id, (list, tuple)) else message.id
        message.flags.discard("fuzzy")
    with path.open("wb") as f:
        write_po(f, catalog, omit_header=False, sort_output=True, width=116)


def compile_all() -> None:
    pybabel("compile", "-d", str(LOCALE), "--statistics")


def missing(lang: str = "ko") -> list[str]:
    with po_path(lang).open("rb") as f:
        catalog = read_po(f, locale=lang)
    out = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else (message.string,)
        if message.fuzzy or not all(strings):
            out.append(message.id if isinstance(message.id, str) else message.id[0])
    return out


def main(argv: list[str]) -> int:
    if argv[:1] == ["check"]:
        todo = missing()
        for msgid in todo:
            print(msgid)
        print(f"{len(todo)} Korean entries to translate", file=sys.stderr)
        return 1 if todo else 0
    extract()
    update()
    fill_english()
    compile_all()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
