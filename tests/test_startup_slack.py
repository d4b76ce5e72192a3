"""`python app.py` meeting Slack at start and at stop: an unreachable Slack is waited out (logged, one line, no
traceback), a refused token or app token stops in one line, a port in use is named, and stopping in either
mode is logged and clean."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env_for(tmp_path, api_url: str, **extra: str) -> dict:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "CRM_", "PORT"))}
    return {**clean, "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_API_URL": api_url,
            "DATABASE_URL": f"sqlite:///{tmp_path}/crm.db", "PORT": str(free_port()), **extra}


def start(env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def wait_healthy(proc: subprocess.Popen, port: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            assert time.monotonic() < deadline and proc.poll() is None, proc.stdout.read() if proc.poll() else ""
            time.sleep(0.1)


def test_slack_out_of_reach_at_start_is_waited_out_in_one_line_a_try(tmp_path, fake):
    """Slack away: each try is one logged line, then the bot starts as soon as Slack answers."""
    nobody = free_port()  # nothing listens here yet: "connection refused"
    env = env_for(tmp_path, f"http://127.0.0.1:{nobody}/api/")
    proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    seen, deadline = [], time.monotonic() + 20
    while sum("cannot reach" in line for line in seen) < 2 and time.monotonic() < deadline:
        seen.append(proc.stdout.readline())  # tries at 0, 1 and 3 s after the migrations
    proc.send_signal(signal.SIGTERM)
    rest, _ = proc.communicate(timeout=20)
    out = "".join(seen) + rest
    assert proc.returncode == 0, out
    tries = [line for line in out.splitlines() if "cannot reach" in line]
    assert len(tries) >= 2 and "trying again in 1 s" in tries[0] and "trying again in 2 s" in tries[1], out
    assert f"127.0.0.1:{nobody}" in tries[0]
    assert "Traceback" not in out, out


def test_a_refused_token_is_one_line_and_no_client_warning(tmp_path, fake):
    fake.fail("auth.test", 200, body={"ok": False, "error": "invalid_auth"})
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env_for(tmp_path, fake.api_url),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == f"crm-bot: SLACK_BOT_TOKEN: Slack refused it at {fake.api_url} " \
                                                    "(invalid_auth)"
    assert "Traceback" not in done.stderr and "token will be unused" not in done.stderr


def test_a_port_in_use_is_one_line(tmp_path, fake):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env_for(tmp_path, fake.api_url, PORT=port),
                              capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith(f"crm-bot: PORT: cannot listen on {port}") and "free one" in last
    assert "Traceback" not in done.stderr


def test_a_refused_app_token_is_one_line(tmp_path, fake):
    fake.fail("apps.connections.open", 200, body={"ok": False, "error": "invalid_auth"}, times=5)
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT,
                          env=env_for(tmp_path, fake.api_url, SLACK_APP_TOKEN="xapp-1-wrong"),
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("crm-bot: SLACK_APP_TOKEN: Slack refused it (invalid_auth)"), done.stderr
    assert "Traceback" not in done.stderr


def test_socket_mode_serves_health_and_stops_without_tracebacks(tmp_path, fake):
    """Socket Mode (the connection's URL answers nothing here): /healthz still answers on $PORT, and SIGTERM
    stops everything with a log line and no traceback."""
    from store.db import Database

    env = env_for(tmp_path, fake.api_url, SLACK_APP_TOKEN="xapp-1-ok")
    fake.fail("apps.connections.open", 200, body={"ok": True, "url": f"ws://127.0.0.1:{free_port()}/link"},
              times=50)
    proc = start(env)
    try:
        wait_healthy(proc, env["PORT"])
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "stopping" in out and "stopped" in out
    assert "Traceback" not in out, out
    Database(env["DATABASE_URL"]).dispose()


def test_http_mode_logs_that_it_stops(tmp_path, fake):
    env = env_for(tmp_path, fake.api_url)
    proc = start(env)
    try:
        wait_healthy(proc, env["PORT"])
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "stopping" in out and "stopped" in out and "Traceback" not in out, out
