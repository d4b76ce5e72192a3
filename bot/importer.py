"""Import leads from an export file: HubSpot, Pipedrive, Salesforce (lead report), Zoho, or the project's own columns.

    python -m bot.importer leads.csv                         # validate, then import; open leads are routed
    python -m bot.importer leads.csv --dry-run               # what the real run would do, nothing written
    python -m bot.importer leads.csv --keep-owners           # owners from the file (e-mail, or Slack name)
    python -m bot.importer leads.csv --map "opportunity=Closing" --map "Lead Status:open=Potential"

Settings come from the environment / `.env` like the bot's (DATABASE_URL; SLACK_BOT_TOKEN to find owners and
the workspace, or in OAuth mode --team / CRM_TEAM_ID). Any invalid row, an owner nobody in Slack has included,
stops the import before anything is written, unless --skip-invalid; a run that leaves rows out exits 1 (0
with --skip-invalid). Importing the same file again creates nothing twice.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.errors import SlackApiError

from bot import import_report as report
from bot.app_factory import build_client
from bot.i18n import _
from bot.import_owners import find_owners
from bot.settings import SettingsError, load_settings
from bot.wording import say
from store.clock import Clock, SystemClock
from store.db import Database
from store.errors import CrmError
from store.services import imports, pipeline
from store.services.import_statuses import parse_overrides


def main(argv: list[str] | None = None, *, clock: Clock | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bot.importer", description=__doc__.splitlines()[0])
    ap.add_argument("csv", type=Path)
    ap.add_argument("--keep-owners", action="store_true",
                    help=_("owners from the file's owner column (an e-mail, else a Slack real or display name)"))
    ap.add_argument("--dry-run", action="store_true", help=_("say what the import would do; write nothing"))
    ap.add_argument("--skip-invalid", action="store_true", help=_("import the valid rows even if some are not"))
    ap.add_argument("--map", action="append", default=[], metavar="VALUE=STATUS",
                    help=_('where a status value lands, e.g. "opportunity=Closing" (repeatable; "Column:value=Status" '
                           "for one column)"))
    ap.add_argument("--tz", help=_("the zone of the file's create dates (default: the workspace's)"))
    ap.add_argument("--team", help=_("Slack team id (default: CRM_TEAM_ID, else the bot token's workspace)"))
    a = ap.parse_args(argv)
    try:
        data = a.csv.read_bytes()
    except OSError as exc:
        return _fail(_("cannot read {path}: {problem}").format(path=a.csv, problem=exc.strerror or exc))
    parsed = imports.read(data)
    fatal = [(line, e) for line, e in parsed.errors if e.code.startswith("csv_")]
    if fatal:
        return _fail(f"{a.csv}: {say(fatal[0][1])}")
    if a.tz:
        try:
            ZoneInfo(a.tz)
        except (ZoneInfoNotFoundError, ValueError):
            return _fail(_("--tz: “{zone}” is not a time zone (e.g. Asia/Seoul)").format(zone=a.tz))
    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    db = Database(settings.database_url)
    try:
        return _run(a, parsed, settings, db, clock or SystemClock())
    finally:
        db.dispose()


def _run(a, parsed, settings, db: Database, clock: Clock) -> int:
    db.migrate()
    team = a.team or settings.crm_team_id
    try:
        client = _client(settings, db, team)
        team = team or client.auth_test()["team_id"]
        owners = owner_errors = None
        if a.keep_owners:
            owners, owner_errors = find_owners(client, db, team, [r.owner for r in parsed.rows if r.owner])
    except SlackApiError as exc:
        error = exc.response.get("error")
        token = "SLACK_BOT_TOKEN" if not settings.oauth else _("the workspace install")
        if error:
            refused = _("Slack refused {error} ({token}); pass --team to import without asking Slack who the "
                        "workspace is")
        else:
            refused = _("Slack refused the request ({token}); pass --team to import without asking Slack who the "
                        "workspace is")
        return _fail(refused.format(error=error, token=token))
    except _NoTeam as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(_("cannot reach Slack at {url} ({problem})").format(url=settings.slack_api_url, problem=exc))
    try:
        with db.read() as s:
            overrides = parse_overrides(a.map, pipeline.statuses(s, team))
    except CrmError as exc:
        return _fail(say(exc) if exc.code.startswith("map_") else f"--map: {say(exc)}")
    plan = imports.plan(db, clock, team, parsed, owners=owners, owner_errors=owner_errors, overrides=overrides,
                        tz=a.tz)
    lines = report.file_lines(plan, a.csv.name)
    lines += [report.error_line(line, e) for line, e in plan.errors]
    lines += report.mapping_lines(plan) + report.plan_lines(plan, keep_owners=a.keep_owners)
    blocked = bool(plan.errors) and not a.skip_invalid
    if a.dry_run:
        print("\n".join(lines + report.summary_lines(plan) + [report.predicted(plan, skip_invalid=a.skip_invalid)]))
        return 1 if blocked else 0
    if blocked:
        print("\n".join(lines + [_("Nothing imported: {rows} above can't be imported. Fix them or pass "
                                   "--skip-invalid.").format(rows=report.rows(report.left_out(plan)))]))
        return 1
    result = imports.apply(db, clock, team, plan)
    print("\n".join(lines + report.summary_lines(plan) + report.done_lines(plan, result)))
    return 1 if result.errors else 0


class _NoTeam(Exception):
    pass


def _client(settings, db: Database, team: str | None):
    if not settings.oauth:
        return build_client(settings)
    if not team:
        raise _NoTeam(_("OAuth mode: say which workspace with --team T… (or CRM_TEAM_ID)"))
    from bot.installations import installation_store
    from bot.workspaces import Installed, NotInstalled

    store = installation_store(db, settings.slack_client_id)
    workspaces = Installed(db, store, settings.slack_api_url, client_id=settings.slack_client_id,
                           client_secret=settings.slack_client_secret, rotator_client=build_client(settings))
    try:
        return workspaces.client(team)
    except NotInstalled:
        raise _NoTeam(_("the app is not installed in workspace {team}").format(team=team)) from None


def _fail(message: str) -> int:
    print(f"crm-import: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
