"""Import leads from a CSV file (HubSpot or Pipedrive exports, or the project's own columns).

    python -m bot.importer leads.csv                 # validate, then import; leads are routed
    python -m bot.importer leads.csv --keep-owners   # owners from the owner e-mail column (Slack lookup)
    python -m bot.importer leads.csv --dry-run       # only report what is wrong, by line

Settings come from the environment / `.env` like the bot's (DATABASE_URL; SLACK_BOT_TOKEN to find owners
and the workspace). Any invalid row stops the import before anything is written, unless --skip-invalid.
Importing the same file again creates nothing twice. Cards: routed leads get their assignment notice when
the running bot's sweep delivers it; the others get a card when someone first changes them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from slack_sdk.errors import SlackApiError

from bot.app_factory import build_client
from bot.settings import SettingsError, load_settings
from bot.wording import say
from store.clock import SystemClock
from store.db import Database
from store.services import imports, members


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.importer", description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("--keep-owners", action="store_true", help="owners from the owner e-mail column")
    ap.add_argument("--dry-run", action="store_true", help="validate only")
    ap.add_argument("--skip-invalid", action="store_true", help="import the valid rows even if some are not")
    ap.add_argument("--team", help="Slack team id (default: CRM_TEAM_ID, else the bot token's workspace)")
    a = ap.parse_args(argv)
    try:
        text = a.csv.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"crm-import: cannot read {a.csv}: {exc}", file=sys.stderr)
        return 2
    report = read_csv(text)
    _print_errors(report)
    if report.unmapped:
        print(f"Ignored columns: {', '.join(report.unmapped)}")
    print(f"{len(report.rows)} valid row(s), {len(report.errors)} invalid.")
    if a.dry_run or (report.errors and not a.skip_invalid) or not report.rows:
        if report.errors and not a.dry_run:
            print("Nothing imported: fix the lines above or pass --skip-invalid.")
        return 1 if report.errors else 0
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"crm-import: {exc}", file=sys.stderr)
        return 2
    db = Database(settings.database_url)
    db.migrate()
    client = build_client(settings)
    try:
        team = a.team or settings.crm_team_id or client.auth_test()["team_id"]
    except SlackApiError as exc:
        print(f"crm-import: SLACK_BOT_TOKEN: Slack refused it ({exc.response.get('error')}); pass --team",
              file=sys.stderr)
        return 2
    owners = _owners(client, db, team, report) if a.keep_owners else {}
    before = len(report.errors)
    import_rows(db, SystemClock(), team, report, owners, keep_owners=a.keep_owners)
    report.errors = report.errors[before:]
    _print_errors(report)
    print(f"Created {len(report.created)} lead(s) ({report.routed} routed), {len(report.existed)} already there, "
          f"{len(report.errors)} not imported.")
    return 1 if report.errors else 0


def read_csv(text: str) -> imports.Report:
    """Parse and validate every row (nothing is written); errors are worded for the terminal."""
    return _worded(imports.read_csv(text))


def import_rows(db: Database, clock, team_id: str, report: imports.Report, owners: dict[str, str], *,
                keep_owners: bool) -> imports.Report:
    """Write the validated rows; the rows that could not be imported are added to the errors, worded."""
    return _worded(imports.import_rows(db, clock, team_id, report, owners, keep_owners=keep_owners))


def _worded(report: imports.Report) -> imports.Report:
    report.errors = [(line, e if isinstance(e, str) else (f"{e.field}: " if e.field else "") + say(e))
                     for line, e in report.errors]
    return report


def _owners(client, db: Database, team: str, report: imports.Report) -> dict[str, str]:
    emails = sorted({r.owner_email for r in report.rows if r.owner_email})
    found = members.by_emails(db, team, emails)
    for email in emails:
        if email in found:
            continue
        try:
            user = client.users_lookupByEmail(email=email).get("user") or {}
            if user.get("id") and not user.get("is_bot") and not user.get("deleted"):
                found[email] = user["id"]
        except SlackApiError:
            pass  # reported per row as "nobody in this Slack workspace has …"
    return found


def _print_errors(report: imports.Report) -> None:
    for line, message in sorted(report.errors):
        print(f"line {line}: {message}")


if __name__ == "__main__":
    sys.exit(main())
