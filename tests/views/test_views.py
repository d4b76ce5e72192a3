"""Views are pure: data in, Block Kit out. `to_dict()` applies slack_sdk's checks; the fake adds Slack's limits."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.metadata import ModalContext, PendingAction
from bot.views.help import help_message
from bot.views.lead_360 import lead_360
from bot.views.lead_card import lead_card, thread_line
from bot.views.lists import find_results, my_leads, pick_lead
from bot.views.lead_modals import lead_option, new_lead_modal, update_modal, update_modal_payload
from store.dto import ChangeRecord, ContactInfo, FollowUpInfo, LeadDetail, LeadSummary, SearchHit, TimelineEntry
from store.vocabulary import TEMPLATES
from store.dto import StatusInfo
from tests.fake_slack import check_blocks, check_view

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)
LONG = "<!here> " + "Ü&" * 2600


def summary(i: int = 1, company: str = "Acme Shop", **kw) -> LeadSummary:
    base = dict(id=i, team_id="T1", organization_id=i, company=company, domain="acme.com", status="Qualifying",
                status_since=NOW, is_open=True, owner_id="U1", segment="SMB", source="Referral", arrived_at=NOW,
                first_touch_at=None, contact=ContactInfo(1, "Jane", "CEO", "jane@acme.com", "+1"),
                follow_up=FollowUpInfo(1, NOW + timedelta(days=1), "send quote", "U1", "open"),
                card_channel="C1", card_ts="1.2", card_permalink="https://x.slack.com/archives/C1/p12")
    base.update(kw)
    return LeadSummary(**base)


STATUSES = [StatusInfo(n, m, i, c) for i, (n, m, c) in enumerate(TEMPLATES["lifecycle"])]


def test_card_shows_the_lead_and_its_buttons():
    text, blocks = lead_card(summary(), "Europe/Berlin")
    d = [b.to_dict() for b in blocks]
    check_blocks(d, limit=50)
    fields = [f["text"] for f in d[0]["fields"]]
    assert fields[0] == "*Status*\nQualifying" and fields[1] == "*Owner*\n<@U1>"
    assert "|Tue 24 Nov 10:00 CET>" in fields[3] and "send quote" in fields[3]
    assert [e["text"]["text"] for e in d[-1]["elements"]] == ["Log activity", "Change status", "Reassign", "Convert",
                                                           "History", "Follow"]


def test_card_and_line_survive_huge_hostile_text():
    text, blocks = lead_card(summary(company=LONG[:200], follow_up=None))
    d = [b.to_dict() for b in blocks]
    check_blocks(d, limit=50)
    assert "<!here>" not in str(d) and "&lt;!here&gt;" in str(d)
    line = thread_line(ChangeRecord(actor_id="U1", activity="Note", outcome="Not applicable", note=LONG))
    assert len(line) < 3000 and "<!here>" not in line


def test_update_modal_within_limits_and_labelled():
    view = update_modal(STATUSES, ModalContext(channel_id="C1", response_url="https://hooks.slack.com/x" * 20),
                        lead=None, tz="Asia/Seoul").to_dict()
    check_view(view)
    labels = [b["label"]["text"] for b in view["blocks"] if b["type"] == "input"]
    assert labels == ["Lead", "Status", "Activity", "Outcome", "Note", "Next follow-up", "Follow-up time", "Next step"]
    assert "Asia/Seoul" in str(view)
    check_view(new_lead_modal(ModalContext()).to_dict())


def test_option_labels_fit_75_characters():
    opt = lead_option(summary(company="B" * 300)).to_dict()
    assert len(opt["text"]["text"]) <= 75 and opt["value"] == "1"


def test_show_pages_within_limits():
    entries = [TimelineEntry(NOW - timedelta(minutes=i), "activity", "U1", "Call", "No answer", LONG) for i in range(8)]
    detail = LeadDetail(summary(company=LONG[:200]), [ContactInfo(i, LONG[:200], None, None, None) for i in range(10)],
                        entries, "meaning", 8)
    text, blocks = lead_360(detail, "UTC", NOW)
    check_blocks([b.to_dict() for b in blocks], limit=50)


def test_lists_within_limits():
    many = [summary(i, company=f"Company {i} " + "x" * 150) for i in range(25)]
    _, blocks = my_leads(many, 300, "UTC", NOW)
    check_blocks([b.to_dict() for b in blocks], limit=50)
    _, blocks = find_results("x", [SearchHit(s, "company") for s in many[:20]], "UTC", NOW)
    check_blocks([b.to_dict() for b in blocks], limit=50)
    _, blocks = pick_lead("co", many[:11], PendingAction(verb="log", arg="hello"))
    d = [b.to_dict() for b in blocks]
    check_blocks(d, limit=50)
    assert len(d[1]["elements"]) == 10 and "more than 10" in d[0]["text"]["text"]
    _, blocks = help_message("<!channel>")
    assert "<!channel>" not in str([b.to_dict() for b in blocks])


def test_fast_update_payload_is_exactly_the_view():
    ctx = ModalContext(lead_id=1, channel_id="C1")
    for lead in (summary(), None, summary(status="Bad fit")):
        for tz in ("UTC", "Europe/Berlin"):
            expected = update_modal(STATUSES, ctx, lead=lead, tz=tz).to_dict()
            assert update_modal_payload(STATUSES, ctx, lead=lead, tz=tz) == expected
            assert update_modal_payload(STATUSES, ctx, lead=lead, tz=tz) == expected  # from the cache
