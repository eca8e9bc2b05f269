"""Identities shared by the fake server and the update builders, so both tell one story."""

from __future__ import annotations

BOT_ID = 1000
BOT_USERNAME = "civic_reflect_bot"
BOT_FIRST_NAME = "Civic Reflect"

# Telegram's real id for the account that sends messages of anonymous group administrators.
GROUP_ANONYMOUS_BOT_ID = 1087968824
GROUP_ANONYMOUS_BOT = {
    "id": GROUP_ANONYMOUS_BOT_ID,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}

# The fake sender Telegram puts in "from" of group messages sent on behalf of a channel.
CHANNEL_BOT = {
    "id": 136817688,
    "is_bot": True,
    "first_name": "Channel",
    "username": "Channel_Bot",
}


def bot_user() -> dict:
    """The bot as it appears in Message.from and ChatMember.user."""
    return {"id": BOT_ID, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}


def get_me() -> dict:
    """getMe's answer: the bot user plus the capability flags only getMe reports."""
    return {
        **bot_user(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }
