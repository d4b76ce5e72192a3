from __future__ import annotations

import pytest

from store.services import channels
from tests.workspaces.helpers import OAuthBot


@pytest.fixture
def oauth(fake, db, clock):
    fake.strict_tokens = True  # a call with no installed workspace's token is refused, as Slack does
    fake.add_team("TA", "Alpha Shop")
    fake.add_team("TB", "Beta Mart")
    channels.forget_cache()
    bot = OAuthBot(fake, db, clock)
    yield bot
    bot.close()
