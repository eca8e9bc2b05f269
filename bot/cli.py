"""Command line: run | try | content check | export | backup | migrate-db.

Every failure a person can fix (a missing token, a broken pack, a wrong
chat id) ends in one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sqlite3
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, configure_logging, load_settings
from bot.content.locales import Catalog
from bot.content.packs import PackError, language_gaps, load_library, summary_rows
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
    commands.add_parser("run", help="run the bot (long polling, or a webhook if WEBHOOK_URL is "
                                    "set)")
    sandbox = commands.add_parser(
        "try", help="try the bot in your browser: no token, nothing sent to Telegram")
    sandbox.add_argument("--port", type=int, default=8080, help="port of the page (default 8080)")
    sandbox.add_argument("--host", default="127.0.0.1", metavar="ADDRESS",
                         help="address to serve the page on (default 127.0.0.1, this machine)")
    sandbox.add_argument("--db", type=Path, metavar="FILE",
                         help="keep the sandbox's database in this file "
                         "(default: a temporary file, deleted at exit)")
    sandbox.add_argument("--allow-real-data", action="store_true",
                         help="let --db name a file that is not a sandbox's own (a copy of a "
                         "real bot's database, to try things on)")
    content = commands.add_parser("content", help="work with content packs")
    content_commands = content.add_subparsers(dest="content_command", required=True)
    content_commands.add_parser("check", help="validate every pack and print a summary")
    export = commands.add_parser("export", help="write a group's answers as CSV or JSON")
    export.add_argument("--chat", type=int, required=True, help="Telegram chat id of the group")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.add_argument("--actions", action="store_true",
                        help="write the group's actions and their check-ins instead")
    backup = commands.add_parser("backup", help="copy the database safely while the bot runs")
    backup.add_argument("path", type=Path, help="where to write the copy")
    commands.add_parser("healthcheck", help="ask the running bot's /healthz (on PORT); exit 0 "
                                            "if healthy (the Docker image's HEALTHCHECK)")
    migrate = commands.add_parser(
        "migrate-db", help="copy every row into another, empty database (e.g. SQLite to "
                           "PostgreSQL), checking the count of each table")
    migrate.add_argument("--from", dest="source", required=True,
                         help="sqlite:///path/to/file.sqlite3 or postgresql://...")
    migrate.add_argument("--to", dest="target", required=True,
                         help="postgresql://... or sqlite:///path/to/new.sqlite3")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        command = args.command or "run"
        if command == "try":
            from bot.sandbox.runner import run_sandbox

            environment, ignored = sandbox_environment(os.environ)
            if ignored:
                print(f"civic-reflect sandbox: ignoring {', '.join(ignored)}: the sandbox "
                      "never uses the real bot's database, webhook, token or Telegram.",
                      flush=True)
            return run_sandbox(load_settings(environment), args.host, args.port, args.db,
                               allow_real_data=args.allow_real_data)
        settings = load_settings()
        if command == "run":
            return run(settings)
        if command == "content":
            return content_check(settings)
        if command == "export":
            return asyncio.run(export(settings, args.chat, args.format, args.output,
                                      actions=args.actions))
        if command == "migrate-db":
            return asyncio.run(migrate_db(args.source, args.target))
        if command == "healthcheck":
            return healthcheck(settings)
        return backup(settings, args.path)
    except (ConfigError, DatabaseTooNew) as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_CONFIG
    except _database_errors() as error:
        print(f"civic-reflect: {error}", file=sys.stderr)
        return EXIT_FAILED


def _database_errors() -> tuple[type[BaseException], ...]:
    """What a failing store raises. PostgreSQL's errors only if its driver
    was loaded: a bot on SQLite never loads it (nor could it raise them)."""
    errors: tuple[type[BaseException], ...] = (PackError, StoreError, OSError, sqlite3.Error)
    driver = sys.modules.get("asyncpg")
    if driver is not None:
        errors += (driver.PostgresError, driver.InterfaceError)
    return errors


# The real bot's: where its data lives, how Telegram reaches it, who it is.
REAL_BOT_SETTINGS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "CIVIC_REFLECT_DB",
                     "DATABASE_URL", "WEBHOOK_URL", "WEBHOOK_SECRET", "REPLICAS", "PORT",
                     "LISTEN")


def sandbox_environment(environ: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The environment the sandbox reads, without the real bot's settings (none of its
    business, not even to be checked), and the names of those that were set."""
    ignored = [name for name in REAL_BOT_SETTINGS if environ.get(name, "").strip()]
    kept = {key: value for key, value in environ.items() if key not in REAL_BOT_SETTINGS}
    return kept, ignored


def run(settings: Settings) -> int:
    from bot.app import build_application

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
    print(f"civic-reflect: {running_line(settings)}", file=sys.stderr, flush=True)
    # Updates are confirmed to Telegram only once handled, by the poller
    # (bot.runtime.polling) or by the webhook's answer (bot.runtime.server).
    try:
        loop.run_until_complete(_serve(application, settings))
    finally:
        loop.close()
    return 0


def running_line(settings: Settings) -> str:
    """What `run` says at start: how updates come, where the data is."""
    if settings.mode == "webhook":
        line = (f"running with a webhook: Telegram calls {settings.webhook_url}, answered on "
                f"{settings.listen}:{settings.port} (with /healthz and /metrics)")
    else:
        line = "running with long polling"
        if settings.port is not None:
            line += f"; /healthz and /metrics on {settings.listen}:{settings.port}"
    kind = "PostgreSQL" if settings.database_url else "SQLite"
    line += f"; database {settings.database_label} ({kind})"
    if settings.replicas > 1:
        line += f"; one of {settings.replicas} replicas"
    return line


async def _serve(application, settings: Settings) -> None:
    from bot.runtime.polling import serve
    from bot.runtime.server import WebServer, serve_webhook

    if settings.mode == "webhook":
        await serve_webhook(application)
        return
    server = WebServer(application, webhook=False) if settings.port is not None else None
    if server is not None:
        await server.start()
    try:
        await serve(application)
    finally:
        if server is not None:
            await server.stop()


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


async def export(settings: Settings, chat_id: int, file_format: str, output: Path | None,
                 *, actions: bool = False) -> int:
    from bot.render.export import export_records, to_csv, to_json
    from bot.render.export_actions import action_records, actions_to_csv, actions_to_json
    from bot.store import Store

    library = load_library(settings.content_dir)
    if not settings.database_url and not settings.database_path.exists():
        raise OSError(f"no database at {settings.database_path} (set CIVIC_REFLECT_DB)")
    # Read-only: an export never upgrades or changes the database, even while
    # the bot is running on it.
    store = await Store.open(settings.database, read_only=True)
    try:
        chat = await store.chats.get(chat_id)
        if chat is None:
            print(f"civic-reflect: no chat with id {chat_id} in {settings.database_label}",
                  file=sys.stderr)
            return EXIT_FAILED
        if not chat.is_group:
            # A person's journal is theirs: they export it themselves.
            print(f"civic-reflect: chat {chat_id} is a person's private chat; only they can "
                  "export their journal, with /export in their chat with the bot",
                  file=sys.stderr)
            return EXIT_FAILED
        if actions:
            records = action_records(*await store.exports.actions_for_chat(chat_id),
                                     await store.exports.design_ratings_for_chat(chat_id))
        else:
            records = export_records(await store.exports.answers_for_chat(chat_id), library,
                                     chat.language)
    finally:
        await store.close()
    if actions:
        text = actions_to_csv(records) if file_format == "csv" else actions_to_json(records)
    else:
        text = to_csv(records) if file_format == "csv" else to_json(records)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        what = "actions" if actions else "answers"
        print(f"wrote {len(records)} {what} to {output}", file=sys.stderr)
    return 0


def backup(settings: Settings, target: Path) -> int:
    from bot.store import backup_file

    if target.exists():
        raise OSError(f"{target} already exists; choose a new file name")
    if settings.database_url:
        from bot.store.postgres import dump

        dump(settings.database_url, target)
        print(f"backed up {settings.database_label} to {target} (pg_dump's custom format; "
              "restore with pg_restore)")
        return 0
    # Read through a read-only connection: a backup never writes the bot's file.
    pages = asyncio.run(backup_file(settings.database_path, target))
    print(f"backed up {settings.database_path} to {target} ({pages} pages)")
    return 0


async def migrate_db(source_url: str, target_url: str) -> int:
    """Copy an installation to another database, with a count check per table."""
    from bot.store import Store
    from bot.store.transfer import transfer

    source_target = _database_argument("--from", source_url)
    destination = _database_argument("--to", target_url)
    if isinstance(source_target, Path) and not source_target.exists():
        raise OSError(f"no database at {source_target}")
    source = await Store.open(source_target, read_only=True)
    # The copy is one long transaction on purpose: not worth a "slow" line.
    slow_log = logging.getLogger("bot.store.slow")
    level = slow_log.level
    slow_log.setLevel(logging.ERROR)
    try:
        target = await Store.open(destination)
        try:
            counts = await transfer(source.db, target.db)
        finally:
            await target.close()
    finally:
        slow_log.setLevel(level)
        await source.close()
    width = max(len(count.table) for count in counts)
    print(f"{'table'.ljust(width)}  {'from':>8}  {'to':>8}")
    for count in counts:
        print(f"{count.table.ljust(width)}  {count.source:>8}  {count.target:>8}")
    print(f"moved {sum(c.target for c in counts)} rows from {source.db.label} to "
          f"{target.db.label}: every table's count matches")
    return 0


def healthcheck(settings: Settings) -> int:
    """Exit 0 if the bot on this machine says it is healthy; print what it said."""
    import urllib.error
    import urllib.request

    if settings.port is None:
        raise ConfigError("PORT is not set: the bot serves /healthz on PORT, and the check "
                          "asks it there")
    host = "127.0.0.1" if settings.listen in ("0.0.0.0", "::") else settings.listen
    address = f"http://{f'[{host}]' if ':' in host else host}:{settings.port}/healthz"
    try:
        with urllib.request.urlopen(address, timeout=5) as answer:
            print(answer.read().decode().strip())
            return 0
    except urllib.error.HTTPError as failing:
        print(failing.read().decode().strip())
    except OSError as error:
        print(f"civic-reflect: {address} did not answer ({error})", file=sys.stderr)
    return EXIT_FAILED


def _database_argument(option: str, url: str) -> Path | str:
    from bot.config import check_database_url

    try:
        postgres, sqlite_file = check_database_url(url)
    except ConfigError:
        raise ConfigError(f"{option} must be sqlite:///path/to/file.sqlite3 or "
                          "postgresql://user:password@host/database") from None
    if postgres is None and sqlite_file is None:
        raise ConfigError(f"{option} is empty")
    return postgres or Path(sqlite_file)
