"""Two replicas on one PostgreSQL cannot disagree: the leader steps down the
moment its lease's connection ends, and a round under way stops sending
then (the next leader sends the rest, each question once); replicas take
turns to edit a question's live count; and the closing edit has the last
word over a count edit another replica had under way.

Each replica is a real Application on the one stand-in Telegram (in-process,
cheaper than processes: tests/test_replicas.py runs processes)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest

from bot.sandbox.telegram import UpdateFactory
from bot.services import outbox

from helpers.app import Harness, start_app, stop_app
from helpers.group import ask, make_group, press, run_setup
from helpers.processes import on_server, until
from helpers.rounds import make_due_groups, questions_by_chat, slow_telegram

GROUPS = 40


@pytest.fixture(params=["postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
async def second(settings, telegram, clock, harness):
    """Another replica on the same database and the same Telegram, started
    after `harness` (which therefore leads)."""
    app = await start_app(settings, telegram, clock)
    try:
        yield Harness(app, telegram, UpdateFactory(telegram), clock, settings)
    finally:
        await stop_app(app)


async def end_lease_connection(harness: Harness) -> None:
    """What a PostgreSQL restart or a dropped connection does to the lease."""
    lease = harness.app.bot_data.leadership.lease
    pid = lease._connection.get_server_pid()
    await on_server(harness.settings.database_url, f"SELECT pg_terminate_backend({pid})")


async def test_the_leader_steps_down_the_moment_its_lease_connection_ends(harness, second):
    first = harness.app.bot_data.leadership
    assert first.leading and not second.app.bot_data.leadership.leading

    await end_lease_connection(harness)

    # Told by the connection's end, not at its next check of the lease.
    await until(lambda: not first.leading, 30, "the leader stepping down")
    assert first.stepped_down.is_set()
    assert await second.app.bot_data.leadership.check()


async def test_a_round_stops_when_its_leader_loses_the_lease_and_the_next_sends_the_rest_once(
        harness, second, monkeypatch):
    chats = await make_due_groups(harness.store, GROUPS, -3000,
                                  harness.clock.now - timedelta(minutes=1))
    slow_telegram(monkeypatch, harness.telegram, 0.25)
    round_under_way = asyncio.create_task(harness.tick())
    await until(lambda: len(questions_by_chat(harness.telegram)) >= 3, 60,
                "the round's first questions")

    await end_lease_connection(harness)
    await asyncio.wait_for(round_under_way, 30)

    sent_by_first = questions_by_chat(harness.telegram)
    assert len(sent_by_first) < GROUPS  # it stopped sending mid-round
    monkeypatch.undo()
    assert await second.app.bot_data.leadership.check()
    await second.tick()
    assert questions_by_chat(harness.telegram) == {chat: 1 for chat in chats}
    assert await harness.store.outbox.counts() == {"sent": GROUPS}


def count_edits(harness: Harness, chat_id: int, message_id: int) -> list:
    return [call for call in harness.telegram.calls_to("editMessageText", chat_id=chat_id)
            if call.params["message_id"] == message_id and call.error is None
            and call.params.get("reply_markup")]


async def test_replicas_take_turns_to_edit_a_questions_live_count(harness, second):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    chat_id, message_id = group.chat["id"], question["message_id"]
    prompt = await harness.store.prompts.by_message(chat_id, message_id)
    # A tap handled by each replica, a moment apart: each would edit the count.
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await harness.app.bot_data.counts.now(harness.app.bot, harness.app.bot_data, paced=True)
    assert len(count_edits(harness, chat_id, message_id)) == 1
    await press(second, group.chat, group.carla, question, f"1|r|{prompt.id}|2")
    await second.app.bot_data.counts.now(second.app.bot, second.app.bot_data, paced=True)

    assert len(count_edits(harness, chat_id, message_id)) == 1
    assert second.app.bot_data.counts.pending == [prompt.id]  # its turn comes later
    harness.clock.advance(seconds=harness.settings.count_refresh_seconds)
    await second.app.bot_data.counts.now(second.app.bot, second.app.bot_data, paced=True)
    edits = count_edits(harness, chat_id, message_id)
    assert len(edits) == 2
    assert "2 people" in edits[-1].params["text"]


async def test_the_closing_edit_has_the_last_word_over_a_count_edit_landing_after_it(
        harness, second, monkeypatch):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    chat_id, message_id = group.chat["id"], question["message_id"]
    prompt = await harness.store.prompts.by_message(chat_id, message_id)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    # The first replica's count edit waits on its way to Telegram...
    handle, held, let_go = harness.telegram.handle, asyncio.Event(), asyncio.Event()

    async def holding_the_count_edit(api_method, params, files):
        if (api_method == "editMessageText" and params.get("reply_markup")
                and params.get("message_id") == message_id and not held.is_set()):
            held.set()
            await let_go.wait()
        return await handle(api_method, params, files)

    monkeypatch.setattr(harness.telegram, "handle", holding_the_count_edit)
    counting = asyncio.create_task(
        harness.app.bot_data.counts.now(harness.app.bot, harness.app.bot_data))
    await until(held.is_set, 30, "the count edit under way")
    # ...while the other replica closes the question (a coordinator's /ask)
    # and its closing edit goes out first.
    await second.send(second.updates.command(group.chat, group.ana, "/ask"))
    closing = [call for call in harness.telegram.calls_to("editMessageText", chat_id=chat_id)
               if call.params["message_id"] == message_id and not call.params.get("reply_markup")]
    assert closing, "the other replica's closing edit"
    let_go.set()
    await asyncio.wait_for(counting, 30)

    final = harness.telegram.message(chat_id, message_id)
    assert not final.get("reply_markup", {}).get("inline_keyboard")  # no buttons back
    last = [call for call in harness.telegram.calls_to("editMessageText", chat_id=chat_id)
            if call.params["message_id"] == message_id][-1]
    assert not last.params.get("reply_markup")
    assert last.params["text"] == closing[-1].params["text"]


async def test_a_send_whose_write_waits_for_the_database_is_not_sent_again_by_the_next_leader(
        harness, second, monkeypatch):
    """The leader loses its lease (the database went away) just after
    Telegram took a question and before the database took its "sent": the
    outcome is kept in memory and written when the database is back; the
    next leader sends the round's other questions but never that one, not
    even once its claim would have lapsed."""
    chats = await make_due_groups(harness.store, 3, -4000,
                                  harness.clock.now - timedelta(minutes=1))
    store = harness.store.outbox
    question_sent, database_back, tries = store.question_sent, asyncio.Event(), []

    async def away_until_back(*args):
        tries.append(args)
        if len(tries) == 1:
            await end_lease_connection(harness)
        if not database_back.is_set():
            raise asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed")
        return await question_sent(*args)

    monkeypatch.setattr(store, "question_sent", away_until_back)
    # However long the database takes: no grace that could end first.
    monkeypatch.setattr(outbox, "STOP_GRACE", 0)
    round_under_way = asyncio.create_task(harness.tick())
    await until(lambda: not harness.app.bot_data.leadership.leading, 30, "the lead lost")
    [(first_row, *_)] = tries[:1]

    assert await second.app.bot_data.leadership.check()
    await second.tick()  # the round's other questions
    database_back.set()
    await asyncio.wait_for(round_under_way, 30)
    harness.clock.advance(minutes=2 * outbox.LEASE.total_seconds() / 60)
    await second.tick()

    assert questions_by_chat(harness.telegram) == {chat: 1 for chat in chats}
    assert (await harness.store.outbox.get(first_row)).state == "sent"
    assert await harness.store.outbox.counts() == {"sent": 3}
