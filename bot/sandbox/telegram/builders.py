"""UpdateFactory: Telegram-shaped incoming updates, as dicts and as telegram.Update objects.

The dicts follow the Bot API reference (tests/test_fake_telegram_behaviour.py validates them
against the "Update" type), so handlers see exactly what Telegram would deliver. Pass the
FakeTelegram to share its per-chat message ids and let it remember users, chats and delivered
messages (a reply to a bot message then nests the real message, and getChat knows the group's
title).
"""

from __future__ import annotations

import copy
import itertools
import time
from typing import TYPE_CHECKING, Any

from telegram import Bot, Update

from .constants import CHANNEL_BOT, GROUP_ANONYMOUS_BOT, bot_user
from .html import utf16_len
from .state import MessageIds

if TYPE_CHECKING:
    from .server import FakeTelegram


class UpdateFactory:
    def __init__(self, telegram: FakeTelegram | None = None, *, first_update_id: int = 1):
        self.telegram = telegram
        self.message_ids = telegram.state.message_ids if telegram else MessageIds()
        self._update_ids = itertools.count(first_update_id)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)

    def _timestamp(self) -> int:
        return self.telegram.state.timestamp() if self.telegram else int(time.time())

    # -- people and places -----------------------------------------------------------------
    def user(
        self,
        id: int,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> dict:
        user = {"id": id, "is_bot": False, "first_name": first_name}
        optional = {"last_name": last_name, "username": username, "language_code": language_code}
        user.update({k: v for k, v in optional.items() if v is not None})
        if self.telegram:
            self.telegram.set_user(user)
        return user

    def private_chat(self, user: dict) -> dict:
        chat = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
        chat.update({k: user[k] for k in ("last_name", "username") if k in user})
        return self._known_chat(chat)

    def group_chat(self, id: int, title: str, type: str = "group") -> dict:
        if type not in ("group", "supergroup"):
            raise ValueError("type must be 'group' or 'supergroup'")
        return self._known_chat({"id": id, "type": type, "title": title})

    def channel(self, id: int, title: str, username: str | None = None) -> dict:
        chat = {"id": id, "type": "channel", "title": title}
        if username:
            chat["username"] = username
        return self._known_chat(chat)

    def _known_chat(self, chat: dict) -> dict:
        if self.telegram:
            self.telegram.set_chat(chat)
        return chat

    # -- messages --------------------------------------------------------------------------
    def _message(self, chat: dict, user: dict | None, **content: Any) -> dict:
        message: dict[str, Any] = {
            "message_id": self.message_ids.next(chat["id"]),
            "date": self._timestamp(),
            "chat": chat,
        }
        if user is not None:
            message["from"] = user
        message.update({k: v for k, v in content.items() if v is not None})
        if self.telegram:
            self.telegram.state.remember(message)
        return message

    def _update(self, kind: str, payload: dict) -> dict:
        return {"update_id": next(self._update_ids), kind: payload}

    @staticmethod
    def _quoted(to_message: dict) -> dict:
        quoted = copy.deepcopy(to_message)
        quoted.pop("reply_to_message", None)  # Telegram nests replies one level deep only
        return quoted

    @staticmethod
    def command_entities(text: str) -> list[dict] | None:
        """The bot_command entity Telegram attaches to "/cmd[@bot] args"."""
        if not text.startswith("/"):
            return None
        command = text.split(maxsplit=1)[0]
        return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]

    def message(self, chat: dict, user: dict, text: str, reply_to: dict | None = None) -> dict:
        return self._update(
            "message",
            self._message(
                chat,
                user,
                text=text,
                entities=self.command_entities(text),
                reply_to_message=self._quoted(reply_to) if reply_to else None,
            ),
        )

    def command(self, chat: dict, user: dict, text: str, bot_username: str | None = None) -> dict:
        """``text`` like "/setup arg"; ``bot_username`` turns it into "/setup@bot arg"."""
        if not text.startswith("/"):
            raise ValueError("a command starts with '/'")
        if bot_username:
            command, _, rest = text.partition(" ")
            text = f"{command}@{bot_username}" + (f" {rest}" if rest else "")
        return self.message(chat, user, text)

    def reply(self, chat: dict, user: dict, to_message: dict, text: str) -> dict:
        return self.message(chat, user, text, reply_to=to_message)

    def voice_reply(
        self, chat: dict, user: dict, to_message: dict, file_id: str, duration: int
    ) -> dict:
        voice = {
            "file_id": file_id,
            "file_unique_id": f"unique-{file_id}",
            "duration": duration,
            "mime_type": "audio/ogg",
        }
        return self._update(
            "message",
            self._message(chat, user, voice=voice, reply_to_message=self._quoted(to_message)),
        )

    def edited(self, message: dict, new_text: str) -> dict:
        edited = {k: v for k, v in copy.deepcopy(message).items() if k != "entities"}
        edited.update(text=new_text, edit_date=self._timestamp())
        if entities := self.command_entities(new_text):
            edited["entities"] = entities
        if self.telegram:
            self.telegram.state.remember(edited)
        kind = "edited_channel_post" if message["chat"]["type"] == "channel" else "edited_message"
        return self._update(kind, edited)

    def callback(self, chat: dict, user: dict, message: dict, data: str) -> dict:
        """A press on an inline button of ``message`` (e.g. ``fake.message(chat_id, id)``).

        Like Telegram, the query carries the message as it is now (edited,
        with its current buttons), whatever copy the test holds.
        """
        current = self.telegram.state.message(message["chat"]["id"], message["message_id"]) \
            if self.telegram else None
        query = {
            "id": str(next(self._callback_ids) + 4_000_000_000),
            "from": user,
            "message": current or copy.deepcopy(message),
            "chat_instance": f"instance{abs(chat['id'])}",
            "data": data,
        }
        return self._update("callback_query", query)

    # -- membership and chat lifecycle -----------------------------------------------------
    def _my_chat_member(self, chat: dict, by_user: dict, old: dict, new: dict) -> dict:
        me = bot_user()
        return self._update(
            "my_chat_member",
            {
                "chat": chat,
                "from": by_user,
                "date": self._timestamp(),
                "old_chat_member": {"user": me, **old},
                "new_chat_member": {"user": me, **new},
            },
        )

    def bot_added(self, chat: dict, by_user: dict, status: str = "member") -> dict:
        new: dict[str, Any] = {"status": status}
        if status == "administrator":
            new.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=False,
                can_restrict_members=False,
                can_promote_members=False,
                can_change_info=False,
                can_invite_users=True,
                can_post_stories=False,
                can_edit_stories=False,
                can_delete_stories=False,
            )
        return self._my_chat_member(chat, by_user, {"status": "left"}, new)

    def members_added(self, chat: dict, by_user: dict, members: list[dict]) -> dict:
        """The service message "X added A, B": ``members`` may include the bot itself."""
        return self._update(
            "message", self._message(chat, by_user, new_chat_members=copy.deepcopy(members))
        )

    def bot_removed(self, chat: dict, by_user: dict) -> dict:
        # Removing a member from a supergroup bans it ("kicked"); basic groups just drop it.
        if chat["type"] == "supergroup":
            new = {"status": "kicked", "until_date": 0}
        else:
            new = {"status": "left"}
        return self._my_chat_member(chat, by_user, {"status": "member"}, new)

    def migrate(self, chat: dict, new_chat_id: int, by_user: dict | None = None) -> dict:
        """Service message in the old group: it became supergroup ``new_chat_id``."""
        return self._update("message", self._message(chat, by_user, migrate_to_chat_id=new_chat_id))

    def migrated_from(self, supergroup: dict, old_chat_id: int, by_user: dict | None = None):
        """The matching service message Telegram posts in the new supergroup."""
        return self._update(
            "message", self._message(supergroup, by_user, migrate_from_chat_id=old_chat_id)
        )

    def anonymous_admin_command(self, chat: dict, text: str) -> dict:
        """An admin posting "as the group": from=GroupAnonymousBot, sender_chat=the group."""
        return self._update(
            "message",
            self._message(
                chat,
                dict(GROUP_ANONYMOUS_BOT),
                sender_chat=chat,
                text=text,
                entities=self.command_entities(text),
            ),
        )

    def message_as_chat(self, chat: dict, sender_chat: dict, text: str) -> dict:
        """A group message sent on behalf of a channel; "from" is Telegram's Channel_Bot."""
        return self._update(
            "message", self._message(chat, dict(CHANNEL_BOT), sender_chat=sender_chat, text=text)
        )

    def channel_post(self, channel: dict, text: str) -> dict:
        return self._update(
            "channel_post", self._message(channel, None, sender_chat=channel, text=text)
        )

    # -- PTB objects -----------------------------------------------------------------------
    @staticmethod
    def to_update(data: dict, bot: Bot) -> Update:
        """``data`` as the telegram.Update PTB would build from Telegram's JSON."""
        return Update.de_json(copy.deepcopy(data), bot)
