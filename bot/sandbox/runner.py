"""`civic-reflect try`: the sandbox and its page, from start to Ctrl-C.

The database is a file in a temporary folder, deleted at exit, unless --db names one to
keep; CIVIC_REFLECT_DB (the real bot's database) is never opened. The bot's token is a
dummy and its requests never leave the process.
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

from bot.config import Settings, configure_logging

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
    and database; the sandbox runs the schedule's tick itself (see session.py), and the
    stand-in Telegram has no flood limits to respect."""
    return replace(settings, token=SANDBOX_TOKEN, database_path=database, api_base_url=None,
                   dispatch_interval_seconds=0, group_max_rate=0)


def _loopback_names(port: int) -> set[str]:
    return {f"{name}:{port}" for name in ("127.0.0.1", "localhost", "[::1]")}


@asynccontextmanager
async def open_sandbox(settings: Settings, host: str = "127.0.0.1", port: int = 8080,
                       database: Path | None = None) -> AsyncIterator[RunningSandbox]:
    if database is not None and not database.parent.is_dir():
        # Said before SQLite would, in words that name the file.
        raise OSError(f"cannot keep the sandbox's database in {database}: there is no folder "
                      f"{database.parent}")
    with tempfile.TemporaryDirectory(prefix="civic-reflect-try-") as folder:
        path = database or Path(folder) / "sandbox.sqlite3"
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


def run_sandbox(settings: Settings, host: str, port: int, database: Path | None) -> int:
    level = settings.log_level if settings.log_level == "DEBUG" else "WARNING"
    configure_logging(replace(settings, log_level=level, token=SANDBOX_TOKEN))
    return asyncio.run(_serve(settings, host, port, database))


async def _serve(settings: Settings, host: str, port: int, database: Path | None) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with open_sandbox(settings, host, port, database) as running:
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
