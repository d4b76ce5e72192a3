"""What managers see of routing: the queue list, the queue form and the weights form."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, ConversationSelectElement, InputBlock, MarkdownTextObject,
    Option, PlainTextInputElement, SectionBlock, StaticSelectElement, UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import _, ngettext
from bot.ids import Action, Callback, Field
from bot.labels import label
from bot.metadata import QueueRef
from bot.views.text import duration_text, esc, esc_cut, num, plain, user
from store.dto import QueueInfo
from store.vocabulary import ON_BREACH, SEGMENTS


def _typed_span(minutes: int) -> str:
    """The SLA as the form reads it back (`45min`, `1h`, `2d`) whatever the reader's language."""
    if minutes and minutes % 1440 == 0:
        return f"{minutes // 1440}d"
    if minutes and minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}min"


def _segment(q: QueueInfo) -> str:
    return _("{segment} leads").format(segment=esc(label(q.segment))) if q.segment else _("any segment")


def queue_list(queues: list[QueueInfo], away: dict[str, datetime], tz: str) -> tuple[str, list[Block]]:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(
        text=_("*Routing queues.* A lead created without an owner goes to the first queue whose segment matches, "
               "else the default queue; within it, to the next available rep in rotation.")))]
    for q in queues[:20]:
        members = ", ".join(
            f"{user(u)}" + (f" ×{w}" if w != 1 else "") + (" " + _("(away)") if u in away else "")
            for u, w in q.members)
        name = f"*{esc_cut(q.name, 80)}*" + (" " + _("(default)") if q.is_default else "")
        text = _("{queue} → {channel} · {segment} · SLA {sla} · on breach: {on_breach}\n"
                 "{members} · {routed} routed").format(
            queue=name, channel=f"<#{q.channel_id}>", segment=_segment(q), sla=duration_text(q.sla_minutes),
            on_breach=label(ON_BREACH[q.on_breach]).lower(), members=members, routed=num(q.routed))
        ref = QueueRef(queue_id=q.id).dump()
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:2900])))
        blocks.append(ActionsBlock(elements=[
            ButtonElement(text=_("Edit"), action_id=Action.QUEUE_EDIT, value=ref),
            ButtonElement(text=_("Weights"), action_id=Action.QUEUE_WEIGHTS, value=ref),
        ]))
    blocks.append(ActionsBlock(elements=[ButtonElement(text=_("New queue"), action_id=Action.QUEUE_NEW, style="primary",
                                                       value=QueueRef().dump())]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=_("`/lead away [until &lt;date&gt;]` and `/lead back` set availability; managers can add `@someone`."))]))
    return ngettext("{n} routing queue", "{n} routing queues", len(queues)).format(n=num(len(queues))), blocks


def queue_modal(q: QueueInfo | None, channel_hint: str | None) -> View:
    seg_opts = [Option(text=_("Any segment"), value="*")] + [Option(text=label(s), value=s) for s in SEGMENTS]
    seg_init = next((o for o in seg_opts if o.value == (q.segment if q and q.segment else "*")), seg_opts[0])
    breach_opts = [Option(text=label(word), value=key) for key, word in ON_BREACH.items()]
    breach_init = next(o for o in breach_opts if o.value == (q.on_breach if q else "notify"))
    channel = q.channel_id if q else (channel_hint if channel_hint and channel_hint[0] in "CG" else None)
    blocks: list[Block] = [
        InputBlock(block_id=Field.NAME, label=_("Name"), element=PlainTextInputElement(
            action_id=Field.NAME, max_length=80, initial_value=q.name if q else None, placeholder=_("e.g. Inbound"))),
        InputBlock(block_id=Field.CHANNEL, label=_("Channel"), hint=_("Where assignment notices (lead cards) go."),
                   element=ConversationSelectElement(action_id=Field.CHANNEL, initial_conversation=channel,
                                                     filter={"include": ["public", "private"],
                                                             "exclude_bot_users": True})),
        InputBlock(block_id=Field.MEMBERS, label=_("Members"),
                   hint=_("In rotation order. Weights: the Weights button."),
                   element=UserMultiSelectElement(action_id=Field.MEMBERS, placeholder=_("Choose reps"),
                                                  initial_users=[u for u, _w in q.members] if q else None)),
        InputBlock(block_id=Field.SEGMENT, label=_("Segment rule"), hint=_("Which leads this queue takes."),
                   element=StaticSelectElement(action_id=Field.SEGMENT, options=seg_opts, initial_option=seg_init)),
        InputBlock(block_id=Field.SLA, label=_("First-touch SLA"), optional=True,
                   hint=_("How soon the owner must log a first activity: 45m, 1h, 2d. Empty: 1h."),
                   element=PlainTextInputElement(action_id=Field.SLA, max_length=10,
                                                 initial_value=_typed_span(q.sla_minutes) if q else "1h")),
        InputBlock(block_id=Field.ON_BREACH, label=_("On breach"),
                   element=StaticSelectElement(action_id=Field.ON_BREACH, options=breach_opts,
                                               initial_option=breach_init)),
    ]
    title = _("Edit queue") if q else _("New routing queue")
    return View(type="modal", callback_id=Callback.QUEUE, title=title, submit=_("Save"), close=_("Cancel"),
                private_metadata=QueueRef(queue_id=q.id if q else None).dump(), blocks=blocks)


def weights_modal(q: QueueInfo, names: dict[str, str]) -> View:
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(
        text=_("*{queue}*: a member with weight 2 gets twice the leads of weight 1; 0 skips them.").format(
            queue=esc_cut(q.name, 80))))]
    for u, w in q.members[:40]:
        blocks.append(InputBlock(block_id=f"w:{u}",
                                 label=plain(_("Weight for {name}").format(name=names.get(u) or u), 2000),
                                 element=PlainTextInputElement(action_id=f"w:{u}", initial_value=str(w),
                                                               max_length=3)))
    return View(type="modal", callback_id=Callback.WEIGHTS, title=_("Queue weights"), submit=_("Save"),
                close=_("Cancel"),
                private_metadata=QueueRef(queue_id=q.id).dump(), blocks=blocks)
