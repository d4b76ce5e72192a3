"""`/lead settings statuses`: the workspace's lead statuses and deal stages, edited as lines of text."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, Option
from slack_sdk.models.views import View

from bot.ids import Callback, Field
from bot.metadata import ModalContext
from bot.views.lead_modals import select_input, text_input
from store.dto import StageInfo, StatusInfo
from store.vocabulary import TEMPLATES

KEEP = "edit"


def status_lines(statuses: list[StatusInfo]) -> str:
    return "\n".join(f"{s.name} | {s.meaning}" + (" | closed" if s.is_closed else "") for s in statuses)


def stage_lines(stages: list[StageInfo]) -> str:
    return "\n".join(f"{s.name} | {s.probability}" + (f" | {s.outcome}" if s.outcome != "open" else "")
                     for s in stages)


def pipeline_modal(statuses: list[StatusInfo], stages: list[StageInfo], ctx: ModalContext) -> View:
    templates = [Option(value=KEEP, label="Use the lists below")] + [
        Option(value=name, label=f"{name.title()}: {' → '.join(n for n, _m, _c in rows[:4])}…"[:75])
        for name, rows in TEMPLATES.items()]
    blocks: list[Block] = [
        ContextBlock(elements=[MarkdownTextObject(
            text="One per line. Reorder by moving lines, add a line, remove one to retire it. Rename with "
                 "`Old -> New`: its leads follow and the history keeps the old name.")]),
        select_input(Field.TEMPLATE, "Template", templates, optional=False, initial=templates[0],
                     hint="A template replaces the statuses below; leads in statuses it lacks move as said below."),
        text_input(Field.STATUSES, "Statuses", multiline=True, optional=False, max_length=3000,
                   initial=status_lines(statuses), hint="Name | what it means | closed (for the end of the road)"),
        text_input(Field.MOVE_TO, "Move leads of removed statuses to", max_length=40,
                   hint="A status of the new list. Needed only when a removed status still has leads."),
        text_input(Field.STAGES, "Deal stages", multiline=True, optional=False, max_length=3000,
                   initial=stage_lines(stages), hint="Name | win probability % | won or lost (one of each)"),
        text_input(Field.MOVE_DEALS_TO, "Move deals of removed stages to", max_length=40,
                   hint="A stage of the new list. Needed only when a removed stage still has deals."),
    ]
    return View(type="modal", callback_id=Callback.PIPELINE, title="Pipelines", submit="Save", close="Cancel",
                private_metadata=ctx.dump(), blocks=blocks)
