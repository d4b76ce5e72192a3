"""The installation cache (bot/installations.CachedInstallationStore): a workspace in use is read again ahead of
its cached bot's end, in the background, so no request waits for the database; an expired or forgotten one is
read at once, as before."""

from __future__ import annotations

import threading

from slack_sdk.oauth.installation_store import Bot

import pytest

from bot import installations
from bot.installations import REFRESH_AHEAD, CachedInstallationStore


@pytest.fixture(autouse=True)
def _no_jitter(monkeypatch):
    monkeypatch.setattr(installations.random, "random", lambda: 0.0)  # each bot cached for exactly its TTL


class Reader:
    """A database stand-in: counts reads, and can hold them until released."""

    def __init__(self) -> None:
        self.token, self.reads, self.logger = "xoxb-1", 0, None
        self.hold = threading.Event()
        self.hold.set()
        self.started, self.done = threading.Event(), threading.Event()

    def find_bot(self, *, enterprise_id, team_id, is_enterprise_install=False):
        self.started.set()
        self.hold.wait(10)
        self.reads += 1
        bot = Bot(team_id=team_id, bot_token=self.token, bot_id="B1", bot_user_id="UB", installed_at=0.0)
        self.done.set()
        return bot


def _store(reader: Reader, now: list[float]) -> CachedInstallationStore:
    return CachedInstallationStore(reader, reader=reader, ttl=100.0, clock=lambda: now[0])  # type: ignore[arg-type]


def _find(store: CachedInstallationStore) -> Bot:
    bot = store.find_bot(enterprise_id=None, team_id="TA")
    assert bot is not None
    return bot


def test_a_bot_in_use_is_read_again_ahead_of_its_end_without_the_request_waiting():
    reader, now = Reader(), [0.0]
    store = _store(reader, now)
    assert _find(store).bot_token == "xoxb-1" and reader.reads == 1
    now[0] = 100 * (1 - REFRESH_AHEAD) - 1  # before its last quarter: the cache only
    _find(store)
    assert reader.reads == 1

    reader.token = "xoxb-2"  # rotated by another replica
    reader.hold.clear()
    reader.started.clear()
    reader.done.clear()
    now[0] = 100 * (1 - REFRESH_AHEAD) + 1  # within its last quarter
    assert _find(store).bot_token == "xoxb-1"  # answered from the cache while the database is held
    assert reader.started.wait(5)  # the read ahead has begun in the background
    _find(store)  # a second look-up meanwhile does not queue a second read
    reader.hold.set()
    assert reader.done.wait(5)
    for _ in range(100):
        if _find(store).bot_token == "xoxb-2":
            break
        threading.Event().wait(0.01)
    assert _find(store).bot_token == "xoxb-2" and reader.reads == 2


def test_an_expired_bot_is_read_at_once():
    reader, now = Reader(), [0.0]
    store = _store(reader, now)
    _find(store)
    reader.token = "xoxb-2"
    now[0] = 101.0  # past its time: nobody looked it up in its last stretch
    assert _find(store).bot_token == "xoxb-2" and reader.reads == 2


def test_a_read_ahead_begun_before_a_save_is_not_kept():
    reader, now = Reader(), [0.0]
    store = _store(reader, now)
    _find(store)
    reader.hold.clear()
    reader.done.clear()
    now[0] = 99.0
    _find(store)  # the read ahead starts, and is held with the old token
    assert reader.started.wait(5)
    store.forget(None, "TA")  # a reinstall saved a new token meanwhile
    reader.hold.set()
    assert reader.done.wait(5)
    for _ in range(50):  # the read-ahead's thread has finished with the stale bot
        if not store._queued:  # noqa: SLF001
            break
        threading.Event().wait(0.01)
    reader.token = "xoxb-3"
    assert _find(store).bot_token == "xoxb-3"  # read at once: the stale read-ahead was not kept
