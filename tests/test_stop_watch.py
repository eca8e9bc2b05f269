"""A stop that takes too long says where it is stuck (bot.runtime.stop_watch)."""

from __future__ import annotations

import asyncio
import logging

from bot.runtime import stop_watch


async def held_up(event: asyncio.Event) -> None:
    await event.wait()


async def test_the_tasks_still_running_are_logged_with_where_they_wait(caplog):
    event = asyncio.Event()
    task = asyncio.create_task(held_up(event), name="the-stuck-one")
    await asyncio.sleep(0)
    caplog.set_level(logging.WARNING, logger="bot.runtime.stop_watch")
    stop_watch.report_stuck_tasks(10)
    event.set()
    await task
    lines = [record.getMessage() for record in caplog.records]
    assert lines[0].startswith("still stopping 10 s after the signal:")
    stuck = [line for line in lines if "the-stuck-one" in line]
    assert len(stuck) == 1 and "test_stop_watch.py:" in stuck[0] and "held_up" in stuck[0]


async def test_a_stop_that_ends_in_time_reports_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="bot.runtime.stop_watch")
    handle = stop_watch.watch_the_stop(0.05)
    handle.cancel()
    await asyncio.sleep(0.2)
    assert caplog.records == []
    handle = stop_watch.watch_the_stop(0.01)
    await asyncio.sleep(0.2)  # a guard, not a measure: the report comes when it is due
    assert caplog.records and "still stopping" in caplog.records[0].getMessage()
