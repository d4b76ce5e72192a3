"""Routing tests configure queues as U1, a workspace admin (services refuse routing changes to others)."""

import pytest

from store.services import members


@pytest.fixture(autouse=True)
def u1_is_admin(db, clock):
    members.save_member(db, clock, "T1", "U1", name="alice", tz="Europe/Berlin", is_admin=True)
