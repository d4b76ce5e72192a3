"""Driving the playground as a person does: `python app.py` started as a newcomer would (no token, its own folder),
Debian's Chromium through Playwright, and helpers that find things by what they say (buttons by their text,
form fields by their labels). Shared by the browser tests and `bench/playground.py`."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Playground:
    proc: subprocess.Popen
    url: str
    started: float  # seconds from `python app.py` until the page answered
    folder: Path

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start(folder: Path, *, fresh: bool = False, extra: list[str] | None = None) -> Playground:
    """`python app.py` in an empty folder (no `.env`, no token): the playground, on a free port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "CRM_"))}
    env.update(PORT=str(port), PYTHONUNBUFFERED="1")
    cmd = [sys.executable, str(ROOT / "app.py"), *(["--fresh"] if fresh else []), *(extra or [])]
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, cwd=folder, env=env, stdout=open(folder / "out.log", "w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    import urllib.request

    while time.monotonic() - t0 < 30:
        if proc.poll() is not None:
            raise RuntimeError("app.py exited: " + (folder / "out.log").read_text()[-2000:])
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                # ready means the console has said so: the page answers a moment before the warm-up ends
                if r.status == 200 and "Playground: open" in (folder / "out.log").read_text():
                    return Playground(proc, url, time.monotonic() - t0, folder)
        except OSError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the playground did not answer in 30 s")


def launch(playwright):
    if not os.path.exists(CHROMIUM):
        raise RuntimeError(f"{CHROMIUM} is missing: `python -m tests.browser_deps` installs Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)


class Person:
    """One person at the browser."""

    def __init__(self, page, url: str, shots: Path | None = None) -> None:
        self.page, self.url, self.shots = page, url, shots

    def open(self, where: str = "C0SALES") -> None:
        self.page.goto(f"{self.url}#{where}")
        self.page.wait_for_selector("#sidebar .workspace")

    def go(self, where: str) -> None:
        self.page.evaluate(f"location.hash = {where!r}")
        self.page.wait_for_function(f"document.querySelector('.nav.active') !== null")

    def be(self, name: str) -> None:
        """Switch person (the selector shows "Minjun Kim · rep, Seoul")."""
        self.page.select_option("#person", label=next(
            o for o in self.page.eval_on_selector_all("#person option", "os => os.map(o => o.textContent)")
            if o.startswith(name)))
        self.page.wait_for_timeout(300)

    def type(self, text: str) -> None:
        self.page.fill("#say", text)
        self.page.press("#say", "Enter")

    def reply(self, text: str) -> None:
        self.page.fill("#reply-text", text)
        self.page.press("#reply-text", "Enter")

    def see(self, text: str, *, within: str = "body", timeout: float = 8000):
        return self.page.wait_for_selector(f"{within} >> text={text}", timeout=timeout)

    def message_with(self, text: str, *, within: str = "#main-list"):
        """The newest message (or ephemeral) in `within` that says `text`."""
        self.see(text, within=within)
        return self.page.locator(f"{within} .msg", has_text=text).last

    def click(self, button: str, *, message=None, within: str = "body") -> None:
        scope = message if message is not None else self.page.locator(within)
        scope.locator("button", has_text=button).first.click()

    def modal(self, title: str):
        self.page.wait_for_selector(f".modal >> text={title}", timeout=8000)
        return self.page.locator(".modal").last

    def fill(self, fields: dict[str, object]) -> None:
        """Fill the open modal by its labels: text, a choice's label, a date, a time, a type-ahead's search text."""
        modal = self.page.locator(".modal").last
        for label, value in fields.items():
            block = modal.locator(".blk.input", has=self.page.locator(f".label:text-is('{label}')")).first
            if not block.count():
                block = modal.locator(".blk.input", has_text=label).first
            kind = block.locator("[data-type]").first.get_attribute("data-type")
            if kind == "plain_text_input":
                block.locator("input, textarea").first.fill(str(value))
            elif kind in ("static_select", "users_select", "conversations_select", "channels_select"):
                select = block.locator("select").first
                labels = select.evaluate("s => [...s.options].map(o => [o.value, o.textContent.trim()])")
                wanted = next((v for v, text in labels if text == str(value)), None) or next(
                    (v for v, text in labels if text.startswith(f"{value} — ")), None)
                if wanted is None:
                    raise AssertionError(f"no choice {value!r} for {label!r}: {[t for _v, t in labels]}")
                select.select_option(value=wanted)
            elif kind == "external_select":
                block.locator(".ta-input").fill(str(value))
                option = block.locator(".ta-opt", has_text=str(value)).first
                option.wait_for(timeout=8000)
                option.click()
            elif kind in ("datepicker", "timepicker"):
                block.locator("input").first.fill(str(value))
            elif kind == "checkboxes":
                for item in value:  # type: ignore[union-attr]
                    block.locator("label", has_text=str(item)).locator("input").check()
            else:
                raise AssertionError(f"can't fill {label!r} ({kind})")

    def submit(self) -> None:
        self.page.locator(".modal [data-submit]").last.click()

    def shot(self, name: str) -> None:
        if self.shots is not None:
            self.page.wait_for_timeout(400)  # pictures and fonts
            self.page.screenshot(path=str(self.shots / f"{name}.png"))
