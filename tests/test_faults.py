"""Three weeks of eight groups while Telegram fails one call in ten: 429s,
server errors, refused connections, answers lost after the fact, chats that
block the bot, groups that become supergroups. At the end every question,
summary and digest due reached its chat once, blocked chats are inactive,
upgraded groups moved, and the bot still answers."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.sandbox.telegram import visible_text

from helpers.group import make_group, run_setup
from helpers.times import MONDAY_0900_MADRID

GROUPS = 8
WEEKS = 3
FRIDAY_1700_MADRID = MONDAY_0900_MADRID + timedelta(days=4, hours=8)
# After each due moment: the tick every minute at first, then less often, as
# the outbox's retries spread out (30 s, 1, 2, 4... minutes).
RETRY_TICKS = (0, 1, 2, 5, 10, 20, 40, 80, 160, 320)


# A real PNG, small: drawing 24 charts would take this test's time, and
# charts are not what it is about (tests/test_summary*.py draw them).
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


@pytest.fixture
def stormy(unpaced, monkeypatch):
    monkeypatch.setattr("bot.render.chart.render_chart", lambda *args, **kwargs: TINY_PNG)
    return unpaced


def messages_in(harness, chat_ids: set[int]) -> list[str]:
    return [visible_text(message.get("text") or message.get("caption") or "")
            for chat_id in chat_ids for message in harness.telegram.sent_messages(chat_id)
            if message.get("from", {}).get("is_bot")]


async def tick_through(harness, start) -> None:
    for minutes in RETRY_TICKS:
        harness.clock.now = start + timedelta(minutes=minutes)
        await harness.tick()


@pytest.mark.parametrize("seed", [11, 12, 13, 14, 15])
async def test_a_bad_day_at_telegram_loses_nothing_and_repeats_nothing(stormy, seed):
    harness, u = stormy, stormy.updates
    groups = []
    for number in range(GROUPS):
        group = make_group(harness, -100_700 - number)
        group.ana = u.user(900 + number, f"Coordinator {number}")
        harness.telegram.set_chat_member(group.chat["id"], group.ana, "administrator")
        await harness.send(u.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
        await harness.send(u.command(u.private_chat(group.ana), group.ana, "/start"))
        groups.append(group)
    chaos = harness.telegram.start_chaos(0.10, seed)

    for week in range(WEEKS):
        monday = MONDAY_0900_MADRID + timedelta(weeks=week)
        await tick_through(harness, monday)
        for group in groups:
            prompts = await harness.store.prompts.list_for_chat(
                chaos.migrated.get(group.chat["id"], group.chat["id"]))
            question = prompts[-1] if prompts else None
            if question is None or question.message_id is None:
                continue
            # A group upgraded since keeps its earlier messages where they were.
            message = (harness.telegram.state.message(question.chat_id, question.message_id)
                       or harness.telegram.state.message(group.chat["id"],
                                                         question.message_id))
            if message is None:
                continue
            for person, rating in zip(group.members[1:4], (2, 4, 5), strict=True):
                await harness.send(u.callback(message["chat"], person, message,
                                              f"1|r|{question.id}|{rating}"))
        await tick_through(harness, FRIDAY_1700_MADRID + timedelta(weeks=week))
    chaos.rate = 0  # the storm passes; blocked chats stay blocked
    await tick_through(harness, FRIDAY_1700_MADRID + timedelta(weeks=WEEKS - 1, hours=6))

    # It really was stormy: many failures, of most kinds.
    assert sum(chaos.injected.values()) >= 15 and len(chaos.injected) >= 4, chaos.injected
    delivered_questions = delivered_summaries = 0
    for group in groups:
        old_id = group.chat["id"]
        new_id = chaos.migrated.get(old_id)
        stored = await harness.store.chats.get(new_id or old_id)
        if new_id is not None:
            assert await harness.store.chats.get(old_id) is None  # moved, all of it
        if (new_id or old_id) in chaos.blocked or old_id in chaos.blocked:
            assert stored.active is False
            continue
        texts = messages_in(harness, {old_id, new_id or old_id})
        headings = Counter(text.splitlines()[0] for text in texts if " of 15)" in text)
        prompts = await harness.store.prompts.list_for_chat(stored.id)
        assert len(prompts) == WEEKS, (old_id, prompts)
        # Each question reached the group once; none was lost, none sent twice.
        assert len(headings) == WEEKS and set(headings.values()) == {1}, headings
        summaries = [text for text in texts if text.startswith("📊 This week in")]
        assert len(summaries) == WEEKS, (old_id, summaries)
        delivered_questions += len(headings)
        delivered_summaries += len(summaries)
        coordinator = group.ana["id"]
        if coordinator in chaos.blocked:
            assert (await harness.store.chats.get(coordinator)).active is False
            continue
        charts = [m for m in harness.telegram.sent_messages(coordinator) if "photo" in m]
        assert len(charts) == WEEKS  # each week's digest, once
    assert delivered_questions and delivered_summaries
    # Nothing is left waiting, and nothing was given up on.
    counts = await harness.store.outbox.counts()
    assert counts.get("pending", 0) == 0, counts
    given_up = await harness.store.db.fetch_all(
        "SELECT kind, reason FROM outbox WHERE state = 'failed'"
        " AND reason NOT IN ('forbidden', 'skipped')")
    assert [tuple(row) for row in given_up if not row[1].startswith("bad request")] == []

    # And the bot still answers.
    newcomer = u.user(999, "Newcomer")
    await harness.send(u.command(u.private_chat(newcomer), newcomer, "/help"))
    assert harness.telegram.last("sendMessage", chat_id=999).ok
