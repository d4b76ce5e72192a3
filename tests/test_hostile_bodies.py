"""Malformed and unsigned requests (issue 17.4): refused with 400, 401, 413 or 415 and one log line, before
anything reads them as data; never a 500 or a stack trace."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import logging
import time
from urllib.parse import urlsplit

import pytest

from tests.conftest import SECRET


def _raw(bot, body: bytes, content_type: str, headers: dict | None = None, *, chunked: bool = False):
    url = urlsplit(bot.bot_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    head = {"Content-Type": content_type, **(headers or {})}
    if chunked:
        head["Transfer-Encoding"] = "chunked"
        conn.request("POST", "/slack/events", body=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                     headers=head, encode_chunked=True)
    else:
        conn.request("POST", "/slack/events", body=body, headers=head)
    resp = conn.getresponse()
    status, data = resp.status, resp.read()
    conn.close()
    return status, data


@pytest.mark.parametrize("body,kind", [
    (b"payload=x", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"[1,2]", "application/json"),
    (b"\xff\xfe", "application/json"),  # not UTF-8: no Slack request at all (400)
])
def test_unsigned_bodies_get_401_without_a_traceback(bot, body, kind, caplog):
    with caplog.at_level(logging.INFO):
        status, data = _raw(bot, body, kind)
    assert status == (400 if body.startswith(b"\xff") else 401) and b"Traceback" not in data
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def _refused(bot, body: bytes, *, chunked: bool) -> object:
    """413, or the connection closed by the server while the client was still sending (it stopped reading)."""
    try:
        return _raw(bot, body, "application/json", chunked=chunked)[0]
    except (ConnectionResetError, BrokenPipeError):
        return "closed while sending"


def test_unsigned_bodies_of_10_and_50_mb_are_refused_413_chunked_or_not(bot):
    for size in (10, 50):
        big = b"x" * (size * 1024 * 1024)
        assert _refused(bot, big, chunked=False) in (413, "closed while sending")
        assert _refused(bot, big, chunked=True) in (413, "closed while sending")
    url = urlsplit(bot.bot_url)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    conn.request("GET", "/healthz")
    assert conn.getresponse().status == 200  # and the bot serves on


def test_signed_but_unreadable_bodies_get_400(bot, caplog):
    with caplog.at_level(logging.INFO):
        status, data = _raw(bot, b"payload=x", "application/x-www-form-urlencoded", bot.sign("payload=x"))
        assert (status, json.loads(data)) == (400, {"ok": False, "error": "unreadable body"})
        stamp = str(int(time.time()))
        mac = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + b"\xff\xfe", hashlib.sha256).hexdigest()
        status, data = _raw(bot, b"\xff\xfe", "application/json",
                            {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={mac}"})
        assert (status, json.loads(data)) == (400, {"ok": False, "error": "the body is not UTF-8"})
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
