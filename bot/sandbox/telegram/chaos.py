"""Telegram having a bad day, on purpose: a share of calls fail, chosen by a
seeded random generator so a failing run can be replayed.

Kinds of failure, each as Telegram (or the network) would show it:
- "429": Too Many Requests with retry_after;
- "5xx": an Internal Server Error answer (nothing was done);
- "connect": the request never left (connection refused / connect timeout);
- "lost": carried out, and the answer lost on the way back (read timeout);
- "blocked": the chat blocked or removed the bot, for good (403 from then on);
- "migrated": the group became a supergroup (400 with migrate_to_chat_id,
  for good; the new id works).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import httpx
from telegram.error import NetworkError

from .errors import ApiError

KINDS = ("429", "5xx", "connect", "lost", "blocked", "migrated")
# Calls that a chat's fate applies to; only these are made to fail.
TOUCHED = ("sendMessage", "editMessageText", "sendPhoto", "sendDocument", "setMessageReaction",
           "answerCallbackQuery")
_SUPERGROUP_BASE = -1_009_000_000_000


@dataclass
class Chaos:
    rate: float
    rng: random.Random
    kinds: tuple[str, ...] = KINDS
    blocked: set[int] = field(default_factory=set)
    migrated: dict[int, int] = field(default_factory=dict)  # old group id -> supergroup id
    injected: dict[str, int] = field(default_factory=dict)

    def failure_for(self, method: str, params: dict) -> str | None:
        """Raise what this call meets; "lost" when it is to be carried out and
        its answer lost; None when it goes through."""
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user"
                           if chat_id > 0 else "Forbidden: bot was kicked from the group chat")
        if isinstance(chat_id, int) and chat_id in self.migrated:
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": self.migrated[chat_id]})
        if method not in TOUCHED or self.rng.random() >= self.rate:
            return None
        choices = [kind for kind in self.kinds if self._applies(kind, chat_id)]
        kind = self.rng.choice(choices)
        self.injected[kind] = self.injected.get(kind, 0) + 1
        if kind == "429":
            raise ApiError(429, "Too Many Requests: retry after 1", {"retry_after": 1})
        if kind == "5xx":
            raise ApiError(500, "Internal Server Error")
        if kind == "connect":
            cause = httpx.ConnectError("chaos: connection refused")
            raise NetworkError(f"httpx.ConnectError: {cause}") from cause
        if kind == "blocked":
            self.blocked.add(chat_id)
            return self.failure_for(method, params)
        if kind == "migrated":
            self.migrated[chat_id] = _SUPERGROUP_BASE - len(self.migrated) - 1
            return self.failure_for(method, params)
        return "lost"

    @staticmethod
    def _applies(kind: str, chat_id: object) -> bool:
        if kind == "blocked":
            return isinstance(chat_id, int)
        if kind == "migrated":  # only a basic group can be upgraded
            return isinstance(chat_id, int) and -1_000_000_000_000 < chat_id < 0
        return True

