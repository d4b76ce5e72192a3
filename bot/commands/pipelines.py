"""`/lead settings statuses` (or `stages`, `pipeline`): managers edit the lead statuses and deal stages."""

from __future__ import annotations

import re

from slack_bolt import Ack

from bot.context import Req
from bot.errors import Listeners
from bot.forms import Form, submitted, values
from bot.i18n import _
from bot.ids import Callback
from bot.labels import label
from bot.views.pipeline_form import KEEP, pipeline_modal
from bot.views.text import esc
from bot.wording import Refusal
from store.services import deal_stages, pipeline, pipeline_edit
from store.services.members import require_manager

listeners = Listeners()
register = listeners.register
_RENAME = re.compile(r"\s*(?:->|→)\s*")


class PipelineForm(Form):
    template: str | None = None
    statuses: str | None = None
    move_to: str | None = None
    stages: str | None = None
    move_deals_to: str | None = None


def open_form(req: Req) -> None:
    req.me()  # their role comes from their Slack profile
    require_manager(req.db, req.team_id, req.user_id, "settings")
    with req.db.read() as s:
        statuses, stages = pipeline.statuses(s, req.team_id), deal_stages.stages(s, req.team_id)
    req.open_view(pipeline_modal(statuses, stages, req.modal_context()))


def _columns(line: str) -> tuple[str, str | None, list[str]]:
    """`Old -> New | a | b` → (New, Old, [a, b])."""
    head, *rest = [c.strip() for c in line.split("|")]
    old, new = _RENAME.split(head, maxsplit=1) if _RENAME.search(head) else ("", head)
    return new.strip(), (old.strip() or None), rest


def status_rows(text: str) -> list[tuple[str, str | None, str, bool]]:
    rows = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, old, rest = _columns(line)
        closed = bool(rest) and rest[-1].lower() in ("closed", "done", "end")
        meaning = " | ".join(rest[:-1] if closed else rest)
        rows.append((name, old, meaning, closed))
    return rows


def stage_rows(text: str) -> list[tuple[str, str | None, int, str]]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), 1):
        if not line.strip():
            continue
        name, old, rest = _columns(line)
        probability = rest[0].rstrip("% ") if rest else ""
        if not probability.isdigit():
            raise Refusal(_("Line {number}: give the win probability after `|`, e.g. `Demo | 30`.").format(
                number=number), field="stages")
        outcome = rest[1].lower() if len(rest) > 1 and rest[1].lower() in ("won", "lost") else "open"
        rows.append((name, old, int(probability), outcome))
    return rows


@listeners.view(Callback.PIPELINE)
def submit(ack: Ack, req: Req, view: dict) -> None:
    form = PipelineForm.model_validate(values(view))
    template = form.template if form.template not in (None, KEEP) else None
    saved = submitted(ack, view, "statuses", lambda: pipeline_edit.replace(
        req.db, req.clock, req.team_id, req.user_id, statuses=status_rows(form.statuses or ""),
        stages=stage_rows(form.stages or ""), move_to=form.move_to, move_deals_to=form.move_deals_to,
        template=template))
    if saved is None:
        return
    new_statuses, new_stages = saved
    ack()
    req.tell(_("Saved. Statuses: {statuses}. Deal stages: {stages}.").format(
        statuses=" → ".join(esc(label(s.name)) for s in new_statuses),
        stages=" → ".join(f"{esc(label(s.name))} {s.probability}%" for s in new_stages)))
