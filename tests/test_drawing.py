"""Charts drawn in worker processes: another process than the bot's, started
with the first chart, gone after a quiet spell; and the digest's chart, drawn
that way, reaches the coordinator as a real PNG."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import pickle

import pytest

from bot.sandbox.telegram import UpdateFactory
from bot.services.drawing import ChartWorkers

from helpers.app import Harness, start_app, stop_app
from helpers.group import GROUP_ID, ask, make_group, press, run_setup
from helpers.processes import until

PNG = b"\x89PNG\r\n\x1a\n"
# Each starts a worker process (`-m "not slow"` leaves them out).
worker_process = pytest.mark.slow


@worker_process
async def test_a_chart_is_drawn_in_another_process_that_stops_when_idle():
    workers = ChartWorkers(1, idle_seconds=0.3)
    try:
        assert not workers.running
        assert await workers.draw(os.getpid) != os.getpid()
        assert workers.running
        drawn = await asyncio.gather(*(workers.draw(os.getpid) for _ in range(3)))
        assert len(set(drawn)) == 1  # the same worker, kept while busy
        # A quiet spell of idle_seconds: the worker is gone.
        await until(lambda: not workers.running, 30, "the idle worker stopping")
        assert await workers.draw(os.getpid) != drawn[0]  # a new one when needed
    finally:
        await workers.close()
    assert not workers.running


@worker_process
async def test_a_worker_draws_at_a_lower_priority_than_the_bot():
    """A tap waiting for a core goes before a chart: the kernel gives a
    process 10 steps nicer about a tenth of a busy core's time."""
    ours = os.getpriority(os.PRIO_PROCESS, 0)
    workers = ChartWorkers(1, idle_seconds=5, niceness=10)
    try:
        assert await workers.draw(os.getpriority, os.PRIO_PROCESS, 0) == min(ours + 10, 19)
    finally:
        await workers.close()
    assert os.getpriority(os.PRIO_PROCESS, 0) == ours  # the bot's own is untouched


async def test_in_process_drawing_when_asked(tmp_path):
    workers = ChartWorkers(0)
    assert await workers.draw(os.getpid) == os.getpid()
    await workers.close()


@worker_process
async def test_the_digest_chart_comes_from_a_worker(settings, telegram, clock):
    with_workers = dataclasses.replace(settings, chart_workers=1, chart_idle_seconds=30)
    harness = Harness(await start_app(with_workers, telegram, clock), telegram,
                      UpdateFactory(telegram), clock, with_workers)
    try:
        group = make_group(harness)
        u = harness.updates
        await harness.send(u.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
        await harness.send(u.command(u.private_chat(group.ana), group.ana, "/start"))
        question = await ask(harness, group)
        prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
        for person, rating in ((group.bruno, 4), (group.carla, 2), (group.dev, 5)):
            await press(harness, group.chat, person, question, f"1|r|{prompt.id}|{rating}")
        await harness.send(u.command(group.chat, group.ana, "/digest"))
        photo = telegram.last("sendPhoto", chat_id=group.ana["id"])
        assert photo.ok and photo.files["photo"].content.startswith(PNG)
        assert harness.app.bot_data.charts.running
    finally:
        await stop_app(harness.app)
    assert not harness.app.bot_data.charts.running
    telegram.assert_clean()


def _described(tag: str, packs, catalog=None) -> tuple:
    return (tag, os.getpid(), len(packs), catalog.languages if catalog else None)


@worker_process
async def test_shared_objects_reach_each_worker_once_not_with_each_chart(packs, catalog):
    workers = ChartWorkers(1, idle_seconds=5)
    workers.share(catalog, packs)
    try:
        drawn = await workers.draw(_described, "a", packs, catalog=catalog)
        assert drawn[1] != os.getpid()
        assert drawn[2:] == (len(packs), catalog.languages)
        # What goes with a chart: placeholders for the shared objects, a
        # few bytes, not the 120 kB of packs and strings.
        sent = workers._placeholders([packs, catalog, "en"])
        assert len(pickle.dumps(sent)) < 200 < len(pickle.dumps([packs, catalog]))
        assert sent[2] == "en"
        # An object not shared travels with the chart as before.
        other = ["x", "y"]
        assert (await workers.draw(_described, "b", other))[2] == 2
    finally:
        await workers.close()


@worker_process
async def test_sharing_later_replaces_an_idle_worker(packs, catalog):
    workers = ChartWorkers(1, idle_seconds=5)
    try:
        first = await workers.draw(_described, "a", packs)
        workers.share(catalog, packs)  # the idle worker is replaced
        assert not workers.running
        second = await workers.draw(_described, "b", packs, catalog=catalog)
        assert second[1] != first[1] and second[2:] == (len(packs), catalog.languages)
    finally:
        await workers.close()
