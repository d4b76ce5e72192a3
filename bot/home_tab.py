"""Publishing a person's App Home: the notifier's sender for `home` notifications (never a listener's own
`views.publish`). It reads the Home's data, draws its charts (uploaded once each, by their hash), renders the
view and publishes it through the notifier's paced calls."""

from __future__ import annotations

from bot import people
from bot.sending import Sent
from bot.uploads import upload_charts, with_image_retry
from bot.views.home import home_charts, home_view
from store.dto import Owed
from store.services import home, team_settings


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
    files = upload_charts(n.client, crm, owed.team_id, pictures, call=n.call)
    view = home_view(data, pictures, files, currency, me.tz, now).to_dict()

    def send(blocks: list[dict]):
        return n.call("views.publish", lambda: n.client.views_publish(user_id=owed.user_id,
                                                                      view={**view, "blocks": blocks}))

    with_image_retry(send, view["blocks"])
    return Sent()
