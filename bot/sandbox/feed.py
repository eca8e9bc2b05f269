"""What the page shows, kept as Telegram keeps it: every chat's messages, edited in place.

The feed listens to the stand-in Telegram (each call it accepted) and to the messages the
sandbox's people send, and turns them into plain views for the page: text with Telegram's
entities (the page builds DOM nodes from them, never HTML), keyboards, photos, documents,
reactions. Each change is published to every open page as an event.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from .telegram import ApiCall, FakeTelegram

# Methods whose result is the Message as Telegram now stores it (sent or edited).
_MESSAGE_RESULTS = ("send", "edit", "copyMessage", "forwardMessage")


def person_name(user: dict) -> str:
    return " ".join(part for part in (user.get("first_name"), user.get("last_name")) if part)


def _snippet(message: dict) -> str:
    text = message.get("text") or message.get("caption") or ""
    if not text:
        text = "Photo" if "photo" in message else "Document" if "document" in message else ""
    return text[:120]


def _service(message: dict) -> str | None:
    """The grey line Telegram shows for a service message, if this is one."""
    who = person_name(message.get("from", {}))
    if "new_chat_members" in message:
        added = [person_name(m) for m in message["new_chat_members"]]
        return f"{who} added {', '.join(added)}"
    if "left_chat_member" in message:
        return f"{person_name(message['left_chat_member'])} left the group"
    return None


def message_view(message: dict, extras: dict[str, Any] | None = None) -> dict[str, Any]:
    """A message as the page needs it; text stays text, with Telegram's entities beside it."""
    sender = message.get("from", {})
    view: dict[str, Any] = {
        "chat_id": message["chat"]["id"],
        "message_id": message["message_id"],
        "date": message.get("date", 0),
        "edited": "edit_date" in message,
        "from": {"id": sender.get("id"), "name": person_name(sender),
                 "is_bot": bool(sender.get("is_bot"))},
        "text": message.get("text") or message.get("caption") or "",
        "entities": message.get("entities") or message.get("caption_entities") or [],
        "service": _service(message),
        "keyboard": (message.get("reply_markup") or {}).get("inline_keyboard"),
        "reply_to": None,
        "photo": None,
        "document": None,
        "force_reply": False,
        "placeholder": None,
        "reactions": [],
    }
    replied = message.get("reply_to_message")
    if replied:
        view["reply_to"] = {"message_id": replied["message_id"],
                            "from": person_name(replied.get("from", {})),
                            "text": _snippet(replied)}
    if message.get("photo"):
        view["photo"] = {"url": f"/files/{message['photo'][-1]['file_id']}"}
    if message.get("document"):
        document = message["document"]
        view["document"] = {"url": f"/files/{document['file_id']}",
                            "name": document.get("file_name") or "file"}
    view.update(extras or {})
    return view


class ChatFeed:
    """Every chat's messages in order, and the open pages to tell of each change."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.chats: dict[int, dict[int, dict]] = {}
        self.files: dict[str, dict[str, str]] = {}  # file_id -> name and kind, for downloads
        self._extras: dict[tuple[int, int], dict[str, Any]] = {}
        self._pressed_by: dict[str, int] = {}  # callback query id -> who pressed
        self._pages: set[asyncio.Queue] = set()
        self._listeners: list[Callable[[dict], None]] = []
        self._notes = 0
        telegram.listeners.append(self._on_call)

    # -- pages -----------------------------------------------------------------------------
    def subscribe(self) -> asyncio.Queue:
        queue: asyncio.Queue = asyncio.Queue()
        self._pages.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self._pages.discard(queue)

    def on_event(self, listener: Callable[[dict], None]) -> None:
        """Also tell ``listener`` of each event (the sandbox follows the bot's replies so)."""
        self._listeners.append(listener)

    def off_event(self, listener: Callable[[dict], None]) -> None:
        self._listeners.remove(listener)

    def publish(self, event: dict) -> None:
        for queue in self._pages:
            queue.put_nowait(event)
        for listener in list(self._listeners):
            listener(event)

    # -- what happened ---------------------------------------------------------------------
    def add_message(self, message: dict, shown_as: str | None = None) -> dict:
        """A message sent, edited or delivered (the people's own messages come here too);
        ``shown_as``: the text the page shows instead of the message's own."""
        key = (message["chat"]["id"], message["message_id"])
        if shown_as is not None:
            self._extras_of(*key).update(text=shown_as, entities=[])
        view = message_view(message, self._extras_of(*key))
        replied = view["reply_to"] and self._extras.get((key[0], view["reply_to"]["message_id"]))
        if replied and "text" in replied:  # a reply to a deep link's "/start" quotes that
            view["reply_to"]["text"] = replied["text"]
        self.chats.setdefault(key[0], {})[key[1]] = view
        for kind in ("photo", "document"):
            if view[kind]:
                file_id = view[kind]["url"].rsplit("/", 1)[-1]
                self.files[file_id] = {"kind": kind, "name": (view[kind].get("name") or "")}
        self.publish({"type": "message", "message": view})
        return view

    def add_note(self, chat_id: int, text: str) -> dict:
        """A grey line from the sandbox itself (not from Telegram, not from the bot)."""
        self._notes += 1
        view = message_view({"chat": {"id": chat_id}, "message_id": -self._notes,
                             "date": self.telegram.state.timestamp()})
        view["service"] = text
        self.chats.setdefault(chat_id, {})[view["message_id"]] = view
        self.publish({"type": "message", "message": view})
        return view

    def pressed(self, callback_query_id: str, user_id: int) -> None:
        """Remember who pressed, so the pop-up answer goes to their page."""
        self._pressed_by[callback_query_id] = user_id

    def view(self, chat_id: int, message_id: int) -> dict | None:
        return self.chats.get(chat_id, {}).get(message_id)

    def messages(self, chat_id: int) -> list[dict]:
        return list(self.chats.get(chat_id, {}).values())

    def _on_call(self, call: ApiCall) -> None:
        result, params = call.result, call.params
        if isinstance(result, dict) and "message_id" in result and "chat" in result:
            if call.method.startswith(_MESSAGE_RESULTS):
                self._remember_reply_markup(result, params)
                self.add_message(result)
        elif call.method == "deleteMessage":
            chat_id = int(params["chat_id"])
            if self.chats.get(chat_id, {}).pop(params["message_id"], None) is not None:
                self.publish({"type": "deleted", "chat_id": chat_id,
                              "message_id": params["message_id"]})
        elif call.method == "setMessageReaction":
            self._react(int(params["chat_id"]), params["message_id"], params.get("reaction"))
        elif call.method == "answerCallbackQuery" and params.get("text"):
            self.publish({"type": "popup", "text": params["text"],
                          "alert": bool(params.get("show_alert")),
                          "user_id": self._pressed_by.get(params["callback_query_id"])})
        elif call.method in ("setMyCommands", "deleteMyCommands"):
            self.publish({"type": "menus", "menus": self.menus()})

    def _extras_of(self, chat_id: int, message_id: int) -> dict[str, Any]:
        """What the page shows that Telegram's Message does not carry (reactions, ForceReply)."""
        return self._extras.setdefault((chat_id, message_id), {"reactions": []})

    def _remember_reply_markup(self, message: dict, params: dict) -> None:
        # Telegram returns only inline keyboards; a ForceReply shows in the composer.
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and markup.get("force_reply"):
            extras = self._extras_of(message["chat"]["id"], message["message_id"])
            extras.update(force_reply=True, placeholder=markup.get("input_field_placeholder"))

    def _react(self, chat_id: int, message_id: int, reaction: list | None) -> None:
        emoji = [r["emoji"] for r in reaction or () if r.get("type") == "emoji"]
        self._extras_of(chat_id, message_id)["reactions"] = emoji
        message = self.telegram.state.message(chat_id, message_id)
        if message is not None:
            self.add_message(message)

    # -- the command menu ------------------------------------------------------------------
    def menus(self) -> dict[str, dict[str, list[dict]]]:
        """setMyCommands as the page shows it: {"private"|"group"|"default": {language: [...]}}."""
        scopes = {"all_private_chats": "private", "all_group_chats": "group", "default": "default"}
        menus: dict[str, dict[str, list[dict]]] = {}
        for (scope_json, language), commands in self.telegram.state.commands.items():
            scope = scopes.get(json.loads(scope_json).get("type", ""))
            if scope is not None:
                menus.setdefault(scope, {})[language] = list(commands)
        return menus
