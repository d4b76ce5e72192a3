"""The bot's long-lived services: the database, the clock, the settings, which token speaks for which
workspace, the stop signal, and the bell that wakes the notifier when a listener has just queued something
for it (a Home refresh)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field

from bot.settings import Settings
from bot.workspaces import Workspaces
from store.clock import Clock
from store.db import Database


@dataclass
class Crm:
    db: Database
    clock: Clock
    settings: Settings
    workspaces: Workspaces
    stopping: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM/SIGINT
    wake: threading.Event = field(default_factory=threading.Event)  # the notifier loop looks at once
    replay: Callable | None = None  # bot/inbox.py's Replayer: a stored request dispatched again (the sweep)
    marks: object | None = None  # bot/inbox.py's Marks: inbox rows marked done in batches
    events: Executor | None = None  # Events API listeners' own threads (bot/errors.py::guarded_event)
    languages: dict = field(default_factory=dict)  # bot/languages.py's cache: (team, user) → language, a minute
