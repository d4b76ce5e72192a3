"""`python app.py`: bad settings stop start-up with one line naming the variable; good ones serve."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent


def run_app(env: dict, timeout: float = 20) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    return subprocess.run([sys.executable, "app.py"], cwd=ROOT, env={**clean, **env}, capture_output=True,
                          text=True, timeout=timeout)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "nope", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "PORT": "http"}, "PORT"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "DATABASE_URL": "crm.db"}, "DATABASE_URL"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "CRM_SWEEP_SECONDS": "0"}, "CRM_SWEEP_SECONDS"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "CRM_CHANNEL": "#sales"}, "CRM_CHANNEL"),
    ],
)
def test_bad_settings_stop_with_one_clear_line(env, named, tmp_path):
    done = run_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", **env})
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_no_token_opens_the_playground_on_loopback(tmp_path):
    """A fresh machine, the README's run command, no Slack app yet: the playground answers at once."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--fresh"], cwd=tmp_path,
                            env={**clean, "PORT": str(port)}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        line = ""
        deadline = time.monotonic() + 30
        while "Playground:" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
        assert f"Playground: open http://127.0.0.1:{port}/" in line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            assert r.status == 200 and b"CRM playground" in r.read()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
            assert json.loads(r.read()) == {"ok": True}
        assert (tmp_path / "playground.db").exists()  # its own database, beside where it was started
    finally:
        proc.terminate()
        proc.wait(15)


def test_the_playground_refuses_to_start_beside_a_real_token(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "app.py"), "--playground"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=20, env={**{k: v for k, v in os.environ.items()
                                                         if not k.startswith(("SLACK_", "DATABASE_"))},
                                                      "SLACK_BOT_TOKEN": "xoxb-real", "SLACK_SIGNING_SECRET": "s"})
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "crm-bot: the playground does not start while SLACK_BOT_TOKEN is set (it would speak to a real workspace). "
        "Unset it, or start the bot without --playground."]


def test_unreachable_database_is_named(tmp_path):
    done = run_app({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s",
                    "DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"})
    assert done.returncode == 2 and "DATABASE_URL" in done.stderr and "Traceback" not in done.stderr


def test_postgres_short_urls_use_psycopg3():
    s = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s",
                 database_url="postgres://u@h/db")
    assert s.database_url == "postgresql+psycopg://u@h/db"
    with pytest.raises(SettingsError):
        load_settings(_env_file=None)


def test_python_app_py_serves_and_stops(fake, tmp_path):
    """The real entry point against the fake Web API: healthz answers, a signed command is handled."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    env = {**clean, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": f"sqlite:///{tmp_path}/crm.db", "PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as r:
                    assert json.loads(r.read()) == {"ok": True}
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError(proc.stdout.read() if proc.poll() is not None else "no health")
                time.sleep(0.2)
        assert [c.method for c in fake.calls][:1] == ["auth.test"]  # SLACK_API_URL is honoured
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.returncode == 0


def test_python_app_py_runs_the_reminder_sweep_and_stops_cleanly_on_sigterm(fake, tmp_path):
    """The scheduler lives in the bot process: a due follow-up is nudged once, then SIGTERM exits 0."""
    import signal
    import socket
    from datetime import datetime, timedelta, timezone

    from store.clock import FixedClock
    from store.db import Database
    from store.services import leads, team_settings, updates

    url = f"sqlite:///{tmp_path}/crm.db"
    db = Database(url)
    db.migrate()
    past = FixedClock(datetime.now(timezone.utc) - timedelta(hours=1))
    lead = leads.create_lead(db, past, "T1", "U1", leads.NewLead("Sweep Shop")).lead
    updates.schedule_follow_up(db, past, "T1", "U1", lead.id, past.now() + timedelta(minutes=5), "ring them")
    team_settings.set_digest(db, past, "T1", "U1", enabled=False)
    db.dispose()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    env = {**clean, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": fake.api_url,
           "DATABASE_URL": url, "PORT": str(port), "CRM_SWEEP_SECONDS": "0.5"}
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while not [c for c in fake.of("chat.postMessage") if c.get("channel") == "U1"]:
            assert time.monotonic() < deadline and proc.poll() is None, "no nudge"
            time.sleep(0.1)
        time.sleep(1.5)  # three more sweeps
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    assert proc.returncode == 0, proc.stdout.read()
    nudges = [c for c in fake.of("chat.postMessage") if c.get("channel") == "U1"]
    assert len(nudges) == 1 and "Sweep Shop" in nudges[0]["text"]


def test_env_example_lists_every_setting_and_copied_as_is_opens_the_playground():
    """`.env.example` names every setting the bot reads; copied to `.env` unchanged it is valid (empty values
    are unset), and holds no token, so it is the playground's settings, not a half-configured bot."""
    from bot.settings import slack_token_given

    text = (ROOT / ".env.example").read_text()
    given = {line.split("=", 1)[0].lstrip("# ").strip() for line in text.splitlines() if "=" in line}
    wanted = {name.upper() for name in Settings.model_fields} | {"CRM_SLOW_SWEEP", "PLAYGROUND_HOST"}
    assert wanted <= given, f"missing from .env.example: {sorted(wanted - given)}"
    values = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    saved = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith(("SLACK_", "CRM_"))}
    try:
        os.environ.update({k: v for k, v in values.items()})
        assert not slack_token_given()
        settings = load_settings(slack_bot_token="xoxb-1", slack_signing_secret="s")  # what a person fills in
        assert settings.crm_intake_token is None and settings.crm_channel is None and settings.port == 3000
    finally:
        for k in values:
            os.environ.pop(k, None)
        os.environ.update(saved)
