"""Replies about answers."""

from __future__ import annotations

from bot.domain.records import Chat
from bot.locales import Catalog
from bot.packs import Item, Pack


def saved_privately(
    catalog: Catalog, language: str, group: Chat | None, pack: Pack | None, item: Item | None
) -> str:
    return catalog.text(
        language, "private.saved",
        title=(group.title if group and group.title else "…"),
        position=item.position if item else "?",
        total=len(pack.items) if pack else "?",
    )
