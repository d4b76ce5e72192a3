"""What admins see about their workspace: roles, the audit log, the intake token, the fallback channel, which
Slack statuses mean away."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock, Block, ButtonElement, ContextBlock, MarkdownTextObject, SectionBlock, UserMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.ids import Action, Callback, Field
from bot.metadata import AuditPage, ModalContext
from bot.views.lead_modals import labelled
from bot.views.text import esc, esc_cut, fit_lines, user, when
from store.dto import AuditLine, RoleChange, Roles

MANAGER_CAN = "Managers configure routing, reassign anyone's leads, and see the team's reports and Home."
REP_CAN = "Everyone else is a rep: they work their own leads and those they are given."


def _people(ids: list[str], none: str = "nobody yet") -> str:
    return ", ".join(user(u) for u in ids) if ids else none


def roles_modal(roles: Roles, ctx: ModalContext) -> View:
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(
            text="*Admins* are Slack's workspace admins and owners: they grant and revoke manager here. "
                 f"Known so far: {_people(roles.admins)}.")),
        labelled(Field.MANAGERS, "Managers", UserMultiSelectElement(
            action_id=Field.MANAGERS, placeholder="Choose people", initial_users=roles.managers or None),
            hint=MANAGER_CAN),
        ContextBlock(elements=[MarkdownTextObject(
            text=f"{REP_CAN} Every change is written to the audit log (`/lead audit`).")]),
    ]
    return View(type="modal", callback_id=Callback.ROLES, title="Roles", submit="Save", close="Cancel",
                private_metadata=ctx.dump(), blocks=blocks)


def roles_text(roles: Roles) -> str:
    return (f"*Admins* (Slack's workspace admins and owners): {_people(roles.admins)}.\n"
            f"*Managers*: {_people(roles.managers, 'none')}. {MANAGER_CAN}\n{REP_CAN}\n"
            "Change with `/lead settings roles` (a form), or `/lead settings roles @someone manager` / `rep`.")


def roles_saved(changes: list[RoleChange]) -> str:
    if not changes:
        return "Nothing changed: the managers are as they were."
    made = [c.user_id for c in changes if c.role == "manager"]
    unmade = [c.user_id for c in changes if c.role != "manager"]
    parts = []
    if made:
        parts.append(f"{_people(made)} {'is' if len(made) == 1 else 'are'} now {'a manager' if len(made) == 1 else 'managers'}")
    if unmade:
        parts.append(f"{_people(unmade)} {'is' if len(unmade) == 1 else 'are'} a rep again")
    return "Saved: " + "; ".join(parts) + ". It is in the audit log."


_ACTIONS = {
    "role.grant": lambda e: f"made {user(e.target)} a manager",
    "role.revoke": lambda e: f"made {user(e.target)} a rep again",
    "refused": lambda e: f"was refused: {esc(e.target or 'something')}"
                         + (f" (`{esc_cut(e.detail.get('asked'), 80)}`)" if e.detail.get("asked") else ""),
    "export": lambda e: f"exported the CRM's data ({e.detail.get('rows', 0):,} rows)",
    "forget": lambda e: f"erased the personal data of {esc(e.target or 'a contact')}",
    "install": lambda e: "installed the app" + (" again" if e.detail.get("again") else ""),
    "uninstall": lambda e: f"uninstalled the app ({esc(e.target or 'app_uninstalled')}); data kept until "
                           f"{esc((e.detail.get('purge_after') or '')[:10])}",
    "intake.create": lambda e: "made the web form's intake token",
    "intake.rotate": lambda e: "replaced the web form's intake token",
    "intake.revoke": lambda e: "turned the web form's intake token off",
    "channel.link": lambda e: f"linked <#{e.target}> to {esc(e.detail.get('organization') or 'a customer')}",
    "channel.unlink": lambda e: f"unlinked <#{e.target}>",
}


def audit_line(e: AuditLine, tz: str) -> str:
    who = user(e.actor_id) if e.actor_id.startswith(("U", "W")) else f"_{esc(e.actor_id)}_"
    said = _ACTIONS.get(e.action, lambda x: esc(x.action))(e)
    return f"`{when(e.at, tz)}` {who} {said}"


def audit_message(lines: list[AuditLine], tz: str, older: int | None, about: str | None) -> tuple[str, list[Block]]:
    title = f"Audit log about {user(about)}" if about else "Audit log"
    if not lines:
        text = f"*{title}*: nothing recorded yet."
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    body = fit_lines([audit_line(e, tz) for e in lines], 2900)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"*{title}* (newest first, {esc(tz)})")),
                           SectionBlock(text=MarkdownTextObject(text=body))]
    if older is not None:
        blocks.append(ActionsBlock(elements=[ButtonElement(
            text="Older", action_id=Action.AUDIT_PAGE, value=AuditPage(before_id=older, user_id=about).dump())]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(
        text="Role changes, refusals, exports, erasures, installs. `/lead audit @someone` shows one person's.")]))
    return f"{title}: {len(lines)} entries", blocks


def intake_token_text(token: str, replaced: bool) -> str:
    return ("Your web form's intake token — shown this once, copy it now:\n"
            f"```{token}```\n"
            "Send leads to `POST https://<the bot's address>/intake/leads` with the header "
            "`Authorization: Bearer <token>` and a JSON body such as `{\"company\": \"Acme\", \"email\": "
            "\"kim@acme.kr\"}`."
            + (" The previous token stopped working just now." if replaced else "")
            + " `/lead settings intake new` replaces it, `/lead settings intake off` turns intake off.")


def intake_state(has_token: bool) -> str:
    if has_token:
        return ("The web form's intake token is set (it is never shown again). `/lead settings intake new` makes a "
                "new one and stops the old one; `/lead settings intake off` turns intake off.")
    return "No intake token yet. `/lead settings intake new` makes one for your web form."


def channel_state(channel: str | None, default: str | None) -> str:
    if channel:
        return (f"Lead cards that have no channel of their own go to <#{channel}>. "
                "`/lead settings channel #other` moves them, `/lead settings channel none` goes back to the default.")
    if default:
        return f"Lead cards without a channel of their own go to <#{default}> (CRM_CHANNEL)."
    return "No channel is set for lead cards: `/lead settings channel #sales` chooses one."


def away_statuses_state(patterns: list[str]) -> str:
    shown = ", ".join(f"`{esc(p)}`" for p in patterns) if patterns else "none"
    return ("Routing skips people whose Slack status contains one of: " + shown + " (and anyone with do not "
            "disturb for the next hour, or away with `/lead away`). Change with `/lead settings away-status "
            ":palm_tree: OOO 휴가`, `… away-status default` or `… away-status none`.")


# ------------------------------------------------------------------------------------------ the inbox
STATES = {"done": "processed", "sending": "being processed", "pending": "waiting to be tried again",
          "failed": "parked"}


def inbox_state(counts: dict[str, int], parked: list) -> tuple[str, list]:
    """`/lead settings inbox`: Slack's requests kept before their ack (7 days once processed), and the parked."""
    seen = ", ".join(f"{counts[s]:,} {label}" for s, label in STATES.items() if counts.get(s)) or "none yet"
    text = f"*Slack's requests, stored before they were acknowledged:* {seen}."
    blocks = [SectionBlock(text=MarkdownTextObject(text=text))]
    if parked:
        lines = "\n".join(f"• {p.count:,} × {esc(p.kind)}: `{esc_cut(p.error, 120)}`" for p in parked[:20])
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=f"*Parked* (failed 5 times; nothing of theirs was applied twice):\n{lines}")))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text="Fixed what made them fail? `/lead settings inbox retry` processes them again.")]))
        text += f" {sum(p.count for p in parked):,} parked."
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text="Nothing is parked.")]))
    return text, blocks


def inbox_retried(n: int) -> str:
    return ("Nothing was parked." if n == 0 else
            f"Trying {'the parked request' if n == 1 else f'the {n:,} parked requests'} again now.")
