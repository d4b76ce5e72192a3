"""What admins see about their workspace: roles, the audit log, the intake token, the fallback channel, which
Slack statuses mean away."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock, UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.i18n import N_, _, ngettext
from bot.ids import Action, Callback, Field
from bot.metadata import AuditPage, ModalContext
from bot.views.lead_modals import labelled
from bot.views.text import esc, esc_cut, fit_lines, num, user, when
from store.dto import AuditLine, RoleChange, Roles

MANAGER_CAN = N_("Managers configure routing, reassign anyone's leads, and see the team's reports and Home.")
REP_CAN = N_("Everyone else is a rep: they work their own leads and those they are given.")
JSON_EXAMPLE = '{"company": "Acme", "email": "kim@acme.kr"}'


def _people(ids: list[str], none: str | None = None) -> str:
    return ", ".join(user(u) for u in ids) if ids else (none or _("nobody yet"))


def roles_modal(roles: Roles, ctx: ModalContext) -> View:
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text=_("*Admins* are Slack's workspace admins and owners: they grant and revoke manager here. "
                   "Known so far: {people}.").format(people=_people(roles.admins)))),
        labelled(Field.MANAGERS, _("Managers"), UserMultiSelectElement(
            action_id=Field.MANAGERS, placeholder=_("Choose people"), initial_users=roles.managers or None),
            hint=_(MANAGER_CAN)),
        ContextBlock(elements=[MarkdownTextObject(
            text=_("{rep_can} Every change is written to the audit log (`/lead audit`).").format(
                rep_can=_(REP_CAN)))]),
    ]
    return View(type="modal", callback_id=Callback.ROLES, title=_("Roles"), submit=_("Save"), close=_("Cancel"),
                private_metadata=ctx.dump(), blocks=blocks)


def roles_text(roles: Roles) -> str:
    return (_("*Admins* (Slack's workspace admins and owners): {people}.").format(people=_people(roles.admins))
            + "\n" + _("*Managers*: {people}.").format(people=_people(roles.managers, _("none")))
            + " " + _(MANAGER_CAN) + "\n" + _(REP_CAN) + "\n"
            + _("Change with `/lead settings roles` (a form), or `/lead settings roles @someone manager` / `rep`."))


def roles_saved(changes: list[RoleChange]) -> str:
    if not changes:
        return _("Nothing changed: the managers are as they were.")
    made = [c.user_id for c in changes if c.role == "manager"]
    unmade = [c.user_id for c in changes if c.role != "manager"]
    parts = []
    if made:
        parts.append(ngettext("{people} is now a manager", "{people} are now managers", len(made)).format(
            people=_people(made)))
    if unmade:
        parts.append(ngettext("{people} is a rep again", "{people} are a rep again", len(unmade)).format(
            people=_people(unmade)))
    return _("Saved: {changes}. It is in the audit log.").format(changes="; ".join(parts))


def _refused(e: AuditLine) -> str:
    said = _("was refused: {what}").format(what=esc(e.target or _("something")))
    asked = e.detail.get("asked")
    return said + (f" (`{esc_cut(asked, 80)}`)" if asked else "")


_ACTIONS = {
    "role.grant": lambda e: _("made {person} a manager").format(person=user(e.target)),
    "role.revoke": lambda e: _("made {person} a rep again").format(person=user(e.target)),
    "refused": _refused,
    "export": lambda e: _("exported the CRM's data ({n} rows)").format(n=num(e.detail.get("rows", 0))),
    "forget": lambda e: _("erased the personal data of {who}").format(who=esc(e.target or _("a contact"))),
    "install": lambda e: _("installed the app again") if e.detail.get("again") else _("installed the app"),
    "uninstall": lambda e: _("uninstalled the app ({why}); data kept until {day}").format(
        why=esc(e.target or "app_uninstalled"), day=esc((e.detail.get("purge_after") or "")[:10])),
    "intake.create": lambda e: _("made the web form's intake token"),
    "intake.rotate": lambda e: _("replaced the web form's intake token"),
    "intake.revoke": lambda e: _("turned the web form's intake token off"),
    "channel.link": lambda e: _("linked {channel} to {customer}").format(
        channel=f"<#{e.target}>", customer=esc(e.detail.get("organization") or _("a customer"))),
    "channel.unlink": lambda e: _("unlinked {channel}").format(channel=f"<#{e.target}>"),
}


def audit_line(e: AuditLine, tz: str) -> str:
    who = user(e.actor_id) if e.actor_id.startswith(("U", "W")) else f"_{esc(e.actor_id)}_"
    said = _ACTIONS.get(e.action, lambda x: esc(x.action))(e)
    return f"`{when(e.at, tz)}` {who} {said}"


def audit_message(lines: list[AuditLine], tz: str, older: int | None, about: str | None) -> tuple[str, list[Block]]:
    title = _("Audit log about {person}").format(person=user(about)) if about else _("Audit log")
    if not lines:
        text = _("*{title}*: nothing recorded yet.").format(title=title)
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    body = fit_lines([audit_line(e, tz) for e in lines], 2900)
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=_("*{title}* (newest first, {tz})").format(title=title, tz=esc(tz)))),
        SectionBlock(text=MarkdownTextObject(text=body))]
    if older is not None:
        blocks.append(ActionsBlock(elements=[ButtonElement(
            text=_("Older"), action_id=Action.AUDIT_PAGE, value=AuditPage(before_id=older, user_id=about).dump())]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text=_("Role changes, refusals, exports, erasures, installs. `/lead audit @someone` shows one person's."))]))
    return _("{title}: {n} entries").format(title=title, n=num(len(lines))), blocks


def intake_token_text(token: str, replaced: bool) -> str:
    text = _("Your web form's intake token — shown this once, copy it now:\n```{token}```\n"
             "Send leads to `POST https://<the bot's address>/intake/leads` with the header "
             "`Authorization: Bearer <token>` and a JSON body such as `{example}`.").format(
        token=token, example=JSON_EXAMPLE)
    if replaced:
        text += " " + _("The previous token stopped working just now.")
    return text + " " + _("`/lead settings intake new` replaces it, `/lead settings intake off` turns intake off.")


def intake_state(has_token: bool) -> str:
    if has_token:
        return _("The web form's intake token is set (it is never shown again). `/lead settings intake new` makes a "
                 "new one and stops the old one; `/lead settings intake off` turns intake off.")
    return _("No intake token yet. `/lead settings intake new` makes one for your web form.")


def channel_state(channel: str | None, default: str | None) -> str:
    if channel:
        return _("Lead cards that have no channel of their own go to {channel}. `/lead settings channel #other` "
                 "moves them, `/lead settings channel none` goes back to the default.").format(channel=f"<#{channel}>")
    if default:
        return _("Lead cards without a channel of their own go to {channel} (CRM_CHANNEL).").format(
            channel=f"<#{default}>")
    return _("No channel is set for lead cards: `/lead settings channel #sales` chooses one.")


def away_statuses_state(patterns: list[str]) -> str:
    shown = ", ".join(f"`{esc(p)}`" for p in patterns) if patterns else _("none")
    return _("Routing skips people whose Slack status contains one of: {statuses} (and anyone with do not "
             "disturb for the next hour, or away with `/lead away`). Change with `/lead settings away-status "
             ":palm_tree: OOO 휴가`, `… away-status default` or `… away-status none`.").format(statuses=shown)


# ------------------------------------------------------------------------------------------ the inbox
STATES = {"done": N_("{n} processed"), "sending": N_("{n} being processed"),
          "pending": N_("{n} waiting to be tried again"), "failed": N_("{n} parked")}


def inbox_state(counts: dict[str, int], parked: list) -> tuple[str, list]:
    """`/lead settings inbox`: Slack's requests kept before their ack (7 days once processed), and the parked."""
    seen = ", ".join(_(said).format(n=num(counts[s])) for s, said in STATES.items() if counts.get(s)) or _("none yet")
    text = _("*Slack's requests, stored before they were acknowledged:* {seen}.").format(seen=seen)
    blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
    if parked:
        lines = "\n".join(f"• {p.count:,} × {esc(p.kind)}: `{esc_cut(p.error, 120)}`" for p in parked[:20])
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=_("*Parked* (failed 5 times; nothing of theirs was applied twice):\n{lines}").format(lines=lines))))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=_("Fixed what made them fail? `/lead settings inbox retry` processes them again."))]))
        text += " " + _("{n} parked.").format(n=num(sum(p.count for p in parked)))
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=_("Nothing is parked."))]))
    return text, blocks


def inbox_retried(n: int) -> str:
    if n == 0:
        return _("Nothing was parked.")
    if n == 1:
        return _("Trying the parked request again now.")
    return ngettext("Trying the {n} parked request again now.", "Trying the {n} parked requests again now.", n).format(
        n=num(n))
