"""The house keeps its shape: which package may import which, read from the
source with the ast module, and the few rules about where certain code lives.
README "Layout" says the same in prose."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# package -> what it must never import (a prefix of the imported module's name).
FORBIDDEN = {
    "bot.domain": ("bot.store", "bot.handlers", "bot.render", "bot.services", "bot.jobs",
                   "bot.app", "bot.context", "bot.polling", "bot.sandbox", "bot.cli",
                   "telegram", "apscheduler", "aiosqlite", "httpx"),
    "bot.render": ("bot.store", "bot.services", "bot.handlers", "bot.jobs", "bot.app",
                   "bot.context", "bot.polling"),
    "bot.store": ("bot.handlers", "bot.services", "bot.render", "bot.jobs", "bot.app",
                  "bot.context", "bot.polling", "telegram"),
    "bot.services": ("bot.handlers", "bot.jobs", "bot.app", "bot.polling", "bot.cli"),
    "bot.handlers": ("bot.jobs", "bot.app", "bot.polling", "bot.cli"),
}
# Telegram's sending methods: in handlers only replies.py calls them, so every
# reply goes through the delivery rules.
SENDS = {"reply_text", "reply_document", "reply_photo", "send_message", "send_document",
         "send_photo", "edit_message_text", "answer", "set_reaction", "edit_message_reply_markup"}


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(BOT.rglob("*.py")):
        parts = path.relative_to(BOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found.append((name, path))
    return found


def imports_of(name: str, path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.append(base)
            # `from bot import render` imports the package bot.render.
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


def layer_of(name: str) -> str | None:
    return next((layer for layer in FORBIDDEN if name == layer or name.startswith(layer + ".")),
                None)


@pytest.mark.parametrize(("name", "path"), modules(), ids=lambda value: str(value))
def test_imports_only_go_down(name, path):
    layer = layer_of(name)
    if layer is None:
        return
    wrong = sorted({imported for imported in imports_of(name, path)
                    for forbidden in FORBIDDEN[layer]
                    if imported == forbidden or imported.startswith(forbidden + ".")})
    assert wrong == [], f"{name} ({layer}) must not import {wrong}"


def test_the_rules_can_fail(tmp_path):
    """The checker itself: a module breaking each rule is caught."""

    def source(text: str) -> Path:
        path = tmp_path / "module.py"
        path.write_text(text, encoding="utf-8")
        return path

    assert layer_of("bot.domain.schedule") == "bot.domain"
    assert "apscheduler.triggers.cron" in imports_of(
        "bot.domain.x", source("from apscheduler.triggers.cron import CronTrigger\n"))
    assert "bot.store.db" in imports_of("bot.render.x", source("from ..store.db import now\n"))
    assert "bot.jobs" in imports_of("bot.handlers.x", source("from bot import jobs\n"))


def test_handlers_reply_only_through_the_delivery_rules():
    offenders = []
    for name, path in modules():
        if not name.startswith("bot.handlers.") or name == "bot.handlers.replies":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in SENDS):
                offenders.append(f"{name}:{node.lineno} {node.func.attr}")
    assert offenders == []


def test_sql_lives_only_in_the_store():
    # Our SQL is written with upper-case keywords.
    statement = re.compile(r"^\s*(SELECT\b.*\bFROM\b|INSERT INTO\b|UPDATE \w+ SET\b|"
                           r"DELETE FROM\b|CREATE (TABLE|INDEX)\b)", re.S)
    offenders = []
    for name, path in modules():
        if name.startswith("bot.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    statement.match(node.value)):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_module_reads_the_clock_but_through_the_application():
    offenders = []
    for name, path in modules():
        # The clock itself; the command line; the sandbox's movable clock; and
        # the job queue's wall time, which APScheduler keeps on its own.
        if name in ("bot.domain.clock", "bot.cli", "bot.jobs") or name.startswith("bot.sandbox"):
            continue
        source = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today("):
            if call in source:
                offenders.append(f"{name}: {call}")
    assert offenders == []

