"""What /export sends: a group's answers as CSV for its coordinator, and a
person's journal as Markdown (to read) and JSON (to keep)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from bot.domain.records import Chat
from bot.render.export import export_file_name, export_records, to_csv
from bot.render.export_actions import action_records, actions_to_csv
from bot.render.journal_export import export_json, export_markdown
from bot.runtime.context import BotData


@dataclass(frozen=True)
class File:
    name: str
    content: bytes


async def group_answers(data: BotData, chat: Chat) -> tuple[File, int]:
    """The group's answers as one CSV file, and how many rows it has.

    The rows are read off the event loop (the store's long reads) and the
    file is built in a worker thread: a big group's CSV is seconds of work
    that every other chat's updates would otherwise wait behind."""
    rows = await data.store.exports.answers_for_chat(chat.id)

    def build() -> tuple[bytes, int]:
        records = export_records(rows, data.packs, chat.language)
        return to_csv(records).encode("utf-8"), len(records)

    content, count = await asyncio.to_thread(build)
    return File(export_file_name(chat.title, chat.id, data.now(), "csv"), content), count


async def group_actions(data: BotData, chat: Chat) -> tuple[File, int] | None:
    """The group's actions as a second CSV file, and how many; None when the
    group has none (then the export is the answers' file alone)."""
    actions, owners = await data.store.exports.actions_for_chat(chat.id)
    if not actions:
        return None
    ratings = await data.store.exports.design_ratings_for_chat(chat.id)
    content = await asyncio.to_thread(
        lambda: actions_to_csv(action_records(actions, owners, ratings)).encode("utf-8"))
    name = export_file_name(chat.title, chat.id, data.now(), "csv")
    return File(name.removesuffix(".csv") + "-actions.csv", content), len(actions)


async def journal(data: BotData, chat: Chat, name: str) -> tuple[File, File, int]:
    """The person's journal as Markdown and as JSON, and how many entries it
    has: read off the event loop, written in a worker thread."""
    entries = await data.store.journal.all(chat.id)
    committed = {c.prompt_id: c for c in await data.store.commitments.of_person(chat.id)
                 if c.prompt_id is not None}
    stamp = f"{data.now():%Y%m%d}"

    def build() -> tuple[bytes, bytes]:
        markdown = export_markdown(entries, data.packs, chat.language, name=name,
                                   timezone=chat.timezone, catalog=data.catalog,
                                   commitments=committed)
        as_json = export_json(entries, data.packs, chat.language, committed)
        return markdown.encode("utf-8"), as_json.encode("utf-8")

    markdown, as_json = await asyncio.to_thread(build)
    return (File(f"journal-{stamp}.md", markdown), File(f"journal-{stamp}.json", as_json),
            len(entries))
