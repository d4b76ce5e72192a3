"""The modals: update (the heart of the product), new lead, change status, reassign."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block, ContextBlock, DatePickerElement, ExternalDataSelectElement, InputBlock, MarkdownTextObject, Option,
    PlainTextInputElement, SectionBlock, StaticSelectElement, TimePickerElement, UserSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import Action, Callback, Field
from bot.metadata import ModalContext
from bot.views.text import esc, esc_cut, plain, user, when
from store.dto import LeadSummary, StatusInfo
from store.vocabulary import ACTIVITY_KINDS, OUTCOMES, SEGMENTS, SOURCE_MAX, SOURCES


def _options(values: list[str]) -> list[Option]:
    return [Option(text=plain(v, 75), value=v) for v in values]


def status_options(statuses: list[StatusInfo]) -> list[Option]:
    return [
        Option(text=plain(s.name, 75), value=s.name[:150], description=plain(s.meaning, 75)) for s in statuses[:100]
    ]


def lead_option(lead: LeadSummary) -> Option:
    """One entry of the Lead picker (plain text: no escaping, only Slack's 75-character limit)."""
    label = f"{lead.company} · {lead.status}" + ("" if lead.is_open else " (closed)")
    return Option(text=plain(f"#{lead.id} {label}", 75), value=str(lead.id))


def _lead_header(lead: LeadSummary, tz: str) -> SectionBlock:
    text = f"*{esc_cut(lead.company, 200)}*  ·  #{lead.id}\nStatus *{esc(lead.status)}* · owner {user(lead.owner_id)}"
    if lead.follow_up:
        text += f"\nOpen follow-up: {when(lead.follow_up.due_at, tz)}"
    return SectionBlock(text=MarkdownTextObject(text=text))


def labelled(field: Field, label: str, element, *, optional: bool = True, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=field, label=label, optional=optional, hint=hint, element=element)


def select_input(field: Field, label: str, options: list[Option], *, hint: str | None = None,
            initial: Option | None = None, optional: bool = True) -> InputBlock:
    element = StaticSelectElement(action_id=field, placeholder="Choose…", options=options, initial_option=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def text_input(field: Field, label: str, *, multiline: bool = False, optional: bool = True, hint: str | None = None,
          max_length: int = 3000, placeholder: str | None = None, initial: str | None = None) -> InputBlock:
    element = PlainTextInputElement(action_id=field, multiline=multiline, max_length=max_length,
                                    placeholder=placeholder, initial_value=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def person_input(field: Field, label: str, *, optional: bool, hint: str | None = None,
                 initial: str | None = None) -> InputBlock:
    element = UserSelectElement(action_id=field, placeholder="Choose a person", initial_user=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def lead_picker(hint: str | None) -> InputBlock:
    return InputBlock(
        block_id=Field.LEAD,
        label="Lead",
        hint=hint or "Type the first letters of the company.",
        element=ExternalDataSelectElement(action_id=Action.LEAD_SELECT, placeholder="Search companies…",
                                          min_query_length=1),
    )


def _update_inputs(statuses: tuple[StatusInfo, ...], current_status: str | None, tz: str) -> list[Block]:
    options = status_options(list(statuses))
    current = next((o for o in options if o.value == current_status), None)
    return [
        select_input(Field.STATUS, "Status", options, initial=current,
                hint="Where the relationship stands now. Each status says what it means."),
        select_input(Field.ACTIVITY, "Activity", _options(ACTIVITY_KINDS),
                hint="What you did. Leave empty if you only change the status or the follow-up."),
        select_input(Field.OUTCOME, "Outcome", _options(OUTCOMES),
                hint="Attempts that reached nobody count too: choose No answer or Left message."),
        text_input(Field.NOTE, "Note", multiline=True, placeholder="What was said, what was agreed…"),
        labelled(Field.FOLLOW_UP_DATE, "Next follow-up",
               DatePickerElement(action_id=Field.FOLLOW_UP_DATE, placeholder="Pick a date"),
               hint=f"Date of the next step, in your time zone ({tz}). Replaces the open follow-up."),
        labelled(Field.FOLLOW_UP_TIME, "Follow-up time",
               TimePickerElement(action_id=Field.FOLLOW_UP_TIME, placeholder="09:00"), hint="Leave empty for 09:00."),
        text_input(Field.FOLLOW_UP_NOTE, "Next step", max_length=500,
              placeholder="e.g. call back after the parcel cut-off"),
    ]


FOLLOW_UP_CHOICES = {"done": "Mark it done", "keep": "Keep it open"}


def _follow_up_choice(lead: LeadSummary | None, default: str, tz: str) -> InputBlock:
    options = [Option(text=label, value=value) for value, label in FOLLOW_UP_CHOICES.items()]
    due = f" (due {when(lead.follow_up.due_at, tz)})" if lead and lead.follow_up else ""
    return select_input(Field.FOLLOW_UP_CLOSE, "Open follow-up", options,
                   initial=next(o for o in options if o.value == default),
                   hint=f"When you log an activity: is the open follow-up{due} done? A new follow-up replaces it.")


def follow_up_default(lead: LeadSummary | None, now, *, from_nudge: bool = False) -> str | None:
    """Whether the update modal asks about the open follow-up, and what it suggests: done when it is
    due (or the modal came from its nudge), keep when it lies ahead; with the Lead picker: keep."""
    if lead is None:
        return "keep"
    if lead.follow_up is None:
        return None
    return "done" if from_nudge or lead.follow_up.due_at <= now else "keep"


def _update_view(ctx: ModalContext, blocks: list) -> View:
    return View(type="modal", callback_id=Callback.UPDATE_LEAD, title="Update lead", submit="Save",
                close="Cancel", private_metadata=ctx.dump(), blocks=blocks)


def update_modal(statuses: list[StatusInfo], ctx: ModalContext, *, lead: LeadSummary | None, tz: str,
                 lead_hint: str | None = None, close_default: str | None = None) -> View:
    """Status, Activity, Outcome, Note, (Open follow-up), Next follow-up: one submission applies them all."""
    first = lead_picker(lead_hint) if lead is None else _lead_header(lead, tz)
    inputs = _update_inputs(tuple(statuses), lead.status if lead else None, tz)
    if close_default:
        inputs.insert(4, _follow_up_choice(lead, close_default, tz))
    return _update_view(ctx, [first, *inputs])


@lru_cache(maxsize=512)
def _update_inputs_json(statuses: tuple[StatusInfo, ...], current_status: str | None, tz: str) -> tuple[dict, ...]:
    return tuple(b.to_dict() for b in _update_inputs(statuses, current_status, tz))


def update_modal_payload(statuses: list[StatusInfo], ctx: ModalContext, *, lead: LeadSummary | None,
                         tz: str, close_default: str | None = None, suggestion: InputBlock | None = None) -> dict:
    """`update_modal(...).to_dict()`, fast: the inputs depend only on (statuses, current status, zone),
    so their validated JSON is built once and reused. This is on the path to views.open (3 s trigger).
    `suggestion`: the one-click times the connect rates suggest, after the follow-up's time."""
    first = lead_picker(None) if lead is None else _lead_header(lead, tz)
    inputs = list(_update_inputs_json(tuple(statuses), lead.status if lead else None, tz))
    if close_default:
        inputs.insert(4, _follow_up_choice(lead, close_default, tz).to_dict())
    if suggestion is not None:
        at = next(i for i, b in enumerate(inputs) if b.get("block_id") == Field.FOLLOW_UP_TIME)
        inputs.insert(at + 1, suggestion.to_dict())
    payload = _update_view(ctx, [first]).to_dict()
    payload["blocks"] = payload["blocks"] + inputs
    return payload


def reschedule_modal(item_company: str, due_at, note: str | None, ctx: ModalContext, tz: str,
                     suggestion: InputBlock | None = None) -> View:
    """A new date and time for a follow-up (in the owner's zone), and optionally a new note; `suggestion`: the
    one-click times the connect rates suggest (choosing one replaces Date and Time)."""
    d = due_at.astimezone(ZoneInfo(tz))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=f"*{esc_cut(item_company, 200)}*\nFollow-up due {when(due_at, tz)}"
                 + (f": {esc_cut(note, 300)}" if note else ""))),
        labelled(Field.FOLLOW_UP_DATE, "Date", DatePickerElement(action_id=Field.FOLLOW_UP_DATE,
                                                              initial_date=f"{d:%Y-%m-%d}"),
               optional=False, hint=f"In your time zone ({tz})."),
        labelled(Field.FOLLOW_UP_TIME, "Time", TimePickerElement(action_id=Field.FOLLOW_UP_TIME,
                                                              initial_time=f"{d:%H:%M}"),
               hint="Leave empty for 09:00."),
        *([suggestion] if suggestion is not None else []),
        text_input(Field.FOLLOW_UP_NOTE, "Next step", max_length=500, initial=note,
              placeholder="What to do then (leave as is to keep it)"),
    ]
    return View(type="modal", callback_id=Callback.RESCHEDULE, title="Reschedule follow-up", submit="Reschedule",
                close="Cancel", private_metadata=ctx.dump(), blocks=blocks)


def new_lead_modal(ctx: ModalContext, *, company: str | None = None) -> View:
    blocks: list[Block] = [
        text_input(Field.COMPANY, "Company", optional=False, max_length=200, initial=company,
              placeholder="e.g. Busan Bakery"),
        text_input(Field.CONTACT_NAME, "Contact name", max_length=200),
        text_input(Field.EMAIL, "Email", max_length=320, placeholder="name@company.com"),
        text_input(Field.PHONE, "Phone", max_length=40),
        select_input(Field.SEGMENT, "Segment", _options(SEGMENTS),
                hint="SMB: small, decides fast. Enterprise: big, slow, needs onboarding."),
        select_input(Field.SOURCE, "Source", _options(SOURCES)),
        text_input(Field.SOURCE_OTHER, "Or another source", max_length=SOURCE_MAX,
                   placeholder="e.g. Google Ads, naver, the spring landing page",
                   hint="Typed here, it is used instead of the list's choice."),
        person_input(Field.OWNER, "Owner", optional=True,
                hint="Leave empty to route it through the queues (or own it yourself when there are none)."),
        text_input(Field.NOTE, "Note", multiline=True, placeholder="How they found us, what they need…"),
    ]
    return View(type="modal", callback_id=Callback.NEW_LEAD, title="New lead", submit="Create", close="Cancel",
                private_metadata=ctx.dump(), blocks=blocks)


def status_modal(statuses: list[StatusInfo], lead: LeadSummary, ctx: ModalContext, tz: str) -> View:
    options = status_options(statuses)
    current = next((o for o in options if o.value == lead.status), None)
    blocks: list[Block] = [
        _lead_header(lead, tz),
        select_input(Field.STATUS, "Status", options, initial=current, optional=False,
                hint="Each status says what it means."),
        text_input(Field.REASON, "Reason", max_length=500, placeholder="Why it changed (optional)"),
    ]
    return View(type="modal", callback_id=Callback.CHANGE_STATUS, title="Change status", submit="Save",
                close="Cancel", private_metadata=ctx.dump(), blocks=blocks)


def reassign_modal(lead: LeadSummary, ctx: ModalContext, tz: str) -> View:
    blocks: list[Block] = [
        _lead_header(lead, tz),
        person_input(Field.OWNER, "New owner", optional=False),
        text_input(Field.REASON, "Reason", max_length=500, placeholder="Why (optional)"),
    ]
    return View(type="modal", callback_id=Callback.REASSIGN, title="Reassign lead", submit="Reassign",
                close="Cancel", private_metadata=ctx.dump(), blocks=blocks)


def loading_modal(title: str) -> View:
    """Opened at once inside the trigger window, replaced by views.update when data is ready."""
    return View(type="modal", title=title, close="Cancel",
                blocks=[ContextBlock(elements=[MarkdownTextObject(text="Loading…")])])


def message_modal(title: str, text: str) -> View:
    return View(type="modal", title=plain(title, 24), close="Close",
                blocks=[SectionBlock(text=MarkdownTextObject(text=text))])

