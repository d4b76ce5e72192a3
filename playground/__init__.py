"""The local playground: a Slack-like workspace in the browser that speaks Slack's protocol to the real bot.

`world.py` is Slack's side (the Web API and the workspace it changes), shared with the tests' fake Slack;
`client.py` turns what people do in the browser into the signed requests Slack would send; `render.py` draws Block
Kit as HTML; `server.py` serves the page and the world beside the bot; `seed.py` fills a first start with a
believable team. No code path of the bot knows it is in the playground.
"""
