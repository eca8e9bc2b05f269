"""Command line: run | try | content check | export | backup.

Every failure a person can fix (a missing token, a broken pack, a wrong
chat id) ends in one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, configure_logging, load_settings
from bot.locales import Catalog
from bot.packs import PackError, language_gaps, load_library, summary_rows
from bot.store.db import DatabaseTooNew, StoreError

EXIT_CONFIG = 2
EXIT_FAILED = 1
TELEGRAM_API = "https://api.telegram.org"
# Waits between attempts to reach Telegram at start: doubling, then once a minute.
FIRST_RETRY_SECONDS = 1.0
LONGEST_RETRY_SECONDS = 60.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="civic-reflect",
        description="A Telegram bot for reflecting together. With no command, runs the bot.",
    )
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("run", help="run the bot (long polling)")
    sandbox = commands.add_parser(
        "try", help="try the bot in your browser: no token, nothing sent to Telegram")
    sandbox.add_argument("--port", type=int, default=8080, help="port of the page (default 8080)")
    sandbox.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                         help="address to serve the page on (default 127.0.0.1, this machine)")
    sandbox.add_argument("--db", type=Path, metavar="FILE",
                         help="keep the sandbox's database in this file "
                         "(default: a temporary file, deleted at exit)")
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
        command = args.command or "run"
        settings = load_settings(_sandbox_environment() if command == "try" else None)
        if command == "run":
            return run(settings)
        if command == "try":
            from bot.sandbox.runner import run_sandbox

            return run_sandbox(settings, args.host, args.port, args.db)
        if command == "content":
            return content_check(settings)
        if command == "export":
            return asyncio.run(export(settings, args.chat, args.format, args.output))
        return backup(settings, args.path)
    except (ConfigError, DatabaseTooNew) as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except (PackError, StoreError, OSError, sqlite3.Error) as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_FAILED


def _sandbox_environment() -> dict[str, str]:
    """The sandbox has its own token and database and calls no Bot API: the real bot's
    settings for those are none of its business, not even to be checked."""
    ignored = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "CIVIC_REFLECT_DB")
    return {key: value for key, value in os.environ.items() if key not in ignored}


def run(settings: Settings) -> int:
    from bot.app import build_application
    from bot.polling import serve

    settings.require_token()
    # Fail before connecting to Telegram if the content is broken.
    load_library(settings.content_dir)
    configure_logging(settings)
    application = build_application(settings)
    # run_polling runs on the current event loop: reach Telegram on that same loop first, so
    # the bot's HTTP client, already connected, carries on.
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    if not _wait_for_telegram(loop, application.bot, settings):
        print("civic-reflect: stopped before Telegram could be reached", file=sys.stderr)
        return 0
    # Updates are confirmed to Telegram only once handled (bot.polling);
    # a drop while polling is one warning and a retry.
    try:
        loop.run_until_complete(serve(application))
    finally:
        loop.close()
    return 0


def _wait_for_telegram(loop: asyncio.AbstractEventLoop, bot, settings: Settings) -> bool:
    """True once Telegram answered; False if Ctrl-C or SIGTERM came first (the bot and the
    loop are then closed, as they are when waiting ends in an error)."""
    waiting = loop.create_task(reach_telegram(bot, settings))
    loop.add_signal_handler(signal.SIGTERM, waiting.cancel)
    try:
        loop.run_until_complete(waiting)
        return True
    except (KeyboardInterrupt, asyncio.CancelledError):
        return False
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        if not waiting.done() or waiting.cancelled() or waiting.exception() is not None:
            # A second Ctrl-C (or `timeout`, which signals the process and its group)
            # must not break the clean-up into a traceback.
            interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
            try:
                waiting.cancel()
                loop.run_until_complete(asyncio.gather(waiting, return_exceptions=True))
                loop.run_until_complete(bot.shutdown())
                loop.close()
            finally:
                signal.signal(signal.SIGINT, interrupt)


async def reach_telegram(bot, settings: Settings) -> None:
    """getMe until Telegram answers, saying in one line each time what failed and what to
    check, waiting longer each time. A refused token is a setting to fix, not a network
    problem: it ends the program (ConfigError)."""
    from telegram.error import BadRequest, InvalidToken, NetworkError

    address = settings.api_base_url or TELEGRAM_API
    delay = FIRST_RETRY_SECONDS
    failed = False
    while True:
        try:
            await bot.initialize()
        except InvalidToken:
            raise ConfigError(
                f"{address} refused TELEGRAM_BOT_TOKEN: copy it again from @BotFather "
                "(or create a new one with /token there)"
            ) from None
        except NetworkError as error:
            if isinstance(error, BadRequest):
                raise
            reason = str(error).replace(settings.require_token(), "<token>")
            print(
                f"civic-reflect: cannot reach Telegram at {address} ({reason}). Check this "
                "machine's internet connection, any proxy or firewall, and "
                f"TELEGRAM_API_BASE_URL if it is set. Trying again in {delay:g} s.",
                file=sys.stderr, flush=True,
            )
            failed = True
            await asyncio.sleep(delay)
            delay = min(delay * 2, LONGEST_RETRY_SECONDS)
            continue
        if failed:
            print(f"civic-reflect: reached Telegram at {address}; starting.", file=sys.stderr,
                  flush=True)
        return


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
    # Read-only: an export never upgrades or changes the database, even while
    # the bot is running on it.
    store = await Store.open(settings.database_path, read_only=True)
    try:
        chat = await store.chats.get(chat_id)
        if chat is None:
            print(f"civic-reflect: no chat with id {chat_id} in {settings.database_path}",
                  file=sys.stderr)
            return EXIT_FAILED
        if not chat.is_group:
            # A person's journal is theirs: they export it themselves.
            print(f"civic-reflect: chat {chat_id} is a person's private chat; only they can "
                  "export their journal, with /export in their chat with the bot",
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
