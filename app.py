"""Start the CRM bot: `python app.py` (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set)."""

from __future__ import annotations

import logging
import signal
import sys


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("alembic.runtime.plugins", "apscheduler.executors.default", "slack_sdk.web.base_client"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # "skipped: maximum number of running instances" is expected: a long sweep simply carries on.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.ERROR)
    from bot.runtime import StartupError, run

    try:
        return run()
    except StartupError as exc:
        print(f"crm-bot: {exc}", file=sys.stderr)
        return 2


def _stop(_signum, _frame) -> None:
    raise KeyboardInterrupt  # SIGTERM stops the server and the scheduler like Ctrl-C does


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _stop)
    sys.exit(main())
