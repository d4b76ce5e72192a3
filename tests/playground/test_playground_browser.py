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
    person.be("Minjun Kim")
    person.type("/lead new")
    person.modal("New lead")
    person.fill({"Company": "Hongdae Vinyl Records", "Contact name": "Jang Woojin", "Email": "woojin@hongdaevinyl.kr",
                 "Owner": "Minjun Kim", "Note": "Saw our booth at the Seoul Retail Expo"})
    person.submit()
    card = person.message_with("Hongdae Vinyl Records · #")
    assert "Unidentified" in card.inner_text() and "Log activity" in card.inner_text()
    person.see("Created Hongdae Vinyl Records", within="#main-list")
    person.shot("new-lead-card")


def test_update_with_the_type_ahead_edits_the_card_and_writes_its_thread(person):
    person.be("Minjun Kim")
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


def test_a_due_follow_up_dm_is_done_with_one_click(person):
    person.be("Minjun Kim")
    person.go("D0MINJUN")
    dm = person.message_with("Follow-up due")
    assert "Seoul Socks" in dm.inner_text() and "Call Park Hana back" in dm.inner_text()
    person.click("Done", message=dm)
    person.see("Marked done", within="#main-list")
    assert not person.page.locator("#main-list .msg", has_text="Marked done").last.locator("button").count()
    person.shot("nudge-done")


def test_the_routing_notice_is_passed_to_the_next_rep(person):
    person.be("Minjun Kim")
    person.go("C0INBOUND")
    notice = person.message_with("Gangnam Pet Supplies · #")
    assert "Routed to @Minjun Kim" in notice.inner_text()
    person.click("Pass", message=notice)
    person.see("Routed to @Alex Rivera", within="#main-list")
    person.see("Passed Gangnam Pet Supplies to @Alex Rivera", within="#main-list")
    person.shot("routing-pass")


def test_a_thread_reply_is_in_the_history(person):
    person.be("Minjun Kim")
    card = person.message_with("Seoul Socks · #")
    card.locator(".replies").click()
    person.page.wait_for_selector("#thread:not([hidden])")
    person.reply("Park Hana: samples by next Friday, then a first order of 200 pairs")
    person.see("samples by next Friday", within="#thread-list")
    person.click("History", message=person.page.locator("#main-list .msg", has_text="Seoul Socks · #").last)
    person.see("commented: Park Hana: samples by next Friday", within="#main-list")
    person.shot("thread-history")


def test_show_is_the_customers_360_view(person):
    person.be("Minjun Kim")
    person.type("/lead show 부산")
    answer = person.page.locator("#main-list .msg.ephemeral", has_text="부산 베이커리 · #1").last
    answer.wait_for(timeout=8000)
    text = answer.inner_text()
    assert "Closing" in text and "₩1,200,000/month" in text and "Takes calls Tue–Fri 15:00–19:00" in text
    assert "Only visible to you" in text
    person.shot("lead-show")


def test_the_home_tab_for_a_manager(person):
    person.be("Sara Park")
    person.go("home")
    person.see("Your CRM", within="#main-list")
    person.see("Pipeline by rep", within="#main-list")
    person.page.wait_for_selector("#main-list img.picture", timeout=10000)  # the charts follow the numbers
    person.shot("home-manager")
    person.be("Minjun Kim")
    person.go("home")
    person.see("Today", within="#main-list")
    person.page.locator("#main-list button", has_text="Potential (").first.click()
    person.modal("Potential")
    person.shot("home-rep-list")
