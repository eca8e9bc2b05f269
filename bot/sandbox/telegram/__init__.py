"""An offline stand-in for the Telegram Bot API: the tests' double and the sandbox's Telegram.

Every request is checked against the Bot API reference (bot/sandbox/data/telegram-bot-api.json)
and Telegram's limits, and answered as Telegram would. Wire it in as PTB's request object::

    fake = FakeTelegram()
    app = ApplicationBuilder().token("123:ABC").request(fake).get_updates_request(fake).build()

and build incoming updates with ``UpdateFactory(fake)``.
"""

from .answers import UploadedFile
from .builders import UpdateFactory
from .constants import (
    BOT_FIRST_NAME,
    BOT_ID,
    BOT_USERNAME,
    CHANNEL_BOT,
    GROUP_ANONYMOUS_BOT,
    GROUP_ANONYMOUS_BOT_ID,
)
from .errors import ApiError
from .html import (
    ParsedHtml,
    check_telegram_html,
    parse_telegram_html,
    utf16_len,
    visible_text,
)
from .server import ApiCall, FakeTelegram
from .spec import BotApiSpec

__all__ = [
    "BOT_FIRST_NAME",
    "BOT_ID",
    "BOT_USERNAME",
    "CHANNEL_BOT",
    "GROUP_ANONYMOUS_BOT",
    "GROUP_ANONYMOUS_BOT_ID",
    "ApiCall",
    "ApiError",
    "BotApiSpec",
    "FakeTelegram",
    "ParsedHtml",
    "UpdateFactory",
    "UploadedFile",
    "check_telegram_html",
    "parse_telegram_html",
    "utf16_len",
    "visible_text",
]
