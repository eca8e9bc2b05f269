"""Linking a council group with a civil-society group: one-time codes, the
partnership record, and who may use a code. Pure: no Telegram, no SQL.

A code is short enough to read out on the phone, works once, for seven
days, and is stored only as a hash; a group can never link with itself or
with a group answering the same side of the checklist.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from random import Random

from bot.domain.partnership import Side

# Read aloud or typed from a phone call: no 0/O or 1/I to confuse.
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8  # 40 bits: guessing a live code by trying is hopeless
CODE_VALID_FOR = timedelta(days=7)
_SYSTEM_RANDOM = secrets.SystemRandom()


def new_code(rng: Random = _SYSTEM_RANDOM) -> str:
    """A fresh code in its plain form (see `display_code`)."""
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """HX7K3MPQ -> HX7K-3MPQ: two halves are easier to read out."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(text: str) -> str | None:
    """A typed code in its plain form, forgiving case, spaces and dashes;
    None when it cannot be one of ours."""
    plain = "".join(ch for ch in text.upper() if ch not in " -_.")
    if len(plain) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in plain):
        return None
    return plain


def code_hash(code: str) -> str:
    """What the database keeps instead of the code: a used or leaked row
    never gives a working code back."""
    return hashlib.sha256(f"civic-reflect partner code:{code}".encode()).hexdigest()


def code_expiry(now: datetime) -> datetime:
    return now + CODE_VALID_FOR


@dataclass(frozen=True)
class PartnerCode:
    id: int
    chat_id: int  # the group that asked for it
    side: str  # that group's side when it asked
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class Partnership:
    id: int
    la_chat_id: int
    cso_chat_id: int
    created_at: datetime

    def includes(self, chat_id: int) -> bool:
        return chat_id in (self.la_chat_id, self.cso_chat_id)

    def side_of(self, chat_id: int) -> Side:
        if chat_id == self.la_chat_id:
            return Side.LA
        if chat_id == self.cso_chat_id:
            return Side.CSO
        raise ValueError(f"chat {chat_id} is not in partnership {self.id}")

    def chat_of(self, side: Side) -> int:
        return self.la_chat_id if side is Side.LA else self.cso_chat_id

    def partner_of(self, chat_id: int) -> int:
        return self.chat_of(self.side_of(chat_id).other)


class Refusal(StrEnum):
    """Why `/partner CODE` did not link the two groups."""

    NOT_ON_CHECKLIST = "not_on_checklist"  # this group follows no side of the checklist
    MALFORMED = "malformed"  # not even shaped like a code
    UNKNOWN = "unknown"  # shaped like one, but never issued (mistyped or made up)
    USED = "used"
    EXPIRED = "expired"
    OWN_CODE = "own_code"  # made in this very group
    ISSUER_LEFT = "issuer_left"  # the group that made it no longer follows that side
    SAME_SIDE = "same_side"  # two councils, or two civil-society groups
    ALREADY = "already"  # these two groups are partners already


def redemption_refusal(
    code: PartnerCode | None, *, typed_ok: bool, now: datetime, chat_id: int,
    side: Side | None, issuer_side: Side | None, partners: Collection[int],
) -> Refusal | None:
    """Whether a group (`chat_id`, on `side`) may use `code`; None if it may.

    `typed_ok` is whether the typed text was shaped like a code at all,
    `issuer_side` the issuing group's side now (it may have changed its
    programme since), `partners` the groups this one is linked with already.
    """
    if side is None:
        return Refusal.NOT_ON_CHECKLIST
    if not typed_ok:
        return Refusal.MALFORMED
    if code is None:
        return Refusal.UNKNOWN
    if code.used_at is not None:
        return Refusal.USED
    if now >= code.expires_at:
        return Refusal.EXPIRED
    if code.chat_id == chat_id:
        return Refusal.OWN_CODE
    if issuer_side is None or issuer_side != code.side:
        return Refusal.ISSUER_LEFT
    if issuer_side == side:
        return Refusal.SAME_SIDE
    if code.chat_id in partners:
        return Refusal.ALREADY
    return None
