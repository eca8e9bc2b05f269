"""`civic-reflect try` as a person runs it: the address, no Telegram, no database it was not
given, Ctrl-C, and --db to keep the sandbox's memory."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from bot.sandbox.http_api import BotApiThread

from helpers.sandbox import TryProcess

# `python -m bot try` as real processes (`-m "not slow"` leaves them out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.load(response)


def test_try_serves_the_page_talks_to_no_telegram_and_leaves_nothing_behind(tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    real_database = tmp_path / "real-bot.sqlite3"
    with BotApiThread() as telegram_lookalike:
        # Even pointed at a Bot API server, the sandbox never calls one.
        sandbox = TryProcess(env={
            "TMPDIR": str(temporary), "CIVIC_REFLECT_DB": str(real_database),
            "TELEGRAM_API_BASE_URL": telegram_lookalike.url,
            "TELEGRAM_BOT_TOKEN": "not a token",  # the real bot's; no business of the sandbox
        })
        try:
            assert sandbox.url.startswith("http://127.0.0.1:")
            state = get_json(f"{sandbox.url}/api/state")
            assert any(m.get("service") for m in state["messages"][str(state["chats"][0]["id"])])
            assert len(list(temporary.iterdir())) == 1  # the sandbox's temporary folder
        finally:
            code, stdout, stderr = sandbox.stop()
        assert telegram_lookalike.calls() == []
    assert code == 0, stderr
    assert "nothing is sent to Telegram" in sandbox.greeting
    assert "Database: a temporary file, deleted when you stop." in sandbox.greeting
    assert stdout == "civic-reflect sandbox: stopped.\n"
    assert "Traceback" not in stderr
    assert not real_database.exists()
    assert list(temporary.iterdir()) == []  # its database went with it


def test_a_kept_database_remembers_the_group(tmp_path):
    kept = tmp_path / "kept.sqlite3"
    first = TryProcess("--db", str(kept))
    try:
        assert f"Database: {kept}." in first.greeting
    finally:
        assert first.stop()[0] == 0
    assert kept.exists()
    second = TryProcess("--db", str(kept))
    try:
        group = get_json(f"{second.url}/api/state")["messages"]
        notes = [m["service"] for m in next(iter(group.values())) if m["service"]]
        assert notes == ["The sandbox restarted on a kept database: earlier messages are not "
                         "shown, programmes and answers are kept."]
    finally:
        assert second.stop()[0] == 0


def test_a_port_in_use_is_one_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "bot", "try", "--port", str(port)],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith(f"civic-reflect: cannot serve the sandbox on 127.0.0.1:{port} (")
    assert done.stderr.endswith("); choose another --port\n")
    assert done.stderr.count("\n") == 1


def test_a_database_in_a_missing_folder_is_one_line(tmp_path):
    wanted = tmp_path / "missing" / "sandbox.sqlite3"
    done = subprocess.run([sys.executable, "-m", "bot", "try", "--port", "0", "--db",
                           str(wanted)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == (f"civic-reflect: cannot keep the sandbox's database in {wanted}: "
                           f"there is no folder {wanted.parent}\n")
