"""The tests' fake Slack Web API: the playground's `SlackWorld` (records every call with its arguments, answers
like Slack, checks Block Kit limits, can be told to fail: 429 with Retry-After, channel errors) served on a
loopback port."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from playground.world import BlockKitError, Call, SlackWorld, check_blocks, check_image, check_view  # noqa: F401


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # socketserver's default of 5 drops connections beyond it (a 1 s SYN retry): Slack won't


class FakeSlack(SlackWorld):
    def __init__(self, team_id: str = "T1") -> None:
        super().__init__(team_id)
        self.server = _Server(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.base_url = self.url
        self.latency = 0.0  # seconds each Web API answer takes (Slack's own is tens to hundreds of ms)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    @property
    def api_url(self) -> str:
        return self.url + "api/"

    def start(self) -> "FakeSlack":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if fake.latency:
                    time.sleep(fake.latency)
                status, headers, data = fake.handle_http(self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler
