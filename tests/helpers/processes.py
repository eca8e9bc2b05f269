"""The bot as a process of its own: started, watched and stopped as an operator would;
and the one way a test waits for something another process, thread or task does.

No test sleeps hoping something has happened by then. It waits for the event
itself: a line of the process's output (`BotProcess.wait_for_lines`), or a
condition polled by `wait_until` (beside synchronous code) or `until` (in an
event loop). Their deadlines guard against a hang and are generous, so that a
busy machine is only slower, never failing: they measure nothing."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import asyncpg

from helpers.app import TEST_TOKEN


async def on_server(server: str, statement: str) -> None:
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


ROOT = Path(__file__).resolve().parents[2]

# How often a condition is looked at again: a wait ends at most this long
# after the event, whatever the machine's speed. Beside a process the
# condition often costs a request or a count of many calls, so it is looked
# at less often, leaving the processor to the process being waited for.
POLL_SECONDS = 0.01
POLL_PROCESS_SECONDS = 0.05


def _never(what, seconds: float) -> str:
    return f"{what() if callable(what) else what} never came true in {seconds:g} s"


def wait_until(condition, seconds: float = 30, what="the condition"):
    """`condition()`'s first true value, looked at every POLL_PROCESS_SECONDS;
    AssertionError naming `what` (a string, or a function giving one then,
    such as the process's latest lines) if `seconds` pass first."""
    deadline = time.monotonic() + seconds
    while True:
        if value := condition():
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_never(what, seconds))
        time.sleep(POLL_PROCESS_SECONDS)


async def until(condition, seconds: float = 10, what="the condition"):
    """`wait_until` inside an event loop, which runs on while it waits:
    `condition` may be a plain function or a coroutine function."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if inspect.isawaitable(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(_never(what, seconds))
        await asyncio.sleep(POLL_SECONDS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def as_from_a_shell() -> None:
    """In the child, before the bot starts: Ctrl-C and SIGTERM as a shell
    would give them (default, not blocked). Ignored and blocked signals are
    inherited across exec, and the test process may have either by then
    (whatever an earlier test or library did): a bot started with SIGINT
    ignored cannot be stopped with it. Seen only in a full CI run."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


class BotProcess:
    """`python -m bot run` with its stderr read line by line as it comes."""

    def __init__(self, base_url: str, database: Path, **settings: str):
        """`settings`: more environment variables (DATABASE_URL, WEBHOOK_URL...)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM")}
        # PYTHONFAULTHANDLER: a process that does not end in time is sent
        # SIGABRT, and Python writes where each of its threads was (see wait).
        env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(database),
                   TELEGRAM_API_BASE_URL=base_url, PYTHONFAULTHANDLER="1", **settings)
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True, preexec_fn=as_from_a_shell)
        self.lines: list[str] = []
        self._new_line = threading.Condition()
        self._ended = False  # the process closed its output
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            with self._new_line:
                self.lines.append(line.rstrip("\n"))
                self._new_line.notify_all()
        with self._new_line:  # the output ended: no line will come now
            self._ended = True
            self._new_line.notify_all()

    def wait_for_lines(self, fragment: str | re.Pattern, count: int = 1,
                       timeout: float = 30) -> list[str]:
        """The first `count` lines holding `fragment` (or matching the
        pattern), as soon as the process has written them (AssertionError if
        its output ends first, or `timeout` passes)."""

        def found() -> list[str]:
            if isinstance(fragment, re.Pattern):
                return [line for line in self.lines if fragment.search(line)]
            return [line for line in self.lines if fragment in line]

        with self._new_line:
            self._new_line.wait_for(lambda: len(found()) >= count or self._ended,
                                    timeout=timeout)
            if len(found()) >= count:
                return found()[:count]
        raise AssertionError(f"no {count} line(s) with {fragment!r} in: {self.lines}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        return self.wait()

    def wait(self, timeout: float = 20) -> int:
        """Its exit status once it ends (killed if it has not within `timeout`,
        after writing its threads' stacks and its last lines to the test's
        stderr, which pytest shows with the failure)."""
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGABRT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
            self._reader.join(timeout=5)
            print(f"still running {timeout:g} s after being told to stop; its last lines:",
                  *self.lines[-60:], sep="\n", file=sys.stderr)
            raise
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=5)
        return code
