"""A group's member count is asked of Telegram once for its summary and all
its digests, even when they go out minutes apart (bot/runtime/member_counts.py),
and asked again when someone joins or leaves, when it is old, and for a
command someone just gave."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.runtime.member_counts import MemberCounts
from bot.services import summaries
from bot.services.week_facts import WeekFacts

from helpers.group import GROUP_ID
from helpers.weekly import FRIDAY_1700_MADRID, two_coordinators_in_private, week_of_answers

WEEK = date(2026, 3, 9)


class Ticking:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def asks(answers: list[int | None]):
    """An `ask` giving `answers` in turn, and the list of times it was called."""
    calls: list[int] = []

    async def ask() -> int | None:
        calls.append(1)
        await asyncio.sleep(0)
        return answers[len(calls) - 1]

    return ask, calls


async def test_asked_once_then_kept_until_old():
    clock = Ticking()
    counts = MemberCounts(keep_seconds=3600, clock=clock)
    ask, calls = asks([7, 9])
    assert await counts.get(-1, ask) == 7
    clock.now = 3599
    assert await counts.get(-1, ask) == 7
    clock.now = 3601
    assert await counts.get(-1, ask) == 9
    assert len(calls) == 2


async def test_senders_at_the_same_moment_wait_for_one_question():
    counts = MemberCounts(clock=Ticking())
    gate = asyncio.Event()
    calls = []

    async def ask():
        calls.append(1)
        await gate.wait()
        return 12

    waiting = [asyncio.create_task(counts.get(-1, ask)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == [12, 12, 12]
    assert calls == [1]


async def test_someone_joining_or_leaving_or_a_command_asks_again():
    counts = MemberCounts(clock=Ticking())
    ask, calls = asks([5, 6, 5, 8])
    assert await counts.get(-1, ask) == 5
    counts.changed(-1)  # someone joined
    assert await counts.get(-1, ask) == 6
    counts.changed(-1)  # someone left
    assert await counts.get(-1, ask) == 5
    assert await counts.get(-1, ask, fresh=True) == 8  # /digest, now
    assert await counts.get(-1, ask) == 8  # and the fresh answer is kept
    assert len(calls) == 4


async def test_an_answer_asked_before_someone_joined_is_not_kept():
    counts = MemberCounts(clock=Ticking())
    gate = asyncio.Event()
    answers = iter([5, 6])

    async def ask():
        await gate.wait()
        return next(answers)

    on_its_way = asyncio.create_task(counts.get(-1, ask))
    await asyncio.sleep(0)
    counts.changed(-1)  # someone joined while Telegram was being asked
    gate.set()
    assert await on_its_way == 5  # that sender takes what came
    assert len(counts) == 0
    assert await counts.get(-1, ask) == 6  # the next asks again


async def test_an_unknown_or_failed_answer_is_not_kept_and_few_groups_are():
    counts = MemberCounts(kept=2, clock=Ticking())
    ask, calls = asks([None, 4])
    assert await counts.get(-1, ask) is None
    assert await counts.get(-1, ask) == 4
    assert len(calls) == 2

    async def broken():
        raise RuntimeError("network")

    with pytest.raises(RuntimeError):
        await counts.get(-2, broken)
    assert len(counts) == 1  # only the answer that came

    async def three():
        return 3

    for chat in (-3, -4):
        await counts.get(chat, three)
    assert len(counts) == 2  # the oldest group went


async def test_the_summary_and_digests_minutes_apart_ask_telegram_once(harness, group):
    await week_of_answers(harness, group)
    await two_coordinators_in_private(harness, group)
    harness.telegram.set_member_count(GROUP_ID, 9)
    # In a large round summaries go minutes before digests: the week's
    # facts are not shared between them, the member count still is.
    harness.app.bot_data.week_facts = WeekFacts(share_seconds=0)
    before = len(harness.telegram.calls_to("getChatMemberCount"))

    harness.clock.now = FRIDAY_1700_MADRID
    report = await harness.tick()
    assert report.summaries == 1
    assert report.delivery.sent_by_kind["digest"] == 2
    assert len(harness.telegram.calls_to("getChatMemberCount")) == before + 1

    # A digest sent again (a retry) takes the same count.
    chat = await harness.store.chats.get(GROUP_ID)
    data = harness.app.bot_data
    facts = await summaries.group_facts(harness.app.bot, data, chat, WEEK)
    assert facts.chat_member_count == 8  # the bot itself is not counted
    assert len(harness.telegram.calls_to("getChatMemberCount")) == before + 1

    # Someone joins: the next summary or digest asks again.
    newcomer = harness.updates.user(4321, "Newcomer")
    await harness.send(harness.updates.members_added(group.chat, group.ana, [newcomer]))
    harness.telegram.set_member_count(GROUP_ID, 10)
    facts = await summaries.group_facts(harness.app.bot, data, chat, WEEK)
    assert facts.chat_member_count == 9
    assert len(harness.telegram.calls_to("getChatMemberCount")) == before + 2


async def test_a_command_asks_telegram_afresh(harness, group):
    await week_of_answers(harness, group)
    before = len(harness.telegram.calls_to("getChatMemberCount"))
    for _ in range(2):
        await harness.send(harness.updates.command(group.chat, group.ana, "/summary"))
    calls = harness.telegram.calls_to("getChatMemberCount")
    assert len(calls) == before + 2
    assert all(call.params["chat_id"] == GROUP_ID for call in calls[-2:])


async def test_a_large_rounds_counts_weigh_little():
    """What is kept is the number, not the finished question (a task weighs
    ten times more): 20,000 groups, the most kept, under 6 MB."""
    import tracemalloc

    counts = MemberCounts(clock=Ticking())

    async def ask():
        return 7

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for chat in range(counts.kept):
            await counts.get(-chat, ask)
        kept_bytes = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(counts) == counts.kept
    assert kept_bytes < 6_000_000, kept_bytes
