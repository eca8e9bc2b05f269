"""A group's week is read once for its summary and all its digests
(bot/services/week_facts.py), and read again when a send comes later."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.sandbox.telegram import visible_text
from bot.services.week_facts import WeekFacts

from helpers.group import GROUP_ID
from helpers.weekly import FRIDAY_1700_MADRID, two_coordinators_in_private, week_of_answers

WEEK = date(2026, 3, 9)


async def test_the_summary_and_every_digest_share_one_reading_of_the_week(harness, group,
                                                                          monkeypatch):
    await week_of_answers(harness, group)
    await two_coordinators_in_private(harness, group)
    harness.telegram.set_member_count(GROUP_ID, 9)
    reads = []
    original = harness.store.summaries.group_facts

    async def counted(chat_id, week, *args, **kwargs):
        reads.append((chat_id, week))
        return await original(chat_id, week, *args, **kwargs)

    monkeypatch.setattr(harness.store.summaries, "group_facts", counted)
    counts_before = len(harness.telegram.calls_to("getChatMemberCount"))

    harness.clock.now = FRIDAY_1700_MADRID
    report = await harness.tick()
    assert report.summaries == 1
    assert report.delivery.sent_by_kind["digest"] == 2
    assert reads == [(GROUP_ID, WEEK)], "one reading for the summary and both digests"
    assert len(harness.telegram.calls_to("getChatMemberCount")) == counts_before + 1
    # Both digests were made from it: the same figures for each coordinator.
    digests = [visible_text(harness.telegram.last("sendMessage", chat_id=person["id"])
                            .params["text"]) for person in (group.ana, group.bruno)]
    assert digests[0] and digests[0] == digests[1]


class Ticking:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_shared_within_a_short_while_then_read_again():
    clock = Ticking()
    facts = WeekFacts(share_seconds=60, kept=2, clock=clock)
    reads = []

    async def read(label):
        reads.append(label)
        await asyncio.sleep(0)
        return label

    assert await facts.get(1, WEEK, lambda: read("a")) == "a"
    clock.now = 59
    assert await facts.get(1, WEEK, lambda: read("b")) == "a"
    assert await facts.get(1, date(2026, 3, 2), lambda: read("c")) == "c"  # another week
    clock.now = 61  # a retry, later: the database again
    assert await facts.get(1, WEEK, lambda: read("d")) == "d"
    assert reads == ["a", "c", "d"]


async def test_senders_at_the_same_moment_wait_for_one_reading():
    facts = WeekFacts(clock=Ticking())
    reads = []
    gate = asyncio.Event()

    async def read():
        reads.append(1)
        await gate.wait()
        return "facts"

    waiting = [asyncio.create_task(facts.get(7, WEEK, read)) for _ in range(3)]
    await asyncio.sleep(0)
    gate.set()
    assert await asyncio.gather(*waiting) == ["facts"] * 3
    assert reads == [1]


async def test_a_failed_reading_is_not_shared_and_few_groups_are_kept():
    facts = WeekFacts(kept=2, clock=Ticking())

    async def broken():
        raise RuntimeError("database locked")

    with pytest.raises(RuntimeError):
        await facts.get(1, WEEK, broken)

    async def fine():
        return "facts"

    assert await facts.get(1, WEEK, fine) == "facts"
    for chat in (2, 3):
        await facts.get(chat, WEEK, fine)
    assert len(facts._entries) == 2  # the oldest group went
    assert facts.reads == 4
