"""What managers see of routing: the queue list, the queue form and the weights form."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, ConversationSelectElement, InputBlock, MarkdownTextObject,
    Option, PlainTextInputElement, SectionBlock, StaticSelectElement, UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import Action, Callback, Field
from bot.metadata import QueueRef
from bot.views.text import duration_text, esc, esc_cut, plain, user
from store.dto import QueueInfo
from store.vocabulary import ON_BREACH, SEGMENTS

def _segment(q: QueueInfo) -> str:
    return f"{esc(q.segment)} leads" if q.segment else "any segment"


def queue_list(queues: list[QueueInfo], away: dict[str, datetime], tz: str) -> tuple[str, list[Block]]:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(
        text="*Routing queues.* A lead created without an owner goes to the first queue whose segment matches, "
             "else the default queue; within it, to the next available rep in rotation."))]
    for q in queues[:20]:
        members = ", ".join(
            f"{user(u)}" + (f" ×{w}" if w != 1 else "") + (" (away)" if u in away else "") for u, w in q.members)
        text = (f"*{esc_cut(q.name, 80)}*{' (default)' if q.is_default else ''} → <#{q.channel_id}> · "
                f"{_segment(q)} · SLA {duration_text(q.sla_minutes)} · on breach: {ON_BREACH[q.on_breach].lower()}\n"
                f"{members} · {q.routed} routed")
        ref = QueueRef(queue_id=q.id).dump()
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:2900])))
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text="Edit", action_id=Action.QUEUE_EDIT, value=ref),
            ButtonElement(text="Weights", action_id=Action.QUEUE_WEIGHTS, value=ref),
        ]))
    blocks.append(ActionsBlock(elements=[ButtonElement(text="New queue", action_id=Action.QUEUE_NEW, style="primary",
                                                       value=QueueRef().dump())]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text="`/lead away [until &lt;date&gt;]` and `/lead back` set availability; managers can add `@someone`.")]))
    return f"{len(queues)} routing queue{'s' if len(queues) != 1 else ''}", blocks


def queue_modal(q: QueueInfo | None, channel_hint: str | None) -> View:
    seg_opts = [Option(text="Any segment", value="*")] + [Option(text=s, value=s) for s in SEGMENTS]
    seg_init = next((o for o in seg_opts if o.value == (q.segment if q and q.segment else "*")), seg_opts[0])
    breach_opts = [Option(text=label, value=key) for key, label in ON_BREACH.items()]
    breach_init = next(o for o in breach_opts if o.value == (q.on_breach if q else "notify"))
    channel = q.channel_id if q else (channel_hint if channel_hint and channel_hint[0] in "CG" else None)
    blocks: list[Block] = [
        InputBlock(block_id=Field.NAME, label="Name", element=PlainTextInputElement(
            action_id=Field.NAME, max_length=80, initial_value=q.name if q else None, placeholder="e.g. Inbound")),
        InputBlock(block_id=Field.CHANNEL, label="Channel", hint="Where assignment notices (lead cards) go.",
                   element=ConversationSelectElement(action_id=Field.CHANNEL, initial_conversation=channel,
                                                     filter={"include": ["public", "private"],
                                                             "exclude_bot_users": True})),
        InputBlock(block_id=Field.MEMBERS, label="Members", hint="In rotation order. Weights: the Weights button.",
                   element=UserMultiSelectElement(action_id=Field.MEMBERS, placeholder="Choose reps",
                                                  initial_users=[u for u, _ in q.members] if q else None)),
        InputBlock(block_id=Field.SEGMENT, label="Segment rule", hint="Which leads this queue takes.",
                   element=StaticSelectElement(action_id=Field.SEGMENT, options=seg_opts, initial_option=seg_init)),
        InputBlock(block_id=Field.SLA, label="First-touch SLA", optional=True,
                   hint="How soon the owner must log a first activity: 45m, 1h, 2d. Empty: 1h.",
                   element=PlainTextInputElement(action_id=Field.SLA, max_length=10,
                                                 initial_value=duration_text(q.sla_minutes).replace(" ", "") if q else "1h")),
        InputBlock(block_id=Field.ON_BREACH, label="On breach",
                   element=StaticSelectElement(action_id=Field.ON_BREACH, options=breach_opts,
                                               initial_option=breach_init)),
    ]
    title = "Edit queue" if q else "New routing queue"
    return View(type="modal", callback_id=Callback.QUEUE, title=title, submit="Save", close="Cancel",
                private_metadata=QueueRef(queue_id=q.id if q else None).dump(), blocks=blocks)


def weights_modal(q: QueueInfo, names: dict[str, str]) -> View:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(
        text=f"*{esc_cut(q.name, 80)}*: a member with weight 2 gets twice the leads of weight 1; 0 skips them."))]
    for u, w in q.members[:40]:
        blocks.append(InputBlock(block_id=f"w:{u}", label=plain(f"Weight for {names.get(u) or u}", 2000),
                                 element=PlainTextInputElement(action_id=f"w:{u}", initial_value=str(w),
                                                               max_length=3)))
    return View(type="modal", callback_id=Callback.WEIGHTS, title="Queue weights", submit="Save", close="Cancel",
                private_metadata=QueueRef(queue_id=q.id).dump(), blocks=blocks)
