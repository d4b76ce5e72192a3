"""The floor for the benchmarks: a bare Bolt app whose `/lead` only acks and whose message listener does
nothing, on the same waitress set-up as the bot."""

from __future__ import annotations

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from waitress.server import create_server

app = App(signing_secret=os.environ["SLACK_SIGNING_SECRET"], token_verification_enabled=False,
          client=WebClient(token="xoxb-floor", base_url=os.environ["SLACK_API_URL"]))


@app.command("/lead")
def noop(ack):
    ack()


@app.event("message")
def ignore_message():
    pass  # the floor for bench/thread_events.py: Bolt acks events itself


if __name__ == "__main__":
    create_server(SlackRequestHandler(app), host="127.0.0.1", port=int(os.environ["PORT"]),
                  threads=int(os.environ.get("HTTP_THREADS", "16"))).run()
