"""`civic-reflect run` when Telegram cannot be reached: one clear line a try, no traceback,
retries with growing waits, and it starts by itself once the network is back."""

from __future__ import annotations

import logging
import re
import signal

import pytest
from telegram.error import NetworkError

from bot.sandbox.http_api import BotApiThread

from helpers.app import TEST_TOKEN
from helpers.processes import BotProcess, free_port


@pytest.mark.slow  # a real bot process
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


@pytest.mark.slow  # a real bot process
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


@pytest.mark.slow  # a real bot process
def test_a_refused_token_is_a_setting_to_fix_not_a_network_problem(tmp_path):
    with BotApiThread(token="42:" + "B" * 35) as server:  # knows another bot only
        bot = BotProcess(server.url, tmp_path / "run.sqlite3")
        code = bot.wait(timeout=30)
    assert code == 2
    assert bot.lines[-1] == (f"civic-reflect: {server.url} refused TELEGRAM_BOT_TOKEN: copy it "
                             "again from @BotFather (or create a new one with /token there)")
    assert not any("Traceback" in line or TEST_TOKEN in line for line in bot.lines)


# Moments while the bot loads, before it handles signals itself, each the end
# of a module's import (PYTHONPROFILEIMPORTTIME has Python write a line as
# each import ends), whatever the machine's speed: the bot's settings code,
# its store, its command line, Telegram's library and its extension, the
# application's code (then the content is loaded and the application built).
# Before bot/__main__.py runs, Ctrl-C is Python's own business.
LOADING = ("bot.config", "bot.store", "bot.cli", "telegram", "telegram.ext", "bot.app")


@pytest.mark.slow  # a real bot process
def test_ctrl_c_while_the_bot_is_still_loading_stops_it_without_a_traceback(tmp_path):
    """The moments before the bot handles signals itself: loading its code,
    building the application, opening the database."""
    for module in LOADING:
        bot = BotProcess(f"http://127.0.0.1:{free_port()}", tmp_path / f"{module}.sqlite3",
                         PYTHONPROFILEIMPORTTIME="1")
        bot.wait_for_lines(re.compile(rf"^import time: .*\| *{re.escape(module)}$"))
        code = bot.stop()
        assert code in (0, 130), (module, code, bot.lines)
        assert not any("Traceback" in line for line in bot.lines), (module, bot.lines)
