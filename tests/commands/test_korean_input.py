"""Korean input (issue 16.3): time phrases in the person's zone, and Hangul names found with or without their
spaces."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sqlalchemy import select

from bot.commands.parse import parse_when
from bot.wording import Refusal
from store.models import Activity, FollowUp, Lead

# Tuesday 1 December 2026, 15:00 in Seoul (06:00 UTC); New York is then 01:00 (EST, UTC-5).
NOW = datetime(2026, 12, 1, 6, 0, tzinfo=timezone.utc)

SEOUL = [  # phrase, expected instant (UTC), the words left after it
    ("내일 오후 3시", datetime(2026, 12, 2, 6, 0), ""),
    ("모레 10시", datetime(2026, 12, 3, 1, 0), ""),
    ("다음 주 월요일", datetime(2026, 12, 7, 0, 0), ""),  # a day without a time: 09:00 there
    ("다음주 월요일 오전 10시 견적 보내기", datetime(2026, 12, 7, 1, 0), "견적 보내기"),
    ("3일 후", datetime(2026, 12, 4, 0, 0), ""),
    ("오늘 저녁", datetime(2026, 12, 1, 10, 0), ""),  # 19:00
    ("12월 2일 14:30", datetime(2026, 12, 2, 5, 30), ""),
    ("2시간 뒤", datetime(2026, 12, 1, 8, 0), ""),
    ("내일 3시 반 샘플 확인", datetime(2026, 12, 2, 6, 30), "샘플 확인"),  # a bare 3시 is a working hour: 15:30
    ("금요일", datetime(2026, 12, 4, 0, 0), ""),
    ("3월 1일", datetime(2027, 3, 1, 0, 0), ""),  # already past this year: next year's
    ("오후 4시", datetime(2026, 12, 1, 7, 0), ""),
    ("tomorrow 10am", datetime(2026, 12, 2, 1, 0), ""),  # English still reads as before
]


@pytest.mark.parametrize("phrase,expected,rest", SEOUL)
def test_korean_time_phrases_in_seoul(phrase, expected, rest):
    assert parse_when(phrase, "Asia/Seoul", NOW) == (expected.replace(tzinfo=timezone.utc), rest)


NEW_YORK = [  # the same phrases read in a zone with daylight saving time
    ("내일 오후 3시", datetime(2026, 12, 2, 20, 0)),  # it is 01:00 on the 1st there: 15:00 EST on the 2nd
    ("다음 주 월요일", datetime(2026, 12, 7, 14, 0)),
    ("3월 9일 오전 9시", datetime(2027, 3, 9, 14, 0)),  # before the switch to EDT on 14 March: UTC-5
    ("3월 15일 오전 9시", datetime(2027, 3, 15, 13, 0)),  # EDT: UTC-4
]


@pytest.mark.parametrize("phrase,expected", NEW_YORK)
def test_korean_time_phrases_in_a_zone_with_daylight_saving(phrase, expected):
    due, _ = parse_when(phrase, "America/New_York", NOW)
    assert due == expected.replace(tzinfo=timezone.utc)


def test_a_korean_time_already_past_is_refused_in_words():
    with pytest.raises(Refusal):
        parse_when("12월 1일 14:30", "Asia/Seoul", NOW)  # 14:30 today, and it is 15:00


def test_words_that_are_not_a_time_are_not_read_as_one():
    with pytest.raises(Refusal):
        parse_when("부산 베이커리", "Asia/Seoul", NOW)


def _options(bot, text: str) -> list[str]:
    bot.command("update")
    picker = bot.last_view()["blocks"][0]["element"]
    return [o["text"]["text"] for o in bot.options(picker["action_id"], text).json["options"]]


def test_hangul_names_find_each_other_with_and_without_their_spaces(bot, fake, db):
    bot.command("new 부산베이커리")
    bot.command("new 서울 꽃집")
    bot.command("new 부산 베이커리")  # the same shop, written with a space: no second lead
    assert "already has an open lead (#1" in bot.last_reply_text()
    bot.command("find 부산 베이커리")
    assert "부산베이커리" in bot.last_reply_text()
    bot.command("find 서울꽃집")
    assert "서울 꽃집" in bot.last_reply_text()
    bot.command("find 베이커리")  # inside the name
    assert "부산베이커리" in bot.last_reply_text()
    assert _options(bot, "부산 베") == ["#1 부산베이커리 · Unidentified"]
    assert _options(bot, "서울꽃") == ["#2 서울 꽃집 · Unidentified"]
    bot.command("log 부산 베이커리 전화했는데 부재중")  # a quick log names the lead either way
    with db.read() as s:
        [act] = s.scalars(select(Activity).where(Activity.lead_id == 1)).all()
    assert (act.kind, act.outcome) == ("Call", "No answer")
    with db.read() as s:
        assert len(s.scalars(select(Lead)).all()) == 2


def test_a_korean_follow_up_time_through_slack(bot, fake, db, clock):
    bot.command("new 부산베이커리")
    bot.command("followup 부산 베이커리 내일 오후 3시 샘플 확인", user="U3")  # carol is in Seoul; 18:00 there
    with db.read() as s:
        [fu] = s.scalars(select(FollowUp)).all()
    assert fu.note == "샘플 확인"
    assert fu.due_at == datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)  # 15:00 on the 24th in Seoul


def test_statuses_by_their_korean_names(bot, fake, db):
    bot.command("new 부산베이커리")
    bot.command("status 부산 베이커리 검토중")
    bot.command("new 서울꽃집")
    bot.command("status 서울꽃집 계약 진행")
    with db.read() as s:
        assert [lead.status for lead in s.scalars(select(Lead).order_by(Lead.id))] == ["Qualifying", "Closing"]
    bot.command("status 서울꽃집 뭐지")
    assert "Qualifying" in bot.last_reply_text()  # an unknown word: the choices are listed
