"""Short ephemeral answers after something was saved."""

from __future__ import annotations

from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock,
)

from bot.i18n import _
from bot.ids import Action
from bot.labels import label
from bot.metadata import FollowRef, NudgeRef, PendingAction
from bot.views.best_time import explain, hours_text, slot_label
from bot.views.deals import deal_thread_line
from bot.views.text import bold, esc, esc_cut, plain, user, when
from store.dto import ChangeRecord, LeadSummary
from store.dto.reports import BestTimes, Slot


def _where(lead: LeadSummary) -> str:
    if lead.card_permalink:
        return " <{link}|{text}>.".format(link=lead.card_permalink, text=_("Open the card"))
    if lead.card_channel:
        return " " + _("The card is in <#{channel}>.").format(channel=lead.card_channel)
    return ""


def created(lead: LeadSummary, actor_id: str, card_error: str | None) -> str:
    if lead.owner_id == actor_id:
        text = _("Created {company} (#{id}), status *{status}*. You own it.")
    else:
        text = _("Created {company} (#{id}), status *{status}*. {owner} owns it.")
    text = text.format(company=bold(lead.company, 200), id=lead.id, status=esc(label(lead.status)),
                       owner=user(lead.owner_id))
    return text + _where(lead) + card_problem(card_error)


def existed(lead: LeadSummary) -> str:
    return _("{company} already has an open lead (#{id}, {status}, owner {owner}). "
             "Use `/lead update #{id}` to log what happened.").format(
        company=bold(lead.company, 200), id=lead.id, status=esc(label(lead.status)),
        owner=user(lead.owner_id)) + _where(lead)


def changed(lead: LeadSummary, change: ChangeRecord, tz: str, card_error: str | None = None) -> str:
    bits = [deal_thread_line(change.deal)] if change.deal else []
    if change.activity:
        activity = esc(label(change.activity))
        if change.outcome not in (None, "Not applicable"):
            outcome = esc(label(change.outcome))
            bits.append(_("logged {activity} ({outcome})").format(activity=activity, outcome=outcome))
        else:
            bits.append(_("logged {activity}").format(activity=activity))
    if change.status_to:
        bits.append(_("status *{old}* → *{new}*").format(old=esc(label(change.status_from)),
                                                         new=esc(label(change.status_to))))
    if change.owner_to:
        bits.append(_("owner is now {owner}").format(owner=user(change.owner_to)))
    if change.follow_up_at:
        at = when(change.follow_up_at, tz)
        moved = _("follow-up moved to {at}") if change.follow_up_moved else _("next follow-up {at}")
        bits.append(moved.format(at=at))
    elif change.follow_up_closed:
        bits.append(_closed(change.follow_up_closed))
    text = f"{bold(lead.company, 200)}: " + ", ".join(bits) + "." + _where(lead) + card_problem(card_error)
    if change.activity == "Note" and lead.sla_due_at and not lead.first_touch_at and change.actor_id == lead.owner_id:
        text += "\n" + _("The first-touch clock still runs: a note is not a touch. A call, e-mail, meeting or "
                         "message stops it, answered or not.")
    return text


def _closed(state: str) -> str:
    """What happened to the open follow-up (`done` or `cancelled`)."""
    if state == "done":
        return _("open follow-up marked done")
    if state == "cancelled":
        return _("open follow-up marked cancelled")
    return _("open follow-up marked {state}").format(state=esc(state))


def card_problem(error: str | None) -> str:
    if not error:
        return ""
    if error in ("no_crm_channel", "not_in_channel", "channel_not_found", "is_archived"):
        return "\n" + _(":warning: I can't post the lead card in this channel. Invite me (`/invite @CRM`) or ask a "
                        "manager to choose the channel for cards (`/lead settings channel #sales`); I'll keep trying.")
    return "\n" + _(":warning: Slack did not take the card update yet ({error}); I'll retry.").format(error=esc(error))


def follow_up_still_open(confirmation: str, lead: LeadSummary, tz: str, now: datetime,
                         reader_id: str | None = None) -> list[Block]:
    """After `/lead log`: the follow-up is still open (a quick log never closes it); one click closes it."""
    f = lead.follow_up
    assert f is not None
    due = (_("due {when} (overdue)") if f.due_at <= now else _("due {when}")).format(when=when(f.due_at, tz))
    ref = NudgeRef(follow_up_id=f.id, lead_id=lead.id).dump()
    mine = reader_id is None or f.owner_id == reader_id
    if mine:
        text = _("Your follow-up is still open, {due}: {note}") if f.note else _("Your follow-up is still open, {due}.")
    else:
        text = (_("{owner}'s follow-up is still open, {due}: {note}") if f.note else
                _("{owner}'s follow-up is still open, {due}."))
    text = text.format(owner=user(f.owner_id), due=due, note=esc_cut(f.note, 300))
    return [
        SectionBlock(text=MarkdownTextObject(text=confirmation)),
        SectionBlock(text=MarkdownTextObject(text=text)),
        ActionsBlock(elements=[ButtonElement(text=_("Mark follow-up done"), action_id=Action.NUDGE_DONE,
                                             value=ref)]),
    ]


def follow_answer(lead: LeadSummary, following: bool) -> tuple[str, list[Block]]:
    company = bold(lead.company, 200)
    if following:
        text = _("You follow {company}: I'll DM you when its status or owner changes or a comment mentions you "
                 "(changes within a minute come as one message).").format(company=company)
        button = ButtonElement(text=_("Unfollow"), action_id=Action.CARD_FOLLOW,
                               value=FollowRef(lead_id=lead.id, follow=False).dump())
    else:
        text = _("You no longer follow {company}.").format(company=company)
        button = ButtonElement(text=_("Follow"), action_id=Action.CARD_FOLLOW,
                               value=FollowRef(lead_id=lead.id, follow=True).dump())
    return text, [SectionBlock(text=MarkdownTextObject(text=text)), ActionsBlock(elements=[button])]


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def _slot_text(slot: Slot, tz: str, move: bool) -> str:
    shown = slot_label(slot, tz)
    return _("Move to {slot}").format(slot=shown) if move else shown


def _slot_buttons(lead: LeadSummary, best: BestTimes, tz: str, note: str | None, move: bool = False) -> ActionsBlock:
    """One button per suggested time: the follow-up is planned then (a pick-one replay, applied once);
    `move`: the buttons say `Move to …` (a follow-up is already planned)."""
    return ActionsBlock(elements=[
        ButtonElement(text=plain(_slot_text(slot, tz, move), 75), action_id=f"{Action.PICK_LEAD}:slot{i}",
                      value=PendingAction(verb="followup", lead_id=lead.id, due=slot.at.isoformat(),
                                          arg=note).dump())
        for i, slot in enumerate(best.slots)])


def suggested_times(lead: LeadSummary, best: BestTimes, tz: str, *, in_thread: bool = False) -> tuple[str, list[Block]]:
    """`/lead followup <lead>` with no time: the best next slots, one click each."""
    text = _("When should the next follow-up on {company} be? {why}.").format(
        company=bold(lead.company, 200), why=explain(best, tz))
    blocks: list[Block] = [section(text)]
    if hours_text(best.contact_hours):
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hours_text(best.contact_hours))]))
    blocks.append(_slot_buttons(lead, best, tz, None))
    how = "`@CRM followup tomorrow 10am send the quote`" if in_thread else \
        f"`/lead followup #{lead.id} tomorrow 10am send the quote`"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("Or give a time yourself: {how}").format(how=how))]))
    return text, blocks


def better_times(lead: LeadSummary, best: BestTimes, tz: str, note: str | None) -> list[Block]:
    """After planning a follow-up at a time when the customer rarely answers: say so, offer the better ones."""
    return [ContextBlock(elements=[MarkdownTextObject(text=f":bulb: {explain(best, tz)}.")]),
            _slot_buttons(lead, best, tz, note, move=True)]
