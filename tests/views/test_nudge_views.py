"""The follow-up DMs as data → blocks: escaping, Slack's limits, snooze times in the owner's zone (the pacer:
tests/sweeps/test_pacer.py)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
