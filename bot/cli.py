"""Command line: run | content check | export | backup.

Every failure a person can fix (a missing token, a broken pack, a wrong
chat id) ends in one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, configure_logging, load_settings
from bot.locales import Catalog
from bot.packs import PackError, language_gaps, load_library, summary_rows

EXIT_CONFIG = 2
EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civic-reflect",
        description="A Telegram bot for reflecting together. With no command, runs the bot.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (long polling)")
    content = commands.add_parser("content", help="work with content packs")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate every pack and print a summary")
    export = commands.add_parser("export", help="write a group's answers as CSV or JSON")
    export.add_argument("--chat", type=int, required=True, help="Telegram chat id of the group")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    backup = commands.add_parser("backup", help="copy the database safely while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        command = args.command or "run"
        if command == "run":
            return run(settings)
        if command == "content":
            return content_check(settings)
        if command == "export":
            return asyncio.run(export(settings, args.chat, args.format, args.output))
        return backup(settings, args.path)
    except ConfigError as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (PackError, OSError, sqlite3.Error) as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_FAILED


def run(settings: Settings) -> int:
    from telegram import Update

    from bot.app import build_application

    settings.require_token()
    # Fail before connecting to Telegram if the content is broken.
    load_library(settings.content_dir)
    configure_logging(settings)
    application = build_application(settings)
    application.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0


def content_check(settings: Settings) -> int:
    library = load_library(settings.content_dir)
    rows = [("pack", "audience", "items", "languages"), *summary_rows(library)]
    widths = [max(len(str(row[i])) for row in rows) for i in range(4)]
    for row in rows:
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())
    print(f"{len(library)} packs, {sum(len(pack.items) for pack in library)} items, "
          f"{len(library.glossary)} glossary terms: all valid")
    # A missing translation is not an error (chats read the pack in English),
    # but it is worth knowing before a group meets it.
    for warning in language_gaps(library, Catalog.load().languages):
        print(f"warning: {warning}", file=sys.stderr)
    return 0


async def export(settings: Settings, chat_id: int, file_format: str, output: Path | None) -> int:
    from bot.render.export import export_records, to_csv, to_json
    from bot.store import Store

    library = load_library(settings.content_dir)
    if not settings.database_path.exists():
        raise OSError(f"no database at {settings.database_path} (set CIVIC_REFLECT_DB)")
    store = await Store.open(settings.database_path)
    try:
        chat = await store.chats.get(chat_id)
        if chat is None:
            print(f"civic-reflect: no chat with id {chat_id} in {settings.database_path}",
                  file=sys.stderr)
            return EXIT_FAILED
        records = export_records(await store.exports.answers_for_chat(chat_id), library,
                                 chat.language)
    finally:
        await store.close()
    text = to_csv(records) if file_format == "csv" else to_json(records)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        print(f"wrote {len(records)} answers to {output}", file=sys.stderr)
    return 0


def backup(settings: Settings, target: Path) -> int:
    from bot.store import backup_file

    if target.exists():
        raise OSError(f"{target} already exists; choose a new file name")
    pages = backup_file(settings.database_path, target)
    print(f"backed up {settings.database_path} to {target} ({pages} pages)")
    return 0
