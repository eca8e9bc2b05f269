"""PostgreSQL's locks are as narrow as the data they guard: a step of one
chat never waits for another chat's, and two applications on one database
racing on the same chats (both ticking, with /ask, /skip and taps in groups,
/later, /skip and answers in a private chat) still show each question once,
in order, and keep every answer they thanked for.

PostgreSQL only: SQLite has one writer for the whole file by design."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import random
import re
from collections import Counter
from datetime import timedelta

import pytest

from bot.sandbox.telegram import visible_text

from helpers.app import running
from helpers.group import make_group, run_setup
from helpers.personal import ROSA, onboard
from helpers.processes import until

ROUNDS = 20
# Generous: a step that is not held finishes long before; one that is held
# never does.
NEVER_SECONDS = 60


async def lock_waiters(store) -> int:
    """Connections of this process waiting for a lock now."""
    return int(await store.db.fetch_value(
        "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = ?"
        " AND wait_event_type = 'Lock'", (store.db.session,)))


async def start_programme(store, chat_id: int, due):
    await store.chats.ensure(chat_id, kind="group", title=None, timezone="UTC", language="en")
    return await store.enrolments.start(chat_id, "cso", cadence="weekly", days=["mon"],
                                        local_time="09:00", next_due_at=due)


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_a_step_held_open_in_one_chat_does_not_hold_another(store, clock):
    here, there = -100_700_000_001, -100_700_000_002
    held_programme = await start_programme(store, here, clock())
    other_programme = await start_programme(store, there, clock())
    items = ["cso-01", "cso-02"]

    async with store.db.transaction() as held:
        await held.lock_chats(here)
        # The other chat's next question opens while this chat's step is open...
        other = await asyncio.wait_for(store.prompts.open_next(
            other_programme.id, "there-1", item_ids=items, edit_closed=True), NEVER_SECONDS)
        assert other is not None and other.created
        assert other.sends  # its question is waiting in the outbox
        claimed = await asyncio.wait_for(
            store.outbox.claim(clock(), timedelta(minutes=5)), NEVER_SECONDS)
        assert [item.prompt_id for item in claimed] == [other.prompt.id]
        # ...while a step of this chat waits for it.
        waiting = asyncio.create_task(store.prompts.open_next(
            held_programme.id, "here-1", item_ids=items, edit_closed=True))
        await until(lambda: lock_waiters(store), seconds=NEVER_SECONDS,
                    what="the step of the held chat waiting for its lock")
        assert not waiting.done()
    opened = await asyncio.wait_for(waiting, NEVER_SECONDS)
    assert opened is not None and opened.created
    assert opened.prompt.item_id == "cso-01"


def headings(telegram, chat_id: int) -> list[str]:
    return [visible_text(c.params["text"]).splitlines()[0]
            for c in telegram.calls_to("sendMessage", chat_id=chat_id)
            if c.ok and " of 15" in visible_text(c.params["text"]).splitlines()[0]]


async def two_applications(settings, telegram, clock):
    """Two applications on one database and one Telegram, both ticking (as
    for a moment when the leader's lease changes hands)."""
    async for first in running(settings, telegram, clock):
        async for second in running(dataclasses.replace(settings), telegram, clock):
            if second.app.bot_data.leadership is not None:
                await second.app.bot_data.leadership.release()
                second.app.bot_data.leadership = None
            yield first, second


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_applications_racing_on_the_same_groups(settings, telegram, clock):
    async for first, second in two_applications(settings, telegram, clock):
        await race_rounds(first, second, random.Random(26))


@pytest.mark.parametrize("backend", ["postgresql"])
async def test_two_applications_racing_later_skip_and_answers_in_a_private_chat(
        settings, telegram, clock, packs):
    async for first, second in two_applications(settings, telegram, clock):
        await race_in_private(first, second, packs, random.Random(27))


async def race_in_private(first, second, packs, rng: random.Random) -> None:
    u = first.updates
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(first, rosa, private)
    enrolment = await first.store.enrolments.active_for(ROSA)
    order = [item.id for item in packs[enrolment.pack_id].items]
    for round_number in range(ROUNDS):
        await first.store.enrolments.set_next_due(enrolment.id, first.clock.now)
        await first.tick()
        await first.store.enrolments.set_next_due(enrolment.id, first.clock.now)
        answer = u.message(private, rosa, f"thoughts, round {round_number}")
        racers = [first.tick(), second.tick(), second.send(u.command(private, rosa, "/later")),
                  first.send(u.command(private, rosa, "/skip")),
                  (first, second)[round_number % 2].send(answer)]
        rng.shuffle(racers)
        await asyncio.gather(*racers)
        prompts = await first.store.prompts.list_for_chat(ROSA)
        assert sum(p.closed_at is None for p in prompts) <= 1
        first.clock.advance(hours=2)

    prompts = await first.store.prompts.list_for_chat(ROSA)
    positions = [order.index(p.item_id) for p in prompts]
    for before, after in itertools.pairwise(positions):
        assert after in (before, (before + 1) % len(order)), positions
    rows = await first.store.db.fetch_all(
        "SELECT prompt_id, state FROM outbox WHERE chat_id = ? AND kind = 'question'", (ROSA,))
    assert sorted(row[0] for row in rows) == [p.id for p in prompts]
    shown = [c for c in first.telegram.calls_to("sendMessage", chat_id=ROSA)
             if c.ok and re.search(r"Theory U: a learning journey · \d+ of \d+$",
                                   visible_text(c.params["text"]).splitlines()[0])]
    assert len(shown) == len(prompts)  # each prompt reached her once, none passed over
    assert {row[1] for row in rows} == {"sent"}
    thanked = sum(visible_text(c.params["text"]).startswith(
                      ("📓 Saved in your journal", "📓 Added to your journal"))
                  for c in first.telegram.calls_to("sendMessage", chat_id=ROSA) if c.ok)
    # Two messages to one prompt (while her prompts rest, nothing new comes)
    # are one answer in two parts: every message she was thanked for is kept.
    saved = [part for a in await first.store.answers.for_member_in_chat(ROSA, ROSA)
             if a.text for part in a.text.split("\n\n") if part.startswith("thoughts, round")]
    assert len(saved) == len(set(saved)) == thanked


async def race_rounds(first, second, rng: random.Random) -> None:
    u = first.updates
    for round_number in range(ROUNDS):
        chat_id = -100_800_000 - round_number
        group = make_group(first, chat_id)
        await first.send(u.bot_added(group.chat, group.ana))
        await run_setup(first, group)
        enrolment = await first.store.enrolments.active_for(chat_id)
        await first.store.enrolments.set_next_due(enrolment.id, first.clock.now)
        await first.tick()
        opened = (await first.store.prompts.list_for_chat(chat_id))[-1]
        question = first.telegram.message(chat_id, opened.message_id)
        await first.store.enrolments.set_next_due(enrolment.id, first.clock.now)
        taps = [u.callback(group.chat, person, question, f"1|r|{opened.id}|{rng.randint(1, 5)}")
                for person in (group.bruno, group.carla, group.dev)]
        racers = [first.tick(), second.tick(),
                  first.send(u.command(group.chat, group.ana, "/ask")),
                  second.send(u.command(group.chat, group.ana, "/skip")),
                  *((first, second)[n % 2].send(tap) for n, tap in enumerate(taps))]
        rng.shuffle(racers)
        await asyncio.gather(*racers)

        prompts = await first.store.prompts.list_for_chat(chat_id)
        sent = headings(first.telegram, chat_id)
        assert len(sent) == len(set(sent)) == len(prompts), sent
        assert [p.item_id for p in prompts] == [f"cso-{n:02d}" for n in
                                                range(1, len(prompts) + 1)]
        assert 2 <= len(prompts) <= 4
        assert (await second.store.enrolments.active_for(chat_id)).cursor == len(prompts)
        assert [p.closed_at is None for p in prompts] == [False] * (len(prompts) - 1) + [True]
        thanked = sum(1 for c in first.telegram.calls_to("answerCallbackQuery")
                      if c.params.get("text") == "Saved, thank you!"
                      and c.params["callback_query_id"] in {t["callback_query"]["id"]
                                                            for t in taps})
        saved = [a for a in await first.store.answers.for_prompt(opened.id) if a.scale]
        assert len(saved) == thanked
        assert set(Counter(a.user_id for a in saved).values()) <= {1}
        rows = await first.store.db.fetch_all(
            "SELECT prompt_id FROM outbox WHERE chat_id = ? AND kind = 'question'", (chat_id,))
        assert sorted(row[0] for row in rows) == [p.id for p in prompts]
