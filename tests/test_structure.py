"""The house rules the code relies on: one verb table, every store error worded, one direction of imports."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.commands import verbs
from bot.views.help import help_message, mention_help
from bot.wording import MESSAGES, say
from store.errors import Invalid

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_every_verb_word_is_its_own_and_help_and_mentions_come_from_the_table():
    words = [w for v in verbs.VERBS for w in v.words]
    assert len(words) == len(set(words)), "a word names two verbs"
    for v in verbs.VERBS:
        for w in v.words:
            assert verbs.lookup(w.upper()) is v
        if v.name != "help":  # help is answered inside the ack itself
            assert (v.run is None) == (v.prepare is not None and v.act is not None), v.name
        assert not (v.replay or v.in_thread) or v.act is not None, v.name
    text, blocks = help_message(None, verbs.HELP_LINES, verbs.HELP_NAMES)
    shown = str([b.to_dict() for b in blocks])
    assert all(f"/lead {v.usage}" in shown for v in verbs.VERBS if v.in_help)
    assert all(v.name in text for v in verbs.VERBS)
    thread_words = {v.name for v in verbs.VERBS if v.in_thread}
    assert thread_words == {"log", "status", "assign", "followup", "show", "won", "lost", "churned"}
    assert verbs.lookup("new", in_thread=True) is None and verbs.lookup("fu", in_thread=True).name == "followup"
    assert "`log <text>`" in mention_help(verbs.THREAD_USAGES)


def test_every_error_code_the_store_raises_has_wording():
    raised = set()
    for path in (ROOT / "store").rglob("*.py"):
        raised |= set(re.findall(r"\b(?:Invalid|NotFound|Duplicate)\(\s*\"([a-z_]+)\"", path.read_text()))
    assert raised, "no error codes found: the pattern is out of date"
    assert sorted(raised - set(MESSAGES)) == []
    assert say(Invalid("email_invalid", field="email", email="x@")) == "“x@” is not an e-mail address."
    assert "Only managers and workspace admins can change" in say(Invalid("not_manager", what="settings"))


def test_imports_run_one_way():
    for path in (ROOT / "store").rglob("*.py"):
        assert not {n for n in _imports(path) if n.startswith(("slack_", "bot", "scheduler"))}, path
    for path in (ROOT / "bot" / "views").glob("*.py"):
        assert not {n for n in _imports(path) if n.startswith(("store.services", "store.db", "store.models"))}, path
    for path in (ROOT / "bot").rglob("*.py"):
        assert not {n for n in _imports(path) if n.startswith(("scheduler", "app"))}, path
