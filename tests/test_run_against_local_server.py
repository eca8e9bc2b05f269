"""`python -m bot run` for real: a separate process polling a local Bot API
stand-in through TELEGRAM_API_BASE_URL, stopped with Ctrl-C (SIGINT)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

from helpers.app import TEST_TOKEN

ROOT = Path(__file__).resolve().parents[1]
BOT_USER = {"id": 1000, "is_bot": True, "first_name": "civic-reflect",
            "username": "civic_reflect_bot", "can_join_groups": True,
            "can_read_all_group_messages": False, "supports_inline_queries": False}


class LocalBotApi(BaseHTTPRequestHandler):
    """Answers what the bot asks at start and while polling; records the calls
    on the server object."""

    def do_POST(self) -> None:
        method = self.path.rsplit("/", 1)[-1]
        length = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(length).decode()
        self.server.calls.append(method)
        if method == "getUpdates":
            timeout = float(parse_qs(body).get("timeout", ["0"])[0] or 0)
            time.sleep(min(timeout, 0.2))
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


def test_run_polls_the_configured_server_and_stops_cleanly(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), LocalBotApi)
    server.calls = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM")}
    env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(tmp_path / "run.sqlite3"),
               TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{server.server_port}")
    process = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while server.calls.count("getUpdates") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
        server.shutdown()
    assert process.returncode == 0, stderr
    assert server.calls[0] == "getMe"
    assert server.calls.count("setMyCommands") == 4  # two scopes, two languages
    assert "getUpdates" in server.calls
    assert TEST_TOKEN not in stderr  # the token is never logged
    assert (tmp_path / "run.sqlite3").exists()
