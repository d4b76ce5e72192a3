"""`/lead list [status…] [mine|@rep|all] [type:x] [segment:x] [authority:x]`: the day's list, a page at a time."""

from __future__ import annotations

import re

from slack_bolt import Ack

from bot.commands.parse import USER_MENTION
from bot.context import Req
from bot.errors import Listeners
from bot.i18n import N_, _, pgettext
from bot.ids import Action
from bot.labels import label
from bot.metadata import ListPage
from bot.views.lists import lead_list
from bot.views.unowned import unowned_list
from bot.views.text import esc, esc_cut, user
from bot.wording import Refusal
from store.errors import Invalid
from store.services import leads, organizations, pipeline, updates
from store.text import name_key
from store.vocabulary import AUTHORITY

listeners = Listeners()
register = listeners.register
PER_PAGE = 20
USAGE = N_("Filters: statuses (`potential`, `closing`), `mine` or `@rep` or `unowned`, `type:agency`, "
           "`segment:smb`, `authority:alone|internal|external`, `all` for closed leads too. "
           "E.g. `/lead list potential mine`.")


def list_command(req: Req, args: str) -> None:
    show(req, args, 0)


def show(req: Req, args: str, page: int, *, replace: bool = False) -> None:
    f = read_filters(req, args)
    found, total = leads.list_leads(req.db, req.team_id, page=page, per_page=PER_PAGE, **f)
    render = unowned_list if f["unowned"] and not f["owner_id"] else lead_list
    text, blocks = render(found, total, page, PER_PAGE, describe(f), args, req.tz(), req.clock.now())
    req.reply(text, blocks, **({"replace_original": True} if replace else {}))


@listeners.action(Action.LEAD_TAKE)
def take(ack: Ack, req: Req) -> None:
    """"Take it" on an unowned lead: it becomes the clicker's, unless someone was quicker."""
    ack()
    lead = req.clicked_lead()
    if lead.owner_id == req.user_id:
        req.reply(_("*{company}* is already yours.").format(company=esc_cut(lead.company, 200)), replace_original=False)
        return
    result = updates.take(req.db, req.clock, req.team_id, req.user_id, lead.id)  # already_owned: errors.py says so
    req.deliver(result)
    req.reply(_("*{company}* is yours now. Log your first touch with `/lead update #{lead_id}`.").format(
        company=esc_cut(lead.company, 200), lead_id=lead.id), replace_original=False)


@listeners.action(re.compile(f"^{Action.LIST_PAGE}:"))
def list_page(ack: Ack, req: Req) -> None:
    ack()
    ref = req.button(ListPage, _("That list is out of date. Run `/lead list` again."))
    show(req, ref.args, max(0, ref.page), replace=True)


def read_filters(req: Req, args: str) -> dict:
    f: dict = {"statuses": [], "owner_id": None, "org_type": None, "segment": None, "authority": None,
               "include_closed": False, "unowned": False}
    mention = USER_MENTION.search(args)
    if mention:
        f["owner_id"] = mention.group(1)
    words = USER_MENTION.sub(" ", args).split()
    with req.db.read() as s:
        options = pipeline.statuses(s, req.team_id)
        types = organizations.org_types(s, req.team_id)
    i = 0
    while i < len(words):
        word = words[i].lower()
        key, _colon, value = word.partition(":")
        if word in ("mine", "my", "me"):
            f["owner_id"] = req.user_id
        elif word in ("all", "closed"):
            f["include_closed"] = True
        elif word in ("unowned", "unassigned", "nobody", "ownerless", "미배정", "담당자없음"):
            f["unowned"] = True
        elif value and key == "type":
            f["org_type"] = next((t for t in types if name_key(t).startswith(name_key(value))), None)
            if f["org_type"] is None:
                raise Refusal(_("“{text}” is not a type here: {types}.").format(
                    text=value[:30], types=", ".join(label(t) for t in types)))
        elif value and key == "segment":
            f["segment"] = value
        elif value and key in ("authority", "decides"):
            f["authority"] = next((k for k in AUTHORITY if k.startswith(value)), None)
            if f["authority"] is None:
                raise Refusal(_("Authority is `alone`, `internal` or `external`."))
        else:  # a status, maybe of two words (`bad fit`)
            two = " ".join(words[i:i + 2])
            status = _status(options, two) if i + 1 < len(words) else None
            if status:
                i += 1
            else:
                status = _status(options, words[i])
            if status is None:
                raise Refusal(_("I don't know the filter `{word}`. {usage}").format(word=words[i][:30], usage=_(USAGE)))
            f["statuses"].append(status)
        i += 1
    return f


def _status(options, text: str) -> str | None:
    try:
        return pipeline.match_status(options, text).name
    except Invalid:
        return None


def describe(f: dict) -> str:
    bits = [", ".join(f"*{esc(label(s))}*" for s in f["statuses"])
            or (_("all statuses") if f["include_closed"] else pgettext("leads", "open"))]
    if f["owner_id"]:
        bits.append(_("owned by {owner}").format(owner=user(f["owner_id"])))
    elif f["unowned"]:
        bits.append(_("owned by nobody"))
    if f["org_type"]:
        bits.append(_("type {type}").format(type=esc(label(f["org_type"]))))
    if f["segment"]:
        bits.append(_("segment {segment}").format(segment=esc(label(f["segment"]))))
    if f["authority"]:
        bits.append(label(AUTHORITY[f["authority"]]).lower())
    return " · ".join(bits)
