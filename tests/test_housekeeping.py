"""Housekeeping: finished sends and abandoned wizards go after their
retention, a batch at a time, and nothing else does; the leader alone does
it; and /metrics' count of pending sends reads only the index of pending
rows. On both databases."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

import pytest

from bot.services.housekeeping import DRAFTS_KEPT, OUTBOX_KEPT, housekeeping, purge
from bot.store.outbox import PRIORITY

from helpers.group import ask, make_group, run_setup

GROUP = -100777


async def _group(store) -> None:
    await store.chats.ensure(GROUP, kind="group", title=None, timezone="UTC", language="en")


async def _finished(store, key: str, state: str = "sent") -> int:
    item = await store.outbox.add(key, "summary", GROUP, period=key)
    if state == "sent":
        await store.outbox.sent(item, 5)
    else:
        await store.outbox.finish(item, state, "test")
    return item


async def test_finished_sends_go_after_their_retention_in_batches_and_pending_ones_stay(
    store, clock
):
    await _group(store)
    old = [await _finished(store, f"old{n}", state)
           for n, state in enumerate(("sent", "sent", "unknown", "failed", "skipped"))]
    waiting = await store.outbox.add("waiting", "summary", GROUP, period="w")
    retried = await store.outbox.add("retried", "summary", GROUP, period="r")
    clock.advance(days=20)
    recent = await _finished(store, "recent")
    await store.outbox.sent(retried, 6)  # made a month ago, sent only now
    clock.advance(days=10, seconds=1)  # the old ones finished 30 days and a second ago
    purged = await purge(store, clock.now, batch=2)
    assert purged.outbox == 5
    assert [await store.outbox.get(item) for item in old] == [None] * 5
    assert (await store.outbox.get(recent)).state == "sent"
    assert (await store.outbox.get(retried)).state == "sent"
    assert (await store.outbox.get(waiting)).state == "pending"  # work to do is never purged
    assert await store.housekeeping.pending_outbox() == 1
    # Nothing more to do: a second run deletes nothing.
    assert (await purge(store, clock.now, batch=2)).total == 0


async def test_a_send_finished_exactly_at_the_retention_stays(store, clock):
    await _group(store)
    item = await _finished(store, "edge")
    clock.now += OUTBOX_KEPT
    assert (await purge(store, clock.now)).outbox == 0
    assert await store.outbox.get(item) is not None


async def test_wizards_untouched_for_a_month_go_and_recent_ones_stay(store, clock):
    await _group(store)
    await store.drafts.save(GROUP, 10, 501, {"step": 1})
    await store.drafts.save(GROUP, 11, 502, {"step": 1})
    clock.advance(days=29)
    await store.drafts.save(GROUP, 11, 502, {"step": 2})  # pressed again: kept longer
    clock.now += DRAFTS_KEPT - timedelta(days=29) + timedelta(seconds=1)
    assert (await purge(store, clock.now, batch=1)).drafts == 1
    assert await store.drafts.get(GROUP, 10) is None
    assert await store.drafts.get(GROUP, 11) == (502, {"step": 2})


async def test_the_pending_count_reads_the_index_of_pending_rows(store, tmp_path):
    if store.db.dialect != "sqlite":
        pytest.skip("the plan is SQLite's; PostgreSQL has the same partial index")
    statements = []
    store.db._conn.set_trace_callback(statements.append)
    await store.housekeeping.pending_outbox()
    store.db._conn.set_trace_callback(None)
    (count,) = [s for s in statements if "COUNT" in s]
    plan = " ".join(row[3] for row in store.db._conn.execute(f"EXPLAIN QUERY PLAN {count}"))
    assert "outbox_pending" in plan and "SCAN outbox" not in plan.replace(
        "USING COVERING INDEX outbox_pending", ""), plan


@pytest.fixture
def settings(settings):
    return replace(settings, dispatch_interval_seconds=60)


async def test_the_job_runs_on_the_leader_only_and_what_it_purged_is_never_sent_again(harness):
    # Scheduled beside the tick; both are run by hand here, not by the
    # JobQueue in real time.
    scheduled = {job.name: job for job in harness.app.job_queue.jobs()}
    assert {"dispatch", "housekeeping"} <= set(scheduled)
    for job in scheduled.values():
        job.schedule_removal()
    group = make_group(harness)
    await run_setup(harness, group)
    await ask(harness, group)
    store = harness.store
    sent = (await store.outbox.counts()).get("sent", 0)
    assert sent >= 1
    keys = {row[0] for row in await store.db.fetch_all("SELECT key FROM outbox")}
    harness.clock.advance(days=31)
    leadership = harness.app.bot_data.leadership
    leadership.leading = False  # a follower leaves it to the leader
    await housekeeping(_Context(harness.app))
    assert (await store.outbox.counts()).get("sent", 0) == sent
    leadership.leading = True
    await housekeeping(_Context(harness.app))
    assert (await store.outbox.counts()).get("sent", 0) == 0
    # The purged rows' decisions are kept elsewhere: a month later the tick
    # decides what is due now, and nothing decided before is decided again.
    await harness.tick()
    now_keys = {row[0] for row in await store.db.fetch_all("SELECT key FROM outbox")}
    assert now_keys and not now_keys & keys


class _Context:
    """What a job's callback reads: bot_data (and the job queue)."""

    def __init__(self, application):
        self.bot_data = application.bot_data
        self.job_queue = application.job_queue


def test_every_priority_is_counted_as_pending():
    # pending_outbox counts rows with priority >= 0 (what leads SQLite to the index).
    assert min(PRIORITY.values()) >= 0


def test_sqlite_is_new_enough_for_row_values():
    # purge_drafts deletes by (chat_id, message_id) IN (SELECT ...).
    assert sqlite3.sqlite_version_info >= (3, 15)
