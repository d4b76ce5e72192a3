"""The follow-up DMs as data → blocks: escaping, Slack's limits, snooze times in the owner's zone; the pacer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.sending import Pacer
from bot.views.reminder_dm import digest_message, escalation_message, nudge_message, nudge_outcome, snooze_until
from store.dto import FollowUpInfo
from store.dto import FollowUpItem, FollowUpList, NudgeData
from tests.fake_slack import check_blocks
from tests.views.test_views import LONG, NOW, summary

UTC = timezone.utc


def item(i: int = 1, note: str | None = LONG, company: str = LONG) -> FollowUpItem:
    return FollowUpItem(FollowUpInfo(i, NOW - timedelta(hours=3), note, "U1", "open"), summary(i, company=company))


def dicts(blocks) -> list[dict]:
    return [b.to_dict() for b in blocks]


def test_nudge_escapes_user_text_and_fits_slacks_limits():
    text, blocks = nudge_message(NudgeData(item(), 1, 3, timedelta(days=1)), 42, "Asia/Seoul", NOW)
    raw = dicts(blocks)
    check_blocks(raw, limit=50)
    rendered = str(raw) + text
    assert "<!here>" not in rendered and "&lt;!here&gt;" in rendered
    assert "Mon 23 Nov 15:00 KST" in rendered and "3 h ago" in rendered
    buttons = [e["text"]["text"] for e in raw[1]["elements"] if e["type"] == "button"]
    assert buttons == ["Done", "Snooze", "Reschedule", "Log activity"]
    assert all(len(o["value"]) <= 150 for e in raw[1]["elements"] for o in e.get("options", []))


def test_last_reminder_says_the_manager_hears_of_it():
    _, blocks = nudge_message(NudgeData(item(), 4, 3, timedelta(days=1)), 42, "UTC", NOW)
    assert "reminder 4 of 4" in str(dicts(blocks)) and "last reminder" in str(dicts(blocks))


def test_escalation_and_digest_lists_stay_within_limits():
    many = FollowUpList([item(i) for i in range(15)], more=30)
    for text, blocks in (escalation_message("U1", many, "UTC", NOW), digest_message(many, many, "UTC", NOW)):
        check_blocks(dicts(blocks), limit=50)
        assert "<!here>" not in str(dicts(blocks))
    assert "45 overdue follow-ups" in escalation_message("U1", many, "UTC", NOW)[0]
    _, blocks = nudge_outcome(item(), "Marked done", "U2", "UTC", NOW)
    check_blocks(dicts(blocks), limit=50)


def test_snooze_times_in_the_owners_zone_across_dst():
    fri = datetime(2026, 10, 23, 15, 0, tzinfo=UTC)  # Friday; Berlin leaves summer time on Sunday the 25th
    assert snooze_until("1h", fri, "Europe/Berlin") == fri + timedelta(hours=1)
    assert snooze_until("tomorrow", fri, "Europe/Berlin") == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)  # CEST
    assert snooze_until("monday", fri, "Europe/Berlin") == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)  # CET
    monday = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)
    assert snooze_until("monday", monday, "Europe/Berlin") == datetime(2026, 11, 2, 8, 0, tzinfo=UTC)  # next week


class FakeTime:
    def __init__(self) -> None:
        self.t = 0.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s
        self.slept += s


def test_pacer_learns_the_rate_from_a_429_and_spaces_sends():
    ft = FakeTime()
    pacer = Pacer(sleep=ft.sleep, clock=ft.clock)
    for _ in range(20):  # a burst: 20 accepted within 0.2 s
        pacer.wait()
        pacer.sent()
        ft.t += 0.01
    pacer.rate_limited(1.0)
    assert pacer.rate == 0.95 * 20
    pacer.rate_limited(1.0)  # the same overshoot answered twice: no second cut
    assert pacer.rate == 0.95 * 20
    start = ft.t
    for _ in range(19):
        pacer.wait()
        pacer.sent()
    assert ft.slept >= 1.0  # the Retry-After second first
    assert 1.0 + 18 / 19 - 0.01 <= ft.t - start <= 1.0 + 19 / 19 + 0.01  # then 19 per second


def test_pacer_ignores_a_429_that_asks_for_no_wait():
    ft = FakeTime()
    pacer = Pacer(sleep=ft.sleep, clock=ft.clock)
    pacer.sent()
    pacer.rate_limited(0)
    assert pacer.rate is None and pacer.limited == 1
