"""The weekly round's digests are read, rendered and drawn in a chart worker
(bot/services/digest_worker.py) on SQLite and on PostgreSQL: the same
messages and picture as made on the event loop, and no reading of the
group's week in the bot's process but the summary's."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date

import pytest

from bot.domain import summary as compute
from bot.render import chart
from bot.render import summary as render
from bot.sandbox.telegram import visible_text
from bot.services import digest_worker

from helpers.app import running
from helpers.chart_pixels import PNG
from helpers.group import GROUP_ID
from helpers.weekly import FRIDAY_1700_MADRID, week_of_answers

WEEK = date(2026, 3, 9)


@pytest.fixture
async def harness(settings, telegram, clock):
    """The application with one chart worker in a process of its own."""
    with_workers = dataclasses.replace(settings, chart_workers=1, chart_idle_seconds=30)
    async for started in running(with_workers, telegram, clock):
        yield started


async def made_here(harness, now) -> tuple[list[str], bytes]:
    data = harness.app.bot_data
    facts = await digest_worker.read_facts(harness.store, data.packs, GROUP_ID, WEEK, 8)
    return (render.digest_messages(data.catalog, compute.digest(facts, now), data.packs),
            chart.render_chart(compute.chart_data(facts), data.catalog, facts.language,
                               data.packs))


async def test_a_digest_made_by_a_worker_is_the_one_made_here(harness, group):
    assert digest_worker.worker_can_read(harness.store, 1)
    assert not digest_worker.worker_can_read(harness.store, 0)
    await week_of_answers(harness, group)
    data = harness.app.bot_data
    now = FRIDAY_1700_MADRID
    path = str(harness.store.db.path)
    try:
        # Called in a thread of this process (a worker has no event loop
        # running), it opens its own read-only connection (on PostgreSQL, a
        # connection of its own to the server).
        made = await asyncio.to_thread(digest_worker.make_digest, path, GROUP_ID, WEEK, now,
                                       8, data.catalog, data.packs)
        assert await asyncio.to_thread(digest_worker.make_digest, path, -1, WEEK, now, 8,
                                       data.catalog, data.packs) is None
    finally:
        await asyncio.to_thread(digest_worker.forget_stores)
    texts, picture = await made_here(harness, now)
    assert made.texts == texts
    assert made.picture.startswith(PNG) and made.picture == picture


async def test_the_round_makes_each_digest_in_the_chart_worker(harness, group, monkeypatch):
    await week_of_answers(harness, group)
    ana = harness.updates.private_chat(group.ana)
    await harness.send(harness.updates.command(ana, group.ana, "/start"))
    harness.telegram.set_member_count(GROUP_ID, 9)
    reads = []
    original = harness.store.summaries.group_facts

    async def counted(chat_id, week, *args, **kwargs):
        reads.append(chat_id)
        return await original(chat_id, week, *args, **kwargs)

    monkeypatch.setattr(harness.store.summaries, "group_facts", counted)
    harness.clock.now = FRIDAY_1700_MADRID
    report = await harness.tick()
    assert report.summaries == 1 and report.delivery.sent_by_kind["digest"] == 1

    # One reading in the bot, the summary's: the digest is read in the worker.
    assert reads == [GROUP_ID]
    assert harness.app.bot_data.week_facts.reads == 0
    assert harness.app.bot_data.charts.running
    sent = [visible_text(call.params["text"]) for call in harness.telegram.calls_to(
        "sendMessage", chat_id=group.ana["id"]) if "Riverside" in visible_text(
            call.params["text"])]
    texts, _ = await made_here(harness, FRIDAY_1700_MADRID)
    assert sent[-len(texts):] == [visible_text(text) for text in texts]
    photo = harness.telegram.last("sendPhoto", chat_id=group.ana["id"])
    assert next(iter(photo.files.values())).content.startswith(PNG)
