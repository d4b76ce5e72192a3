"""A modal's way back to the person: the response_url of the command or shortcut that opened it, kept here, in
the process, under a random key; the modal's private_metadata carries only that key. Slack signs what comes back,
but a URL that went out and came back is not trusted: only a key is, and a key finds only what this process
stored, from a request's own payload, checked to be Slack's (bot.context.slack_hook).

A submission that reaches another replica (or comes after a restart, or after the hour a response_url lives)
finds nothing, and the answer goes as an ephemeral where the person is instead.
"""

from __future__ import annotations

import secrets
import threading
import time

TTL = 30 * 60.0  # Slack's response_urls take answers for 30 minutes
_urls: dict[str, tuple[float, str]] = {}
_lock = threading.Lock()


def remember(url: str | None) -> str | None:
    if not url:
        return None
    key = secrets.token_urlsafe(12)
    now = time.monotonic()
    with _lock:
        if len(_urls) > 10_000:  # an hour of modals is far fewer: drop what has expired
            for k in [k for k, (at, _u) in _urls.items() if now - at > TTL]:
                del _urls[k]
        _urls[key] = (now, url)
    return key


def recall(key: str | None) -> str | None:
    if not key:
        return None
    with _lock:
        found = _urls.get(key)
    if found is None or time.monotonic() - found[0] > TTL:
        return None
    return found[1]
