"""`civic-reflect try`: the real bot against a built-in stand-in for Telegram, shown as a
chat in the browser.

bot.sandbox.telegram is the stand-in (the tests use the same one); bot.sandbox.http_api
serves it over HTTP for a separate `civic-reflect run` process. Importing this package
imports nothing else, so the tests can use the stand-in without the web server.
"""
