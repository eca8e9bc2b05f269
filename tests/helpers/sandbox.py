"""A sandbox on a frozen clock with its page's server, for tests that drive it over HTTP, and
`python -m bot try` as a separate process."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from aiohttp.test_utils import TestClient

from bot.config import Settings
from bot.sandbox.cast import GROUP_AGE, GROUP_ID
from bot.sandbox.clock import MovableClock
from bot.sandbox.runner import sandbox_settings
from bot.sandbox.session import Sandbox

# A Monday morning; real time stands still in these tests, only the controls move it.
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
AMARA, BEN, CHEN, DIEGO, ELI, FATIMA = 1001, 1002, 1003, 1004, 1005, 1006


def frozen_sandbox(tmp_path) -> Sandbox:
    settings = sandbox_settings(Settings(), tmp_path / "sandbox.sqlite3")
    return Sandbox(settings, clock=MovableClock(real=lambda: START, behind=GROUP_AGE))


async def act(client: TestClient, path: str, **body) -> dict:
    """POST a page action; its JSON answer (asserting it succeeded)."""
    response = await client.post(path, json=body)
    answer = await response.json()
    assert response.status == 200, answer
    return answer


def texts(sandbox: Sandbox, chat_id: int = GROUP_ID) -> list[str]:
    return [m["text"] for m in sandbox.feed.messages(chat_id) if m["text"]]


def last_with_keyboard(sandbox: Sandbox, chat_id: int = GROUP_ID) -> dict:
    return [m for m in sandbox.feed.messages(chat_id) if m["keyboard"]][-1]


def button(view: dict, label: str) -> dict:
    found = [b for row in view["keyboard"] for b in row if label in b["text"]]
    assert found, f"no button {label!r} on {[b['text'] for r in view['keyboard'] for b in r]}"
    return found[0]


async def tap(client: TestClient, user_id: int, view: dict, label: str) -> None:
    await act(client, "/api/press", user_id=user_id, chat_id=view["chat_id"],
              message_id=view["message_id"], data=button(view, label)["callback_data"])


async def set_up_group(client: TestClient, sandbox: Sandbox) -> None:
    """Amara sets the group up by tapping: the CSO checklist, Mondays 09:00 London."""
    await act(client, "/api/send", user_id=AMARA, chat_id=GROUP_ID, text="/setup")
    for label in ("Civic partnership checklist", "A civil-society organisation",
                  "Once a week", "Monday", "09:00",
                  "Europe/London", "English", "Counts only"):
        await tap(client, AMARA, last_with_keyboard(sandbox), label)


async def read_events(response, until, limit: int = 200) -> list[dict]:
    """Server-sent events from ``response`` until one satisfies ``until``."""
    events: list[dict] = []
    while len(events) < limit:
        line = (await response.content.readline()).decode()
        if line.startswith("data: "):
            events.append(json.loads(line[6:]))
            if until(events[-1]):
                return events
    raise AssertionError(f"no matching event in {len(events)} events")


class TryProcess:
    """`python -m bot try` as a person runs it, with the address it prints."""

    def __init__(self, *args: str, env: dict[str, str] | None = None):
        environment = {k: v for k, v in os.environ.items()
                       if not k.startswith(("TELEGRAM_", "CIVIC_REFLECT_"))}
        environment.update(env or {})
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "try", "--port", "0", *args],
            cwd=Path(__file__).resolve().parents[2], env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # Read the whole greeting here: communicate() later reads past Python's buffer.
        self.greeting = self.process.stdout.readline()
        while self.greeting and "Ctrl-C" not in self.greeting.splitlines()[-1]:
            line = self.process.stdout.readline()
            if not line:
                break
            self.greeting += line
        match = re.search(r"open (http://\S+) in your browser", self.greeting)
        if match is None:
            self.process.kill()
            raise AssertionError(f"no address in {self.greeting!r}: "
                                 f"{self.process.communicate()[1]}")
        self.url = match.group(1)

    def stop(self) -> tuple[int, str, str]:
        """Ctrl-C; the exit status and what was printed after the address."""
        self.process.send_signal(signal.SIGINT)
        try:
            stdout, stderr = self.process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        return self.process.returncode, stdout, stderr
