"""Long polling that confirms updates only once handled, with chats side by
side, and handlers that change nothing twice when Telegram sends an update
again (after a crash)."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

from bot.runtime.ordering import InChatOrder
from bot.runtime.polling import ConfirmingPoller
from bot.store.parked import ParkedUpdates

from helpers.group import GROUP_ID, ask, make_group, run_setup
from helpers.processes import until


def offsets_asked(harness) -> list[int | None]:
    return [c.params.get("offset") for c in harness.telegram.calls_to("getUpdates")]


async def test_an_update_is_confirmed_only_once_handled_or_kept(harness, monkeypatch):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    slow = asyncio.Event()
    record = harness.store.answers.record

    async def held_record(*args, **kwargs):
        await slow.wait()
        return await record(*args, **kwargs)

    monkeypatch.setattr(harness.store.answers, "record", held_record)
    kept_after_polls: list[int] = []  # how many polls had been made when the tap was kept
    park = ParkedUpdates.park

    async def noted_park(self, updates, now):
        await park(self, updates, now)
        kept_after_polls.append(len(offsets_asked(harness)))

    monkeypatch.setattr(ParkedUpdates, "park", noted_park)
    tap = harness.updates.callback(group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    harness.telegram.push_update(tap)
    stop = asyncio.Event()
    poller = ConfirmingPoller(harness.app, poll_seconds=1)
    polling = asyncio.create_task(poller.run(stop))
    await until(lambda: tap["update_id"] in poller._running, seconds=30)
    polls = len(offsets_asked(harness))
    await until(lambda: len(offsets_asked(harness)) >= polls + 2, seconds=30)
    assert tap["update_id"] in poller._running  # several polls while the tap is held
    # Telegram was told the tap was done only once it was kept in the database.
    assert await poller.parked.count() == 1 and kept_after_polls
    asked = offsets_asked(harness)
    assert all(offset is None or offset <= tap["update_id"]
               for offset in asked[:kept_after_polls[0]])
    assert asked[-1] == tap["update_id"] + 1
    slow.set()
    await until(lambda: not poller._running, seconds=30)
    stop.set()
    await polling
    assert offsets_asked(harness)[-1] == tap["update_id"] + 1
    assert (await harness.store.answers.get(prompt.id, group.bruno["id"])).scale == 4
    assert await poller.parked.count() == 0  # handled: no longer kept


async def test_a_slow_chat_does_not_hold_up_the_others_and_each_keeps_its_order(
    harness, monkeypatch
):
    slow_group, quick_group = make_group(harness, -100501), make_group(harness, -100502)
    for group in (slow_group, quick_group):
        await harness.send(harness.updates.bot_added(group.chat, group.ana))
    held = asyncio.Event()
    seen: list[tuple[int, str]] = []
    remember = harness.store.members.seen

    async def slow_for_one_group(chat_id, user_id, name, username=None):
        if chat_id == slow_group.chat["id"]:
            await held.wait()
        seen.append((chat_id, name))
        return await remember(chat_id, user_id, name, username)

    monkeypatch.setattr(harness.store.members, "seen", slow_for_one_group)
    u = harness.updates
    for person in (slow_group.bruno, slow_group.carla):
        harness.telegram.push_update(u.command(slow_group.chat, person, "/join"))
    for person in (quick_group.bruno, quick_group.carla, quick_group.dev):
        harness.telegram.push_update(u.command(quick_group.chat, person, "/join"))
    stop = asyncio.Event()
    polling = asyncio.create_task(ConfirmingPoller(harness.app, poll_seconds=1).run(stop))
    await until(lambda: len(seen) == 3, seconds=30)
    assert [name for _, name in seen] == ["Bruno", "Carla", "Dev"]  # the quick group, in order
    held.set()
    await until(lambda: len(seen) == 5, seconds=30)
    assert [name for chat, name in seen if chat == slow_group.chat["id"]] == ["Bruno", "Carla"]
    stop.set()
    await polling


async def test_updates_sent_again_after_a_crash_change_nothing_twice(harness):
    """What Telegram does after a crash: the same updates again."""
    group = make_group(harness)
    u = harness.updates
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    ask_command = u.command(group.chat, group.ana, "/ask")
    await harness.send(ask_command)
    await harness.send(ask_command)
    prompts = await harness.store.prompts.list_for_chat(GROUP_ID)
    assert len(prompts) == 1  # one question, whatever the number of deliveries
    question = harness.telegram.message(GROUP_ID, prompts[0].message_id)
    tap = u.callback(group.chat, group.bruno, question, f"1|r|{prompts[0].id}|4")
    comment = u.reply(group.chat, group.carla, question, "Said once")
    for update in (tap, comment, tap, comment):
        await harness.send(update)
    bruno = await harness.store.answers.get(prompts[0].id, group.bruno["id"])
    carla = await harness.store.answers.get(prompts[0].id, group.carla["id"])
    assert (bruno.scale, carla.text) == (4, "Said once")
    assert await harness.store.answers.history(bruno.id) == []
    assert await harness.store.answers.history(carla.id) == []
    skip_command = u.command(group.chat, group.ana, "/skip")
    await harness.send(skip_command)
    await harness.send(skip_command)
    assert len(await harness.store.prompts.list_for_chat(GROUP_ID)) == 2


def update_in(chat_id: int, number: int) -> SimpleNamespace:
    """What InChatOrder reads of an update."""
    return SimpleNamespace(update_id=number, effective_chat=SimpleNamespace(id=chat_id),
                           effective_user=None)


async def test_an_update_given_up_while_it_waits_lets_no_later_one_overtake_the_earlier():
    """The poller and the webhook keep order with the same InChatOrder: an
    update cancelled while waiting for its chat's earlier one neither marks
    that one done nor lets the next go before it."""
    order = InChatOrder()
    gate = asyncio.Event()
    done: list[int] = []

    async def work(update) -> None:
        if update.update_id == 1:
            await gate.wait()
        done.append(update.update_id)

    first, second, third = (asyncio.create_task(order.handle(update_in(-1, number), work))
                            for number in (1, 2, 3))
    await asyncio.sleep(0)  # a loop turn: the three are in hand, two of them waiting
    await asyncio.wait_for(order.handle(update_in(-2, 4), work), 30)  # another chat: at once
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    for _ in range(10):  # loop turns (no clock): time for the third to go, were it free to
        await asyncio.sleep(0)
    assert done == [4] and not third.done()
    gate.set()
    await asyncio.wait_for(asyncio.gather(first, third), 30)
    assert done == [4, 1, 3]
    assert order._tails == {}
