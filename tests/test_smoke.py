from tests.slack_driver import message_text


def test_smoke(bot, fake, db):
    r = bot.command("new Acme Shop")
    assert r.status == 200
    print(bot.replies())
    print(fake.calls)
