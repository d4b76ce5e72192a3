"""The playground in a real browser (Debian's Chromium through Playwright), started as a newcomer would:
`python app.py` with no token. Each main flow is done by what a person sees (labels, button texts) and ends with
a screenshot (into docs/screenshots/ when PLAYGROUND_SHOTS=docs/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.playground.browser import ROOT, Person, launch, start


@pytest.fixture(scope="module")
def playground(tmp_path_factory):
    folder = tmp_path_factory.mktemp("playground")
    pg = start(folder)
    yield pg
    pg.stop()
    log = (folder / "out.log").read_text()
    assert "Traceback" not in log and "invalid_blocks" not in log, log[-3000:]


@pytest.fixture(scope="module")
def browser(playground):
    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture
def person(playground, browser, tmp_path):
    shots = Path(os.environ.get("PLAYGROUND_SHOTS") or tmp_path)
    if not shots.is_absolute():
        shots = ROOT / shots
    shots.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    who = Person(page, playground.url, shots)
    who.open()
    yield who
    page.close()
    assert not errors, errors


def test_first_start_has_a_team_and_the_console_says_where(playground, person):
    out = (playground.folder / "out.log").read_text()
    assert f"Playground: open {playground.url}" in out
    person.see("Seoul Socks", within="#main-list")
    person.page.wait_for_function("document.querySelectorAll('#main-list .msg').length >= 11", timeout=15000)
    assert person.page.locator("#sidebar").inner_text().count("#") >= 2


def test_new_lead_form_posts_its_card(person):
    person.be("Alex Rivera")  # Slack locale en-US: English answers; the workspace's cards are English too
    person.type("/lead new")
    person.modal("New lead")
    person.fill({"Company": "Hongdae Vinyl Records", "Contact name": "Jang Woojin", "Email": "woojin@hongdaevinyl.kr",
                 "Owner": "Alex Rivera", "Note": "Saw our booth at the Seoul Retail Expo"})
    person.submit()
    card = person.message_with("Hongdae Vinyl Records · #")
    assert "Unidentified" in card.inner_text() and "Log activity" in card.inner_text()
    person.see("Created Hongdae Vinyl Records", within="#main-list")
    person.shot("new-lead-card")


def test_update_with_the_type_ahead_edits_the_card_and_writes_its_thread(person):
    person.be("Alex Rivera")
    person.type("/lead update")
    person.modal("Update lead")
    person.fill({"Lead": "Incheon", "Status": "Qualifying", "Activity": "Call", "Outcome": "Connected",
                 "Note": "Han Eunwoo wants a trial for the two roasteries"})
    person.shot("update-modal")
    person.submit()
    person.page.wait_for_selector(".modal", state="detached")
    card = person.page.locator("#main-list .msg", has_text="Incheon Coffee Roasters · #").last
    card.locator("text=Qualifying").wait_for()
    assert "(edited)" in card.inner_text()
    card.locator(".replies").click()
    person.see("Call · Connected", within="#thread-list")
    person.see("Han Eunwoo wants a trial", within="#thread-list")
    person.shot("update-card-and-thread")


def test_a_korean_rep_updates_a_lead_by_the_korean_labels(person):
    person.be("Minjun Kim")  # Slack locale ko-KR: his modal, answers and DMs are Korean
    person.type("/lead update")
    person.modal("리드 업데이트")
    person.fill({"리드": "부산", "활동": "미팅", "결과": "통화됨",
                 "메모": "대표님과 미팅: 다음 주에 견적서 보내기"})
    person.shot("update-modal-ko")
    person.submit()
    person.page.wait_for_selector(".modal", state="detached")
    card = person.page.locator("#main-list .msg", has_text="부산 베이커리 · #").last
    card.locator("text=Closing").wait_for()  # the shared card: the workspace's language
    card.locator(".replies").click()
    person.see("Meeting · Connected", within="#thread-list")
    person.see("대표님과 미팅", within="#thread-list")


def test_a_due_follow_up_dm_is_done_with_one_click(person):
    person.be("Minjun Kim")
    person.go("D0MINJUN")
    dm = person.message_with("팔로업 기한")
    assert "Seoul Socks" in dm.inner_text() and "Call Park Hana back" in dm.inner_text()
    person.click("완료", message=dm)
    person.see("완료로 표시했어요", within="#main-list")
    assert not person.page.locator("#main-list .msg", has_text="완료로 표시했어요").last.locator("button").count()
    person.shot("nudge-done-ko")


def test_the_routing_notice_is_passed_to_the_next_rep(person):
    person.be("Minjun Kim")
    person.go("C0INBOUND")
    notice = person.message_with("Gangnam Pet Supplies · #")
    assert "Routed to @Minjun Kim" in notice.inner_text()
    person.click("Pass", message=notice)
    person.see("Routed to @Alex Rivera", within="#main-list")
    person.see("리드를 @Alex Rivera에게 넘겼어요", within="#main-list")
    person.shot("routing-pass")


def test_a_thread_reply_is_in_the_history(person):
    person.be("Alex Rivera")
    card = person.message_with("Seoul Socks · #")
    card.locator(".replies").click()
    person.page.wait_for_selector("#thread:not([hidden])")
    person.reply("Park Hana: samples by next Friday, then a first order of 200 pairs")
    person.see("samples by next Friday", within="#thread-list")
    person.click("History", message=person.page.locator("#main-list .msg", has_text="Seoul Socks · #").last)
    person.see("commented: Park Hana: samples by next Friday", within="#main-list")
    person.shot("thread-history")


def test_show_is_the_customers_360_view(person):
    person.be("Alex Rivera")
    person.type("/lead show 부산")
    answer = person.page.locator("#main-list .msg.ephemeral", has_text="부산 베이커리 · #1").last
    answer.wait_for(timeout=8000)
    text = answer.inner_text()
    assert "Closing" in text and "₩1,200,000/month" in text and "Takes calls Tue–Fri 15:00–19:00" in text
    assert "Only visible to you" in text
    person.shot("lead-show")


def test_show_in_korean(person):
    person.be("Minjun Kim")
    person.type("/lead show 부산베이커리")  # found without its space
    answer = person.page.locator("#main-list .msg.ephemeral", has_text="부산 베이커리 · #1").last
    answer.wait_for(timeout=8000)
    text = answer.inner_text()
    assert "계약 진행" in text and "120만원/월" in text and "전화 가능" in text
    person.shot("lead-show-ko")


def test_the_home_tab_for_a_manager(person):
    person.be("Sara Park")
    person.go("home")
    person.see("내 CRM", within="#main-list")
    person.see("영업 담당자별 파이프라인", within="#main-list")
    person.page.wait_for_selector("#main-list img.picture", timeout=10000)  # the charts follow the numbers
    person.shot("home-manager-ko")
    person.be("Alex Rivera")
    person.go("home")
    person.see("Your CRM", within="#main-list")
    person.shot("home-rep")


def test_an_admin_makes_the_workspace_korean_and_the_cards_follow(person):
    """Last: it changes the workspace's language for the tests after it."""
    person.be("Sara Park")
    person.type("/lead settings language ko")
    person.see("저장했어요", within="#main-list")
    person.type("/lead status seoul socks 검토중")
    card = person.page.locator("#main-list .msg", has_text="Seoul Socks · #").last
    card.locator("text=활동 기록").wait_for(timeout=8000)
    assert "검토중" in card.inner_text() and "상태 변경" in card.inner_text()
    person.page.wait_for_timeout(500)  # the edit has landed: the card is redrawn once
    card.evaluate("el => el.scrollIntoView({block: 'center'})")
    person.shot("card-ko")
