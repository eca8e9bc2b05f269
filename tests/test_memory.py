"""What the bot's process keeps in memory: nothing that grows with the people
it has met, and no library it does not use.

The weekly round's memory target (80 MB for the bot's process, README "Speed
and scale") is checked by tests/bench/digest.py; these tests keep two of the
things that measurement found from coming back.
"""

from __future__ import annotations

import gc
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.app import start_app, stop_app
from helpers.group import ask, press

ROOT = Path(__file__).resolve().parents[1]


async def test_people_who_tap_leave_nothing_behind_in_the_application(harness, group):
    question = await ask(harness, group)
    prompt_id = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2]
    for number in range(40):
        person = harness.updates.user(9_000 + number, f"Person {number}")
        await press(harness, group.chat, person, question, f"1|r|{prompt_id}|3")
    saved = await harness.app.bot_data.store.db.fetch_value(
        "SELECT COUNT(*) FROM answers WHERE prompt_id = ?", (int(prompt_id),))
    assert saved == 40
    app = harness.app
    # python-telegram-bot's notes for a persistence, which this bot does not have.
    assert app.persistence is None
    assert app._user_ids_to_be_updated_in_persistence == set()
    assert app._chat_ids_to_be_updated_in_persistence == set()
    assert len(app.user_data) == 0 and len(app.chat_data) == 0


async def test_what_the_bot_loaded_before_it_was_ready_is_left_out_of_full_collections(
        settings, telegram, clock):
    """A full collection walks every object the collector tracks, holding the
    event loop meanwhile (tens of milliseconds in the weekly round's
    benchmark). What the bot loaded before it was ready lives as long as it
    does, so it is frozen out of the collector's sight until the bot shuts down."""
    app = await start_app(settings, telegram, clock)
    try:
        catalog = app.bot_data.catalog
        assert gc.is_tracked(catalog)
        tracked = [gc.get_objects(generation) for generation in range(3)]
        assert not any(thing is catalog for objects in tracked for thing in objects)
        assert gc.get_freeze_count() > 0
    finally:
        await stop_app(app)
    assert gc.get_freeze_count() == 0
    assert any(thing is catalog for thing in gc.get_objects(2))


@pytest.mark.slow  # a process of its own
def test_a_bot_on_sqlite_never_loads_the_postgresql_driver_or_pillow():
    """asyncpg (about 4 MB) is for PostgreSQL only; Pillow (about 2 MB) draws
    charts, which the chart worker process does."""
    script = (
        "import sys\n"
        "import bot.cli, bot.app, bot.services.partnership, bot.services.summaries\n"
        "from bot.store import Store\n"
        "from bot.store.leases import leader_lease\n"
        "from bot.store.db import Database\n"
        "assert not leader_lease(Database(':memory:')).shared\n"
        "print(sorted(m for m in ('asyncpg', 'PIL') if m in sys.modules))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout.strip()
    assert loaded == "[]"
