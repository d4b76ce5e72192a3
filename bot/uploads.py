"""Files the bot gives Slack: chart images shown in image blocks, and CSVs sent by DM.

Uploads use slack_sdk's `files_upload_v2` (`files.getUploadURLExternal`, the bytes to the URL Slack returns,
`files.completeUploadExternal`). A chart is uploaded without a channel (only the bot holds it) and shown by
its file id in an image block (`slack_file`); the same chart is drawn and uploaded once per workspace and its id
reused, found by the SHA-256 of the figures it draws. Slack may need a moment before a fresh upload can be shown: a post that Slack
refuses for its images is tried again after a second, then sent without them (the numbers are in the text).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.crm import Crm
from bot.views.charts import Chart
from store.services import chart_files

log = logging.getLogger(__name__)
T = TypeVar("T")
Call = Callable[[str, Callable[[], T]], T]  # (method, the call) → its result: paced by the notifier, or direct


def direct(_method: str, fn: Callable[[], T]) -> T:
    return fn()


def upload_chart(client: WebClient, crm: Crm, team_id: str, chart: Chart, *, call: Call = direct) -> str | None:
    """The Slack file id of the chart: the one uploaded before for the same figures, else it is drawn and
    uploaded now; None when Slack would not take it (the view then goes without the picture)."""
    digest = chart.digest
    known = chart_files.known(crm.db, crm.clock, team_id, digest)
    if known:
        return known
    png = chart.png
    try:
        resp = call("files.upload", lambda: client.files_upload_v2(
            file=png, filename=f"{chart.key}-{digest[:8]}.png", title=chart.title, alt_txt=chart.alt[:1000]))
    except SlackApiError as exc:
        log.warning("chart %s not uploaded: %s", chart.key, exc.response.get("error"))
        return None
    file_id = (resp.get("file") or {}).get("id")
    return chart_files.remember(crm.db, crm.clock, team_id, digest, file_id) if file_id else None


def known_charts(crm: Crm, team_id: str, charts: list[Chart]) -> dict[str, str]:
    """{chart key: file id} for the charts already uploaded (the same figures): no drawing, no Web API call."""
    out = {}
    for chart in charts:
        file_id = chart_files.known(crm.db, crm.clock, team_id, chart.digest)
        if file_id:
            out[chart.key] = file_id
    return out


def upload_charts(client: WebClient, crm: Crm, team_id: str, charts: list[Chart], *,
                  call: Call = direct) -> dict[str, str]:
    """{chart key: file id} for the charts Slack took."""
    out = {}
    for chart in charts:
        file_id = upload_chart(client, crm, team_id, chart, call=call)
        if file_id:
            out[chart.key] = file_id
    return out


def has_images(blocks: list[dict]) -> bool:
    return any(b.get("type") == "image" for b in blocks)


def without_images(blocks: list[dict]) -> list[dict]:
    return [b for b in blocks if b.get("type") != "image"]


def with_image_retry(send: Callable[[list[dict]], T], blocks: list[dict], *, wait: float = 1.0,
                     refused: Callable[[list[str]], None] | None = None) -> T:
    """Send blocks that show uploaded charts. Slack refuses (`invalid_blocks`) a file it has not finished
    processing, or one deleted since: try again after `wait` (0: at once without them), then send without the
    pictures rather than not at all, and tell `refused` which files it would not show (to upload them again)."""
    try:
        return send(blocks)
    except SlackApiError as exc:
        if exc.response.get("error") != "invalid_blocks" or not has_images(blocks):
            raise
        log.info("Slack refused the charts (%s)", exc.response.get("errors") or "invalid_blocks")
    if wait:
        time.sleep(wait)
        try:
            return send(blocks)
        except SlackApiError as exc:
            if exc.response.get("error") != "invalid_blocks":
                raise
    if refused is not None:
        refused([b["slack_file"]["id"] for b in blocks if b.get("type") == "image" and b.get("slack_file")])
    return send(without_images(blocks))


def send_csv(client: WebClient, user_id: str, filename: str, content: str, comment: str, *,
             call: Call = direct) -> None:
    """A CSV to the person's DM with the bot (with a line saying what it is)."""
    channel = call("conversations.open", lambda: client.conversations_open(users=user_id))["channel"]["id"]
    call("files.upload", lambda: client.files_upload_v2(
        content=content.encode("utf-8-sig"), filename=filename, title=filename, channel=channel,
        initial_comment=comment))
