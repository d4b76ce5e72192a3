"""Finds user-facing English left out of the catalog: string literals in the bot's code that read like words
for a person and are not inside `_()`, `N_()`, `ngettext()` or `pgettext()`.

`python -m tests.i18n_scan [FILE…]` lists them (all of bot/ by default); tests/test_catalog.py fails on any.
What is not for people is skipped: docstrings, `label()`'s built-in words (bot/labels.py), log and warning
calls, exceptions for operators, identifiers
(`plain_text`, `lead_update`), dictionary keys and `.get()` names, comparisons, and any line ending in
`# not translated: <why>`.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MARKERS = {"_", "N_", "ngettext", "pgettext"}
# Modules whose text is for operators, browsers or machines, not for people in Slack.
NOT_FOR_PEOPLE = {
    "bot/ids.py", "bot/settings.py", "bot/server.py", "bot/oauth.py", "bot/inbox.py", "bot/i18n.py",
    "bot/intake.py", "bot/ack_first.py", "bot/installations.py", "bot/metadata.py", "bot/app_factory.py",
}
QUIET_CALLS = {"get", "pop", "setdefault", "startswith", "endswith", "split", "getLogger", "strftime", "replace",
               "isinstance", "compile", "match", "fullmatch", "search", "sub", "findall", "finditer", "label", "use"}
LOG_CALLS = {"debug", "info", "warning", "error", "exception", "critical", "warn"}
QUIET_KWARGS = {"action_id", "block_id", "callback_id", "style", "type", "url", "channel", "value", "name",
                "initial_value", "initial_option", "emoji", "format", "dispatch_action", "unfurl_links",
                "filename", "filetype", "response_type", "response_action", "image_url", "alt_text_key"}
OPERATOR_ERRORS = {"RuntimeError", "ValueError", "TypeError", "KeyError", "AssertionError", "SystemExit",
                   "NotImplementedError", "LookupError"}
_WORDS = re.compile(r"[A-Za-z]{2,}")
_IDENT = re.compile(r"^[a-z0-9_.:/#@%*-]*$")  # lead_update, plain_text, chat.postMessage, :emoji:
_CAPITAL = re.compile(r"^\W*[A-Z][a-z]+")
_OPT_OUT = re.compile(r"#\s*not translated:")


def reads_as_words(text: str) -> bool:
    stripped = re.sub(r"<[^>]*>|:[a-z0-9_+-]+:|`[^`]*`|\{[^}]*\}|https?://\S+|/lead\b", " ", text)
    if not _WORDS.search(stripped):
        return False
    if _IDENT.match(text.strip()):
        return False
    return bool(re.search(r"[A-Za-z]{2,}\s+[A-Za-z]", stripped) or _CAPITAL.match(stripped.strip()))


class _Scan(ast.NodeVisitor):
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.skip: set[int] = set()
        self.found: list[tuple[int, str]] = []

    def _mute(self, node: ast.AST) -> None:
        for sub in ast.walk(node):
            self.skip.add(id(sub))

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                self._mute(body[0])
        if isinstance(node, ast.Call):
            self._call(node)
        if isinstance(node, ast.Compare):
            self._mute(node)
        if isinstance(node, ast.Subscript):
            self._mute(node.slice)
        if isinstance(node, ast.Dict):
            for key in node.keys:
                if key is not None:
                    self._mute(key)
        if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            func = node.exc.func
            if isinstance(func, ast.Name) and func.id in OPERATOR_ERRORS:
                self._mute(node)
        if isinstance(node, ast.JoinedStr):  # Babel reads an f-string as one token: a message inside is lost
            for sub in ast.walk(node):
                if (isinstance(sub, ast.Call) and getattr(sub.func, "id", None) in MARKERS and sub.args
                        and isinstance(sub.args[0], ast.Constant)):
                    self.found.append((sub.lineno, "a message inside an f-string (pybabel can't extract it)"))
        if isinstance(node, (ast.Constant, ast.JoinedStr)) and id(node) not in self.skip:
            self._literal(node)
            self._mute(node)
        super().generic_visit(node)

    def _call(self, node: ast.Call) -> None:
        func = node.func
        name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if name in MARKERS:
            for arg in node.args:
                if isinstance(arg, (ast.JoinedStr, ast.BinOp)):  # _(f"…") can never be in the catalog
                    self.found.append((node.lineno, f"{name}() of a string built at run time"))
                self._mute(arg)
        elif name in LOG_CALLS or name in QUIET_CALLS:
            self._mute(node)
        for kw in node.keywords:
            if kw.arg in QUIET_KWARGS:
                self._mute(kw.value)

    def _literal(self, node: ast.AST) -> None:
        line = self.lines[node.lineno - 1] if node.lineno <= len(self.lines) else ""
        if _OPT_OUT.search(line):
            return
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.JoinedStr):
            text = "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
        else:
            return
        if reads_as_words(text):
            self.found.append((node.lineno, text[:80]))


def scan(path: Path) -> list[tuple[int, str]]:
    source = path.read_text()
    scanner = _Scan(source.splitlines())
    scanner.visit(ast.parse(source))
    return sorted(scanner.found)


def user_facing_files() -> list[Path]:
    files = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "scheduler").rglob("*.py"))
    return [p for p in files if str(p.relative_to(ROOT)) not in NOT_FOR_PEOPLE]


def main(argv: list[str]) -> int:
    files = [Path(a).resolve() for a in argv] or user_facing_files()
    total = 0
    for path in files:
        for lineno, text in scan(path):
            print(f"{path.relative_to(ROOT)}:{lineno}: {text!r}")
            total += 1
    print(f"{total} untranslated", file=sys.stderr)
    return 1 if total else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
