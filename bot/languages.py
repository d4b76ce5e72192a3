"""Who is written to in which language (bot/i18n.py speaks it; store/services/languages.py keeps the codes).

- a person's own messages (ephemeral answers, DMs, their modals, their Home): their Slack locale, read with
  `users.info` (`include_locale`) and cached on their member row; else the workspace's language;
- shared messages (the lead card and its thread lines, assignment notices, channel reports): the workspace's
  language (`/lead settings language ko|en`, else `CRM_LANGUAGE`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot import people
from bot.crm import Crm
from store import ttl
from store.services import languages

log = logging.getLogger(__name__)


# Languages change rarely (a person's Slack locale, a workspace's setting): each process keeps what it read for
# a minute, so a request does not pay a database read for it. This process's own changes apply at once
# (`forget`); another replica's within TTL seconds.
TTL = 60.0


def _reader(crm: Crm, team_id: str, user_id: str | None) -> tuple[str, bool]:
    _cache = crm.languages
    hit = _cache.get((team_id, user_id))
    if hit is not None and ttl.fresh(hit[0]):
        return hit[1], hit[2]
    lang, known = languages.reader(crm.db, team_id, user_id, crm.settings.crm_language)
    if len(_cache) > 50_000:
        _cache.clear()
    _cache[(team_id, user_id)] = (ttl.expiry(TTL), lang, known)
    return lang, known


def forget(crm: Crm, team_id: str, user_id: str | None = None) -> None:
    """After this process changed a language: a person's (their locale was read) or, without `user_id`, the
    workspace's (which everyone without a locale of their own speaks)."""
    for key in [k for k in list(crm.languages) if k[0] == team_id and (user_id is None or k[1] == user_id)]:
        crm.languages.pop(key, None)


def of_person(crm: Crm, team_id: str, user_id: str | None) -> str:
    """From the database only (no Web API call): for DMs and Homes rendered by sweeps."""
    return _reader(crm, team_id, user_id)[0]


def of_workspace(crm: Crm, team_id: str) -> str:
    return _reader(crm, team_id, None)[0]


def of_asker(client, crm: Crm, team_id: str, user_id: str | None,
             acked: Callable[[], bool] = lambda: True) -> Callable[[], str]:
    """The language of the person a request comes from, found when the first message is written. From the
    database while Slack still waits for the ack; once it has its answer, a person whose locale is not known yet
    (never seen, or cached before locales were read) has their profile read from Slack, once."""

    def find() -> str:
        lang, known = _reader(crm, team_id, user_id)
        if not known and user_id and acked():
            try:
                people.learn_locale(client, crm, team_id, user_id)
            except Exception:  # noqa: BLE001 - the answer matters more than its language
                log.warning("could not read %s's locale", user_id, exc_info=True)
            forget(crm, team_id, user_id)
            lang, _known = _reader(crm, team_id, user_id)
        return lang

    return find
