"""Every view again in Korean, with the same hostile and oversized data: Block Kit's limits count characters,
and Korean labels are shorter but wider; nothing English is left in the words around the data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.i18n import speaking
from bot.metadata import ModalContext, PendingAction
from bot.views.help import help_message
from bot.views.lead_360 import lead_360
from bot.views.lead_card import lead_card, thread_line
from bot.views.lead_modals import new_lead_modal, update_modal
from bot.views.lists import find_results, my_leads, pick_lead
from bot.views.reminder_dm import digest_message, escalation_message, nudge_message
from store.dto import ChangeRecord, ContactInfo, FollowUpList, LeadDetail, NudgeData, SearchHit, TimelineEntry
from tests.commands.test_korean_flows import english_words
from tests.fake_slack import check_blocks, check_view
from tests.views.test_nudge_views import item
from tests.views.test_views import LONG, NOW, STATUSES, summary


@pytest.fixture(autouse=True)
def korean():
    with speaking("ko"):
        yield


def _texts(node) -> list[str]:
    """Every string a person reads: the `text` of text objects (not ids, values or URLs)."""
    if hasattr(node, "to_dict"):
        node = node.to_dict()
    if isinstance(node, list):
        return [t for n in node for t in _texts(n)]
    if isinstance(node, dict):
        if isinstance(node.get("text"), str):
            return [node["text"]] + [t for k, v in node.items() if k != "text" for t in _texts(v)]
        return [t for v in node.values() for t in _texts(v)]
    return []


DATA = ("&lt;!here&gt;", "Ü&amp;", "Ü&", "Acme Shop", "acme.com", "Jane", "CEO", "jane@", "send quote", "Company", "UTC")


def _prose(blocks) -> list[str]:
    """English words left in what a Korean reader sees, once the fixtures' own data is taken out."""
    text = " ".join(_texts(blocks))
    for data in DATA:
        text = text.replace(data, " ")
    return [w for w in english_words(text) if len(set(w)) > 1]


def test_card_thread_line_and_modals():
    _, blocks = lead_card(summary(), "Asia/Seoul")
    check_blocks([b.to_dict() for b in blocks], limit=50)
    shown = str([b.to_dict() for b in blocks])
    assert "검토중" in shown and "활동 기록" in shown and "11월 24일 (화) 오후 6:00" in shown
    _, blocks = lead_card(summary(company=LONG[:200], follow_up=None))
    check_blocks([b.to_dict() for b in blocks], limit=50)
    line = thread_line(ChangeRecord(actor_id="U1", activity="Call", outcome="No answer", note=LONG))
    assert len(line) < 3000 and "전화 · 부재중" in line
    view = update_modal(STATUSES, ModalContext(channel_id="C1", response_url="https://hooks.slack.com/x" * 20),
                        lead=summary(company=LONG[:200]), tz="Asia/Seoul").to_dict()
    check_view(view)
    assert view["title"]["text"] == "리드 업데이트" and len(view["title"]["text"]) <= 24
    new = new_lead_modal(ModalContext()).to_dict()
    check_view(new)


def test_360_lists_and_help():
    entries = [TimelineEntry(NOW - timedelta(minutes=i), "activity", "U1", "Call", "No answer", LONG) for i in range(8)]
    detail = LeadDetail(summary(company=LONG[:200]), [ContactInfo(i, LONG[:200], None, None, None) for i in range(10)],
                        entries, "meaning", 8)
    _, blocks = lead_360(detail, "Asia/Seoul", NOW)
    check_blocks([b.to_dict() for b in blocks], limit=50)
    many = [summary(i, company=f"Company {i} " + "x" * 150) for i in range(25)]
    for _, blocks in (my_leads(many, 300, "UTC", NOW),
                      find_results("x", [SearchHit(s, "company") for s in many[:20]], "UTC", NOW),
                      pick_lead("co", many[:11], PendingAction(verb="log", arg="hello"))):
        check_blocks([b.to_dict() for b in blocks], limit=50)
        assert _prose(blocks) == [], _prose(blocks)
    _, blocks = help_message(None)
    check_blocks([b.to_dict() for b in blocks], limit=50)
    assert "리드" in str([b.to_dict() for b in blocks])


def test_follow_up_dms():
    _, blocks = nudge_message(NudgeData(item(), 4, 3, timedelta(days=1)), 42, "Asia/Seoul", NOW)
    check_blocks([b.to_dict() for b in blocks], limit=50)
    assert _prose(blocks) == [], _prose(blocks)
    many = FollowUpList([item(i) for i in range(60)], 60)
    for _, blocks in (digest_message(many, many, "Asia/Seoul", NOW),
                      escalation_message("U2", many, "Asia/Seoul", NOW)):
        check_blocks([b.to_dict() for b in blocks], limit=50)
        assert _prose(blocks) == [], _prose(blocks)


def test_the_assignment_dm_says_why_in_korean():
    from bot.views.assignment_dm import assignment_dm
    lead = summary(routing_reason="alice passed; next in rotation; skipped bob: Slack status 'On vacation'")
    text, blocks = assignment_dm(lead, "routed", "Asia/Seoul")
    shown = " ".join(_texts(blocks)) + text
    assert "alice님이 넘김" in shown and "bob 건너뜀: Slack 상태 'On vacation'" in shown
    assert "next in rotation" not in shown and "skipped" not in shown

