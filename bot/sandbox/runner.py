"""`civic-reflect try`: the sandbox and its page, from start to Ctrl-C.

The database is a file in a temporary folder, deleted at exit, unless --db names one to
keep. The real bot's database (CIVIC_REFLECT_DB, DATABASE_URL), webhook and token are never
used, whatever the settings say: the bot's token is a dummy and its requests never leave
the process. A --db file that is not the sandbox's own is refused unless the operator says
it is a copy to try things on (see bot/store/sandbox_file.py).
"""

from __future__ import annotations

import asyncio
import logging
import signal
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from aiohttp import web

from bot.config import ConfigError, Settings, configure_logging
from bot.store.sandbox_file import FileKind, kind_of, stamp_as_sandbox

from .session import SANDBOX_TOKEN, Sandbox
from .web import build_web_app

LOOPBACK = ("127.0.0.1", "localhost", "::1")


@dataclass
class RunningSandbox:
    sandbox: Sandbox
    url: str
    database: Path
    temporary: bool


def sandbox_settings(settings: Settings, database: Path) -> Settings:
    """The operator's settings (content, time zone, language) with the sandbox's own token
    and database, and nothing of the real bot's: no PostgreSQL, webhook, Bot API server or
    port. The sandbox runs the schedule's tick itself (see session.py), and the stand-in
    Telegram has no flood limits to respect."""
    return replace(settings, token=SANDBOX_TOKEN, database_path=database, database_url=None,
                   api_base_url=None, webhook_url=None, webhook_secret=None, port=None,
                   replicas=1, dispatch_interval_seconds=0, group_max_rate=0)


def check_database_file(database: Path, allow_real_data: bool) -> None:
    """Refuse a --db file that holds anything but a sandbox's data (unless allowed), and
    stamp a new one as the sandbox's."""
    if not database.parent.is_dir():
        # Said before SQLite would, in words that name the file.
        raise OSError(f"cannot keep the sandbox's database in {database}: there is no folder "
                      f"{database.parent}")
    kind = kind_of(database)
    if kind is FileKind.OTHER and not allow_real_data:
        raise ConfigError(
            f"{database} is not a sandbox's database: it may be a real bot's, whose groups "
            "would lose their due questions to the sandbox. Try things on a copy "
            "(civic-reflect backup COPY) and add --allow-real-data, or name a new file")
    if kind is FileKind.NEW:
        stamp_as_sandbox(database)


def _loopback_names(port: int) -> set[str]:
    return {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}


@asynccontextmanager
async def open_sandbox(settings: Settings, host: str = "127.0.0.1", port: int = 8080,
                       database: Path | None = None, *,
                       allow_real_data: bool = False) -> AsyncIterator[RunningSandbox]:
    if database is not None:
        check_database_file(database, allow_real_data)
    with tempfile.TemporaryDirectory(prefix="civic-reflect-try-") as folder:
        path = database or Path(folder) / "sandbox.sqlite3"
        if database is None:
            stamp_as_sandbox(path)
        sandbox = Sandbox(sandbox_settings(settings, path))
        runner = None
        # Served beyond this machine on purpose (--host), any name may reach it; on loopback
        # only its own names, once the port is known (--port 0 picks one).
        allowed = set() if host in LOOPBACK else None
        try:
            await sandbox.start()
            runner = web.AppRunner(build_web_app(sandbox, allowed), access_log=None,
                                   shutdown_timeout=0.5, handler_cancellation=True)
            await runner.setup()
            site = web.TCPSite(runner, host, port)
            try:
                await site.start()
            except OSError as error:
                # The command line prints it as one line (a port in use, a wrong address).
                raise OSError(f"cannot serve the sandbox on {host}:{port} "
                              f"({error.strerror or error}); choose another --port") from None
            bound = runner.addresses[0][1]
            if allowed is not None:
                allowed.update(_loopback_names(bound))
            shown = f"[{host}]" if ":" in host else host
            yield RunningSandbox(sandbox, f"http://{shown}:{bound}", path, database is None)
        finally:
            if runner is not None:
                await runner.cleanup()
            await sandbox.stop()


def run_sandbox(settings: Settings, host: str, port: int, database: Path | None, *,
                allow_real_data: bool = False) -> int:
    if database is not None:
        # Refused before anything starts.
        check_database_file(database, allow_real_data)
    level = settings.log_level if settings.log_level == "DEBUG" else "WARNING"
    configure_logging(replace(settings, log_level=level, token=SANDBOX_TOKEN))
    return asyncio.run(_serve(settings, host, port, database, allow_real_data))


async def _serve(settings: Settings, host: str, port: int, database: Path | None,
                 allow_real_data: bool) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_sandbox(settings, host, port, database,
                            allow_real_data=allow_real_data) as running:
        kept = ("a temporary file, deleted when you stop" if running.temporary
                else str(running.database))
        print(f"civic-reflect sandbox: open {running.url} in your browser.\n"
              "It runs the real bot against a stand-in for Telegram: nothing is sent to "
              f"Telegram. Database: {kept}.\nPress Ctrl-C to stop.", flush=True)
        if host not in LOOPBACK:
            logging.getLogger(__name__).warning(
                "serving on %s: anyone who can reach this address can use the sandbox", host)
        await stop.wait()
    print("civic-reflect sandbox: stopped.", flush=True)
    return 0
