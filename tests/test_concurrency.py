"""Jobs run side by side with handlers: the scheduler's tick started together
with /ask, /skip, /later and answers, many times over. Every question is sent
once, the programme moves on once per question, no answer is lost."""

from __future__ import annotations

import asyncio
import itertools
import random
import re
from collections import Counter

from bot.sandbox.telegram import visible_text

from helpers.group import make_group, run_setup
from helpers.personal import ROSA, onboard

ROUNDS = 25


def headings(harness, chat_id: int) -> list[str]:
    return [visible_text(c.params["text"]).splitlines()[0]
            for c in harness.telegram.calls_to("sendMessage", chat_id=chat_id)
            if c.ok and " of 15" in visible_text(c.params["text"]).splitlines()[0]]


async def test_the_tick_racing_ask_skip_and_answers_in_groups(harness):
    rng = random.Random(7)
    u = harness.updates
    for round_number in range(ROUNDS):
        chat_id = -100_900_000 - round_number
        group = make_group(harness, chat_id)
        await harness.send(u.bot_added(group.chat, group.ana))
        await run_setup(harness, group)
        enrolment = await harness.store.enrolments.active_for(chat_id)
        # Due now: the tick wants to send the next question as /ask and /skip do.
        await harness.store.enrolments.set_next_due(enrolment.id, harness.clock.now)
        await harness.tick()  # a first question to answer and to close
        first = (await harness.store.prompts.list_for_chat(chat_id))[-1]
        question = harness.telegram.message(chat_id, first.message_id)
        await harness.store.enrolments.set_next_due(enrolment.id, harness.clock.now)
        taps = [u.callback(group.chat, person, question, f"1|r|{first.id}|{rng.randint(1, 5)}")
                for person in (group.bruno, group.carla, group.dev)]
        racers = [harness.tick(), harness.send(u.command(group.chat, group.ana, "/ask")),
                  harness.send(u.command(group.chat, group.ana, "/skip")),
                  *(harness.send(tap) for tap in taps)]
        rng.shuffle(racers)
        await asyncio.gather(*racers)

        prompts = await harness.store.prompts.list_for_chat(chat_id)
        sent = headings(harness, chat_id)
        # However they met: each question opened was shown once, in order, none passed over.
        assert len(sent) == len(set(sent)) == len(prompts), sent
        assert [p.item_id for p in prompts] == [f"cso-{n:02d}" for n in
                                                range(1, len(prompts) + 1)]
        assert 2 <= len(prompts) <= 4  # the first, then the tick, /ask and /skip (or fewer)
        assert (await harness.store.enrolments.active_for(chat_id)).cursor == len(prompts)
        assert [p.closed_at is None for p in prompts] == [False] * (len(prompts) - 1) + [True]
        # Every tap the bot said it saved is in the database.
        thanked = sum(1 for c in harness.telegram.calls_to("answerCallbackQuery")
                      if c.params.get("text") == "Saved, thank you!"
                      and c.params["callback_query_id"] in {t["callback_query"]["id"]
                                                            for t in taps})
        saved = [a for a in await harness.store.answers.for_prompt(first.id) if a.scale]
        assert len(saved) == thanked
        assert set(Counter(a.user_id for a in saved).values()) <= {1}


async def test_the_tick_racing_later_skip_and_an_answer_in_a_private_chat(
        harness, packs, monkeypatch):
    # A round whose answer lands before its /later and /skip leaves prompts
    # unanswered, and three in a row would rest the programme (tested in
    # test_personal_rest.py): here every round must open a prompt.
    monkeypatch.setattr("bot.store.enrolments.should_rest", lambda answered: False)
    u = harness.updates
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    enrolment = await harness.store.enrolments.active_for(ROSA)
    order = [item.id for item in packs[enrolment.pack_id].items]
    rng = random.Random(11)
    for round_number in range(ROUNDS):
        await harness.store.enrolments.set_next_due(enrolment.id, harness.clock.now)
        await harness.tick()
        await harness.store.enrolments.set_next_due(enrolment.id, harness.clock.now)
        answer = u.message(private, rosa, f"thoughts, round {round_number}")
        racers = [harness.tick(), harness.send(u.command(private, rosa, "/later")),
                  harness.send(u.command(private, rosa, "/skip")), harness.send(answer)]
        rng.shuffle(racers)
        await asyncio.gather(*racers)
        prompts = await harness.store.prompts.list_for_chat(ROSA)
        assert sum(p.closed_at is None for p in prompts) <= 1
        harness.clock.advance(hours=2)

    prompts = await harness.store.prompts.list_for_chat(ROSA)
    # Each step moves the programme on by one, or (after /later) asks the same again.
    positions = [order.index(p.item_id) for p in prompts]
    for before, after in itertools.pairwise(positions):
        assert after in (before, (before + 1) % len(order)), positions
    final = await harness.store.enrolments.active_for(ROSA)
    assert final.cursor % len(order) in (positions[-1], (positions[-1] + 1) % len(order))
    # No prompt reached Rosa twice.
    rows = await harness.store.db.fetch_all(
        "SELECT prompt_id, state FROM outbox WHERE chat_id = ? AND kind = 'question'", (ROSA,))
    assert sorted(row[0] for row in rows) == [p.id for p in prompts]
    shown = [c for c in harness.telegram.calls_to("sendMessage", chat_id=ROSA)
             if c.ok and re.search(r"Theory U: a learning journey · \d+ of \d+$",
                                   visible_text(c.params["text"]).splitlines()[0])]
    assert len(shown) == len(prompts)  # each prompt reached her once, none passed over
    assert {row[1] for row in rows} == {"sent"}
    # Every answer the bot said it saved is in her journal, once.
    # (Two messages to one prompt, while her prompts rest, are one answer
    # in two parts.)
    thanked = sum(visible_text(c.params["text"]).startswith(
                      ("📓 Saved in your journal", "📓 Added to your journal"))
                  for c in harness.telegram.calls_to("sendMessage", chat_id=ROSA) if c.ok)
    saved = [part for a in await harness.store.answers.for_member_in_chat(ROSA, ROSA)
             if a.text for part in a.text.split("\n\n") if part.startswith("thoughts, round")]
    assert len(saved) == len(set(saved)) == thanked
