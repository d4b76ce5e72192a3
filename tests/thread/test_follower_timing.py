"""Followers hear when their minute ends (issue 14.3): the notifier loop sleeps until the earliest owed DM
falls due, read from the database, not until its next period, so a batched follower DM is not 60–120 s late
with the default CRM_SWEEP_SECONDS=60. Real time here (the batch shortened to one second): the loop itself
is what is tested."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.notifier import NotifierLoop
from scheduler import build_notifier
from store.clock import SystemClock
from store.services import followers
from tests.slack_driver import message_text
from tests.sweeps.helpers import dms
from tests.thread.test_thread_history import _lead


@pytest.fixture
def clock():
    return SystemClock()


def test_a_follower_dm_goes_when_its_batch_ends_not_at_the_next_period(bot, fake, db, monkeypatch):
    monkeypatch.setattr(followers, "BATCH", timedelta(seconds=1))
    _lead(bot, db)
    card = fake.of("chat.postMessage")[0]
    bot.click(card, "Follow", user="U3")
    loop = NotifierLoop(bot.crm, build_notifier(bot.crm), idle=60)  # the default sweep period
    loop.start()
    try:
        time.sleep(0.3)  # the loop is asleep now, with nothing owed: until its period ends, or a wake
        changed = time.monotonic()  # before the change is sent: it is committed after this, never before
        bot.command("status acme qualifying")
        while not dms(fake, "U3") and time.monotonic() - changed < 10:
            time.sleep(0.05)
        took = time.monotonic() - changed
    finally:
        bot.crm.stopping.set()
        bot.crm.wake.set()
        loop.join(5)
    [dm] = dms(fake, "U3")
    assert "to *Qualifying*" in message_text(dm)
    # the batch ends 1 s after the change's commit, which comes after `changed`: never sooner than that
    assert 0.95 <= took < 3, f"the follower heard after {took:.2f} s (batch 1 s, period 60 s)"
