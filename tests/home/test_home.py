"""The App Home through the real bot: what a rep and a manager see, its lists, its buttons, its limits, and
that it is published by the notifier (once per burst of changes), not by listeners."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from scheduler import build_notifier
from store.dto import LeadUpdate
from store.models import FollowUp, Notification
from store.services import followers, updates
from tests.reports.dataset import ALICE, BOB, at, build
from tests.slack_driver import message_text


def publish(bot) -> int:
    """Run the notifier once, as its loop does; how many Home views Slack got."""
    before = len(bot.fake.of("views.publish"))
    build_notifier(bot.crm).deliver_due()
    return len(bot.fake.of("views.publish")) - before


def settle(bot, clock) -> int:
    """Let the pictures follow: the first publish of new figures goes without them; `DELAY` later, with them."""
    clock.advance(seconds=3)
    return publish(bot)


def home_text(bot, user: str) -> str:
    return message_text(bot.fake.homes[user])


def buttons(view: dict) -> list[str]:
    return [el["text"]["text"] for b in view["blocks"] for el in [*(b.get("elements") or []), b.get("accessory") or {}]
            if el.get("type") == "button"]


def _follow_ups(bot, db, clock, ids):
    """Two overdue follow-ups and one later today (11:00 and 14:00 on 27 Nov, report time 12:00 UTC)."""
    for lead, when in (("alpha", at(11, 26, 10)), ("beta", at(11, 27, 11)), ("gamma", at(11, 27, 16))):
        clock.set(when - timedelta(hours=30))
        updates.update_lead(db, clock, "T1", ALICE, LeadUpdate(ids[lead], follow_up_at=when,
                                                                 follow_up_note=f"call {lead} back"))
    clock.set(at(11, 27, 12))


def test_a_reps_home(bot, db, clock, fake):
    ids = build(db, clock)
    fake.add_user(BOB, tz="UTC", name="bob")
    _follow_ups(bot, db, clock, ids)
    followers.toggle(db, clock, "T1", ids["alpha"], BOB)  # bob follows alice's Alpha Shop
    updates.update_lead(db, clock, "T1", ALICE, LeadUpdate(ids["alpha"], activity="Call", outcome="Connected",
                                                           note="they <!channel> want samples"))
    updates.update_lead(db, clock, "T1", BOB, LeadUpdate(ids["alpha"], activity="Note", note="my own note"))
    bot.open_home(BOB)
    assert not fake.of("views.publish"), "the listener never publishes; the notifier does"
    assert publish(bot) == 1
    text = home_text(bot, BOB)
    assert "*Today* · 0 overdue follow-ups · 1 due later today" in text  # gamma is bob's; alpha and beta alice's
    assert "Gamma Shop" in text and "call gamma back" in text
    assert "*Your open leads* · " in text and "Team" not in text
    assert ("*On leads you follow*\n• <@U1> logged *Call · Connected* on *Alpha Shop*: they &lt;!channel&gt; want "
            "samples") in text and "my own note" not in text
    view = fake.homes[BOB]
    assert {"Done", "Snooze", "Log activity"} <= set(buttons(view))
    assert "Potential (1)" in buttons(view)
    assert len(view["blocks"]) <= 100
    # bob's deals: Foxtrot at Proposal, closing this month
    assert "Proposal (60%): 1 deal · ₩3,000,000 · weighted ₩1,800,000" in text
    assert "*Expected to close this month:* 1 deal · ₩3,000,000" in text
    assert not [b for b in view["blocks"] if b["type"] == "image"], "the Home does not wait for its pictures"
    assert len(fake.of("files.completeUploadExternal")) == 2  # drawn and uploaded right after
    assert settle(bot, clock) == 1
    images = [b for b in fake.homes[BOB]["blocks"] if b["type"] == "image"]
    assert len(images) == 2 and all(fake.files[b["slack_file"]["id"]]["complete"] for b in images)
    assert settle(bot, clock) == 0  # nothing new to show: no more publishes
    bot.open_home(BOB)
    assert publish(bot) == 1 and not fake.of("files.getUploadURLExternal")[2:]  # reopened: the same pictures


def test_a_managers_home_has_the_team(bot, db, clock, fake):
    ids = build(db, clock)
    fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    _follow_ups(bot, db, clock, ids)
    bot.open_home(ALICE)
    publish(bot)
    settle(bot, clock)
    text = home_text(bot, ALICE)
    assert "*Today* · 2 overdue follow-ups · 0 due later today" in text  # alpha's yesterday, beta's at 11:00
    assert "*Routed to you* · 1 lead waiting for a first touch" in text and "India Shop" in text  # Golf: touched
    assert "first touch due in 30 min" in text
    assert "Team" in text and "*Pipeline by rep*" in text
    assert f"<@{BOB}>:" in text and "weighted ₩1,800,000" in text
    assert "*First touch this week*" in text
    view = fake.homes[ALICE]
    kinds = [b["type"] for b in view["blocks"]]
    assert kinds.count("image") == 3  # her leads, the team's pipeline, first touch (she has no open deal)
    assert f"<@{ALICE}>: 3 open leads · no open deal · :warning: 2 overdue" in text


def test_500_overdue_follow_ups_stay_within_block_kit(bot, db, clock, fake):
    build(db, clock)
    fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    from store.dto import NewLead
    from store.services import leads
    clock.set(at(11, 20))
    for i in range(500):
        lead = leads.create_lead(db, clock, "T1", ALICE, NewLead(company=f"Shop {i:03d}", owner_id=ALICE),
                                   quiet=True).lead
        updates.update_lead(db, clock, "T1", ALICE, LeadUpdate(lead.id, follow_up_at=at(11, 21, 9) + timedelta(minutes=i)))
    clock.set(at(11, 27, 12))
    bot.open_home(ALICE)
    publish(bot)
    view = fake.homes[ALICE]
    assert len(view["blocks"]) <= 100
    text = home_text(bot, ALICE)
    assert "*Today* · 500 overdue follow-ups" in text and "and 494 more follow-ups due by tonight" in text
    bot.click_in_view(view, "All follow-ups (500)", user=ALICE)
    modal = bot.last_view()
    assert modal["title"]["text"] == "Follow-ups due" and "1–15 of 500" in message_text(modal)
    assert buttons(modal).count("Done") == 15 and "Next" in buttons(modal)
    modal["id"] = "VLIST"
    bot.click_in_view(modal, "Next", user=ALICE)
    (page2,) = fake.of("views.update")
    import json
    page2 = json.loads(page2["view"]) if isinstance(page2["view"], str) else page2["view"]
    assert "16–30 of 500" in message_text(page2) and {"Previous", "Next"} <= set(buttons(page2))


def test_ten_changes_in_a_second_are_one_publish(bot, db, clock, fake):
    ids = build(db, clock)
    fake.add_user(ALICE, tz="UTC", name="alice", is_admin=True)
    bot.open_home(ALICE)
    assert publish(bot) == 1
    assert settle(bot, clock) == 1  # its pictures
    clock.advance(seconds=10)
    for i in range(10):  # ten quick logs on alice's lead within a second
        bot.command(f"log alpha call {i}", user=ALICE)
        clock.advance(seconds=0.1)
    assert publish(bot) == 0  # not yet: changes are gathered for a moment
    clock.advance(seconds=3)
    assert publish(bot) == 1
    assert publish(bot) == 0
    with db.read() as s:
        rows = s.scalars(select(Notification).where(Notification.kind == "home")).all()
    assert [(r.user_id, r.state) for r in rows] == [(ALICE, "sent")]


def test_done_on_the_home_closes_the_follow_up_and_the_home_follows(bot, db, clock, fake):
    ids = build(db, clock)
    fake.add_user(BOB, tz="UTC", name="bob")
    _follow_ups(bot, db, clock, ids)
    bot.open_home(BOB)
    publish(bot)
    settle(bot, clock)
    bot.click_in_view(fake.homes[BOB], "Done", user=BOB)
    bot.click_in_view(fake.homes[BOB], "Done", user=BOB)  # a double click does it once
    with db.read() as s:
        states = [f.state for f in s.scalars(select(FollowUp).where(FollowUp.lead_id == ids["gamma"]))]
    assert states == ["done"]
    clock.advance(seconds=5)
    assert publish(bot) == 1
    assert "*Today* · nothing due" in home_text(bot, BOB)
    assert len([b for b in fake.homes[BOB]["blocks"] if b["type"] == "image"]) == 2
    thread = [c["text"] for c in fake.of("chat.postMessage") if c.get("thread_ts")]
    assert sum("Follow-up marked done" in t for t in thread) == 1


def test_the_running_loop_publishes_when_the_home_is_opened(bot, db, clock, fake):
    import time

    from bot.notifier import NotifierLoop

    build(db, clock)
    fake.add_user(BOB, tz="UTC", name="bob")
    loop = NotifierLoop(bot.crm, build_notifier(bot.crm), idle=30)
    loop.start()
    try:
        started = time.monotonic()
        bot.open_home(BOB)
        while not fake.of("views.publish") and time.monotonic() - started < 5:
            time.sleep(0.01)
        assert fake.of("views.publish"), "the loop was woken and published"
        assert time.monotonic() - started < 2
    finally:
        bot.crm.stopping.set()
        bot.crm.wake.set()
        loop.join(5)


def test_a_chart_deleted_in_slack_is_drawn_and_uploaded_again(bot, db, clock, fake):
    build(db, clock)
    fake.add_user(BOB, tz="UTC", name="bob")
    bot.open_home(BOB)
    publish(bot)
    settle(bot, clock)
    old = {b["slack_file"]["id"] for b in fake.homes[BOB]["blocks"] if b["type"] == "image"}
    for file_id in old:  # someone deleted them in Slack
        del fake.files[file_id]
    clock.advance(seconds=5)
    bot.open_home(BOB)
    assert publish(bot) == 2  # refused for its pictures, then at once without them (no waiting)
    refused = [c for c in fake.calls if c.method == "!invalid_blocks"]
    assert len(refused) == 1 and "invalid slack file" in refused[0].args["detail"]
    fake.calls[:] = [c for c in fake.calls if c.method != "!invalid_blocks"]  # expected here (the fixture checks)
    assert not [b for b in fake.homes[BOB]["blocks"] if b["type"] == "image"]
    assert settle(bot, clock) == 1
    new = {b["slack_file"]["id"] for b in fake.homes[BOB]["blocks"] if b["type"] == "image"}
    assert len(new) == 2 and not new & old
