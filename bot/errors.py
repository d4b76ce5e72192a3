"""The one error handler: any exception becomes a clear message where the person is."""

from __future__ import annotations

import json
import logging

from slack_bolt import App, BoltContext, BoltResponse
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.views.modals import message_modal
from bot.views.text import esc
from store.errors import CrmError

log = logging.getLogger("bot.errors")

SORRY = "Sorry, something went wrong on my side and nothing was changed. Please try again in a moment."


def register(app: App) -> None:
    app.error(on_error)


def on_error(error: Exception, body: dict, response: BoltResponse | None, context: BoltContext,
             client: WebClient) -> BoltResponse | None:
    if isinstance(error, CrmError):
        message = esc(error.message)
    else:
        log.error("unhandled error in %s: %r", body.get("type") or body.get("command"), error, exc_info=error)
        message = SORRY
    kind = body.get("type")
    if response is not None:  # Slack is still waiting for our answer: put the message in it
        if kind == "view_submission":
            inputs = [b.get("block_id") for b in body.get("view", {}).get("blocks", []) if b.get("type") == "input"]
            if isinstance(error, CrmError) and inputs:
                answer = {"response_action": "errors", "errors": {inputs[0]: message[:300]}}
            else:
                answer = {"response_action": "update", "view": message_modal("Not saved", message).to_dict()}
            return _json(answer)
        if kind == "block_suggestion":
            return _json({"options": []})
        if body.get("command"):
            return _json({"response_type": "ephemeral", "text": message})
    _tell(body, context, client, message)
    return BoltResponse(status=200, body="") if response is not None else None


def _json(data: dict) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(data), headers={"content-type": "application/json"})


def _tell(body: dict, context: BoltContext, client: WebClient, message: str) -> None:
    """After the ack: the response_url if there is one, else an ephemeral, else a DM."""
    url = body.get("response_url")
    try:
        if url:
            WebhookClient(url).send(text=message, response_type="ephemeral", replace_original=False)
            return
        if context.user_id and context.channel_id and not context.channel_id.startswith("D"):
            client.chat_postEphemeral(channel=context.channel_id, user=context.user_id, text=message)
        elif context.user_id:
            client.chat_postMessage(channel=context.user_id, text=message)
    except Exception:  # the error path must never raise
        log.warning("could not tell %s about an error", context.user_id, exc_info=True)
