"""Slash commands acked at the edge (bot/edge.py, issue 13's ack p99): `/lead <verb>` is answered as soon as its
inbox row is written, its work follows the ack, what Bolt would have said in the ack reaches the response_url,
a burst beyond the dispatch slots waits for its ack instead of queueing without bound, and a crash between the
ack and the dispatch is replayed by the sweep."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import func, select

from bot import context as context_module
from bot import edge
from bot.ack_first import AckFirst
from bot.edge import EdgeAck, command_of
from scheduler import jobs
from store.models import InboxEntry, Lead, Organization
from store.services import inbox
from store.services.inbox import Received


def _rows(db, kind="command") -> list[InboxEntry]:
    with db.read() as s:
        return list(s.scalars(select(InboxEntry).where(InboxEntry.kind == kind).order_by(InboxEntry.id)))


def _leads(db, name: str) -> int:
    with db.read() as s:
        return s.scalar(select(func.count()).select_from(Lead)
                        .join(Organization, Organization.id == Lead.organization_id).where(Organization.name == name))


def test_the_ack_leaves_once_the_command_is_stored_and_the_modal_opens_after_it(bot, fake, db, monkeypatch):
    bot.command("new Edge Shop")
    fake.clear()
    go, dispatched = threading.Event(), []
    real = bot.app.dispatch

    def held_back(req):  # the worker's dispatch waits until the test has looked at the ack
        go.wait(5)
        dispatched.append(time.perf_counter())
        return real(req)

    monkeypatch.setattr(bot.app, "dispatch", held_back)
    r = bot.command('update "Edge Shop"', wait=False)
    acked = time.perf_counter()
    assert (r.status, r.raw) == (200, b"")  # nothing in the ack: the modal is the answer
    [row] = [x for x in _rows(db) if "update" in x.body]
    assert row.state == "sending" and row.team_id == "T1"  # stored before the ack left, not yet done
    assert not fake.of("views.open")
    go.set()
    bot.executor.wait_idle()
    [opened] = fake.of("views.open")
    assert opened["view"]["title"]["text"] and dispatched[0] >= acked
    bot.crm.marks.flush()
    assert [x.state for x in _rows(db) if x.id == row.id] == ["done"]


def test_help_and_unknown_words_are_still_answered_in_the_ack_and_store_nothing(bot, fake, db):
    for text in ("help", "", "frobnicate acme"):
        r = bot.command(text)
        assert r.status == 200 and "/lead" in r.text, (text, r.text)
    assert not fake.calls and not bot.fake.responses
    assert command_of("application/x-www-form-urlencoded", "command=%2Flead&team_id=T1&text=help") is None
    assert command_of("application/x-www-form-urlencoded", "command=%2Flead&team_id=T1&text=new+A") is not None
    assert command_of("application/json", '{"command": "/lead", "text": "new A"}') is None


def test_a_workspace_bolt_has_no_installation_for_is_told_to_reinstall_and_its_row_is_closed(oauth, db, fake):
    oauth.install("TA", "U1")
    stranger = oauth.for_team("TZ")
    r = stranger.command("new Nowhere Shop", user="UZ")
    assert (r.status, r.raw) == (200, b"")
    [answer] = stranger.replies()  # Bolt's own answer, once, to the response_url
    assert "reinstall this app" in answer["text"]
    assert _leads(db, "Nowhere Shop") == 0
    [row] = [x for x in _rows(db) if x.team_id == "TZ"]
    assert row.state == "done"  # no listener will ever mark it, so the edge did: the sweep won't replay it


def test_what_bolt_would_have_acked_reaches_the_response_url_and_the_sweep_tries_again(bot, fake, db, clock,
                                                                                       monkeypatch):
    def broken(**_kwargs):
        raise RuntimeError("the profile cache is away")

    monkeypatch.setattr(context_module, "Req", broken)  # a middleware fails before any listener ran
    r = bot.command("new Hiccup Shop")
    assert (r.status, r.raw) == (200, b"")
    [answer] = bot.replies()
    assert answer["response_type"] == "ephemeral" and answer["text"].startswith("Sorry, something went wrong")
    assert _leads(db, "Hiccup Shop") == 0
    [row] = [x for x in _rows(db) if "Hiccup" in x.body]
    assert row.state == "sending"  # left for the sweep, as an unexpected error is
    monkeypatch.undo()
    clock.advance(seconds=inbox.QUEUE.lease.total_seconds() + 1)
    assert jobs.replay_inbox(bot.crm) == 1
    bot.executor.wait_idle()
    assert _leads(db, "Hiccup Shop") == 1


def test_a_crash_between_the_ack_and_the_dispatch_is_replayed_by_the_sweep(bot, fake, db, clock, monkeypatch):
    class Died:  # the process died right after the ack: the dispatch never ran
        def submit(self, *args, **kwargs):
            return Future()

    monkeypatch.setattr(bot.edge, "pool", Died())
    r = bot.command("new Crash Shop")
    assert (r.status, r.raw) == (200, b"") and _leads(db, "Crash Shop") == 0
    [row] = [x for x in _rows(db) if "Crash" in x.body]
    assert row.state == "sending"
    assert jobs.replay_inbox(bot.crm) == 0  # a fresh claim: its process may still be at work
    clock.advance(seconds=inbox.QUEUE.lease.total_seconds() + 1)
    assert jobs.replay_inbox(bot.crm) == 1
    bot.executor.wait_idle()
    assert _leads(db, "Crash Shop") == 1
    assert "Crash Shop" in bot.last_reply_text()
    bot.crm.marks.flush()
    assert [x.state for x in _rows(db) if x.id == row.id] == ["done"]
    clock.advance(seconds=60)
    assert jobs.replay_inbox(bot.crm) == 0 and _leads(db, "Crash Shop") == 1


class _Receiver:
    def submit(self, **values) -> Future:
        done: Future = Future()
        done.set_result(Received(values["key"], "token"))
        return done


class _App:
    """Bolt's app as the edge sees it: a dispatch that blocks until released (a listener not yet acked)."""

    def __init__(self) -> None:
        self.release, self.seen = threading.Event(), []
        self.client = type("Client", (), {"base_url": "https://slack.com/api/"})()

    def dispatch(self, req):
        self.seen.append(req.context["inbox_held"].key)
        self.release.wait(5)
        return type("Resp", (), {"status": 200, "body": ""})()


def test_a_burst_beyond_the_dispatch_slots_waits_for_its_ack_then_goes_on(monkeypatch):
    monkeypatch.setattr(edge, "SLOT_WAIT", 0.2)
    app, pool = _App(), ThreadPoolExecutor(4)
    crm = type("Crm", (), {"db": None, "clock": None})()
    front = EdgeAck(app, crm, AckFirst(max_yield=0), _Receiver(), pool, slots=1)  # type: ignore[arg-type]
    headers = {"x-slack-request-timestamp": "1", "content-type": "application/x-www-form-urlencoded"}
    form = {"command": "/lead", "team_id": "T1", "text": "new A"}
    started = time.perf_counter()
    assert front.take(form, "command=%2Flead&text=new+A", headers)
    first = time.perf_counter() - started
    assert front.take(form, "command=%2Flead&text=new+B", headers)  # the one slot is held: it waits, then goes on
    second = time.perf_counter() - started - first
    assert first < 0.1 and 0.2 <= second < 1.0, (first, second)
    app.release.set()
    pool.shutdown(wait=True)
    assert len(app.seen) == 2 and len(set(app.seen)) == 2
    assert front.slots.acquire(timeout=0)  # the slot came back (the one taken without a slot gave nothing back)
    front.slots.release()
