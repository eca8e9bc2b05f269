"""Updates never wait behind one chat (issue 25, item 1).

One chat's sends are held (what a 30-second send, a 429 waited out or a
group's flood limit does to it) while a thousand updates from two hundred
other chats come by long polling: every one of them is handled while the
slow chat's first send is still held, the slow chat's own updates wait, in
order, and none is lost, also across a crash. Telegram's getUpdates returns
at most 100 updates from the offset, as the stand-in does: before this
work, 100 handled updates behind the held one froze every poll.

The hold is an event the test sets, not a real 30 s: what is checked is
what happened while the send was held, never how long anything took.
"""

from __future__ import annotations

import asyncio
import logging

from bot.runtime.polling import ConfirmingPoller

from helpers.processes import until

SLOW = 555
OTHERS = range(1001, 1201)  # 200 chats
EACH = 5  # updates from each: 1,000 in all


def hold_sends_to(harness, chat_id: int, monkeypatch) -> tuple[asyncio.Event, list]:
    """Every request to `chat_id` waits until the returned event is set;
    the list holds the requests waiting so far."""
    release, held = asyncio.Event(), []
    request = harness.telegram.do_request

    async def slow_for_one_chat(url, method, request_data=None, *args, **kwargs):
        if request_data is not None and request_data.parameters.get("chat_id") == chat_id:
            held.append(url.rsplit("/", 1)[-1])
            await release.wait()
        return await request(url, method, request_data, *args, **kwargs)

    monkeypatch.setattr(harness.telegram, "do_request", slow_for_one_chat)
    return release, held


def handled_in_order(harness, monkeypatch) -> list[int]:
    """The ids of the updates the application finished handling, in order."""
    done: list[int] = []
    process = type(harness.app).process_update

    async def noted(app, update):
        await process(app, update)
        done.append(update.update_id)

    monkeypatch.setattr(type(harness.app), "process_update", noted)
    return done


async def kept_is(poller: ConfirmingPoller, count: int) -> bool:
    return await poller.parked.count() == count


def messages(harness, chat_id: int, count: int) -> list[dict]:
    u = harness.updates
    person = u.user(chat_id, f"Person {chat_id}")
    return [u.message(u.private_chat(person), person, f"note {n}") for n in range(count)]


async def test_a_thousand_updates_from_200_chats_go_by_a_chat_whose_sends_are_held(
    harness, monkeypatch
):
    release, held = hold_sends_to(harness, SLOW, monkeypatch)
    done = handled_in_order(harness, monkeypatch)
    slow = messages(harness, SLOW, EACH)
    for update in slow:
        harness.telegram.push_update(update)
    others = [update for chat in OTHERS for update in messages(harness, chat, EACH)]
    stop = asyncio.Event()
    poller = ConfirmingPoller(harness.app, poll_seconds=1)
    polling = asyncio.create_task(poller.run(stop))
    await until(lambda: held, seconds=60, what="the slow chat's first send")
    for update in others:  # they arrive after the slow chat's first update is held
        harness.telegram.push_update(update)
    other_ids = {update["update_id"] for update in others}
    await until(lambda: other_ids <= set(done), seconds=300,
                what=lambda: f"{len(other_ids & set(done))} of 1000 handled")
    # All 1,000 handled (each answered) while the slow chat's first send is still held.
    assert not release.is_set() and len(held) == 1
    assert len(harness.telegram.calls_to("sendMessage")) >= len(others)
    assert not {update["update_id"] for update in slow} & set(done)
    # Telegram was told of them, and of the slow chat's (kept in the database).
    assert poller.offset == others[-1]["update_id"] + 1
    # Kept in the database: the slow chat's five (rows of others go once handled).
    await until(lambda: kept_is(poller, EACH), seconds=30)
    release.set()
    slow_ids = [update["update_id"] for update in slow]
    await until(lambda: set(slow_ids) <= set(done), seconds=60)
    assert [n for n in done if n in slow_ids] == slow_ids  # in the order they came
    stop.set()
    await polling
    assert len(done) == len(set(done)) == len(others) + EACH  # each handled once
    assert await poller.parked.count() == 0


async def test_a_slow_chat_s_backlog_is_bounded_kept_in_the_database_and_taken_up_in_order(
    harness, monkeypatch, caplog
):
    release, held = hold_sends_to(harness, SLOW, monkeypatch)
    done = handled_in_order(harness, monkeypatch)
    caplog.set_level(logging.INFO, logger="bot.runtime.polling")
    slow = messages(harness, SLOW, 30)
    quick = messages(harness, 1001, 3)
    stop = asyncio.Event()
    poller = ConfirmingPoller(harness.app, poll_seconds=1, chat_backlog=4)
    polling = asyncio.create_task(poller.run(stop))
    for update in slow:
        harness.telegram.push_update(update)
    await until(lambda: held, seconds=60)
    for update in quick:
        harness.telegram.push_update(update)
    quick_ids = {update["update_id"] for update in quick}
    await until(lambda: quick_ids <= set(done), seconds=60)
    await until(lambda: poller.offset == quick[-1]["update_id"] + 1, seconds=60)
    # At most 4 of the slow chat's in memory; the rest only in the database.
    assert sum(1 for n in poller._running if n < quick[0]["update_id"]) <= 4
    await until(lambda: kept_is(poller, 30), seconds=30)
    overflow = [r.getMessage() for r in caplog.records if "kept in the database" in r.getMessage()]
    assert overflow == [f"chat {SLOW} has 4 updates in hand; its next ones, from update "
                        f"{slow[4]['update_id']}, are kept in the database until it catches up"]
    assert "Person" not in "\n".join(r.getMessage() for r in caplog.records)  # ids only
    release.set()
    slow_ids = [update["update_id"] for update in slow]
    await until(lambda: set(slow_ids) <= set(done), seconds=120)
    assert [n for n in done if n in slow_ids] == slow_ids
    stop.set()
    await polling
    assert len(done) == len(set(done)) == 33
    assert await poller.parked.count() == 0


async def test_updates_kept_for_a_slow_chat_are_handled_after_a_crash_in_order(
    harness, monkeypatch
):
    release, held = hold_sends_to(harness, SLOW, monkeypatch)
    done = handled_in_order(harness, monkeypatch)
    slow = messages(harness, SLOW, 6)
    quick = messages(harness, 1001, 2)
    stop = asyncio.Event()
    first = ConfirmingPoller(harness.app, poll_seconds=1, chat_backlog=2)
    polling = asyncio.create_task(first.run(stop))
    for update in slow:
        harness.telegram.push_update(update)
    await until(lambda: held, seconds=60)
    for update in quick:
        harness.telegram.push_update(update)
    await until(lambda: first.offset == quick[-1]["update_id"] + 1, seconds=60)
    await until(lambda: kept_is(first, 6), seconds=30)
    # The crash: the poller and everything it was handling end at once.
    polling.cancel()
    for task in list(first._running.values()):
        task.cancel()
    await asyncio.gather(polling, *first._running.values(), return_exceptions=True)
    release.set()
    assert not set(u["update_id"] for u in slow) & set(done)
    # The next start takes up what was kept, in order; Telegram has none of it.
    second = ConfirmingPoller(harness.app, poll_seconds=1, chat_backlog=2)
    polling = asyncio.create_task(second.run(stop))
    slow_ids = [update["update_id"] for update in slow]
    await until(lambda: set(slow_ids) <= set(done), seconds=60)
    assert [n for n in done if n in slow_ids] == slow_ids
    stop.set()
    await polling
    assert await second.parked.count() == 0
    assert len(harness.telegram.texts(SLOW)) == 6  # each answered once


async def test_an_update_kept_and_sent_again_by_telegram_is_handled_once(harness, monkeypatch):
    """A crash after an update was kept and before the offset passed it:
    the next start finds it both in the database and from Telegram."""
    from bot.store.parked import ParkedUpdate, ParkedUpdates

    done = handled_in_order(harness, monkeypatch)
    slow = messages(harness, SLOW, 3)
    kept = ParkedUpdates(harness.store.db)
    await kept.park([ParkedUpdate(u["update_id"], SLOW, u) for u in slow[:2]], harness.clock.now)
    for update in slow:  # Telegram never heard they were done
        harness.telegram.push_update(update)
    stop = asyncio.Event()
    poller = ConfirmingPoller(harness.app, poll_seconds=1)
    polling = asyncio.create_task(poller.run(stop))
    slow_ids = [update["update_id"] for update in slow]
    await until(lambda: set(slow_ids) <= set(done), seconds=60)
    await until(lambda: kept_is(poller, 0), seconds=30)
    stop.set()
    await polling
    assert done == slow_ids  # each once, in order
    assert len(harness.telegram.texts(SLOW)) == 3


async def test_a_stop_leaves_a_slow_chat_s_kept_updates_to_the_next_start(harness, monkeypatch):
    from bot.runtime import polling

    monkeypatch.setattr(polling, "_STOP_GRACE_SECONDS", 0.1)
    release, held = hold_sends_to(harness, SLOW, monkeypatch)
    done = handled_in_order(harness, monkeypatch)
    slow = messages(harness, SLOW, 4)
    stop = asyncio.Event()
    first = ConfirmingPoller(harness.app, poll_seconds=1)
    polling_task = asyncio.create_task(first.run(stop))
    for update in slow:
        harness.telegram.push_update(update)
    await until(lambda: held, seconds=60)
    await until(lambda: first.offset == slow[-1]["update_id"] + 1, seconds=60)
    stop.set()
    await asyncio.wait_for(polling_task, 60)  # stopped with the send still held
    assert not release.is_set() and not done
    assert await first.parked.count() == 4
    release.set()
    stop = asyncio.Event()
    second = ConfirmingPoller(harness.app, poll_seconds=1)
    polling_task = asyncio.create_task(second.run(stop))
    slow_ids = [update["update_id"] for update in slow]
    await until(lambda: set(slow_ids) <= set(done), seconds=60)
    await until(lambda: kept_is(second, 0), seconds=30)
    stop.set()
    await polling_task
    assert done == slow_ids
