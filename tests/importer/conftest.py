"""Import tests run `python -m bot.importer` in-process (its `main`, with the test's clock) against the fake Slack
and the test database; files are real exports' shapes, kept in `fixtures/`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import importer

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def run(fake, db, clock, monkeypatch, tmp_path, capsys):
    """`run("hubspot_contacts.csv", "--dry-run")` → (exit code, what it printed, what it said on stderr)."""
    monkeypatch.chdir(tmp_path)  # no .env of the working tree
    for name in ("CRM_TEAM_ID", "CRM_INTAKE_TOKEN", "CRM_INTAKE_ORIGINS", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET",
                 "SLACK_APP_TOKEN", "CRM_CHANNEL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    monkeypatch.setenv("SLACK_API_URL", fake.api_url)
    monkeypatch.setenv("DATABASE_URL", db.url)

    def go(name: str | Path, *args: str) -> tuple[int, str, str]:
        path = name if isinstance(name, Path) else FIXTURES / name
        capsys.readouterr()
        code = importer.main([str(path), *args], clock=clock)
        out = capsys.readouterr()
        return code, out.out, out.err

    return go
