"""The modals: update (the heart of the product), new lead, change status, reassign."""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block, ContextBlock, DatePickerElement, ExternalDataSelectElement, InputBlock, MarkdownTextObject, Option,
    PlainTextInputElement, SectionBlock, StaticSelectElement, TimePickerElement, UserSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import N_, _, current
from bot.ids import Action, Callback, Field
from bot.labels import label
from bot.metadata import ModalContext
from bot.views.text import esc, esc_cut, plain, user, when
from store.dto import LeadSummary, StatusInfo
from store.vocabulary import ACTIVITY_KINDS, OUTCOMES, SEGMENTS, SOURCE_MAX, SOURCES


def _options(values: list[str]) -> list[Option]:
    return [Option(text=plain(label(v), 75), value=v) for v in values]


def status_options(statuses: list[StatusInfo]) -> list[Option]:
    return [
        Option(text=plain(label(s.name), 75), value=s.name[:150], description=plain(label(s.meaning), 75))
        for s in statuses[:100]
    ]


def lead_option(lead: LeadSummary) -> Option:
    """One entry of the Lead picker (plain text: no escaping, only Slack's 75-character limit)."""
    shown = f"{lead.company} · {label(lead.status)}"
    if not lead.is_open:
        shown = _("{lead} (closed)").format(lead=shown)
    return Option(text=plain(f"#{lead.id} {shown}", 75), value=str(lead.id))


def _lead_header(lead: LeadSummary, tz: str) -> SectionBlock:
    text = f"*{esc_cut(lead.company, 200)}*  ·  #{lead.id}\n" + _("Status *{status}* · owner {owner}").format(
        status=esc(label(lead.status)), owner=user(lead.owner_id))
    if lead.follow_up:
        text += "\n" + _("Open follow-up: {due}").format(due=when(lead.follow_up.due_at, tz))
    return SectionBlock(text=MarkdownTextObject(text=text))


def labelled(field: Field, label: str, element, *, optional: bool = True, hint: str | None = None) -> InputBlock:
    return InputBlock(block_id=field, label=label, optional=optional, hint=hint, element=element)


def select_input(field: Field, label: str, options: list[Option], *, hint: str | None = None,
            initial: Option | None = None, optional: bool = True) -> InputBlock:
    element = StaticSelectElement(action_id=field, placeholder=_("Choose…"), options=options, initial_option=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def text_input(field: Field, label: str, *, multiline: bool = False, optional: bool = True, hint: str | None = None,
          max_length: int = 3000, placeholder: str | None = None, initial: str | None = None) -> InputBlock:
    element = PlainTextInputElement(action_id=field, multiline=multiline, max_length=max_length,
                                    placeholder=placeholder, initial_value=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def person_input(field: Field, label: str, *, optional: bool, hint: str | None = None,
                 initial: str | None = None) -> InputBlock:
    element = UserSelectElement(action_id=field, placeholder=_("Choose a person"), initial_user=initial)
    return labelled(field, label, element, optional=optional, hint=hint)


def lead_picker(hint: str | None) -> InputBlock:
    return InputBlock(
        block_id=Field.LEAD,
        label=_("Lead"),
        hint=hint or _("Type the first letters of the company."),
        element=ExternalDataSelectElement(action_id=Action.LEAD_SELECT, placeholder=_("Search companies…"),
                                          min_query_length=1),
    )


def _update_inputs(statuses: tuple[StatusInfo, ...], current_status: str | None, tz: str) -> list[Block]:
    options = status_options(list(statuses))
    current = next((o for o in options if o.value == current_status), None)
    return [
        select_input(Field.STATUS, _("Status"), options, initial=current,
                hint=_("Where the relationship stands now. Each status says what it means.")),
        select_input(Field.ACTIVITY, _("Activity"), _options(ACTIVITY_KINDS),
                hint=_("What you did. Leave empty if you only change the status or the follow-up.")),
        select_input(Field.OUTCOME, _("Outcome"), _options(OUTCOMES),
                hint=_("Attempts that reached nobody count too: choose No answer or Left message.")),
        text_input(Field.NOTE, _("Note"), multiline=True, placeholder=_("What was said, what was agreed…")),
        labelled(Field.FOLLOW_UP_DATE, _("Next follow-up"),
               DatePickerElement(action_id=Field.FOLLOW_UP_DATE, placeholder=_("Pick a date")),
               hint=_("Date of the next step, in your time zone ({tz}). Replaces the open follow-up.").format(tz=tz)),
        labelled(Field.FOLLOW_UP_TIME, _("Follow-up time"),
               TimePickerElement(action_id=Field.FOLLOW_UP_TIME, placeholder="09:00"),
               hint=_("Leave empty for 09:00.")),
        text_input(Field.FOLLOW_UP_NOTE, _("Next step"), max_length=500,
              placeholder=_("e.g. call back after the parcel cut-off")),
    ]


FOLLOW_UP_CHOICES = {"done": N_("Mark it done"), "keep": N_("Keep it open")}


def _follow_up_choice(lead: LeadSummary | None, default: str, tz: str) -> InputBlock:
    options = [Option(text=_(text), value=value) for value, text in FOLLOW_UP_CHOICES.items()]
    if lead and lead.follow_up:
        hint = _("When you log an activity: is the open follow-up (due {due}) done? A new follow-up replaces it."
                 ).format(due=when(lead.follow_up.due_at, tz))
    else:
        hint = _("When you log an activity: is the open follow-up done? A new follow-up replaces it.")
    return select_input(Field.FOLLOW_UP_CLOSE, _("Open follow-up"), options,
                   initial=next(o for o in options if o.value == default), hint=hint)


def follow_up_default(lead: LeadSummary | None, now, *, from_nudge: bool = False) -> str | None:
    """Whether the update modal asks about the open follow-up, and what it suggests: done when it is
    due (or the modal came from its nudge), keep when it lies ahead; with the Lead picker: keep."""
    if lead is None:
        return "keep"
    if lead.follow_up is None:
        return None
    return "done" if from_nudge or lead.follow_up.due_at <= now else "keep"


def _update_view(ctx: ModalContext, blocks: list) -> View:
    return View(type="modal", callback_id=Callback.UPDATE_LEAD, title=_("Update lead"), submit=_("Save"),
                close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)


def update_modal(statuses: list[StatusInfo], ctx: ModalContext, *, lead: LeadSummary | None, tz: str,
                 lead_hint: str | None = None, close_default: str | None = None) -> View:
    """Status, Activity, Outcome, Note, (Open follow-up), Next follow-up: one submission applies them all."""
    first = lead_picker(lead_hint) if lead is None else _lead_header(lead, tz)
    inputs = _update_inputs(tuple(statuses), lead.status if lead else None, tz)
    if close_default:
        inputs.insert(4, _follow_up_choice(lead, close_default, tz))
    return _update_view(ctx, [first, *inputs])


@lru_cache(maxsize=512)
def _update_inputs_json(statuses: tuple[StatusInfo, ...], current_status: str | None, tz: str,
                        lang: str) -> tuple[dict, ...]:
    """`lang` (the language being spoken) is part of the cache key: the inputs' text is in it."""
    return tuple(b.to_dict() for b in _update_inputs(statuses, current_status, tz))


def update_modal_payload(statuses: list[StatusInfo], ctx: ModalContext, *, lead: LeadSummary | None,
                         tz: str, close_default: str | None = None, suggestion: InputBlock | None = None) -> dict:
    """`update_modal(...).to_dict()`, fast: the inputs depend only on (statuses, current status, zone),
    so their validated JSON is built once and reused. This is on the path to views.open (3 s trigger).
    `suggestion`: the one-click times the connect rates suggest, after the follow-up's time."""
    first = lead_picker(None) if lead is None else _lead_header(lead, tz)
    inputs = list(_update_inputs_json(tuple(statuses), lead.status if lead else None, tz, current()))
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
            text=f"*{esc_cut(item_company, 200)}*\n" + (
                _("Follow-up due {due}: {note}").format(due=when(due_at, tz), note=esc_cut(note, 300)) if note
                else _("Follow-up due {due}").format(due=when(due_at, tz))))),
        labelled(Field.FOLLOW_UP_DATE, _("Date"), DatePickerElement(action_id=Field.FOLLOW_UP_DATE,
                                                                 initial_date=f"{d:%Y-%m-%d}"),
               optional=False, hint=_("In your time zone ({tz}).").format(tz=tz)),
        labelled(Field.FOLLOW_UP_TIME, _("Time"), TimePickerElement(action_id=Field.FOLLOW_UP_TIME,
                                                                 initial_time=f"{d:%H:%M}"),
               hint=_("Leave empty for 09:00.")),
        *([suggestion] if suggestion is not None else []),
        text_input(Field.FOLLOW_UP_NOTE, _("Next step"), max_length=500, initial=note,
              placeholder=_("What to do then (leave as is to keep it)")),
    ]
    return View(type="modal", callback_id=Callback.RESCHEDULE, title=_("Reschedule follow-up"),
                submit=_("Reschedule"), close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)


def new_lead_modal(ctx: ModalContext, *, company: str | None = None) -> View:
    blocks: list[Block] = [
        text_input(Field.COMPANY, _("Company"), optional=False, max_length=200, initial=company,
              placeholder=_("e.g. Busan Bakery")),
        text_input(Field.CONTACT_NAME, _("Contact name"), max_length=200),
        text_input(Field.EMAIL, _("Email"), max_length=320, placeholder="name@company.com"),
        text_input(Field.PHONE, _("Phone"), max_length=40),
        select_input(Field.SEGMENT, _("Segment"), _options(SEGMENTS),
                hint=_("SMB: small, decides fast. Enterprise: big, slow, needs onboarding.")),
        select_input(Field.SOURCE, _("Source"), _options(SOURCES)),
        text_input(Field.SOURCE_OTHER, _("Or another source"), max_length=SOURCE_MAX,
                   placeholder=_("e.g. Google Ads, naver, the spring landing page"),
                   hint=_("Typed here, it is used instead of the list's choice.")),
        person_input(Field.OWNER, _("Owner"), optional=True,
                hint=_("Leave empty to route it through the queues (or own it yourself when there are none).")),
        text_input(Field.NOTE, _("Note"), multiline=True, placeholder=_("How they found us, what they need…")),
    ]
    return View(type="modal", callback_id=Callback.NEW_LEAD, title=_("New lead"), submit=_("Create"),
                close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)


def status_modal(statuses: list[StatusInfo], lead: LeadSummary, ctx: ModalContext, tz: str) -> View:
    options = status_options(statuses)
    current = next((o for o in options if o.value == lead.status), None)
    blocks: list[Block] = [
        _lead_header(lead, tz),
        select_input(Field.STATUS, _("Status"), options, initial=current, optional=False,
                hint=_("Each status says what it means.")),
        text_input(Field.REASON, _("Reason"), max_length=500, placeholder=_("Why it changed (optional)")),
    ]
    return View(type="modal", callback_id=Callback.CHANGE_STATUS, title=_("Change status"), submit=_("Save"),
                close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)


def reassign_modal(lead: LeadSummary, ctx: ModalContext, tz: str) -> View:
    blocks: list[Block] = [
        _lead_header(lead, tz),
        person_input(Field.OWNER, _("New owner"), optional=False),
        text_input(Field.REASON, _("Reason"), max_length=500, placeholder=_("Why (optional)")),
    ]
    return View(type="modal", callback_id=Callback.REASSIGN, title=_("Reassign lead"), submit=_("Reassign"),
                close=_("Cancel"), private_metadata=ctx.dump(), blocks=blocks)


def loading_modal(title: str) -> View:
    """Opened at once inside the trigger window, replaced by views.update when data is ready."""
    return View(type="modal", title=title, close=_("Cancel"),
                blocks=[ContextBlock(elements=[MarkdownTextObject(text=_("Loading…"))])])


def message_modal(title: str, text: str) -> View:
    return View(type="modal", title=plain(title, 24), close=_("Close"),
                blocks=[SectionBlock(text=MarkdownTextObject(text=text))])

