"""`civic-reflect run` when Telegram cannot be reached: one clear line a try, no traceback,
retries with growing waits, and it starts by itself once the network is back."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from conftest import TEST_TOKEN
from telegram.error import NetworkError

from bot.sandbox.http_api import BotApiThread

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class BotProcess:
    """`python -m bot run` with its stderr read line by line as it comes."""

    def __init__(self, base_url: str, database: Path, **settings: str):
        """`settings`: more environment variables (DATABASE_URL, WEBHOOK_URL...)."""
        env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM")}
        env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(database),
                   TELEGRAM_API_BASE_URL=base_url, **settings)
        self.process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                        text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_lines(self, fragment: str, count: int = 1, timeout: float = 20) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.lines if fragment in line]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no {count} line(s) with {fragment!r} in: {self.lines}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        self.process.send_signal(sig)
        return self.wait()

    def wait(self, timeout: float = 20) -> int:
        """Its exit status once it ends (killed if it has not within `timeout`)."""
        try:
            code = self.process.wait(timeout=timeout)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        self._reader.join(timeout=5)
        return code


def test_a_closed_port_is_one_line_a_try_then_the_bot_starts_when_it_opens(tmp_path):
    port = free_port()
    address = f"http://127.0.0.1:{port}"
    bot = BotProcess(address, tmp_path / "run.sqlite3")
    try:
        first, second = bot.wait_for_lines("cannot reach Telegram", count=2)
        assert first.startswith(f"civic-reflect: cannot reach Telegram at {address} (")
        assert "internet connection" in first and "TELEGRAM_API_BASE_URL" in first
        assert first.endswith("Trying again in 1 s.")
        assert second.endswith("Trying again in 2 s.")  # the wait grows
        with BotApiThread(port=port) as server:
            assert server.wait_for(lambda: len(server.calls("getUpdates")) >= 1), bot.lines
            bot.wait_for_lines(f"civic-reflect: reached Telegram at {address}; starting.")
            code = bot.stop()
        server.telegram.assert_clean()
    finally:
        if bot.process.poll() is None:
            bot.process.kill()
    assert code == 0, bot.lines
    assert not any("Traceback" in line for line in bot.lines), bot.lines
    assert not any(TEST_TOKEN in line for line in bot.lines)


def test_stopping_while_telegram_is_unreachable_is_clean(tmp_path):
    for sig in (signal.SIGINT, signal.SIGTERM):
        bot = BotProcess(f"http://127.0.0.1:{free_port()}", tmp_path / f"{sig}.sqlite3")
        bot.wait_for_lines("cannot reach Telegram")
        assert bot.stop(sig) == 0, bot.lines
        assert bot.lines[-1] == "civic-reflect: stopped before Telegram could be reached"
        assert not any("Traceback" in line for line in bot.lines), bot.lines


async def test_losing_telegram_while_polling_logs_one_line_without_a_traceback(
    harness, caplog
):
    caplog.set_level(logging.WARNING)
    # What python-telegram-bot's polling loop hands the error handlers when getUpdates fails.
    await harness.app.process_error(None, NetworkError("httpx.ConnectError: connection refused"))
    records = [r for r in caplog.records if r.name == "bot.handlers.errors"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [(
        "WARNING",
        "cannot reach Telegram while polling (httpx.ConnectError: connection refused); "
        "retrying",
        None,
    )]


def test_a_refused_token_is_a_setting_to_fix_not_a_network_problem(tmp_path):
    with BotApiThread(token="42:" + "B" * 35) as server:  # knows another bot only
        bot = BotProcess(server.url, tmp_path / "run.sqlite3")
        code = bot.wait(timeout=30)
    assert code == 2
    assert bot.lines[-1] == (f"civic-reflect: {server.url} refused TELEGRAM_BOT_TOKEN: copy it "
                             "again from @BotFather (or create a new one with /token there)")
    assert not any("Traceback" in line or TEST_TOKEN in line for line in bot.lines)


def test_ctrl_c_while_the_bot_is_still_loading_stops_it_without_a_traceback(tmp_path):
    """The moments before the bot handles signals itself: loading its code,
    building the application, opening the database."""
    for after in (0.1, 0.3, 0.6, 1.0):
        bot = BotProcess(f"http://127.0.0.1:{free_port()}", tmp_path / f"{after}.sqlite3")
        time.sleep(after)
        code = bot.stop()
        assert code in (0, 130), (after, code, bot.lines)
        assert not any("Traceback" in line for line in bot.lines), (after, bot.lines)
