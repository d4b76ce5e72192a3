"""`/lead settings statuses`: the workspace's lead statuses and deal stages, edited as lines of text."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, Option
from slack_sdk.models.views import View

from bot.i18n import N_, _
from bot.ids import Callback, Field
from bot.labels import label
from bot.metadata import ModalContext
from bot.views.lead_modals import select_input, text_input
from store.dto import StageInfo, StatusInfo
from store.vocabulary import TEMPLATES

KEEP = "edit"
TEMPLATE_NAMES = {"lifecycle": N_("Lifecycle"), "classic": N_("Classic")}


def status_lines(statuses: list[StatusInfo]) -> str:
    """The text people edit and the form parses back: canonical names and keywords, never translated."""
    return "\n".join(f"{s.name} | {s.meaning}" + (" | closed" if s.is_closed else "") for s in statuses)


def stage_lines(stages: list[StageInfo]) -> str:
    """As status_lines: parsed back, so the stored words as they are."""
    return "\n".join(f"{s.name} | {s.probability}" + (f" | {s.outcome}" if s.outcome != "open" else "")
                     for s in stages)


def _template_name(name: str) -> str:
    known = TEMPLATE_NAMES.get(name)
    return _(known) if known else name.title()


def pipeline_modal(statuses: list[StatusInfo], stages: list[StageInfo], ctx: ModalContext) -> View:
    templates = [Option(value=KEEP, label=_("Use the lists below"))] + [
        Option(value=name, label=f"{_template_name(name)}: {' → '.join(label(n) for n, _m, _c in rows[:4])}…"[:75])
        for name, rows in TEMPLATES.items()]
    blocks: list[Block] = [
        ContextBlock(elements=[MarkdownTextObject(
            text=_("One per line. Reorder by moving lines, add a line, remove one to retire it. Rename with "
                   "`Old -> New`: its leads follow and the history keeps the old name."))]),
        select_input(Field.TEMPLATE, _("Template"), templates, optional=False, initial=templates[0],
                     hint=_("A template replaces the statuses below; leads in statuses it lacks move as said below.")),
        text_input(Field.STATUSES, _("Statuses"), multiline=True, optional=False, max_length=3000,
                   initial=status_lines(statuses), hint=_("Name | what it means | closed (for the end of the road)")),
        text_input(Field.MOVE_TO, _("Move leads of removed statuses to"), max_length=40,
                   hint=_("A status of the new list. Needed only when a removed status still has leads.")),
        text_input(Field.STAGES, _("Deal stages"), multiline=True, optional=False, max_length=3000,
                   initial=stage_lines(stages), hint=_("Name | win probability % | won or lost (one of each)")),
        text_input(Field.MOVE_DEALS_TO, _("Move deals of removed stages to"), max_length=40,
                   hint=_("A stage of the new list. Needed only when a removed stage still has deals.")),
    ]
    return View(type="modal", callback_id=Callback.PIPELINE, title=_("Pipelines"), submit=_("Save"),
                close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)
