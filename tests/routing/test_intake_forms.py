"""POST /intake/leads as web forms really post: any source, plain HTML forms (form-encoded, multipart, the token
as a field), every invalid field at once, unknown fields kept, CORS for listed origins, and start-up settings."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from bot.settings import load_settings
from store.dto.reports import Period, Scope
from store.models import Activity, Lead, Outbox
from store.services.reports.sources import source_figures

TOKEN = "intake-token-0123456789"
SHOP = "https://shop.example"


@pytest.fixture(autouse=True)
def intake_on(bot, db):
    crm = bot.crm
    crm.settings = crm.settings.model_copy(update={"crm_intake_token": TOKEN, "crm_intake_origins": SHOP})
    yield
    deadline = time.monotonic() + 5  # the cards are delivered after the answer: let them land before Slack goes
    while time.monotonic() < deadline:
        with db.read() as s:
            if not s.scalar(select(func.count()).select_from(Outbox).where(Outbox.state.in_(("pending", "sending")))):
                break
        time.sleep(0.05)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def call(bot, method: str, body: bytes | str | None = None, headers: dict | None = None, query: str = ""):
    """(status, headers, JSON or None) of one request, redirects not followed."""
    data = body.encode() if isinstance(body, str) else body
    req = urllib.request.Request(bot.bot_url + "/intake/leads" + query, data=data, headers=headers or {},
                                 method=method)
    try:
        with urllib.request.build_opener(NoRedirect).open(req, timeout=10) as r:
            status, head, raw = r.status, dict(r.headers.items()), r.read()
    except urllib.error.HTTPError as e:
        status, head, raw = e.code, dict(e.headers.items()), e.read()
    return status, head, (json.loads(raw) if raw else None)


def post_json(bot, body: dict, **headers):
    return call(bot, "POST", json.dumps(body), {"Authorization": f"Bearer {TOKEN}",
                                               "Content-Type": "application/json", **headers})


def lead_of(db, lead_id: int) -> Lead:
    with db.read() as s:
        lead = s.get(Lead, lead_id)
        s.expunge(lead)
        return lead


def first_note(db, lead_id: int) -> str | None:
    with db.read() as s:
        return s.scalar(select(Activity.text).where(Activity.lead_id == lead_id))


def test_a_source_is_free_text_and_known_ones_keep_their_spelling(bot, db):
    status, _h, got = post_json(bot, {"company": "Routed Shop", "email": "a@b.kr", "source": "website"})
    assert status == 201, got
    assert lead_of(db, got["lead_id"]).source == "website"
    for given, kept in [("Google Ads", "Google Ads"), ("utm_source=naver", "utm_source=naver"),
                        ("  inbound   FORM ", "Inbound form"), ("REFERRAL", "Referral"), ("봄 이벤트 페이지", "봄 이벤트 페이지")]:
        status, _h, got = post_json(bot, {"company": f"Shop {given}", "source": given})
        assert status == 201 and lead_of(db, got["lead_id"]).source == kept, (given, got)
    status, _h, got = post_json(bot, {"company": "No Source Shop"})
    assert lead_of(db, got["lead_id"]).source == "Inbound form"
    long = "the-spring-landing-page-with-a-very-long-name-2026?utm=x"
    status, _h, got = post_json(bot, {"company": "Long Source", "source": long})
    assert status == 201 and lead_of(db, got["lead_id"]).source == long[:40]
    assert long in first_note(db, got["lead_id"])  # nothing of it is lost
    status, _h, got = post_json(bot, {"company": "Utm Shop", "utm_source": "naver", "utm_campaign": "spring"})
    assert lead_of(db, got["lead_id"]).source == "naver"


def test_a_plain_html_form_posts_form_encoded_with_its_token_as_a_field(bot, db):
    body = ("token=" + TOKEN + "&company_name=%EB%B6%80%EC%82%B0+%EB%B2%A0%EC%9D%B4%EC%BB%A4%EB%A6%AC"
            "&name=Jane+Kim&email=jane%40busan.example&message=Wants+3+ovens%2C+before+May"
            "&utm_campaign=spring&page=%2Fpricing&interest=ovens&interest=mixers&g-recaptcha-response=abc")
    status, _h, got = call(bot, "POST", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201, got
    lead = lead_of(db, got["lead_id"])
    assert got["company"] == "부산 베이커리" and lead.source == "Inbound form"
    note = first_note(db, lead.id)
    assert note.startswith("Wants 3 ovens, before May")
    assert "utm_campaign: spring" in note and "page: /pricing" in note and "interest: ovens, mixers" in note
    assert TOKEN not in note and "recaptcha" not in note
    status, _h, got = call(bot, "POST", "company=Query+Token+Shop",
                           {"Content-Type": "application/x-www-form-urlencoded"}, query=f"?token={TOKEN}")
    assert status == 201
    status, _h, got = call(bot, "POST", "company=Nobody&token=wrong-token-000000000",
                           {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 401


def test_multipart_forms_are_read_and_files_left_out(bot, db):
    boundary = "----form7MA4YWxkTrZu0gW"
    parts = [("company", "Multipart Bakery"), ("email", "mp@bakery.example"), ("page", "/contact")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n" for k, v in parts)
    body += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.txt\"\r\n"
             f"Content-Type: text/plain\r\n\r\nsecret file\r\n--{boundary}--\r\n")
    status, _h, got = call(bot, "POST", body, {"Content-Type": f"multipart/form-data; boundary={boundary}",
                                               "Authorization": f"Bearer {TOKEN}"})
    assert status == 201, got
    note = first_note(db, got["lead_id"])
    assert note == "page: /contact"


def test_every_invalid_field_is_reported_at_once(bot, db):
    status, _h, got = post_json(bot, {"company": "", "email": "not-an-email", "phone": "call me",
                                      "segment": "Galactic", "contact_name": "x" * 201, "utm_campaign": "spring"})
    assert status == 422
    assert set(got["errors"]) == {"company", "email", "phone", "segment", "contact_name"}, got
    assert got["errors"]["email"] == "“not-an-email” is not an e-mail address."
    status, _h, got = call(bot, "POST", "Company+Name=Acme&E-mail=nope&Phone=%3F",
                           {"Content-Type": "application/x-www-form-urlencoded", "Authorization": f"Bearer {TOKEN}"})
    assert status == 422 and set(got["errors"]) == {"E-mail", "Phone"}, got  # named as the form named them
    with db.read() as s:
        assert s.scalar(select(func.count()).select_from(Lead)) == 0


def test_cors_preflight_answers_listed_origins_only(bot, db):
    ask = {"Origin": SHOP, "Access-Control-Request-Method": "POST",
           "Access-Control-Request-Headers": "authorization, content-type"}
    status, head, _b = call(bot, "OPTIONS", headers=ask)
    assert status == 204
    assert head["Access-Control-Allow-Origin"] == SHOP and "POST" in head["Access-Control-Allow-Methods"]
    assert "Authorization" in head["Access-Control-Allow-Headers"] and head["Vary"] == "Origin"
    status, head, got = call(bot, "OPTIONS", headers={**ask, "Origin": "https://evil.example"})
    assert status == 403 and "Access-Control-Allow-Origin" not in head and "CRM_INTAKE_ORIGINS" in got["error"]
    status, head, got = post_json(bot, {"company": "Cors Shop"}, Origin=SHOP)
    assert status == 201 and head["Access-Control-Allow-Origin"] == SHOP
    status, head, got = post_json(bot, {"company": "Other Shop"}, Origin="https://evil.example")
    assert status == 201 and "Access-Control-Allow-Origin" not in head
    status, head, got = post_json(bot, {"company": ""}, Origin=SHOP)
    assert status == 422 and head["Access-Control-Allow-Origin"] == SHOP  # the page can show the errors
    assert call(bot, "GET")[0] == 405


def test_a_plain_form_is_sent_back_to_its_thank_you_page_on_a_listed_site(bot, db):
    body = f"token={TOKEN}&company=Thanks+Shop&redirect=https%3A%2F%2Fshop.example%2Fthanks"
    status, head, got = call(bot, "POST", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 303 and head["Location"] == "https://shop.example/thanks" and got["ok"]
    body = f"token={TOKEN}&company=Elsewhere+Shop&redirect=https%3A%2F%2Fevil.example%2F"
    status, head, got = call(bot, "POST", body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 201 and "Location" not in head  # never an open redirect


def test_intake_settings_read_like_the_readme_says():
    base = {"_env_file": None, "slack_bot_token": "xoxb-1", "slack_signing_secret": "s"}
    assert load_settings(**base, crm_intake_token="").crm_intake_token is None  # empty: intake off, start-up goes on
    assert load_settings(**base, crm_intake_token="   ").crm_intake_token is None
    with pytest.raises(SystemExit) as short:
        load_settings(**base, crm_intake_token="hunter2")
    assert "CRM_INTAKE_TOKEN is too short (7 characters)" in str(short.value)
    assert "anyone could guess it" in str(short.value) and "leave it empty" in str(short.value)
    assert "\n" not in str(short.value)
    s = load_settings(**base, crm_intake_origins="https://shop.example/, http://localhost:8000")
    assert s.intake_origins == ("https://shop.example", "http://localhost:8000")
    assert load_settings(**base, crm_intake_origins="").intake_origins == ()
    with pytest.raises(SystemExit) as bad:
        load_settings(**base, crm_intake_origins="shop.example/form")
    assert "CRM_INTAKE_ORIGINS" in str(bad.value) and "https://www.example.com" in str(bad.value)


def test_the_new_lead_modal_offers_the_known_sources_and_takes_another(bot, db):
    bot.command("new")
    view = bot.last_view()
    source = next(b for b in view["blocks"] if b["block_id"] == "source")
    assert [o["value"] for o in source["element"]["options"]] == ["Inbound form", "Outbound", "Event", "Referral",
                                                                    "Import"]
    assert bot.submit(view, {"Company": "Typed Source Shop", "Or another source": "  Google   Ads "}).raw == b""
    bot.command("new")
    bot.submit(bot.last_view(), {"Company": "Listed Source Shop", "Source": "Event"})
    bot.command("new")
    bot.submit(bot.last_view(), {"Company": "Both Shop", "Source": "Event", "Or another source": "referral"})
    with db.read() as s:
        got = dict(s.execute(select(Lead.id, Lead.source).order_by(Lead.id)).all())
    assert list(got.values()) == ["Google Ads", "Event", "Referral"]


def test_reports_group_sources_case_insensitively(bot, db):
    for i, source in enumerate(["Website", "website", "Website", "WEBSITE", "Google Ads", "referral"]):
        post_json(bot, {"company": f"Report Shop {i}", "source": source})
    period = Period("week", datetime(2000, 1, 1, tzinfo=timezone.utc), datetime(2100, 1, 1, tzinfo=timezone.utc), "UTC")
    with db.read() as s:
        figures = {f.source: f.leads for f in source_figures(s, "T1", period, Scope())}
    assert figures == {"Website": 4, "Google Ads": 1, "Referral": 1}
