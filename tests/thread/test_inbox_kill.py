"""Proof by killing (issue 15): 2,000 signed thread replies while `python app.py` is SIGKILLed twice at random
moments and started again; every reply Slack saw acknowledged is stored exactly once, on SQLite and (with
TEST_DATABASE_URL) PostgreSQL. bench/inbox_kill.py runs the same with larger numbers."""

from __future__ import annotations

import os

import pytest

from bench.inbox_kill import run
from tests.conftest import BACKENDS, scratch_database


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_acknowledged_reply_survives_two_kills(backend, tmp_path):
    if backend == "sqlite":
        outcome = run(None, replies=2000, kills=2, workdir=tmp_path)
    else:
        with scratch_database(os.environ["TEST_DATABASE_URL"]) as url:
            outcome = run(url, replies=2000, kills=2, workdir=tmp_path)
    assert len(outcome.kills) == 2
    assert outcome.lost == [], f"{len(outcome.lost)} acknowledged replies were never stored"
    assert outcome.doubled == [], f"{len(outcome.doubled)} replies were stored twice"
    assert len(outcome.acked) == 2000 and sum(outcome.stored.values()) == 2000  # after Slack's retries too
