"""Events are acknowledged at once; a mention gets one pointer to /lead even when Slack retries."""

from __future__ import annotations

import json
import time


def event(bot, inner: dict, event_id: str, retry: int | None = None):
    body = json.dumps({"type": "event_callback", "team_id": "T1", "api_app_id": "A1", "event_id": event_id,
                       "event_time": int(time.time()), "event": inner})
    headers = bot.sign(body)
    if retry:
        headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return bot.post(body, "application/json", headers)


def test_mention_answered_once_despite_retries(bot, fake):
    mention = {"type": "app_mention", "user": "U1", "channel": "C1", "text": "<@UBOT> hi", "ts": "1.000100"}
    for retry in (None, 1, 2, 3):
        assert event(bot, mention, "Ev1", retry).status == 200
    answers = fake.of("chat.postEphemeral")
    assert len(answers) == 1 and "/lead show" in answers[0]["text"] and answers[0]["user"] == "U1"


def test_plain_messages_are_acknowledged_and_ignored(bot, fake):
    r = event(bot, {"type": "message", "user": "U1", "channel": "C1", "text": "hello", "ts": "2.0"}, "Ev2")
    assert r.status == 200 and not fake.calls


def test_url_verification(bot):
    body = json.dumps({"type": "url_verification", "challenge": "abc", "token": "x"})
    r = bot.post(body, "application/json")
    assert r.status == 200 and r.json == {"challenge": "abc"}
