"""Expiry times for in-process caches, spread out: entries filled in the same burst (a restart, the first
minute of a busy morning) must not all expire in the same instant and be read again by one burst of requests."""

from __future__ import annotations

import random
import time


def expiry(seconds: float, *, spread: float = 0.3) -> float:
    """A monotonic deadline between (1 − spread) × seconds and seconds from now."""
    return time.monotonic() + seconds * (1 - spread * random.random())


def fresh(deadline: float) -> bool:
    return time.monotonic() < deadline
