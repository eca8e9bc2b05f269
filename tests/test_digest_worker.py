"""The weekly round's summaries and digests are read, rendered (and the
digests' charts drawn) in a chart worker (bot/services/digest_worker.py) on
SQLite and on PostgreSQL: the same messages and picture as made on the event
loop, and no reading of the group's week in the bot's process."""

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


async def test_a_summary_made_by_a_worker_is_the_one_made_here(harness, group):
    await week_of_answers(harness, group)
    data = harness.app.bot_data
    path = str(harness.store.db.path)
    try:
        made = await asyncio.to_thread(digest_worker.make_summary, path, GROUP_ID, WEEK, 8,
                                       data.catalog, data.packs)
        assert await asyncio.to_thread(digest_worker.make_summary, path, -1, WEEK, 8,
                                       data.catalog, data.packs) is None
    finally:
        await asyncio.to_thread(digest_worker.forget_stores)
    facts = await digest_worker.read_facts(harness.store, data.packs, GROUP_ID, WEEK, 8,
                                           members_heard=False)
    assert made == render.group_summary_messages(data.catalog, compute.summarise(facts),
                                                 data.packs)
    assert made  # a week of answers makes a summary


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

    # No reading in the bot: the summary and the digest are read in the worker.
    assert reads == []
    assert harness.app.bot_data.week_facts.reads == 0
    assert harness.app.bot_data.charts.running
    sent = [visible_text(call.params["text"]) for call in harness.telegram.calls_to(
        "sendMessage", chat_id=group.ana["id"]) if "Riverside" in visible_text(
            call.params["text"])]
    texts, _ = await made_here(harness, FRIDAY_1700_MADRID)
    assert sent[-len(texts):] == [visible_text(text) for text in texts]
    # The summary the group got is the one rendered from the same week here.
    data = harness.app.bot_data
    facts = await digest_worker.read_facts(harness.store, data.packs, GROUP_ID, WEEK, 9,
                                           members_heard=False)
    here = render.group_summary_messages(data.catalog, compute.summarise(facts), data.packs)
    summary = [visible_text(call.params["text"])
               for call in harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)]
    # (its last message ends with the line on making an action of it)
    assert any(text.startswith(visible_text(here[0])) for text in summary)
    photo = harness.telegram.last("sendPhoto", chat_id=group.ana["id"])
    assert next(iter(photo.files.values())).content.startswith(PNG)


async def test_a_worker_that_fails_leaves_the_summary_and_digest_to_the_bot(harness, group,
                                                                             monkeypatch, caplog):
    await week_of_answers(harness, group)
    ana = harness.updates.private_chat(group.ana)
    await harness.send(harness.updates.command(ana, group.ana, "/start"))
    charts = harness.app.bot_data.charts
    drawing = charts.draw

    async def broken(function, *args, **kwargs):
        if function in (digest_worker.make_summary, digest_worker.make_digest):
            raise RuntimeError("the worker died")
        return await drawing(function, *args, **kwargs)

    monkeypatch.setattr(charts, "draw", broken)
    harness.clock.now = FRIDAY_1700_MADRID
    report = await harness.tick()
    assert report.summaries == 1 and report.delivery.sent_by_kind["digest"] == 1
    summary = [visible_text(call.params["text"])
               for call in harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)]
    assert any("people took part this week" in text for text in summary)
    photo = harness.telegram.last("sendPhoto", chat_id=group.ana["id"])
    assert next(iter(photo.files.values())).content.startswith(PNG)
    said = [record.getMessage() for record in caplog.records]
    assert any("could not make the summary" in line for line in said)
    assert any("could not make the digest" in line for line in said)
