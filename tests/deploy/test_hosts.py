"""Running on a host: the systemd unit (systemd-analyze), the Caddyfile (parsed) and docs/deploy.md's links.
See docs/deploy.md."""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
UNIT = ROOT / "deploy" / "crm-bot.service"
CADDYFILE = ROOT / "deploy" / "Caddyfile"


# -------------------------------------------------------------------------------------------------- systemd
def unit_entries(text: str) -> dict[str, list[tuple[str, str]]]:
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            current = sections.setdefault(line.strip("[]"), [])
            continue
        key, sep, value = line.partition("=")
        assert sep and current is not None, f"not a KEY=value line: {line}"
        current.append((key.strip(), value.strip()))
    return sections


def values(section: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in section if k == key]


def systemd_analyze() -> str:
    found = shutil.which("systemd-analyze") or ("/usr/bin/systemd-analyze"
                                                 if Path("/usr/bin/systemd-analyze").exists() else None)
    if not found:
        pytest.fail("systemd-analyze is missing: install systemd (Debian: apt-get install systemd); "
                    "deploy/crm-bot.service cannot be verified without it")
    return found


def _runnable_copy(folder: Path, text: str) -> Path:
    """The unit with /opt/crm-bot (which does not exist here) replaced by this checkout and its Python."""
    lines = []
    for line in text.splitlines():
        if line.startswith("ExecStart="):
            line = line.replace("/opt/crm-bot/.venv/bin/python", sys.executable).replace("/opt/crm-bot", str(ROOT))
        elif line.startswith("WorkingDirectory="):
            line = f"WorkingDirectory={ROOT}"
        lines.append(line)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / UNIT.name  # the same unit name: systemd judges the file by it
    path.write_text("\n".join(lines) + "\n")
    return path


def _verify(path: Path) -> tuple[int, list[str]]:
    done = subprocess.run([systemd_analyze(), "verify", "--man=no", str(path)], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "SYSTEMD_LOG_COLOR": "0", "SYSTEMD_PAGER": ""})
    lines = (done.stdout + done.stderr).splitlines()
    return done.returncode, [ln for ln in lines if path.name in ln or str(path) in ln]


def test_systemd_unit_passes_systemd_analyze_verify(tmp_path):
    text = UNIT.read_text()
    service = unit_entries(text)["Service"]
    assert values(service, "ExecStart") == ["/opt/crm-bot/.venv/bin/python /opt/crm-bot/app.py"]
    assert values(service, "WorkingDirectory") == ["/opt/crm-bot"]
    code, complaints = _verify(_runnable_copy(tmp_path / "unit", text))
    assert not complaints and code == 0, "\n".join(complaints) or f"systemd-analyze verify exited {code}"
    # The verifier itself must be awake: the same unit with a misspelt option and a bad value is reported.
    broken = text.replace("ProtectSystem=strict", "ProtectSytem=strict").replace("Restart=on-failure",
                                                                                 "Restart=sometimes")
    _, complaints = _verify(_runnable_copy(tmp_path / "broken", broken))
    assert any("ProtectSytem" in c for c in complaints) and any("sometimes" in c for c in complaints), complaints


def test_systemd_unit_is_hardened_and_runs_the_checkout_as_its_own_user(tmp_path):
    sections = unit_entries(UNIT.read_text())
    unit, service, install = sections["Unit"], sections["Service"], sections["Install"]
    assert "network-online.target" in " ".join(values(unit, "After"))
    assert "network-online.target" in " ".join(values(unit, "Wants"))
    assert values(service, "User") and values(service, "User")[-1] not in ("root", "0")
    assert values(service, "EnvironmentFile") == ["/etc/crm-bot.env"]
    assert values(service, "Restart") == ["on-failure"]
    for key, value in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("PrivateTmp", "yes"),
                       ("ProtectHome", "yes"), ("PrivateDevices", "yes"), ("CapabilityBoundingSet", "")):
        assert values(service, key) == [value], key
    state = values(service, "StateDirectory")
    assert state == ["crm-bot"] and f"/var/lib/{state[0]}" in " ".join(values(service, "ReadWritePaths"))
    assert values(install, "WantedBy") == ["multi-user.target"]
    # systemd's own exposure score, offline: 0 is a fully locked-down service, 10 an unprotected one.
    copy = _runnable_copy(tmp_path, UNIT.read_text())
    done = subprocess.run([systemd_analyze(), "security", "--offline=true", "--no-pager", "--threshold=20",
                           str(copy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout.strip().splitlines()[-1:] or done.stderr


# -------------------------------------------------------------------------------------------------- Caddyfile
class Node:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.children = tokens, []

    def find(self, name: str) -> list[Node]:
        found = [c for c in self.children if c.tokens and c.tokens[0] == name]
        for c in self.children:
            found += c.find(name)
        return found


def caddyfile(text: str) -> Node:
    """Caddyfile structure: one line is one directive with its arguments; `{` at a line's end opens its block,
    a lone `}` closes it. Quotes and # comments as Caddy reads them."""
    root, stack = Node([]), []
    stack.append(root)
    for number, line in enumerate(text.splitlines(), 1):
        tokens = shlex.split(line, comments=True)
        if not tokens:
            continue
        if tokens == ["}"]:
            stack.pop()
            assert stack, f"Caddyfile:{number}: '}}' without a block to close"
            continue
        opens = tokens[-1] == "{"
        node = Node(tokens[:-1] if opens else tokens)
        assert "{" not in node.tokens and "}" not in node.tokens, f"Caddyfile:{number}: stray brace"
        stack[-1].children.append(node)
        if opens:
            stack.append(node)
    assert len(stack) == 1, "Caddyfile: a block is not closed"
    return root


REVERSE_PROXY_OPTIONS = {  # https://caddyserver.com/docs/caddyfile/directives/reverse_proxy
    "to", "dynamic", "lb_policy", "lb_retries", "lb_try_duration", "lb_try_interval", "lb_retry_match",
    "health_uri", "health_upstream", "health_port", "health_interval", "health_passes", "health_fails",
    "health_timeout", "health_method", "health_status", "health_request_body", "health_body",
    "health_follow_redirects", "health_headers", "fail_duration", "max_fails", "unhealthy_status",
    "unhealthy_latency", "unhealthy_request_count", "flush_interval", "request_buffers", "response_buffers",
    "stream_timeout", "stream_close_delay", "trusted_proxies", "header_up", "header_down", "method", "rewrite",
    "transport", "handle_response", "replace_status", "verbose_logs"}
LB_POLICIES = {"random", "random_choose", "first", "round_robin", "weighted_round_robin", "least_conn", "ip_hash",
               "client_ip_hash", "uri_hash", "query", "header", "cookie"}


def test_caddyfile_balances_two_replicas_with_health_checks_on_healthz():
    root = caddyfile(CADDYFILE.read_text())
    (site,) = root.children
    assert site.tokens == ["crm.example.com"]
    (proxy,) = site.find("reverse_proxy")
    upstreams = [t for t in proxy.tokens[1:] if not t.startswith(("@", "/"))]
    assert len(upstreams) >= 2, f"reverse_proxy to {upstreams}: two replicas at least"
    for upstream in upstreams:
        assert re.fullmatch(r"[\w.-]+:\d{2,5}", upstream), upstream
    options = {c.tokens[0]: c.tokens[1:] for c in proxy.children}
    assert set(options) <= REVERSE_PROXY_OPTIONS, f"not reverse_proxy options: {set(options) - REVERSE_PROXY_OPTIONS}"
    assert options.get("health_uri") == ["/healthz"]
    assert options.get("lb_policy", [""])[0] in LB_POLICIES, options.get("lb_policy")
    assert "health_interval" in options


def test_caddyfile_passes_slack_intake_and_health_to_the_bot():
    root = caddyfile(CADDYFILE.read_text())
    (site,) = root.children
    matchers = {c.tokens[0]: c.tokens[1:] for c in site.children if c.tokens[0].startswith("@")}
    handled = [c for c in site.find("handle") if c.find("reverse_proxy")]
    assert len(handled) == 1 and len(handled[0].tokens) == 2, "one `handle @matcher` around reverse_proxy"
    kind, *paths = matchers[handled[0].tokens[1]]
    assert kind == "path"
    for path in ("/slack/events", "/slack/install", "/slack/oauth_redirect", "/intake/leads", "/healthz"):
        assert any(fnmatch.fnmatchcase(path, p) for p in paths), f"{path} does not reach the bot"


# ----------------------------------------------------------------------------------------------- the guide
def test_deploy_guide_links_resolve_and_it_covers_each_topic():
    guide = (ROOT / "docs" / "deploy.md").read_text()
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", guide)
    local = [link for link in links if "://" not in link]
    assert local and not [link for link in local if not (ROOT / "docs" / link).resolve().exists()]
    for topic in ("Socket Mode", "docker compose up", "systemctl", "pg_dump", "pg_restore", ".backup",
                  "/slack/events", "/slack/oauth_redirect", "one at a time"):
        assert topic in guide, topic

