"""What /export sends: a group's answers as CSV for its coordinator, and a
person's journal as Markdown (to read) and JSON (to keep)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.records import Chat
from bot.render.export import export_records, to_csv
from bot.render.journal_export import export_json, export_markdown
from bot.runtime.context import BotData


@dataclass(frozen=True)
class File:
    name: str
    content: bytes


async def group_answers(data: BotData, chat: Chat) -> tuple[File, int]:
    """The group's answers as one CSV file, and how many rows it has."""
    rows = await data.store.exports.answers_for_chat(chat.id)
    records = export_records(rows, data.packs, chat.language)
    name = f"civic-reflect-{chat.id}-{data.now():%Y%m%d}.csv"
    return File(name, to_csv(records).encode("utf-8")), len(records)


async def journal(data: BotData, chat: Chat, name: str) -> tuple[File, File, int]:
    """The person's journal as Markdown and as JSON, and how many entries it has."""
    entries = await data.store.journal.all(chat.id)
    stamp = f"{data.now():%Y%m%d}"
    markdown = export_markdown(entries, data.packs, chat.language, name=name,
                               timezone=chat.timezone, catalog=data.catalog)
    as_json = export_json(entries, data.packs, chat.language)
    return (File(f"journal-{stamp}.md", markdown.encode("utf-8")),
            File(f"journal-{stamp}.json", as_json.encode("utf-8")), len(entries))
