"""The main flows for a Korean rep (Slack locale ko-KR) beside English colleagues, through the fake Slack: their
answers, modals (filled by their Korean labels), DMs and digest are Korean; the card and its thread speak the
workspace's language until an admin chooses Korean; stored words stay canonical."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import select

from store.models import Activity, FollowUp, Lead
from scheduler import build_notifier
from tests.slack_driver import message_text
from tests.sweeps.helpers import Sweeper, buttons, dm_of

HANGUL = re.compile(r"[가-힣]")


def english_words(text: str) -> list[str]:
    """Latin words a Korean reader would meet, leaving out what is not prose: mentions, links, code, emoji,
    dates Slack renders itself, and the few words that are English in Korean too."""
    text = re.sub(r"<[^>]*>|`[^`]*`|:[a-z0-9_+-]+:|https?://\S+", " ", text)
    return [w for w in re.findall(r"[A-Za-z]{3,}", text) if w not in {"Slack", "SLA", "CRM", "KST", "CSV", "ZIP"}]


def korean_only(text: str) -> None:
    assert HANGUL.search(text), text
    assert english_words(text) == [], (english_words(text), text)


def labels(view: dict) -> list[str]:
    return [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]


def _korean_people(fake) -> None:
    fake.add_user("UKO", tz="Asia/Seoul", name="minjun", real_name="김민준", locale="ko-KR")
    fake.add_user("UADM", tz="Asia/Seoul", name="sara", real_name="박사라", locale="ko-KR", is_admin=True)


def test_a_korean_rep_works_in_korean_while_the_card_speaks_the_workspaces_language(bot, fake, db):
    _korean_people(fake)
    bot.command("digest", user="UKO")  # their first word: their profile, with its locale, is read once
    bot.command("new 부산베이커리", user="UKO")
    created = bot.last_reply_text()
    assert "부산베이커리" in created
    korean_only(created.replace("부산베이커리", ""))
    card = fake.of("chat.postMessage")[-1]
    assert "Unidentified" in message_text(card) and "Log activity" in message_text(card)  # the workspace: English

    bot.command("update 부산 베이커리", user="UKO")
    view = bot.last_view()
    assert view["title"]["text"] == "리드 업데이트"
    assert labels(view) == ["상태", "활동", "결과", "메모", "다음 팔로업", "팔로업 시간", "다음 할 일"]
    korean_only(str([b.get("label", {}).get("text", "") for b in view["blocks"]]))
    statuses = next(b for b in view["blocks"] if b.get("block_id") == "status")["element"]["options"]
    assert [o["text"]["text"] for o in statuses][:3] == ["미확인", "잠재", "검토중"]
    r = bot.submit(view, {"상태": "검토중", "활동": "전화", "결과": "부재중", "메모": "전화했는데 부재중",
                          "다음 팔로업": "2026-11-24", "팔로업 시간": "15:00"}, user="UKO", view_id="VKO1")
    assert r.status == 200 and r.raw == b""
    with db.read() as s:
        assert s.scalars(select(Lead)).one().status == "Qualifying"  # the canonical word is stored
        act = s.scalars(select(Activity).where(Activity.kind == "Call")).one()
        assert (act.outcome, act.text) == ("No answer", "전화했는데 부재중")
        # 15:00 in Seoul is 06:00 UTC
        assert s.scalars(select(FollowUp)).one().due_at == datetime(2026, 11, 24, 6, 0, tzinfo=timezone.utc)
    line = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")][-1]["text"]
    assert "Call · No answer" in line and "Qualifying" in line

    bot.command("show 부산", user="UKO")  # the 360 view, the Korean way
    shown = message_text(bot.replies()[-1])
    assert "검토중" in shown and "전화 · 부재중" in shown and "11월 24일 (화) 오후 3:00" in shown
    bot.command("show 부산", user="U1")  # an English colleague reads the same lead in English
    shown = message_text(bot.replies()[-1])
    assert "Qualifying" in shown and "Call · No answer" in shown and "Tue 24 Nov 07:00 CET" in shown


def test_an_admin_chooses_korean_for_the_workspace_and_the_card_follows(bot, fake, db):
    _korean_people(fake)
    bot.command("new Hongdae Vinyl", user="U1")
    bot.command("settings language ko", user="U2")  # a rep may not
    assert "Only managers and workspace admins can change the workspace's language" in bot.last_reply_text()
    bot.command("settings language 한국어", user="UADM")  # the code, or the language's name
    saved = bot.last_reply_text()
    assert "한국어" in saved and "저장했어요" in saved
    bot.command("settings language", user="U1")  # English for an English reader, naming both
    assert "*한국어*" in bot.last_reply_text() and "*English*" in bot.last_reply_text()

    bot.command("status hongdae Qualifying", user="U1")
    assert "Qualifying" in bot.last_reply_text()  # U1's own answer: English
    card = fake.of("chat.update")[-1]
    text = message_text(card)
    assert "검토중" in text and "활동 기록" in text and "상태 변경" in text  # the shared card: Korean
    thread = [m for m in fake.of("chat.postMessage") if m.get("thread_ts")][-1]["text"]
    assert "검토중" in thread

    bot.command("settings language fr", user="UADM")
    assert "fr" in bot.last_reply_text() and "en, ko" in bot.last_reply_text()


def test_nudges_and_the_digest_in_korean(bot, fake, db, clock):
    _korean_people(fake)
    bot.command("digest", user="UKO")
    bot.command("new 서울 양말", user="UKO")
    bot.command("followup 서울 양말 1시간 후 샘플 보내기", user="UKO")
    sweep = Sweeper(bot)
    fake.clear()
    clock.advance(minutes=61)
    sweep()
    dm, channel, ts = dm_of(db, fake, "UKO")
    text = message_text(dm)
    assert "서울 양말" in text and "샘플 보내기" in text and "팔로업" in text
    korean_only(text.replace("서울 양말", ""))
    assert buttons(dm) == ["완료", "미루기", "일정 변경", "활동 기록"]
    bot.click(dm, "완료", user="UKO", channel=channel, message_ts=ts)
    [edited] = [u for u in fake.of("chat.update") if u["channel"] == channel]
    assert edited["ts"] == ts and buttons(edited) == []
    korean_only(message_text(edited).replace("서울 양말", "").replace("샘플 보내기", ""))

    bot.command("followup 서울 양말 내일 오후 3시 전화", user="UKO")
    fake.clear()
    clock.set(datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc))  # 09:00 on Tuesday in Seoul
    sweep()
    digests = [m for m in fake.of("chat.postMessage") if m.get("channel") == "UKO"]
    assert digests, fake.of("chat.postMessage")
    text = message_text(digests[0])
    assert "서울 양말" in text and "오후 3:00" in text
    korean_only(text.replace("서울 양말", ""))


def test_home_and_report_in_korean(bot, fake, db, clock):
    _korean_people(fake)
    bot.command("digest", user="UADM")
    bot.command("new 부산 베이커리", user="UADM")
    bot.command("log 부산 베이커리 전화했는데 부재중", user="UADM")
    bot.open_home(user="UADM")
    clock.advance(seconds=3)
    build_notifier(bot.crm).deliver_due()
    home = message_text(fake.homes["UADM"])
    assert "내 CRM" in home and "진행 중 리드 1개" in home and "11월 23일 (월) 오후 6:00" in home
    korean_only(home.replace("Asia/Seoul", ""))  # a zone is named by its IANA name
    bot.command("report", user="UADM")
    report = message_text(bot.replies()[-1])
    assert "퍼널" in report or "리포트" in report, report
    korean_only(report.replace("부산 베이커리", ""))
