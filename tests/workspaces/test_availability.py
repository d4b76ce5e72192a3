"""Availability from Slack: routing skips people whose Slack status says away (a list managers choose) or whose
do-not-disturb covers the next hour, and says why; statuses come with user_change events and do-not-disturb
with dnd_updated_user events (and a sweep's dnd.info when old), never a Web API call per lead."""

from __future__ import annotations

from scheduler import build_notifier, jobs
from tests.routing.test_routing_flow import _card, _setup_queue
from store.services import members
from tests.slack_driver import message_text


def _route_one(bot, fake, company: str) -> str:
    fake.clear()
    bot.command(f"new {company}", user="U1")
    return message_text(_card(fake))


def test_a_vacation_status_is_skipped_and_the_notice_says_why(bot, fake, db):
    _setup_queue(bot, fake)
    fake.users["U2"]["profile"].update(status_text="On vacation", status_emoji=":palm_tree:")
    bot.event({"type": "user_change", "user": fake.users["U2"]})
    text = _route_one(bot, fake, "Busan Bakery")
    assert "Routed to <@U3>" in text and "skipped bob: Slack status ':palm_tree: On vacation'" in text
    assert not fake.of("users.info") and not fake.of("dnd.info")  # routing asked Slack nothing
    fake.users["U2"]["profile"].update(status_text="", status_emoji="")  # back
    bot.event({"type": "user_change", "user": fake.users["U2"]})
    assert "skipped" not in _route_one(bot, fake, "Daegu Flowers")


def test_the_away_list_is_the_teams_own(bot, fake, db):
    _setup_queue(bot, fake)
    fake.users["U2"]["profile"].update(status_text="연차 (12/1–12/3)", status_emoji=":sunny:")
    bot.event({"type": "user_change", "user": fake.users["U2"]})
    assert "skipped bob: Slack status ':sunny: 연차 (12/1–12/3)'" in _route_one(bot, fake, "Incheon Tea")
    bot.command("settings away-status 🌴 OOO", user="U1")
    assert "`:palm_tree:`, `OOO`" in bot.last_reply_text()  # the emoji typed as a character is Slack's name
    assert "skipped" not in _route_one(bot, fake, "Suwon Shoes")
    fake.users["U3"]["profile"].update(status_text="", status_emoji=":palm_tree:")
    bot.event({"type": "user_change", "user": fake.users["U3"]})
    assert "skipped carol: Slack status ':palm_tree:'" in _route_one(bot, fake, "Ulsan Tools")
    bot.command("settings away-status OOO", user="U2")  # a rep may not
    assert "Only managers and workspace admins can configure routing" in bot.last_reply_text()


def test_an_expired_status_no_longer_counts(bot, fake, db, clock):
    _setup_queue(bot, fake)
    fake.users["U2"]["profile"].update(status_text="OOO", status_expiration=int(clock.now().timestamp()) + 3600)
    bot.event({"type": "user_change", "user": fake.users["U2"]})
    assert "skipped bob" in _route_one(bot, fake, "Jeju Oranges")
    clock.advance(hours=2)
    assert "skipped" not in _route_one(bot, fake, "Gwangju Rice")


def test_do_not_disturb_for_the_next_hour_is_skipped_a_short_one_is_not(bot, fake, db, clock):
    _setup_queue(bot, fake)
    now = clock.now().timestamp()
    bot.event({"type": "dnd_updated_user", "user": "U2",
               "dnd_status": {"dnd_enabled": False, "snooze_enabled": True, "snooze_endtime": int(now + 3 * 3600)}})
    assert "skipped bob: do not disturb in Slack for the next 3 h" in _route_one(bot, fake, "Pohang Fish")
    bot.event({"type": "dnd_updated_user", "user": "U2",
               "dnd_status": {"dnd_enabled": False, "snooze_enabled": True, "snooze_endtime": int(now + 20 * 60)}})
    assert "skipped" not in _route_one(bot, fake, "Mokpo Salt")  # back within the hour: still routed


def test_the_sweep_reads_do_not_disturb_of_queue_members_when_it_is_old(bot, fake, db, clock):
    _setup_queue(bot, fake)
    fake.dnd["U3"] = {"dnd_enabled": True, "next_dnd_start_ts": int(clock.now().timestamp()) - 60,
                      "next_dnd_end_ts": int(clock.now().timestamp()) + 8 * 3600}
    notifier = build_notifier(bot.crm)
    fake.clear()
    jobs.refresh_availability(bot.crm, notifier)
    assert sorted(c["user"] for c in fake.of("dnd.info")) == ["U2", "U3"]
    fake.clear()
    jobs.refresh_availability(bot.crm, notifier)  # fresh: not asked again within the hour
    assert not fake.of("dnd.info")
    assert "skipped carol: do not disturb in Slack for the next 8 h" in _route_one(bot, fake, "Andong Soy")
    clock.advance(hours=1, minutes=1)
    jobs.refresh_availability(bot.crm, notifier)
    assert len(fake.of("dnd.info")) == 2


def test_external_people_changing_their_profile_are_not_members(bot, fake, db):
    fake.add_user("UEXT", name="guest", team="TOTHER", status_text="OOO")
    bot.event({"type": "user_change", "user": fake.users["UEXT"]})
    assert members.get_member(db, "T1", "UEXT") is None
