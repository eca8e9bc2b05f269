"""The house keeps its shape: every module of the bot lives in a named room
(a layer), a room imports only the rooms below it, and the few rules about
where certain code lives. Read from the source with the ast module; the
architecture page of the documentation says the same in prose."""

from __future__ import annotations

import ast
import re
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# Room -> the rooms it may import (its own is always allowed). Listed from the
# bottom up; a room's name is a package or a single module.
MAY_IMPORT: dict[str, tuple[str, ...]] = {
    "bot.config": (),
    "bot.domain": (),
    "bot.content": ("bot.domain",),
    "bot.store": ("bot.domain", "bot.config"),
    "bot.render": ("bot.domain", "bot.content"),
    "bot.runtime": ("bot.domain", "bot.content", "bot.store", "bot.config"),
    "bot.services": ("bot.runtime", "bot.store", "bot.render", "bot.domain", "bot.content",
                     "bot.config"),
    "bot.handlers": ("bot.services", "bot.runtime", "bot.store", "bot.render", "bot.domain",
                     "bot.content", "bot.config"),
    # The composition root builds everything.
    "bot.app": ("bot.handlers", "bot.services", "bot.runtime", "bot.store", "bot.render",
                "bot.domain", "bot.content", "bot.config"),
    # The stand-in Bot API knows Telegram (its BaseRequest), not the bot.
    "bot.sandbox.telegram": (),
    # The sandbox drives a whole bot: everything but the command line.
    "bot.sandbox": ("bot.sandbox.telegram", "bot.app", "bot.handlers", "bot.services",
                    "bot.runtime", "bot.store", "bot.render", "bot.domain", "bot.content",
                    "bot.config"),
    "bot.cli": ("bot.sandbox", "bot.app", "bot.runtime", "bot.store", "bot.render",
                "bot.content", "bot.config"),
    "bot.__main__": ("bot.cli",),
    "bot": (),  # the package's own __init__
}
# Outside libraries a room must never import.
NEVER_IMPORTS = {
    "bot.domain": ("telegram", "apscheduler", "aiosqlite", "asyncpg", "sqlite3", "httpx",
                   "aiohttp", "PIL"),
    "bot.content": ("telegram", "aiosqlite", "asyncpg", "sqlite3"),
    "bot.store": ("telegram",),
    "bot.render": ("aiosqlite", "asyncpg", "sqlite3"),
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
    """Every module `name` imports, at run time or for type checking alike."""
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


def within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def room_of(name: str) -> str | None:
    """The most specific room holding module `name` (bot.sandbox.telegram
    before bot.sandbox); the bare package `bot` only for its own __init__."""
    rooms = [room for room in MAY_IMPORT if within(name, room) and (room != "bot" or name == "bot")]
    return max(rooms, key=len, default=None)


def room_imports(name: str, path: Path) -> set[str]:
    """The rooms other than its own that module `name` imports."""
    own = room_of(name)
    rooms = set()
    for imported in imports_of(name, path):
        if within(imported, "bot") and imported != "bot":
            room = room_of(imported)
            if room is not None and room != own:
                rooms.add(room)
    return rooms


ALL = modules()


def test_every_module_lives_in_a_named_room():
    homeless = [name for name, _ in ALL if room_of(name) is None]
    assert homeless == []


@pytest.mark.parametrize(("name", "path"), ALL, ids=lambda value: str(value))
def test_imports_only_go_down(name, path):
    room = room_of(name)
    assert room is not None, f"{name} belongs to no room"
    wrong = sorted(other for other in room_imports(name, path)
                   if other not in MAY_IMPORT[room])
    assert wrong == [], f"{name} ({room}) must not import {wrong}"
    outside = sorted({imported for imported in imports_of(name, path)
                      for library in NEVER_IMPORTS.get(room, ())
                      if within(imported, library)})
    assert outside == [], f"{name} ({room}) must not import {outside}"


def test_the_rooms_import_each_other_without_a_circle():
    """Read from the imports themselves, not from the rules above: the rooms
    form no circle (a module importing one in a room that imports its own)."""
    graph: dict[str, set[str]] = {room: set() for room in MAY_IMPORT}
    for name, path in ALL:
        graph[room_of(name)] |= room_imports(name, path)
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:  # pragma: no cover - the failure message is the point
        pytest.fail(f"the rooms import each other in a circle: {error.args[1]}")
    assert set(order) == set(MAY_IMPORT)


def test_the_rules_themselves_form_no_circle():
    TopologicalSorter({room: set(allowed) for room, allowed in MAY_IMPORT.items()}).prepare()


def test_the_rules_can_fail(tmp_path):
    """The checker itself: a module breaking each rule is caught."""

    def source(text: str) -> Path:
        path = tmp_path / "module.py"
        path.write_text(text, encoding="utf-8")
        return path

    assert room_of("bot.domain.schedule") == "bot.domain"
    assert room_of("bot.sandbox.telegram.server") == "bot.sandbox.telegram"
    assert room_of("bot.sandbox.web") == "bot.sandbox"
    assert room_of("bot.stray") is None
    assert room_of("bot") == "bot"
    assert "apscheduler.triggers.cron" in imports_of(
        "bot.domain.x", source("from apscheduler.triggers.cron import CronTrigger\n"))
    assert "bot.store.db" in imports_of("bot.render.x", source("from ..store.db import now\n"))
    assert room_imports("bot.runtime.x", source("from bot.services import tick\n")) == {
        "bot.services"}
    assert "bot.services" not in MAY_IMPORT["bot.runtime"]
    # A type-checking import counts: it is a dependency all the same.
    assert room_imports("bot.runtime.x", source(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
        "    from bot.services.counts import CountRefresher\n")) == {"bot.services"}
    with pytest.raises(CycleError):
        TopologicalSorter({"a": {"b"}, "b": {"a"}}).prepare()


def test_handlers_reply_only_through_the_delivery_rules():
    offenders = []
    for name, path in ALL:
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
    for name, path in ALL:
        if name.startswith("bot.store"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and (
                    statement.match(node.value)):
                offenders.append(f"{name}:{node.lineno}")
    assert offenders == []


def test_no_module_reads_the_clock_but_through_the_application():
    offenders = []
    for name, path in ALL:
        # The clock itself; the command line; the sandbox's movable clock; and
        # the job queue's wall time, which APScheduler keeps on its own.
        if name in ("bot.domain.clock", "bot.cli", "bot.services.tick") or name.startswith(
                "bot.sandbox"):
            continue
        source = path.read_text(encoding="utf-8")
        for call in ("datetime.now(", "datetime.utcnow(", "time.time(", "date.today("):
            if call in source:
                offenders.append(f"{name}: {call}")
    assert offenders == []


TESTS = Path(__file__).resolve().parent


def test_test_modules_share_only_through_the_helpers_package():
    """What tests share lives in tests/helpers; a test module imports no other
    test module (nor conftest), and nothing stands in under a second name."""
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(TESTS)
        for node in ast.walk(ast.parse(source)):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                first = name.split(".")[0]
                if first.startswith("test_") or first in ("conftest", "browser", "bench"):
                    offenders.append(f"{where}:{node.lineno} imports {name}")
            if isinstance(node, ast.Assign) and any(
                    isinstance(target, ast.Subscript) and ast.unparse(target.value) == "sys.modules"
                    for target in node.targets):
                offenders.append(f"{where}:{node.lineno} writes sys.modules")
    assert offenders == []


def test_handlers_write_to_the_store_only_through_services(tmp_path):
    """Handlers parse the update, call a service, render and reply: whatever
    writes goes through a service (which makes one command one transaction);
    a handler calls the store only to read. A store method writes when it
    opens a transaction, runs a writing statement, or calls one that does:
    read from the store's own source, so a new writing method is caught
    without anyone listing it."""
    writing_sql = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
    functions = (ast.FunctionDef, ast.AsyncFunctionDef)

    def text_of(node: ast.AST) -> str | None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.JoinedStr):  # its literal parts are enough for the verb
            return "".join(part.value for part in node.values if isinstance(part, ast.Constant))
        return None

    def chain(node: ast.AST) -> list[str]:
        """`context.store.chats.update` as its names, or [] if not such a chain."""
        names = []
        while isinstance(node, ast.Attribute):
            names.insert(0, node.attr)
            node = node.value
        return [node.id, *names] if isinstance(node, ast.Name) else []

    def read_store(paths: list[Path]) -> tuple[set[str], dict[str, dict[str, str]]]:
        """("Class.method" or "function" of each store function that writes,
        {class: {attribute: class of what its __init__ puts there}})."""
        bodies: dict[str, ast.AST] = {}
        holds: dict[str, dict[str, str]] = {}
        for path in paths:
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, functions):
                    bodies[node.name] = node
                if not isinstance(node, ast.ClassDef):
                    continue
                for item in node.body:
                    if isinstance(item, functions):
                        bodies[f"{node.name}.{item.name}"] = item
                    if isinstance(item, functions) and item.name == "__init__":
                        holds[node.name] = {
                            target[1]: assign.value.func.id
                            for assign in ast.walk(item) if isinstance(assign, ast.Assign)
                            and isinstance(assign.value, ast.Call)
                            and isinstance(assign.value.func, ast.Name)
                            for target in map(chain, assign.targets) if target[:1] == ["self"]
                            and len(target) == 2}

        def callee(owner: str | None, call: ast.Call) -> str | None:
            names = chain(call.func)
            if len(names) == 1:
                return names[0]
            if owner and names[:1] == ["self"] and len(names) == 2:
                return f"{owner}.{names[1]}"
            if owner and names[:1] == ["self"] and len(names) == 3:
                held = holds.get(owner, {}).get(names[1])
                return f"{held}.{names[2]}" if held else None
            return None

        def writes_itself(body: ast.AST) -> bool:
            for call in (node for node in ast.walk(body) if isinstance(node, ast.Call)):
                verb = chain(call.func)[-1:]
                sql = text_of(call.args[0]) if call.args else None
                if verb == ["transaction"] or (sql is not None and writing_sql.match(sql)):
                    return True
                if verb in (["execute"], ["execute_many"]) and sql is None:
                    return True  # SQL built elsewhere: `execute` is the verb for writing
            return False

        writers = {name for name, body in bodies.items() if writes_itself(body)}
        grown = True
        while grown:  # and whatever calls a writer, until nothing more is found
            grown = False
            for name, body in bodies.items():
                owner = name.partition(".")[0] if "." in name else None
                if name not in writers and any(
                        callee(owner, node) in writers
                        for node in ast.walk(body) if isinstance(node, ast.Call)):
                    writers.add(name)
                    grown = True
        return writers, holds

    def writes_in(path: Path, writers: set[str], holds: dict[str, dict[str, str]]) -> list[str]:
        """The store calls in a handler module that write, by line."""
        tree = ast.parse(path.read_text(encoding="utf-8"))
        # `store = context.store`, `prompts = context.store.prompts`: names for a chain.
        aliases = {assign.targets[0].id: chain(assign.value)
                   for assign in ast.walk(tree) if isinstance(assign, ast.Assign)
                   and len(assign.targets) == 1 and isinstance(assign.targets[0], ast.Name)
                   and "store" in chain(assign.value)}
        found = []
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            names = chain(call.func)
            if names[:1] and names[0] in aliases:
                names = [*aliases[names[0]], *names[1:]]
            if "store" not in names:
                continue
            after = names[names.index("store") + 1:]
            target = (f"{holds.get('Store', {}).get(after[0])}.{after[1]}" if len(after) == 2
                      else f"Store.{after[0]}" if len(after) == 1 else None)
            # The database itself is no repository: a handler never calls it.
            if target in writers or after[:1] == ["db"]:
                found.append(f"{path.stem}:{call.lineno} {'.'.join(after)}")
        return found

    # The checker, on a small store and handler of its own.
    (tmp_path / "store").mkdir()
    (tmp_path / "store" / "things.py").write_text(
        "class ThingRepository:\n"
        "    def __init__(self, db):\n        self.db = db\n"
        "    async def get(self, thing_id):\n"
        "        return await self.db.fetch_one('SELECT * FROM things WHERE id = ?', (thing_id,))\n"
        "    async def rename(self, thing_id, name):\n"
        "        await self.db.execute(f'UPDATE things SET name = {name!r}')\n"
        "    async def touch(self, thing_id):\n        await self.rename(thing_id, 'touched')\n"
        "    async def take(self, thing_id):\n"
        "        async with self.db.transaction() as tx:\n"
        "            return await tx.fetch_one('DELETE FROM things RETURNING *')\n"
        "class Store:\n"
        "    def __init__(self, path):\n        self.things = ThingRepository(self.db)\n"
        "    async def tidy(self):\n        await self.things.take(1)\n",
        encoding="utf-8")
    handler = tmp_path / "handler.py"
    handler.write_text(
        "async def show(update, context):\n    await context.store.things.get(1)\n"
        "async def change(update, context):\n    await context.store.things.rename(1, 'x')\n"
        "async def aside(update, context):\n"
        "    things = context.bot_data.store.things\n    await things.touch(1)\n"
        "    store = context.store\n    await store.tidy()\n"
        "    await store.db.fetch_one(query)\n", encoding="utf-8")
    writers, holds = read_store([tmp_path / "store" / "things.py"])
    assert writers == {"ThingRepository.rename", "ThingRepository.touch", "ThingRepository.take",
                       "Store.tidy"}
    assert writes_in(handler, writers, holds) == [
        "handler:4 things.rename", "handler:7 things.touch", "handler:9 tidy",
        "handler:10 db.fetch_one"]

    # The bot's own store and handlers.
    writers, holds = read_store(sorted((BOT / "store").glob("*.py")))
    assert {"ChatRepository.update", "MemberRepository.seen", "Store.forget_person",
            "AnswerRepository.record", "ProgrammeRepository.change"} <= writers
    assert not {"ChatRepository.get", "SetupDraftRepository.get",
                "CoordinatorRepository.is_coordinator"} & writers
    offenders = [found for name, path in ALL if name.startswith("bot.handlers.")
                 for found in writes_in(path, writers, holds)]
    assert offenders == []
