"""The store: migrations, pragmas and every repository, on a real SQLite file."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.store import Store
from bot.store.db import Database, from_db_time, to_db_time
from bot.store.upgrades import UPGRADES, UpgradeStep, run_statements

from helpers.app import Clock
from helpers.rows import make_group, make_prompt


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))






# --- migrations and pragmas ---------------------------------------------


async def test_migrations_take_an_empty_file_to_the_head_once(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    db = Database(path)
    await db.open()
    assert await db.schema_version() == UPGRADES[-1].version
    tables = {row[0] for row in await db.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"chats", "members", "coordinators", "enrolments", "prompts", "answers",
            "answer_edits", "nudges", "outbox", "schema_version"} <= tables
    assert await db.upgrade() == []  # a second run changes nothing
    await db.close()

    schema_before = sqlite3.connect(path).execute(
        "SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    db = Database(path)
    await db.open()  # opening again applies nothing new
    rows = await db.fetch_all("SELECT version FROM schema_version")
    await db.close()
    assert [row[0] for row in rows] == [m.version for m in UPGRADES]
    schema_after = sqlite3.connect(path).execute(
        "SELECT group_concat(sql, ';') FROM sqlite_master").fetchone()[0]
    assert schema_after == schema_before


async def test_a_new_migration_applies_on_top_and_a_failing_one_rolls_back(tmp_path):
    db = Database(tmp_path / "m.sqlite3")
    await db.open()
    extra = UpgradeStep(UPGRADES[-1].version + 1, "add a column",
                        run_statements("ALTER TABLE chats ADD COLUMN motto TEXT"))
    assert await db.upgrade((*UPGRADES, extra)) == [extra.version]
    broken = UpgradeStep(extra.version + 1, "broken", run_statements(
        "CREATE TABLE half_done (id INTEGER)", "THIS IS NOT SQL"))
    with pytest.raises(sqlite3.OperationalError):
        await db.upgrade((*UPGRADES, extra, broken))
    assert await db.schema_version() == extra.version
    leftover = await db.fetch_one(
        "SELECT name FROM sqlite_master WHERE name = 'half_done'")
    assert leftover is None
    await db.close()


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_pragmas_are_set(store):
    async with store.db.read() as tx:
        values = {}
        for pragma in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout"):
            values[pragma] = await tx.fetch_value(f"PRAGMA {pragma}")
    assert values == {"journal_mode": "wal", "foreign_keys": 1, "synchronous": 1,
                      "busy_timeout": 250}


async def test_a_failed_transaction_leaves_nothing_behind(store):
    with pytest.raises(RuntimeError):
        async with store.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO chats (id, kind, timezone, language, created_at, updated_at)"
                " VALUES (1, 'private', 'UTC', 'en', 'x', 'x')")
            raise RuntimeError("interrupted")
    assert await store.chats.get(1) is None


def test_times_round_trip_in_utc_and_naive_times_are_refused():
    moment = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert to_db_time(moment) == "2026-10-25T01:30:00Z"
    assert from_db_time(to_db_time(moment)) == moment
    with pytest.raises(ValueError):
        to_db_time(datetime(2026, 1, 1))


# --- chats, members, coordinators -----------------------------------------


async def test_chats_are_recorded_updated_and_reactivated(store, clock):
    chat = await store.chats.ensure(-100, kind="group", title="Riverside", timezone="Europe/Madrid",
                                    language="es")
    assert (chat.kind, chat.title, chat.timezone, chat.language, chat.active) == (
        "group", "Riverside", "Europe/Madrid", "es", True)
    assert (chat.names_visible, chat.nudges_enabled, chat.quiet_start, chat.quiet_end) == (
        False, True, "21:00", "08:00")
    assert await store.chats.set_active(-100, False)
    assert (await store.chats.get(-100)).active is False
    clock.advance(days=1)
    again = await store.chats.ensure(-100, kind="group", title=None, timezone="UTC",
                                     language="en")
    # Coming back keeps the settings chosen before and the title it had.
    assert (again.active, again.title, again.timezone, again.language) == (
        True, "Riverside", "Europe/Madrid", "es")
    assert again.updated_at == clock.now
    updated = await store.chats.update(-100, names_visible=True, quiet_start="22:00")
    assert (updated.names_visible, updated.quiet_start) == (True, "22:00")
    with pytest.raises(ValueError):
        await store.chats.update(-100, id=5)
    assert await store.chats.count_active("group") == 1


async def test_last_seen_is_kept_to_the_hour_and_changes_are_written_at_once(store, clock):
    """A member answering again within the hour writes nothing about
    themselves; a new name, a return after leaving, or an hour later does."""
    await make_group(store)
    first = await store.members.seen(-100, 7, "Ana", "ana")
    clock.advance(minutes=40)
    again = await store.members.seen(-100, 7, "Ana", "ana")
    assert again.last_seen_at == first.last_seen_at
    renamed = await store.members.seen(-100, 7, "Ana María", "ana")
    assert renamed.display_name == "Ana María" and renamed.last_seen_at > first.last_seen_at
    assert await store.members.mark_left(-100, 7)
    back = await store.members.seen(-100, 7, "Ana María", "ana")
    assert back.left_at is None
    clock.advance(minutes=70)
    later = await store.members.seen(-100, 7, "Ana María", "ana")
    assert later.last_seen_at == clock()


async def test_members_and_opt_outs(store, clock):
    await make_group(store)
    first = await store.members.seen(-100, 7, "Ana", "ana")
    clock.advance(hours=2)
    later = await store.members.seen(-100, 7, "Ana María", None)
    assert first.joined_at == later.joined_at != later.last_seen_at
    assert (later.display_name, later.username, later.quiet) == ("Ana María", None, False)
    await store.members.seen(-100, 8, "bruno")
    assert await store.members.set_quiet(-100, 8, True)
    assert (await store.members.get(-100, 8)).quiet is True
    assert [m.display_name for m in await store.members.list_current(-100)] == [
        "Ana María", "bruno"]
    assert await store.members.mark_left(-100, 7)
    assert [m.user_id for m in await store.members.list_current(-100)] == [8]
    assert not await store.members.set_quiet(-100, 99, True)


async def test_coordinators(store):
    await make_group(store)
    assert await store.coordinators.add(-100, 7)
    assert not await store.coordinators.add(-100, 7)
    assert await store.coordinators.add(-100, 8, added_by=7)
    assert await store.coordinators.is_coordinator(-100, 8)
    assert [(c.user_id, c.added_by) for c in await store.coordinators.list(-100)] == [
        (7, None), (8, 7)]
    assert await store.coordinators.chats_of(8) == [-100]
    assert await store.coordinators.remove(-100, 8)
    assert not await store.coordinators.is_coordinator(-100, 8)


# --- enrolments and prompts ---------------------------------------------


async def test_enrolment_lifecycle_and_due_order(store, clock):
    await make_group(store, -100)
    await make_group(store, -200)
    due_a = clock.now - timedelta(minutes=5)
    due_b = clock.now - timedelta(minutes=10)
    a = await store.enrolments.start(-100, "checklist-cso", cadence="weekly", days=["mon", "thu"],
                                     local_time="09:30", next_due_at=due_a)
    assert (a.days, a.local_time, a.cursor, a.next_due_at, a.paused) == (
        ("mon", "thu"), "09:30", 0, due_a, False)
    b = await store.enrolments.start(-200, "theory-u", cadence="daily", days=[],
                                     local_time="18:00", next_due_at=due_b)
    assert [e.id for e in await store.enrolments.due(clock.now)] == [b.id, a.id]

    await store.enrolments.set_paused(b.id, True)
    await store.chats.set_active(-100, False)
    assert await store.enrolments.due(clock.now) == []
    await store.chats.set_active(-100, True)

    await store.enrolments.advance(a.id, 1, clock.now + timedelta(days=3))
    assert (await store.enrolments.get(a.id)).cursor == 1
    # Same pack again: schedule changes, place kept.
    same = await store.enrolments.start(-100, "checklist-cso", cadence="daily", days=[],
                                        local_time="08:00", next_due_at=due_a)
    assert (same.id, same.cursor, same.cadence) == (a.id, 1, "daily")
    # Another pack: the old enrolment ends and stays for history.
    other = await store.enrolments.start(-100, "theory-u", cadence="weekly", days=["fri"],
                                         local_time="10:00", next_due_at=None)
    assert other.id != a.id and other.cursor == 0
    assert (await store.enrolments.get(a.id)).active is False
    assert (await store.enrolments.active_for(-100)).id == other.id


async def test_a_slot_is_opened_only_once(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    again, created = await store.prompts.open(
        prompt.enrolment_id, prompt.slot, chat_id=-100, pack_id="checklist-cso", item_id="cso-02")
    assert not created and again.id == prompt.id and again.item_id == "cso-01"
    await store.prompts.set_message(prompt.id, 42)
    assert (await store.prompts.by_message(-100, 42)).id == prompt.id
    assert [p.id for p in await store.prompts.open_for_chat(-100)] == [prompt.id]
    clock.advance(hours=1)
    assert await store.prompts.close(prompt.id)
    assert not await store.prompts.close(prompt.id)
    closed = await store.prompts.get(prompt.id)
    assert closed.closed_at == clock.now and not closed.is_open
    assert await store.prompts.open_for_chat(-100) == []


# --- answers ------------------------------------------------------------


async def test_answers_keep_every_change(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    answer = await store.answers.record(prompt.id, 7, scale=3)
    assert (answer.scale, answer.text, answer.visibility, answer.quotable, answer.edited_at) == (
        3, None, "group", False, None)
    clock.advance(minutes=1)
    answer = await store.answers.record(prompt.id, 7, scale=4)
    clock.advance(minutes=1)
    answer = await store.answers.record(prompt.id, 7, text="We <b>listen</b> 👂", message_id=55,
                                        quotable=True)
    clock.advance(minutes=1)
    answer = await store.answers.record(prompt.id, 7, text="We listen, mostly")
    assert (answer.scale, answer.text, answer.quotable, answer.message_id) == (
        4, "We listen, mostly", True, 55)
    assert answer.edited_at == clock.now
    history = await store.answers.history(answer.id)
    # The first comment was new (nothing replaced); the rating and the comment
    # were each replaced once.
    assert [(h.scale, h.text) for h in history] == [(3, None), (4, "We <b>listen</b> 👂")]
    assert (await store.answers.by_message(prompt.id, 55)).id == answer.id

    unchanged = await store.answers.record(prompt.id, 7, scale=4)
    assert len(await store.answers.history(answer.id)) == 2
    assert unchanged.edited_at == answer.edited_at


async def test_private_answers_stay_private_and_counts_skip_skips(store):
    await make_group(store)
    prompt = await make_prompt(store)
    await store.answers.record(prompt.id, 7, scale=2, visibility="private")
    later = await store.answers.record(prompt.id, 7, text="said in the group too")
    assert later.visibility == "private"
    await store.answers.record(prompt.id, 8, voice_file_id="AwACAgIAAxk")
    await store.answers.record(prompt.id, 9, skipped=True)
    assert await store.answers.count_for_prompt(prompt.id) == 2
    assert [a.user_id for a in await store.answers.for_prompt(prompt.id)] == [7, 8, 9]
    with pytest.raises(store.db.IntegrityError):
        await store.answers.record(prompt.id, 10, scale=6)


async def test_forgetting_a_member_in_one_chat(store):
    await make_group(store, -100)
    await make_group(store, -200)
    here = await make_prompt(store, -100)
    there = await make_prompt(store, -200)
    for prompt in (here, there):
        await store.answers.record(prompt.id, 7, scale=5)
        await store.answers.record(prompt.id, 8, scale=1)
    await store.answers.record(here.id, 7, scale=4)  # leaves history behind
    await store.members.seen(-100, 7, "Ana")
    await store.nudges.plan(here.id, -100, privately=[], in_group=[7])
    assert await store.forget_member_in_chat(-100, 7) == 1
    assert await store.members.get(-100, 7) is None
    assert await store.nudges.in_group_for(here.id) == []  # the old reminder is gone
    assert await store.answers.for_member_in_chat(-100, 7) == []
    assert len(await store.answers.for_member_in_chat(-200, 7)) == 1
    assert await store.answers.get(here.id, 8) is not None
    orphans = await store.db.fetch_one("SELECT COUNT(*) FROM answer_edits")
    assert orphans[0] == 0


# --- migration to a supergroup, deliveries, forgetting a person ----------


async def test_a_group_upgraded_to_a_supergroup_takes_its_data_along(store):
    await make_group(store, -100)
    prompt = await make_prompt(store, -100)
    await store.members.seen(-100, 7, "Ana")
    await store.coordinators.add(-100, 7)
    await store.answers.record(prompt.id, 7, scale=5)
    await store.nudges.plan(prompt.id, -100, privately=[], in_group=[8])
    await store.outbox.add("summary:-100:2026-W10", "summary", -100, period="2026-W10")
    # The supergroup sent something first and got an empty record.
    await store.chats.ensure(-1009, kind="group", title="Riverside", timezone="UTC",
                             language="en")
    assert await store.chats.migrate(-100, -1009)
    assert await store.chats.get(-100) is None
    assert (await store.enrolments.active_for(-1009)).pack_id == "checklist-cso"
    assert (await store.prompts.get(prompt.id)).chat_id == -1009
    assert await store.members.get(-1009, 7) is not None
    assert await store.coordinators.is_coordinator(-1009, 7)
    assert len(await store.answers.for_member_in_chat(-1009, 7)) == 1
    for table in ("nudges", "outbox"):
        rows = await store.db.fetch_all(f"SELECT DISTINCT chat_id FROM {table}")
        assert [row[0] for row in rows] == [-1009], table
    assert not await store.chats.migrate(-100, -1009)  # nothing left to move


async def test_a_digest_still_to_send_follows_its_group_to_the_supergroup(store):
    await make_group(store, -100)
    await store.chats.ensure(7, kind="private", title=None, timezone="UTC", language="en")
    waiting = await store.outbox.add("digest:-100:2026-W10:7", "digest", 7, subject_id=-100,
                                     period="2026-W10")
    done = await store.outbox.add("digest:-100:2026-W09:7", "digest", 7, subject_id=-100,
                                  period="2026-W09")
    await store.outbox.sent(done, 1)
    assert await store.chats.migrate(-100, -1009)
    rows = {row["id"]: row["subject_id"] for row in await store.db.fetch_all(
        "SELECT id, subject_id FROM outbox")}
    assert rows == {waiting: -1009, done: -100}  # what went out stays as it was sent


async def test_reminders_and_sends_are_decided_once(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    for person in (7, 8):
        await store.chats.ensure(person, kind="private", title=None, timezone="UTC",
                                 language="en")
    first = await store.nudges.plan(prompt.id, -100, privately=[7], in_group=[9])
    assert len(first) == 2  # 7's private reminder, the group's one
    # Planned again (a second tick, a redelivered update): nothing new.
    assert await store.nudges.plan(prompt.id, -100, privately=[7], in_group=[7, 9]) == []
    assert await store.nudges.last_sent_to(7) == clock.now
    assert await store.nudges.last_sent_to(8) is None
    assert await store.outbox.add("digest:-100:2026-W10:7", "digest", 7, subject_id=-100)
    assert await store.outbox.add("digest:-100:2026-W10:7", "digest", 7) is None
    assert await store.outbox.add("digest:-100:2026-W10:8", "digest", 8, subject_id=-100)


async def test_forgetting_a_person_leaves_no_row_about_them(store):
    await make_group(store)
    prompt = await make_prompt(store)
    await store.chats.ensure(7, kind="private", title=None, timezone="UTC", language="en")
    journal = await store.enrolments.start(7, "well-being", cadence="daily", days=[],
                                           local_time="20:00", next_due_at=None)
    entry, _ = await store.prompts.open(journal.id, "s1", chat_id=7, pack_id="well-being",
                                        item_id="wellbeing-01")
    await store.answers.record(entry.id, 7, text="a walk by the river")
    await store.members.seen(-100, 7, "Ana")
    await store.members.seen(-100, 8, "Bruno")
    await store.coordinators.add(-100, 7)
    await store.answers.record(prompt.id, 7, scale=3)
    await store.answers.record(prompt.id, 7, scale=4)
    await store.answers.record(prompt.id, 8, scale=2)
    await store.nudges.plan(prompt.id, -100, privately=[7], in_group=[])
    await store.outbox.add("digest:-100:2026-W10:7", "digest", 7, subject_id=-100)
    await store.coordinators.add(-100, 8, added_by=7)

    await store.forget_person(7)

    checks = {
        "chats": "SELECT COUNT(*) FROM chats WHERE id = 7",
        "members": "SELECT COUNT(*) FROM members WHERE user_id = 7",
        "coordinators": "SELECT COUNT(*) FROM coordinators WHERE user_id = 7 OR added_by = 7",
        "answers": "SELECT COUNT(*) FROM answers WHERE user_id = 7",
        "answer_edits": "SELECT COUNT(*) FROM answer_edits",
        "nudges": "SELECT COUNT(*) FROM nudges WHERE user_id = 7",
        "outbox": "SELECT COUNT(*) FROM outbox WHERE chat_id = 7",
        "enrolments": "SELECT COUNT(*) FROM enrolments WHERE chat_id = 7",
        "prompts": "SELECT COUNT(*) FROM prompts WHERE chat_id = 7",
    }
    for table, sql in checks.items():
        assert (await store.db.fetch_one(sql))[0] == 0, table
    assert await store.answers.get(prompt.id, 8) is not None
    assert await store.members.get(-100, 8) is not None


async def test_the_log_starts_afresh_under_a_steady_stream_of_writes(tmp_path):
    """Passive checkpoints alone never reset the log while commits keep
    coming (what arrives during the copy is left for the next one), so it
    grew by every commit. A restart follows a long log."""

    store = await Store.open(tmp_path / "stream.sqlite3")
    try:
        checkpoints = store.db.checkpoints
        checkpoints.every_seconds = 3600  # driven by hand below
        checkpoints.restart_pages = 100
        await make_group(store)
        largest_log, number = 0, 0
        for _ in range(30):
            # A checkpoint in its thread while the bot goes on committing.
            copying = asyncio.ensure_future(checkpoints.now())
            for _ in range(60):
                await store.chats.ensure(-1000 - number, kind="group", title="x" * 1500,
                                         timezone="UTC", language="en")
                number += 1
                if copying.done():
                    break
                await asyncio.sleep(0)
            await copying
            largest_log = max(largest_log, os.path.getsize(f"{tmp_path}/stream.sqlite3-wal"))
        # Never restarted, the log held every commit (about 33 kB each here).
        assert largest_log < number * 33_000 / 3, (largest_log, number)
        assert await store.chats.count_active("group") == number + 1
    finally:
        await store.close()


async def test_a_commit_starts_a_fresh_log_at_most_about_once_a_second(tmp_path):
    """After a copy-back that leaves nothing behind, the next commit starts
    the log afresh and SQLite flushes the new header to the disk inside it,
    on the event loop. So the checkpoints run about once a second, not more;
    and under steady commits the log is still copied back and begun anew."""
    def log_generation() -> int:
        # The WAL header's checkpoint sequence number (bytes 12-15, big-endian)
        # grows by one each time the log starts afresh.
        with open(f"{tmp_path}/fresh.sqlite3-wal", "rb") as wal:
            return int.from_bytes(wal.read(16)[12:16], "big")

    store = await Store.open(tmp_path / "fresh.sqlite3")
    try:
        loop = asyncio.get_running_loop()
        generations, number, began = set(), 0, loop.time()
        # Stops at three logs (about two seconds here), or gives up after 60 s.
        while len(generations) < 3 and loop.time() - began < 60:
            await store.chats.ensure(-1000 - number, kind="group", title="x",
                                     timezone="UTC", language="en")
            number += 1
            generations.add(log_generation())
            await asyncio.sleep(0.01)
        elapsed = loop.time() - began
        assert len(generations) == 3, (generations, number)
        # At most one fresh log a second (a slow machine copies back less
        # often, never more).
        fresh_starts = len(generations) - 1
        assert fresh_starts <= elapsed / 1.0 + 1, (fresh_starts, elapsed)
    finally:
        await store.close()


async def test_the_log_is_not_restarted_while_someone_waits_for_the_bot(tmp_path):
    """A RESTART holds the bot's writes back: not while updates are being
    handled, unless the log has grown far past its limit."""
    from bot.store import checkpoints as module

    store = await Store.open(tmp_path / "held.sqlite3")
    in_hand = [True]
    try:
        checkpoints = store.db.checkpoints
        checkpoints.every_seconds = 3600  # driven by hand below
        checkpoints.hold_restarts_while(lambda: in_hand[0])
        checkpoints.restart_pages = 100
        for number in range(40):
            await store.chats.ensure(-1000 - number, kind="group", title="x" * 1500,
                                     timezone="UTC", language="en")
        _, pages, _ = await checkpoints.now()
        assert checkpoints.restart_pages < pages <= 100 * module.RESTART_ANYWAY_TIMES
        assert (checkpoints.restarts_tried, checkpoints.restarts_held) == (0, 1)
        in_hand[0] = False
        await checkpoints.now()
        assert (checkpoints.restarts_tried, checkpoints.restarts_held) == (1, 1)
        # Updates that never pause: past RESTART_ANYWAY_TIMES the limit it goes anyway.
        in_hand[0] = True
        for number in range(40):
            await store.chats.ensure(-2000 - number, kind="group", title="y" * 1500,
                                     timezone="UTC", language="en")
        checkpoints.restart_pages = 1
        _, pages, _ = await checkpoints.now()
        assert pages > module.RESTART_ANYWAY_TIMES
        assert (checkpoints.restarts_tried, checkpoints.restarts_held) == (2, 1)
    finally:
        await store.close()


async def test_a_long_reader_holds_the_bot_s_writes_back_briefly_and_rarely(tmp_path):
    """A RESTART holds writes back while it waits for readers to leave the
    log. A backup or export beside the bot reads for long: the restart waits
    only a few milliseconds for it, and is not tried again for a while."""
    from bot.store import checkpoints as module

    store = await Store.open(tmp_path / "reader.sqlite3")
    reader = sqlite3.connect(tmp_path / "reader.sqlite3")
    try:
        checkpoints = store.db.checkpoints
        checkpoints.every_seconds = 3600  # driven by hand below
        checkpoints.restart_pages = 10
        await make_group(store)
        reader.execute("BEGIN")
        reader.execute("SELECT COUNT(*) FROM chats").fetchone()  # a snapshot kept open
        for number in range(40):
            await store.chats.ensure(-1000 - number, kind="group", title="x" * 1500,
                                     timezone="UTC", language="en")
        busy, _, _ = await checkpoints.now()
        assert busy == 1 and checkpoints.restarts_tried == 1
        # It gave up quickly: SQLite waited at most the connection's busy
        # timeout for the reader (Python's sqlite3 would wait 5 s).
        waits_ms = checkpoints._connection.execute("PRAGMA busy_timeout").fetchone()[0]
        assert waits_ms == module.RESTART_WAIT_MS
        await store.chats.ensure(-2000, kind="group", title="y", timezone="UTC",
                                 language="en")
        await checkpoints.now()
        assert checkpoints.restarts_tried == 1  # not again so soon
        reader.rollback()
        checkpoints._no_restart_until = 0.0  # as after module.RESTART_BACKOFF_S
        busy, pages, copied = await checkpoints.now()
        assert (busy, checkpoints.restarts_tried) == (0, 2) and copied == pages
        assert module.RESTART_WAIT_MS <= 50 and module.RESTART_BACKOFF_S >= 1
    finally:
        reader.close()
        await store.close()


async def test_the_log_is_copied_back_off_the_event_loop(tmp_path):
    """The bot's connection never checkpoints inside a commit (that stalled every
    update behind it); the worker thread's connection copies the log back."""
    store = await Store.open(tmp_path / "log.sqlite3")
    try:
        db = store.db
        assert (await db.fetch_value("PRAGMA wal_autocheckpoint")) == 0
        for number in range(200):
            await store.chats.ensure(-number - 1, kind="group", title="x" * 2000,
                                     timezone="UTC", language="en")
        busy, pages, copied = await db.checkpoints.now()
        assert (busy, copied) == (0, pages) and pages > 0
    finally:
        await store.close()
    reopened = await Store.open(tmp_path / "log.sqlite3")
    try:
        assert await reopened.chats.count_active("group") == 200
    finally:
        await reopened.close()
