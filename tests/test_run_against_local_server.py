"""`python -m bot run` for real: a separate process polling a local Bot API
stand-in through TELEGRAM_API_BASE_URL, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from helpers.app import TEST_TOKEN
from helpers.processes import wait_until

# A real bot process (`-m "not slow"` leaves it out).
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
BOT_USER = {"id": 1000, "is_bot": True, "first_name": "civic-reflect",
            "username": "civic_reflect_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


class LocalBotApi(BaseHTTPRequestHandler):
    """Answers what the bot asks at start and while polling; records the calls
    on the server object. With no update to give, it holds a poll as Telegram
    does, for the poll's timeout, or until the server closes."""

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.calls.append(method)
        if method == "getUpdates":
            timeout = float(parse_qs(body).get("timeout", ["0"])[0] or 0)
            self.server.closing.wait(timeout)
            result: object = []
        else:
            result = BOT_USER if method == "getMe" else True
        payload = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args) -> None:
        pass


class LocalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), LocalBotApi)
        self.calls: list[str] = []
        self.closing = threading.Event()

    def handle_error(self, request, client_address) -> None:
        pass  # a poll held past the bot's end answers no one


def test_run_polls_the_configured_server_and_stops_cleanly(tmp_path):
    server = LocalServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM")}
    env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(tmp_path / "run.sqlite3"),
               TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{server.server_port}")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Polling: Ctrl-C comes while a poll is held.
        wait_until(lambda: "getUpdates" in server.calls, 60,
                   lambda: f"a poll (calls: {server.calls})")
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        server.closing.set()
        server.shutdown()
    assert process.returncode == 0, stderr
    assert server.calls[0] == "getMe"
    assert server.calls.count("setMyCommands") == 4  # two scopes, two languages
    assert "getUpdates" in server.calls
    assert TEST_TOKEN not in stderr  # the token is never logged
    assert (tmp_path / "run.sqlite3").exists()
