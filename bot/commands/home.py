"""The App Home's listeners: opening it owes a fresh Home (published by the notifier, woken here), and its
buttons: Refresh, New lead, Log activity, and the lists ("Potential (12)", "and 37 more") in a modal with
Previous / Next. The follow-ups' Done / Snooze / Log activity are the nudge DM's buttons (`reminders`)."""

from __future__ import annotations

import re

from slack_bolt import Ack, BoltContext

from bot.commands.lead import open_update_modal
from bot.context import Req
from bot.errors import Listeners
from bot.i18n import N_
from bot.ids import Action, Callback
from bot.metadata import ListRef
from bot.views.home import follow_up_rows, lead_rows, list_modal
from bot.views.lead_modals import new_lead_modal
from store.errors import Invalid
from store.services import home, home_refresh

listeners = Listeners()
register = listeners.register
PER_PAGE = 15


@listeners.event("app_home_opened")
def opened(req: Req, context: BoltContext) -> None:
    event = req.body.get("event") or {}
    if event.get("tab") not in (None, "home") or not req.user_id:
        return  # the Messages tab
    home_refresh.opened(req.db, req.clock, req.team_id, req.user_id)
    req.crm.wake.set()


@listeners.action(Action.HOME_REFRESH)
def refresh(ack: Ack, req: Req) -> None:
    ack()
    home_refresh.opened(req.db, req.clock, req.team_id, req.user_id)
    req.crm.wake.set()


def _list_view(req: Req, ref: ListRef):
    tz, now = req.cached_tz(), req.clock.now()
    if ref.what == "followups":
        page = home.follow_up_page(req.db, req.clock, req.team_id, req.user_id, tz, page=ref.page, per_page=PER_PAGE)
        rows, shown = follow_up_rows(page.items, tz, now), len(page.items)
        total = ref.page * PER_PAGE + shown + page.more
    else:
        if ref.what in ("unassigned", "breached") and not req.me().can_manage:
            raise Invalid("not_manager", what="lists")
        leads, total = home.lead_list(req.db, req.clock, req.team_id, req.user_id, ref.what, page=ref.page,
                                      per_page=PER_PAGE)
        rows, shown = lead_rows(leads, ref.what, tz, now), len(leads)
    return list_modal(ref, rows, total, shown, PER_PAGE)


@listeners.action(re.compile(f"^{Action.HOME_LIST}:"))
def open_list(ack: Ack, req: Req) -> None:
    ack()
    ref = req.button(ListRef, N_("That button is out of date. Open the Home tab again."))
    if ref.what == "new":
        req.open_view(new_lead_modal(req.modal_context()))
    elif ref.what == "log":
        open_update_modal(req, req.modal_context(), None)
    else:
        req.open_view(_list_view(req, ref))


@listeners.action(re.compile(f"^{Action.HOME_PAGE}:"))
def turn_page(ack: Ack, req: Req) -> None:
    ack()
    ref = req.button(ListRef, N_("That page is out of date. Open the list again."))
    req.client.views_update(view_id=(req.body.get("view") or {}).get("id"), view=_list_view(req, ref))


def refresh_list(req: Req) -> None:
    """A button in a Home list did its job (Done, Snooze): show the list as it is now."""
    view = req.body.get("view") or {}
    ref = ListRef.load(view.get("private_metadata"))
    if view.get("callback_id") == Callback.HOME_LIST and ref is not None:
        req.client.views_update(view_id=view.get("id"), view=_list_view(req, ref))
