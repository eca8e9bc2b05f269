"""Replies about answers."""

from __future__ import annotations

from bot.content.locales import Catalog
from bot.content.packs import Item, Pack
from bot.domain.records import Chat


def saved_privately(
    catalog: Catalog, language: str, group: Chat | None, pack: Pack | None, item: Item | None
) -> str:
    return catalog.text(
        language, "private.saved",
        title=(group.title if group and group.title else "…"),
        position=item.position if item else "?",
        total=len(pack.items) if pack else "?",
    )
