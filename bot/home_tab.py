"""Publishing a person's App Home: the notifier's sender for `home` notifications (never a listener's own
`views.publish`). It reads the Home's data, renders the view and publishes it through the notifier's paced calls.

The Home never waits for a picture: it is published with the charts already uploaded for the same figures; the
ones that changed are drawn and uploaded right after, and the Home is armed again to show them `DELAY` later
(so a person's Home is still published at most once per `DELAY`)."""

from __future__ import annotations

from bot import people
from bot.sending import Sent
from bot.uploads import known_charts, upload_charts, with_image_retry
from bot.views.home import home_charts, home_view
from store.dto import Owed
from store.services import chart_files, home, home_refresh, team_settings


def publish(n, owed: Owed) -> Sent | None:
    """`n` is the Notifier (its client, services and paced `call`). None when there is nobody to show it to."""
    crm = n.crm
    me = people.member(n.client, crm, owed.team_id, owed.user_id)
    if me.is_bot:
        return None
    now = crm.clock.now()
    data = home.home_data(crm.db, crm.clock, owed.team_id, owed.user_id, me.tz, manager=me.can_manage)
    currency = team_settings.workspace(crm.db, owed.team_id)["currency"]
    pictures = home_charts(data, currency)
    files = known_charts(crm, owed.team_id, pictures)
    view = home_view(data, pictures, files, currency, me.tz, now).to_dict()

    def send(blocks: list[dict]):
        return n.call("views.publish", lambda: n.client.views_publish(user_id=owed.user_id,
                                                                      view={**view, "blocks": blocks}))

    dropped: list[str] = []

    def refused(file_ids: list[str]) -> None:  # deleted in Slack, or not ready: upload those charts again
        chart_files.forget(crm.db, owed.team_id, file_ids)
        dropped.extend(file_ids)

    with_image_retry(send, view["blocks"], wait=0, refused=refused)  # the loop never sleeps on a picture
    missing = [c for c in pictures if c.key not in files or files[c.key] in dropped]
    if missing and upload_charts(n.client, crm, owed.team_id, missing, call=n.call):
        home_refresh.rearm(crm.db, crm.clock, owed.team_id, owed.user_id)  # the new pictures follow
    return Sent()
