"""Realistic answers to valid Bot API requests, computed from the fake server's state.

Methods without a dedicated handler answer from the reference's "returns": a Message built from
the request, True, an empty array, or a minimal valid object, so PTB can always parse them.
State errors Telegram reports at runtime (editing a missing message, an edit that changes
nothing) are raised as ApiError with Telegram's exact wording.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .constants import get_me
from .errors import ApiError
from .html import parse_telegram_html, strip_formatted
from .state import TelegramState

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)

# sendX method -> (Message field, reference type) for the media the message will carry.
_MEDIA = {
    "sendDocument": ("document", "Document"),
    "sendPhoto": ("photo", "Array of PhotoSize"),
    "sendVoice": ("voice", "Voice"),
    "sendAudio": ("audio", "Audio"),
    "sendVideo": ("video", "Video"),
    "sendAnimation": ("animation", "Animation"),
    "sendVideoNote": ("video_note", "VideoNote"),
    "sendSticker": ("sticker", "Sticker"),
}


@dataclass(frozen=True)
class UploadedFile:
    """One multipart part PTB sent (the bytes only when PTB had them in memory)."""

    part: str
    filename: str
    mime_type: str | None
    content: bytes | None


def formatted_text(params: Mapping, field: str, entities_field: str) -> tuple[str, list[dict]]:
    """Text and entities Telegram would store for ``params[field]``."""
    raw = params[field]
    if str(params.get("parse_mode", "")).lower() == "html":
        parsed = parse_telegram_html(raw)
        return strip_formatted(parsed.text, parsed.entities)
    # MarkdownV2 is not parsed by the fake: the markup characters stay in the text.
    return strip_formatted(raw, list(params.get(entities_field, [])))


class Answers:
    def __init__(self, state: TelegramState) -> None:
        self.state = state
        self.spec = state.spec
        self._file_counter = 0
        self.handlers: dict[str, Callable[[dict, dict[str, UploadedFile]], Any]] = {
            "getMe": lambda p, f: get_me(),
            "editMessageText": self.edit_message_text,
            "editMessageCaption": self.edit_message_caption,
            "editMessageReplyMarkup": self.edit_message_reply_markup,
            "deleteMessage": self.delete_message,
            "getChat": self.get_chat,
            "getChatMember": lambda p, f: self.state.chat_member(
                self.state.chat(p["chat_id"])["id"], p["user_id"]
            ),
            "getChatAdministrators": lambda p, f: self.state.administrators(
                self.state.chat(p["chat_id"])["id"]
            ),
            "getChatMemberCount": lambda p, f: self.state.member_count(
                self.state.chat(p["chat_id"])["id"]
            ),
            "setMyCommands": self.set_my_commands,
            "deleteMyCommands": self.delete_my_commands,
            "getMyCommands": self.get_my_commands,
            "getFile": self.get_file,
        }

    def answer(self, method: str, params: dict, files: dict[str, UploadedFile]) -> Any:
        handler = self.handlers.get(method)
        if handler is not None:
            return handler(params, files)
        returns = self.spec.returns.get(method, ("Boolean",))
        if "Message" in returns:
            if "Boolean" in returns and "inline_message_id" in params:
                return True  # edits of inline messages answer True
            return self.send_message(method, params, files)
        if returns[0] in ("Boolean", "True"):
            return True
        return self.spec.example(returns[0])

    # -- sending ---------------------------------------------------------------------------
    def new_file_id(self) -> str:
        self._file_counter += 1
        return f"fake-file-{self._file_counter}"

    def send_message(self, method: str, params: dict, files: dict[str, UploadedFile]) -> dict:
        chat = self.state.chat(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self.state.message_ids.next(chat["id"]),
            "from": self.state.bot_user,
            "date": self.state.timestamp(),
            "chat": chat,
        }
        if "text" in params:
            message["text"], entities = formatted_text(params, "text", "entities")
            if entities:
                message["entities"] = entities
        if method in _MEDIA:
            message.update(self._media(method, params, files))
        if params.get("caption"):
            message["caption"], entities = formatted_text(params, "caption", "caption_entities")
            if entities:
                message["caption_entities"] = entities
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup  # Telegram echoes inline keyboards only
        reply_to = (params.get("reply_parameters") or {}).get("message_id")
        if reply_to is not None:
            original = self.state.message(chat["id"], reply_to)
            if original is not None:
                original.pop("reply_to_message", None)  # Telegram nests one level only
                message["reply_to_message"] = original
        self.state.remember(message)
        return message

    def _media(self, method: str, params: dict, files: dict[str, UploadedFile]) -> dict:
        field, type_name = _MEDIA[method]
        source = params.get(field)
        upload = files.get(field)
        if isinstance(source, str) and source.startswith("attach://"):
            upload = files.get(source.removeprefix("attach://"))
        reuse = isinstance(source, str) and not source.startswith(("attach://", "http"))
        file_id = source if reuse else self.new_file_id()
        item_type = type_name.removeprefix("Array of ")
        item = self.spec.example(item_type)
        item.update(file_id=file_id, file_unique_id=f"unique-{file_id}")
        for key in ("duration", "width", "height", "length"):
            if key in item and isinstance(params.get(key), int):
                item[key] = params[key]
        if upload is not None and "file_name" in self.spec.types[item_type].fields:
            item["file_name"] = upload.filename
        if upload is not None and upload.content is not None:
            item["file_size"] = len(upload.content)
            self.state.files[file_id] = upload.content
        return {field: [item] if type_name.startswith("Array of ") else item}

    # -- editing ---------------------------------------------------------------------------
    def _editable(self, params: dict) -> dict:
        chat_id = self.state.chat(params["chat_id"])["id"]
        message = self.state.message(chat_id, params["message_id"])
        if message is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if message.get("from", {}).get("id") != self.state.bot_user["id"]:
            raise ApiError(400, "Bad Request: message can't be edited")
        return message

    def _store_edit(self, before: dict, after: dict) -> dict:
        if after == before:
            raise ApiError(400, NOT_MODIFIED)
        after["edit_date"] = self.state.timestamp()
        self.state.remember(after)
        return after

    def _with_markup(self, message: dict, params: dict) -> dict:
        # An edit without reply_markup removes the inline keyboard, as on Telegram.
        message.pop("reply_markup", None)
        if params.get("reply_markup", {}).get("inline_keyboard"):
            message["reply_markup"] = params["reply_markup"]
        return message

    def edit_message_text(self, params: dict, files: dict) -> Any:
        if "inline_message_id" in params:
            return True
        before = self._editable(params)
        if "text" not in before:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        after = {k: v for k, v in before.items() if k not in ("entities", "edit_date")}
        after["text"], entities = formatted_text(params, "text", "entities")
        if entities:
            after["entities"] = entities
        before.pop("edit_date", None)
        return self._store_edit(before, self._with_markup(after, params))

    def edit_message_caption(self, params: dict, files: dict) -> Any:
        if "inline_message_id" in params:
            return True
        before = self._editable(params)
        after = {
            k: v for k, v in before.items() if k not in ("caption", "caption_entities", "edit_date")
        }
        if params.get("caption"):
            after["caption"], entities = formatted_text(params, "caption", "caption_entities")
            if entities:
                after["caption_entities"] = entities
        before.pop("edit_date", None)
        return self._store_edit(before, self._with_markup(after, params))

    def edit_message_reply_markup(self, params: dict, files: dict) -> Any:
        if "inline_message_id" in params:
            return True
        before = self._editable(params)
        before.pop("edit_date", None)
        return self._store_edit(before, self._with_markup(dict(before), params))

    def delete_message(self, params: dict, files: dict) -> bool:
        # Lenient on purpose: the bot may delete user messages the fake never saw.
        self.state.forget(self.state.chat(params["chat_id"])["id"], params["message_id"])
        return True

    # -- chats, commands, files ------------------------------------------------------------
    def get_chat(self, params: dict, files: dict) -> dict:
        full = self.spec.example("ChatFullInfo")
        full.update(self.state.chat(params["chat_id"]), max_reaction_count=11)
        return full

    @staticmethod
    def _commands_key(params: dict) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), params.get("language_code", "")

    def set_my_commands(self, params: dict, files: dict) -> bool:
        self.state.commands[self._commands_key(params)] = params["commands"]
        return True

    def delete_my_commands(self, params: dict, files: dict) -> bool:
        self.state.commands.pop(self._commands_key(params), None)
        return True

    def get_my_commands(self, params: dict, files: dict) -> list[dict]:
        return list(self.state.commands.get(self._commands_key(params), []))

    def get_file(self, params: dict, files: dict) -> dict:
        file_id = params["file_id"]
        answer = {
            "file_id": file_id,
            "file_unique_id": f"unique-{file_id}",
            "file_path": f"files/{file_id}",
        }
        if file_id in self.state.files:
            answer["file_size"] = len(self.state.files[file_id])
        return answer
