"""The answer leaves when the listener acks, not at Bolt's next 10 ms look (bot/ack_first.AckSignal).

Synchronised with events, not timed: a listener that has acked and is still at work must not hold back the HTTP
answer; one that never acks releases its request when it ends; an event (acked by Bolt first) never waits."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from slack_bolt import Ack, BoltContext

from bot.ack_first import AckSignal, YieldingAck, serving


def _context(acked: bool = False) -> BoltContext:
    context = BoltContext()
    context["ack"] = Ack()
    if acked:
        context.ack()
    return context


def test_submit_returns_at_the_ack_while_the_listener_works_on():
    pool = AckSignal(ThreadPoolExecutor(2), wait=60)  # without the ack's signal, `submit` would wait 5 s
    context, release, finished = _context(), threading.Event(), threading.Event()

    def listener():
        YieldingAck(context.ack, None)()
        release.wait(5)  # the work after the ack (a query, views.open)
        finished.set()

    with serving(context):
        future = pool.submit(listener)
    assert context.ack.response is not None  # Bolt's first look finds the answer
    assert not finished.is_set() and not future.done()
    release.set()
    future.result(10)
    pool.shutdown()


def test_a_listener_that_never_acks_releases_its_request_when_it_ends():
    pool = AckSignal(ThreadPoolExecutor(2))
    context = _context()
    with serving(context):
        future = pool.submit(lambda: None)
    assert future.result(1) is None
    assert context.ack.response is None  # Bolt then reports the missing ack, as it always did
    pool.shutdown()


def test_an_error_before_the_ack_releases_its_request():
    pool = AckSignal(ThreadPoolExecutor(2))
    context = _context()

    def broken():
        raise RuntimeError("boom")

    with serving(context):
        future = pool.submit(broken)
    assert isinstance(future.exception(1), RuntimeError)
    pool.shutdown()


def test_an_acked_event_and_work_from_elsewhere_do_not_wait():
    pool = AckSignal(ThreadPoolExecutor(2))
    release = threading.Event()
    with serving(_context(acked=True)):  # Bolt acks events before handing them over
        first = pool.submit(release.wait, 10)
    second = pool.submit(release.wait, 10)  # not within a dispatch (a sweep's own work)
    assert not first.done() and not second.done()
    release.set()
    assert first.result(10) and second.result(10)
    pool.shutdown()


def test_commands_through_the_app_answer_before_their_work_ends(bot, fake):
    """The real app: `/lead update` is answered while its modal is still being opened (the listener is held
    in `views.open` until the answer has been read)."""
    fake.latency = 0.0
    gate = threading.Event()
    original = fake._api

    def slow_views_open(method, args, **kw):
        if method == "views.open":
            gate.wait(10)
        return original(method, args, **kw)

    fake._api = slow_views_open
    try:
        bot.command('new "Shop 01"')
        r = bot.command('update "Shop 01"', wait=False)
        assert r.status == 200 and not fake.of("views.open")  # answered; the modal not yet opened
        assert r.elapsed < 2.0  # not held until Bolt gives up on the ack (3 s): the ack itself let it go
    finally:
        gate.set()
        fake._api = original
    bot.executor.wait_idle()
    assert len(fake.of("views.open")) == 1


def test_work_after_an_ack_waits_for_a_burst_to_stop_arriving():
    """The first of a burst answered must not start its modal while the rest still come in (`QUIET`)."""
    import time

    from bot.ack_first import AckFirst

    gate = AckFirst(max_yield=5.0, quiet=0.2)
    gate.answered(gate.arrived())
    started = time.monotonic()
    gate.yield_to_pending()
    assert time.monotonic() - started >= 0.15  # nothing pending, but the newest arrival is fresh

    calm = AckFirst(max_yield=5.0, quiet=0.0)
    calm.answered(calm.arrived())
    started = time.monotonic()
    calm.yield_to_pending()
    assert time.monotonic() - started < 1.0

    gate.answered(gate.arrived())  # the edge's dispatch waits its own, shorter quiet (bot/edge.DISPATCH_QUIET)
    started = time.monotonic()
    gate.yield_to_pending(quiet=0.0)
    assert time.monotonic() - started < 0.15


def test_a_listener_waited_for_starts_on_the_reserve_when_the_pool_is_busy():
    """Every pool worker busy with work after an ack (held in `views.open`, yielding to the requests still
    waiting): a request's listener must not queue behind it, or that request waits until the work ends."""
    pool = AckSignal(ThreadPoolExecutor(1), wait=2, size=1, reserve=ThreadPoolExecutor(1), reserve_size=1)
    release = threading.Event()

    def acks_then_works(context):
        def listener():
            YieldingAck(context.ack, None)()
            return release.wait(30)  # the work after its ack
        return listener

    busy = pool.submit(release.wait, 30)  # the pool's one worker
    first = _context()
    with serving(first):
        on_reserve = pool.submit(acks_then_works(first))
    assert first.ack.response is not None  # acked on the reserve, while the pool's worker is still busy
    assert not busy.done() and not on_reserve.done()

    second, queued = _context(), threading.Event()  # the reserve busy as well: no thread beyond the bound

    def request():
        with serving(second):
            pool.submit(acks_then_works(second))
        queued.set()

    threading.Thread(target=request, daemon=True).start()
    assert not queued.wait(0.3) and second.ack.response is None  # it queues on the pool
    release.set()
    assert queued.wait(10) and second.ack.response is not None
    assert busy.result(10) and on_reserve.result(10)
    pool.shutdown()


def test_events_never_take_the_reserve():
    pool = AckSignal(ThreadPoolExecutor(1), size=1, reserve=ThreadPoolExecutor(1), reserve_size=1)
    release = threading.Event()
    first = pool.submit(release.wait, 30)
    with serving(_context(acked=True)):
        second = pool.submit(release.wait, 30)  # queued on the pool behind `first`
    assert pool._busy == [2, 0]  # noqa: SLF001
    release.set()
    assert first.result(10) and second.result(10)
    pool.shutdown()
