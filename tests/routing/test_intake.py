"""POST /intake/leads: bearer token, pydantic validation (422 with field errors), idempotency on
external_id, routing like any other lead."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from sqlalchemy import func, select

from store.models import Lead
from tests.slack_driver import message_text
from tests.sweeps.helpers import dms

TOKEN = "intake-token-0123456789"


def _enable(bot):
    crm = bot.crm
    crm.settings = crm.settings.model_copy(update={"crm_intake_token": TOKEN})


def post(bot, body, token: str | None = TOKEN, raw: str | None = None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return bot.post(raw if raw is not None else json.dumps(body), "application/json", headers, wait=False,
                    path="/intake/leads")


def _wait_for(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_token_is_required(bot, fake, db):
    r = post(bot, {"company": "Acme"})  # no token anywhere yet: intake is off
    assert r.status == 401 and "/lead settings intake" in r.json["error"] and "CRM_INTAKE_TOKEN" in r.json["error"]
    _enable(bot)
    assert post(bot, {"company": "Acme"}, token=None).status == 401
    assert post(bot, {"company": "Acme"}, token="wrong-token-0123456789").status == 401
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0


def test_invalid_bodies_get_400_and_invalid_fields_422_with_field_errors(bot, fake, db):
    _enable(bot)
    for body, raw in ((None, "{not json"), ([1, 2], None), (None, "[" * 30_000)):  # not a body at all: 400
        r = post(bot, body, raw=raw)
        assert r.status == 400 and "body" in r.json["errors"], (raw, r.raw)
    cases = [
        ({}, None, "company"),
        ({"company": ""}, None, "company"),
        ({"company": "x" * 201}, None, "company"),
        ({"company": "Acme", "email": "not-an-email"}, None, "email"),
        ({"company": "Acme", "segment": "Galactic"}, None, "segment"),
        ({"company": "Acme", "phone": "call me"}, None, "phone"),
    ]
    for body, raw, field in cases:
        r = post(bot, body, raw=raw)
        assert r.status == 422, (body, r.raw)
        assert field in r.json["errors"], (body, r.json)
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0


def test_same_external_id_twice_is_one_lead_and_it_is_routed(bot, fake, db):
    _enable(bot)
    fake.users["U1"]["is_admin"] = True
    bot.command("routing", user="U1")
    bot.submit(bot.last_view(), {"Name": "Web", "Channel": "CQ", "Members": ["U2"], "First-touch SLA": "1h"})
    body = {"company": "Form <Shop>", "contact_name": "Jane", "email": "jane@form.example", "phone": "+82 10 1234",
            "segment": "smb", "source": "Inbound form", "note": "wants a demo", "external_id": "hs-123",
            "utm_campaign": "ignored"}
    first = post(bot, body)
    assert first.status == 201 and first.json["owner"] == "U2" and first.json["existed"] is False
    second = post(bot, {**body, "company": "Renamed Shop"})
    assert second.status == 200 and second.json["existed"] is True
    assert second.json["lead_id"] == first.json["lead_id"] and "already exists" in second.json["message"]
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 1
        lead = s.scalars(select(Lead)).one()
        assert (lead.source, lead.segment, lead.external_id) == ("Inbound form", "SMB", "hs-123")
    assert _wait_for(lambda: dms(fake, "U2"))  # the owner hears of it; the card is in the queue's channel
    card = next(m for m in fake.of("chat.postMessage") if m["channel"] == "CQ")
    assert "Form &lt;Shop&gt;" in message_text(card) and "Routed to <@U2>" in message_text(card)


def test_without_queues_the_lead_is_unowned_and_goes_to_the_crm_channel(bot, fake, db):
    _enable(bot)
    r = post(bot, {"company": "Lonely Shop"})
    assert r.status == 201 and r.json["owner"] is None
    assert _wait_for(lambda: any(m["channel"] == "CCRM" for m in fake.of("chat.postMessage")))
    assert "nobody" in message_text(next(m for m in fake.of("chat.postMessage") if m["channel"] == "CCRM"))


def test_wrong_method_and_path(bot):
    assert bot.post("", "application/json", {}, wait=False, path="/intake/nope").status == 404


def test_bodies_that_are_not_json_a_form_or_utf8_are_refused_not_guessed(bot, fake, db):
    """The audit (issue 17.4): `text/plain` and UTF-16 bodies were read as JSON."""
    _enable(bot)
    good = json.dumps({"company": "Plain Text Shop"})
    r = bot.post(good, "text/plain", {"Authorization": f"Bearer {TOKEN}"}, wait=False, path="/intake/leads")
    assert r.status == 415 and "application/json" in r.json["error"]
    req = urllib.request.Request(bot.bot_url + "/intake/leads", data=good.encode("utf-16"), method="POST",
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    try:
        urllib.request.urlopen(req, timeout=10)
        status = 200
    except urllib.error.HTTPError as e:
        status = e.code
    assert status == 400
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0
