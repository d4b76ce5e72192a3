"""What Slack refuses, checked as Slack checks it: Block Kit limits, mrkdwn that would ping or link where
the text meant none, images that are not uploaded files; and the record of one Web API call."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field


@dataclass
class Call:
    method: str
    args: dict
    at: float = field(default_factory=time.monotonic)
    token: str | None = None  # the Bearer token the call carried (whose workspace it spoke for)


class BlockKitError(AssertionError):
    pass


CONTROL = re.compile(r"<([^<>]*)>")
VALID = re.compile(r"^(?:@[UWB][A-Z0-9]+|#[CGD][A-Z0-9]+|![a-z]+(?:\^[^|>]*)?|(?:https?|mailto|slack):[^\s]+)(?:\|.*)?$", re.S)


def check_mrkdwn(text: str, where: str) -> None:
    """Slack reads `<…>` in mrkdwn as a mention, a channel, a date or a link: anything else is user text or a
    usage hint that should have been escaped (`&lt;lead&gt;`), and would show as a broken link."""
    for m in CONTROL.finditer(text or ""):
        if not VALID.match(m.group(1)):
            raise BlockKitError(f"unescaped <{m.group(1)[:40]}> in {where} mrkdwn")


def _text_objects(node, where: str = "block"):
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"], where
        for key, value in node.items():
            if key != "text" or not isinstance(value, str):
                yield from _text_objects(value, node.get("type") or where)
    elif isinstance(node, list):
        for value in node:
            yield from _text_objects(value, where)


def check_blocks(blocks: list, *, limit: int, files: dict | None = None) -> None:
    """The limits Slack enforces with invalid_blocks (a subset that matters for this bot). `files`: the
    uploads Slack knows (id → record); an image block's `slack_file` must name a completed image upload."""
    if len(blocks) > limit:
        raise BlockKitError(f"{len(blocks)} blocks > {limit}")
    for text, where in _text_objects(blocks):
        check_mrkdwn(text, where)

    def text_len(obj, max_len, where):
        if obj is None:
            return
        t = obj["text"] if isinstance(obj, dict) else obj
        if len(t) > max_len:
            raise BlockKitError(f"{where} text {len(t)} > {max_len}")

    for b in blocks:
        kind = b.get("type")
        if kind == "section":
            text_len(b.get("text"), 3000, "section")
            for f in b.get("fields") or []:
                text_len(f, 2000, "field")
            if len(b.get("fields") or []) > 10:
                raise BlockKitError("more than 10 fields")
        if kind == "header":
            text_len(b.get("text"), 150, "header")
        if kind == "context" and len(b.get("elements") or []) > 10:
            raise BlockKitError("context > 10 elements")
        if kind == "actions":
            if len(b.get("elements") or []) > 25:
                raise BlockKitError("actions > 25 elements")
            for e in b["elements"]:
                text_len(e.get("text"), 75, "button")
                if len(e.get("value") or "") > 2000:
                    raise BlockKitError("button value > 2000")
        if kind == "input":
            text_len(b.get("label"), 2000, "label")
            el = b.get("element") or {}
            opts = el.get("options") or []
            if len(opts) > 100:
                raise BlockKitError("select > 100 options")
            for o in opts:
                text_len(o.get("text"), 75, "option")
                if len(o.get("value", "")) > 150:
                    raise BlockKitError("option value > 150")
        if kind == "image":
            check_image(b, files)
        for key in ("block_id",):
            if len(b.get(key) or "") > 255:
                raise BlockKitError("block_id > 255")


def check_image(b: dict, files: dict | None) -> None:
    """An image block: alt text, a title within limits, and exactly one source (a URL or a Slack file)."""
    if not b.get("alt_text") or len(b["alt_text"]) > 2000:
        raise BlockKitError("image alt_text missing or > 2000")
    if b.get("title") and len(b["title"]["text"]) > 2000:
        raise BlockKitError("image title > 2000")
    url, slack_file = b.get("image_url"), b.get("slack_file")
    if bool(url) == bool(slack_file):
        raise BlockKitError("image needs exactly one of image_url and slack_file")
    if slack_file:
        fid = slack_file.get("id")
        record = (files or {}).get(fid)
        if record is None or not record.get("complete") or not record.get("image"):
            raise BlockKitError(f"invalid slack file {fid!r}")


def check_view(view: dict, files: dict | None = None) -> None:
    check_blocks(view.get("blocks") or [], limit=100, files=files)
    for key in ("title", "submit", "close"):
        if view.get(key) and len(view[key]["text"]) > 24:
            raise BlockKitError(f"modal {key} > 24 chars")
    if len(view.get("private_metadata") or "") > 3000:
        raise BlockKitError("private_metadata > 3000")
    if any(b.get("type") == "input" for b in view.get("blocks") or []) and not view.get("submit"):
        raise BlockKitError("a modal with inputs needs a submit button")


def json_arg(args: dict, key: str):
    value = args.get(key)
    if isinstance(value, str):
        return json.loads(value)
    return value
