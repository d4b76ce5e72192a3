"""The bot's long-lived services: the database, the clock, the settings, and the stop signal."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from bot.settings import Settings
from store.clock import Clock
from store.db import Database


@dataclass
class Crm:
    db: Database
    clock: Clock
    settings: Settings
    stopping: threading.Event = field(default_factory=threading.Event)  # set on SIGTERM/SIGINT
