"""A quick log listens: `/lead log acme called, no answer` (and `@CRM log …` in a lead's thread) is a call nobody
answered, in English or Korean; the thread line, the connect counts and the first-touch SLA clock use that, and
a quick log never closes a follow-up by itself."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.commands.parse import LOG_WORDS, read_activity
from store.models import Activity, ContactStat, FollowUp, Lead
from store.vocabulary import ACTIVITY_KINDS, OUTCOMES
from tests.commands.test_events import event
from tests.routing.test_routing_flow import _setup_queue
from tests.slack_driver import message_text
from tests.sweeps.helpers import buttons

# what people type → (activity, outcome); None: the outcome is not said
SAID = [
    ("called, no answer", "Call", "No answer"),
    ("Called them. No Answer — try after 3pm", "Call", "No answer"),
    ("called them, wants samples", "Call", None),
    ("phoned the owner, didn't pick up", "Call", "No answer"),
    ("called twice, she didn’t answer", "Call", "No answer"),
    ("called, talked to the CEO about pricing", "Call", "Connected"),
    ("left a message with the front desk", "Call", "Left message"),
    ("called, no answer, left a voicemail", "Call", "Left message"),
    ("voicemail", "Call", "Left message"),
    ("emailed the quote", "Email", None),
    ("e-mail bounced", "Email", "Bounced"),
    ("bounced", "Email", "Bounced"),
    ("emailed, no answer yet", "Email", "No answer"),
    ("met at the fair", "Meeting", None),
    ("meeting went well, they want a demo", "Meeting", None),
    ("texted the owner", "Message", None),
    ("wants samples", "Note", None),
    ("asked for our email address", "Note", None),
    ("전화", "Call", None),
    ("전화했는데 부재중", "Call", "No answer"),
    ("전화 안 받음", "Call", "No answer"),
    ("안받음", "Call", "No answer"),
    ("대표님과 통화함, 샘플 원함", "Call", "Connected"),
    ("메시지 남김", "Call", "Left message"),
    ("전화 후 음성 메시지 남김", "Call", "Left message"),
    ("문자 남김", "Message", "Left message"),
    ("메일 보냄", "Email", None),
    ("이메일로 견적 보냄", "Email", None),
    ("메일 반송됨", "Email", "Bounced"),
    ("미팅 완료", "Meeting", None),
    ("매장 방문했음", "Meeting", None),
    ("카톡으로 연락함", "Message", None),
    ("전화번호 받음", "Note", None),
    ("샘플 원함", "Note", None),
]


@pytest.mark.parametrize("text, activity, outcome", SAID)
def test_the_words_say_what_happened(text, activity, outcome):
    assert read_activity(text) == (activity, outcome)


def test_the_table_names_only_the_crms_words():
    for _en, _ko, activity, outcome in LOG_WORDS:
        assert activity in ACTIVITY_KINDS and (outcome is None or outcome in OUTCOMES)


def test_a_quick_log_is_the_call_it_describes(bot, fake, db):
    bot.command("new Acme Shop")
    bot.command("log acme called, no answer")
    assert "logged Call (No answer)" in bot.last_reply_text()
    bot.command("log acme 전화했는데 부재중, 메시지 남김")
    assert "logged Call (Left message)" in bot.last_reply_text()
    bot.command("log acme wants samples")
    assert "logged Note." in bot.last_reply_text()
    with db.read() as s:
        logged = [(a.kind, a.outcome, a.text) for a in s.scalars(select(Activity).order_by(Activity.id))]
        attempts = s.scalar(select(func.sum(ContactStat.attempts)).where(ContactStat.scope == "all"))
    assert logged == [("Call", "No answer", "called, no answer"),
                      ("Call", "Left message", "전화했는데 부재중, 메시지 남김"),
                      ("Note", "Not applicable", "wants samples")]
    assert attempts == 2  # the failed calls count as attempts to reach them; the note does not
    thread = [message_text(m) for m in fake.of("chat.postMessage") if m.get("thread_ts")]
    assert "*Call · No answer*: called, no answer" in thread[0]
    assert "*Call · Left message*: 전화했는데 부재중, 메시지 남김" in thread[1]
    assert "*Note*: wants samples" in thread[2]


def test_a_mention_in_the_thread_reads_the_same_words(bot, fake, db):
    bot.command("new Acme Shop")
    with db.read() as s:
        card_ts = s.scalar(select(Lead.card_ts))
    event(bot, {"type": "app_mention", "user": "U1", "channel": "C1", "thread_ts": card_ts,
                "ts": "1800000000.000900", "text": "<@UBOT> log 전화 안 받음"}, "EvQ1")
    with db.read() as s:
        assert [(a.kind, a.outcome) for a in s.scalars(select(Activity))] == [("Call", "No answer")]
    line = [m for m in fake.of("chat.postMessage") if m.get("thread_ts") == card_ts][-1]
    assert "*Call · No answer*: 전화 안 받음" in message_text(line)


def test_a_failed_call_is_a_first_touch_and_a_note_is_not(bot, fake, db):
    _setup_queue(bot, fake, members=("U2",), sla="1h")
    bot.command("new Slow Shop", user="U1")  # routed to U2, first touch due within the hour
    bot.command("log slow checked their website", user="U2")
    assert "first-touch clock still runs" in bot.last_reply_text()
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.first_touch_at is None and lead.sla_due_at is not None
    bot.command("log slow called, no answer", user="U2")
    assert "first-touch clock" not in bot.last_reply_text()
    with db.read() as s:
        lead = s.scalars(select(Lead)).one()
        assert lead.first_touch_at is not None and lead.sla_due_at is None


def test_a_quick_log_never_closes_a_follow_up_by_itself(bot, fake, db):
    bot.command("new Acme", user="U2")
    bot.command("followup acme tomorrow 10am send the quote", user="U2")
    bot.command("log acme called, they want the quote")  # U1 logs on bob's lead
    reply = bot.replies()[-1]
    assert "<@U2>'s follow-up is still open" in message_text(reply)
    assert buttons(reply) == ["Mark follow-up done"]
    bot.command("status acme bad fit", user="U2")  # a closed lead, its follow-up still open
    bot.command("log acme emailed the owner", user="U2")
    assert "Your follow-up is still open" in bot.last_reply_text()
    with db.read() as s:
        assert s.scalar(select(FollowUp.state)) == "open"
    bot.click(bot.replies()[-1], "Mark follow-up done", user="U2")  # the person chooses
    with db.read() as s:
        assert s.scalar(select(FollowUp.state)) == "done"
