"""What the fake Telegram server remembers: chats, users, memberships, messages, commands.

Tests set this up (``set_chat_member``, ``set_member_count``...) and the answers read it, so a
handler asking getChatMember sees what the test arranged. Chats and users nobody described are
invented from their id, because a test should not have to declare every chat it touches.
"""

from __future__ import annotations

import copy
import itertools
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from .constants import BOT_ID, bot_user
from .errors import ApiError
from .spec import BotApiSpec

MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")
PRESENT_STATUSES = ("creator", "administrator", "member", "restricted")
# Supergroup and channel ids look like -100xxxxxxxxxx; basic groups are small negatives.
_SUPERGROUP_ID_BELOW = -1_000_000_000_000


def default_chat(chat_id: int) -> dict:
    """A plausible Chat for an id no test described."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
    if chat_id < _SUPERGROUP_ID_BELOW:
        return {"id": chat_id, "type": "supergroup", "title": f"Supergroup {chat_id}"}
    return {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}


class MessageIds:
    """Per-chat incrementing message ids, shareable with UpdateFactory so ids never clash."""

    def __init__(self) -> None:
        self._last: dict[int, int] = defaultdict(int)

    def next(self, chat_id: int) -> int:
        self._last[chat_id] += 1
        return self._last[chat_id]

    def seen(self, chat_id: int, message_id: int) -> None:
        self._last[chat_id] = max(self._last[chat_id], message_id)


class TelegramState:
    def __init__(self, spec: BotApiSpec, clock: Callable[[], datetime] | None = None) -> None:
        self.spec = spec
        self.clock = clock
        self.bot_user = bot_user()
        self.message_ids = MessageIds()
        self.chats: dict[int, dict] = {}
        self.users: dict[int, dict] = {BOT_ID: self.bot_user}
        self.members: dict[tuple[int, int], dict] = {}
        self.member_counts: dict[int, int] = {}
        self.messages: dict[int, dict[int, dict]] = defaultdict(dict)
        self.commands: dict[tuple[str, str], list[dict]] = {}
        self.files: dict[str, bytes] = {}
        self._synthetic_ids = itertools.count(1)

    def timestamp(self) -> int:
        """A message's "date": the given clock's (the sandbox moves time), else real time."""
        return int(self.clock().timestamp()) if self.clock else int(time.time())

    # -- chats and users -------------------------------------------------------------------
    def set_chat(self, chat: dict) -> None:
        self.chats[chat["id"]] = dict(chat)

    def set_user(self, user: dict) -> None:
        self.users[user["id"]] = dict(user)

    def chat(self, chat_id: int | str) -> dict:
        """The Chat for a chat_id parameter (an id or "@username")."""
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self.chats.values():
                if chat.get("username") == chat_id[1:]:
                    return dict(chat)
            new_id = _SUPERGROUP_ID_BELOW - next(self._synthetic_ids)
            self.chats[new_id] = {
                "id": new_id,
                "type": "channel",
                "title": chat_id[1:],
                "username": chat_id[1:],
            }
            return dict(self.chats[new_id])
        try:
            chat_id = int(chat_id)
        except ValueError:
            raise ApiError(400, "Bad Request: chat not found") from None
        return dict(self.chats.get(chat_id) or default_chat(chat_id))

    def user(self, user_id: int) -> dict:
        return dict(
            self.users.get(user_id)
            or {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        )

    # -- membership ------------------------------------------------------------------------
    def set_chat_member(self, chat_id: int, user: int | dict, status: str, **fields: Any) -> dict:
        if status not in MEMBER_STATUSES:
            raise ValueError(f"status must be one of {MEMBER_STATUSES}, not {status!r}")
        if isinstance(user, dict):
            self.set_user(user)
            user_id = user["id"]
        else:
            user_id = user
        subtype = self.spec.discriminators["ChatMember"][1][status][0]
        member = self.spec.example(subtype)
        if status == "administrator":
            # An administrator set up by a test can do everything except be edited by the bot.
            member.update({k: True for k in member if k.startswith("can_")}, can_be_edited=False)
        member.update(fields, status=status, user=self.user(user_id))
        self.members[(chat_id, user_id)] = member
        return member

    def chat_member(self, chat_id: int, user_id: int) -> dict:
        if (chat_id, user_id) in self.members:
            return copy.deepcopy(self.members[(chat_id, user_id)])
        # Nobody said otherwise: the bot is in every chat it is asked about, and the user of a
        # private chat is in it; anyone else never joined.
        present = user_id in (BOT_ID, chat_id)
        return {"status": "member" if present else "left", "user": self.user(user_id)}

    def administrators(self, chat_id: int) -> list[dict]:
        return [
            copy.deepcopy(member)
            for (member_chat, _), member in self.members.items()
            if member_chat == chat_id and member["status"] in ("creator", "administrator")
        ]

    def member_count(self, chat_id: int) -> int:
        if chat_id in self.member_counts:
            return self.member_counts[chat_id]
        present = sum(
            1
            for (member_chat, user_id), member in self.members.items()
            if member_chat == chat_id and member["status"] in PRESENT_STATUSES and user_id != BOT_ID
        )
        return present + 1  # the bot itself

    # -- messages --------------------------------------------------------------------------
    def remember(self, message: dict) -> None:
        chat_id = message["chat"]["id"]
        self.messages[chat_id][message["message_id"]] = copy.deepcopy(message)
        self.message_ids.seen(chat_id, message["message_id"])

    def message(self, chat_id: int, message_id: int) -> dict | None:
        stored = self.messages.get(chat_id, {}).get(message_id)
        return copy.deepcopy(stored) if stored is not None else None

    def forget(self, chat_id: int, message_id: int) -> bool:
        return self.messages.get(chat_id, {}).pop(message_id, None) is not None
