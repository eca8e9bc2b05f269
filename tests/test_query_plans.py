"""Every query on a path that runs per update or per minute uses an index:
the SQL those paths really run is recorded, and SQLite's EXPLAIN QUERY PLAN
for each statement must not scan a table that grows with groups or answers."""

from __future__ import annotations

import re
import sqlite3

import pytest

from bot.store import db as store_db

from helpers.group import GROUP_ID, ask, make_group, press, run_setup
from helpers.personal import ROSA, onboard

# Tables whose rows grow with groups, people, questions or answers.
GROWING = {"chats", "members", "coordinators", "enrolments", "prompts", "answers",
           "answer_edits", "nudges", "outbox", "private_prompt_messages", "setup_drafts",
           "partnerships", "partner_codes"}
# Partial indexes that hold only live work (rows leave them once done): a
# walk through one is the work queue itself, not the table's history, but
# only for the queue's own statements (claiming, the next time work is due).
# A lookup for one programme or chat that walks the whole queue costs as
# much as the queue is long, once per group: a tick opening 10,000 questions
# did exactly that (tests/bench/dispatch.py).
WORK_QUEUES = {"outbox_pending"}


def tables_in(sql: str) -> set[str]:
    return set(re.findall(r"\b(?:FROM|JOIN|UPDATE|INTO)\s+(\w+)", sql, re.IGNORECASE))


KEYWORDS = {"where", "on", "join", "cross", "left", "inner", "order", "group", "limit",
            "set", "using", "values", "and", "natural"}


def aliases_in(sql: str) -> dict[str, str]:
    """Each alias the statement gives a table ("prompts p"), to its table:
    EXPLAIN QUERY PLAN names a scanned table by its alias."""
    found = {}
    for table, alias in re.findall(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", sql,
                                   re.IGNORECASE):
        if alias and alias.lower() not in KEYWORDS:
            found[alias] = table
    return found


@pytest.fixture
def recorded(monkeypatch):
    statements: list[tuple[str, object]] = []
    for name in ("execute", "fetch_one", "fetch_all"):
        original = getattr(store_db.Tx, name)

        def recording(self, sql, params=(), _original=original):
            statements.append((sql, params))
            return _original(self, sql, params)

        monkeypatch.setattr(store_db.Tx, name, recording)
    return statements


def scans(database, sql: str, params) -> list[str]:
    if not re.match(r"\s*(SELECT|UPDATE|DELETE|INSERT)", sql):
        return []
    conn = sqlite3.connect(database)
    try:
        plan = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    finally:
        conn.close()
    found = []
    aliases = aliases_in(sql)
    for row in plan:
        detail = row[-1]
        match = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
        if not match:
            continue
        table = aliases.get(match.group(1), match.group(1))
        queue_walk = (match.group(2) in WORK_QUEUES
                      and not (tables_in(sql) & GROWING) - {table})
        if table in GROWING and not queue_walk:
            found.append(detail)
    return found


# SQLite's plans; PostgreSQL plans by its statistics and is checked by its own tools.
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_per_update_and_per_minute_queries_use_indexes(harness, recorded):
    u = harness.updates
    group = make_group(harness)
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    rosa = u.user(ROSA, "Rosa")
    await onboard(harness, rosa, u.private_chat(rosa))
    await harness.send(u.command(u.private_chat(rosa), rosa, "/skip"))
    recorded.clear()

    # Per update: a tap, a changed tap, a comment, its edit, a private journal answer.
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|5")
    comment = u.reply(group.chat, group.carla, question, "we listen")
    await harness.send(comment)
    await harness.send(u.edited(comment["message"], "we listen well"))
    await harness.send(u.message(u.private_chat(rosa), rosa, "a journal line"))
    await harness.refresh_counts()
    # Per minute: the tick with nothing due, then with the weekly question due.
    await harness.tick()
    harness.clock.advance(days=7)
    await harness.tick()

    assert len(recorded) > 20
    database = harness.settings.database_path
    full_scans = {sql: found for sql, params in recorded
                  if (found := scans(database, sql, params))}
    assert full_scans == {}, "\n".join(f"{found}: {sql}" for sql, found in full_scans.items())


def test_the_check_finds_a_full_scan(tmp_path):
    database = tmp_path / "plan.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE answers (id INTEGER PRIMARY KEY, text TEXT)")
    conn.close()
    assert scans(database, "SELECT id FROM answers WHERE text = ?", ("x",)) == ["SCAN answers"]
    assert scans(database, "SELECT text FROM answers WHERE id = ?", (1,)) == []
    # Under an alias, as EXPLAIN QUERY PLAN names it.
    assert scans(database, "SELECT a.id FROM answers a WHERE a.text = ?", ("x",)) == [
        "SCAN a"]


def test_the_check_allows_a_work_queue_only_for_its_own_statements(tmp_path):
    database = tmp_path / "queue.sqlite3"
    conn = sqlite3.connect(database)
    conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, state TEXT, prompt_id INT,"
                 " priority INT)")
    conn.execute("CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending'")
    conn.execute("CREATE TABLE prompts (id INTEGER PRIMARY KEY, enrolment_id INT)")
    conn.execute("CREATE INDEX prompts_by_enrolment ON prompts (enrolment_id)")
    conn.close()
    claim = "SELECT id FROM outbox WHERE state = 'pending' ORDER BY priority, id LIMIT 10"
    assert scans(database, claim, ()) == []
    # The shape of the lookup that walked the whole queue once per group.
    lookup = ("SELECT p.* FROM prompts p JOIN outbox o ON o.prompt_id = p.id"
              " WHERE p.enrolment_id = ? AND o.state = 'pending' ORDER BY p.id DESC LIMIT 1")
    assert scans(database, lookup, (5,)) == ["SCAN o USING INDEX outbox_pending"]
