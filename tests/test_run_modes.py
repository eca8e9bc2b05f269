"""`civic-reflect run` as a real process in each mode: long polling with a
health listener, and webhook mode (on SQLite here; test_replicas.py runs two
webhook replicas on PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import httpx
import pytest

from bot.sandbox.http_api import BotApiThread
from bot.sandbox.telegram import UpdateFactory

from helpers.app import TEST_TOKEN
from helpers.processes import ROOT, BotProcess, free_port, wait_until

# Real bot processes, each started and stopped (`-m "not slow"` leaves them out).
pytestmark = pytest.mark.slow

SECRET = "run-mode-secret-0123456789abcdef"


def wait_for_health(base: str, timeout: float = 60) -> httpx.Response:
    """/healthz's answer once the bot is ready (while it starts: 503, "starting")."""

    def ready() -> httpx.Response | None:
        try:
            answer = httpx.get(f"{base}/healthz", timeout=5)
        except httpx.HTTPError:
            return None  # not listening yet
        if answer.json()["database"] != "starting":
            return answer
        assert (answer.status_code, answer.json()["status"]) == (503, "failing")
        return None

    return wait_until(ready, timeout, f"{base}/healthz saying the bot is ready")


def healthcheck(port: int) -> subprocess.CompletedProcess[str]:
    """The Docker image's HEALTHCHECK, as Docker runs it beside the bot."""
    env = {k: v for k, v in os.environ.items() if k not in ("LISTEN", "WEBHOOK_URL")}
    return subprocess.run([sys.executable, "-m", "bot", "healthcheck"], cwd=ROOT,
                          env={**env, "PORT": str(port)}, capture_output=True, text=True,
                          check=False, timeout=60)


def test_polling_with_a_port_answers_health_and_metrics(tmp_path):
    port = free_port()
    database = tmp_path / "run.sqlite3"
    with BotApiThread() as api:
        bot = BotProcess(api.url, database, PORT=str(port), LISTEN="127.0.0.1")
        try:
            health = wait_for_health(f"http://127.0.0.1:{port}")
            assert health.status_code == 200, health.text
            assert health.json() | {"last_tick": None} == {
                "status": "ok", "database": "ok", "tick": "ok", "last_tick": None,
                "leader": True, "mode": "polling"}
            metrics = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
            assert "civic_reflect_leader 1.0" in metrics.splitlines()
            assert api.wait_for(lambda: len(api.calls("getUpdates")) >= 1)
            assert api.calls("setWebhook") == []
            healthy = healthcheck(port)
            code = bot.stop(signal.SIGTERM)
        finally:
            if bot.process.poll() is None:
                bot.process.kill()
    assert (healthy.returncode, healthy.stderr) == (0, ""), healthy.stderr
    assert '"status": "ok"' in healthy.stdout
    gone = healthcheck(port)
    assert gone.returncode == 1 and gone.stderr.startswith(
        f"civic-reflect: http://127.0.0.1:{port}/healthz did not answer (")
    assert code == 0, bot.lines
    assert f"civic-reflect: running with long polling; /healthz and /metrics on 127.0.0.1:{port}" \
        f"; database {database} (SQLite)" in bot.lines
    assert not any("Traceback" in line or TEST_TOKEN in line for line in bot.lines), bot.lines


def test_webhook_mode_registers_its_address_and_answers_what_telegram_posts(tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with BotApiThread() as api:
        bot = BotProcess(api.url, tmp_path / "run.sqlite3", WEBHOOK_URL=f"{base}/telegram",
                         WEBHOOK_SECRET=SECRET, PORT=str(port), LISTEN="127.0.0.1")
        try:
            assert wait_for_health(base).json()["mode"] == "webhook"
            assert api.wait_for(lambda: len(api.calls("setWebhook")) == 1)
            registered = api.calls("setWebhook")[0].params
            assert (registered["url"], registered["secret_token"]) == (f"{base}/telegram", SECRET)
            assert api.calls("getUpdates") == []  # no polling beside the webhook
            factory = UpdateFactory(api.telegram)
            person = factory.user(701, "Rosa")
            update = factory.command(factory.private_chat(person), person, "/help")
            refused = httpx.post(f"{base}/telegram", json=update, timeout=10)
            answer = httpx.post(f"{base}/telegram", json=update, timeout=30,
                                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            # Answered only once handled: the reply is out when the 200 comes.
            replies = [c for c in api.calls("sendMessage") if c.params["chat_id"] == 701]
            code = bot.stop(signal.SIGTERM)
        finally:
            if bot.process.poll() is None:
                bot.process.kill()
        api.telegram.assert_clean()
    assert (refused.status_code, answer.status_code, len(replies)) == (403, 200, 1)
    assert code == 0, bot.lines
    assert any(line.startswith(f"civic-reflect: running with a webhook: Telegram calls "
                               f"{base}/telegram") for line in bot.lines), bot.lines
    assert not any(SECRET in line or TEST_TOKEN in line or "Traceback" in line
                   for line in bot.lines), bot.lines


def test_a_webhook_address_telegram_refuses_is_one_line_to_fix(tmp_path):
    port = free_port()
    with BotApiThread() as api:
        api.telegram.fail_next("setWebhook", error_code=400,
                               description="Bad Request: bad webhook: Failed to resolve host")
        bot = BotProcess(api.url, tmp_path / "run.sqlite3",
                         WEBHOOK_URL="http://nowhere.invalid/telegram", WEBHOOK_SECRET=SECRET,
                         PORT=str(port), LISTEN="127.0.0.1")
        code = bot.wait(timeout=60)
    assert code == 2, bot.lines
    assert bot.lines[-1] == (
        "civic-reflect: Telegram refused WEBHOOK_URL='http://nowhere.invalid/telegram': "
        "Bad webhook: failed to resolve host")
    assert not any("Traceback" in line for line in bot.lines), bot.lines


def test_a_postgresql_server_that_cannot_be_reached_is_one_line_without_its_password(
    tmp_path
):
    closed = free_port()
    with BotApiThread() as api:
        bot = BotProcess(api.url, tmp_path / "run.sqlite3",
                         DATABASE_URL=f"postgresql://civic:pa55word@127.0.0.1:{closed}/civic")
        code = bot.wait(timeout=60)
    assert code == 1, bot.lines
    assert bot.lines[-1].startswith(
        f"civic-reflect: cannot open the PostgreSQL database "
        f"postgresql://civic:***@127.0.0.1:{closed}/civic: "), bot.lines
    assert not any("pa55word" in line or "Traceback" in line for line in bot.lines), bot.lines
