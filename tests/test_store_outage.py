"""The database out of reach while taps and comments come in (issue 25, item 0).

An update is confirmed to Telegram only once it is handled or safely kept:
when the database cannot be reached, the webhook answers 503 (Telegram
sends the update again) and the poller keeps the offset below it and tries
it again. Every tap and comment ends up saved exactly once, and nobody is
told something false ("Nothing you sent was lost" while it was not saved).

The outage here is made in the process, on both databases: SQLite's
statements fail as on a locked or failing file ("database is locked"),
PostgreSQL's connections are refused as by a stopped server. A window of
the issue's 2, 5 or 20 seconds is imitated by a condition instead of a
duration: the database stays away until every update sent meanwhile has
met it at least once, then comes back. The last test stops a real
PostgreSQL server for a few seconds, in webhook mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import subprocess
from dataclasses import replace

import aiohttp
import pytest

from bot.runtime import polling
from bot.runtime.polling import ConfirmingPoller
from bot.runtime.server import SECRET_HEADER, WebServer

from helpers.app import running, start_app, stop_app
from helpers.group import GROUP_ID, ask, make_group, run_setup
from helpers.postgres import _FAST, ThrowawayPostgres, server_programs
from helpers.processes import until

SECRET = "webhook-secret-for-tests-0123456789"
NOT_SAVED_YET = "Couldn't save that just now. I'll try again by myself in a moment."
FALSE_COMFORT = "Nothing you sent was lost"


@pytest.fixture
def settings(settings):
    return replace(settings, webhook_url="https://bot.example.org/telegram",
                   webhook_secret=SECRET, port=0, listen="127.0.0.1")


class Outage:
    """Makes the harness's database unreachable until `end`."""

    def __init__(self, db):
        self.db = db
        self.on = False
        self.refused = 0
        if db.dialect == "sqlite":
            db._connection = _FailingConnection(db._connection, self)
        else:
            db._pool = _RefusingPool(db._pool, self)

    def begin(self) -> None:
        self.on = True

    def end(self) -> None:
        self.on = False

    def fail(self) -> None:
        self.refused += 1
        if self.db.dialect == "sqlite":
            raise sqlite3.OperationalError("database is locked")
        raise ConnectionRefusedError(111, "Connect call failed")


class _FailingConnection:
    def __init__(self, connection, outage: Outage):
        self._connection, self._outage = connection, outage

    def execute(self, sql, *args):
        # A rollback still goes through, as it does when a statement fails.
        if self._outage.on and not sql.startswith("ROLLBACK"):
            self._outage.fail()
        return self._connection.execute(sql, *args)

    def executemany(self, sql, *args):
        if self._outage.on:
            self._outage.fail()
        return self._connection.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self._connection, name)


class _RefusingPool:
    def __init__(self, pool, outage: Outage):
        self._pool, self._outage = pool, outage

    def acquire(self, *args, **kwargs):
        if self._outage.on:
            self._outage.fail()
        return self._pool.acquire(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._pool, name)


class Stream:
    """Members of one group answering its question: even ones tap, odd ones
    reply with a comment."""

    def __init__(self, harness, group, question: dict, prompt_id: int, count: int):
        u = harness.updates
        self.harness, self.prompt_id = harness, prompt_id
        self.people = [u.user(3000 + n, f"Member {n}") for n in range(count)]
        self.updates = [
            u.callback(group.chat, person, question, f"1|r|{prompt_id}|{1 + n % 5}") if n % 2 == 0
            else u.reply(group.chat, person, question, f"Comment number {n}")
            for n, person in enumerate(self.people)]

    def thirds(self) -> tuple[list[dict], list[dict], list[dict]]:
        third = len(self.updates) // 3
        return (self.updates[:third], self.updates[third:2 * third],
                self.updates[2 * third:])

    async def check_saved_once(self) -> None:
        store, telegram = self.harness.store, self.harness.telegram
        answers = await store.answers.for_prompt(self.prompt_id)
        assert len(answers) == len(self.people)  # one each, none twice, none missing
        for n, person in enumerate(self.people):
            saved = await store.answers.get(self.prompt_id, person["id"])
            if n % 2 == 0:
                assert saved.scale == 1 + n % 5
            else:
                assert saved.text == f"Comment number {n}"
                assert await store.answers.history(saved.id) == []  # saved once, not edited
        comments = [update["message"]["message_id"] for update in self.updates
                    if "message" in update]
        reactions = [call.params["message_id"] for call in
                     telegram.calls_to("setMessageReaction", chat_id=GROUP_ID)]
        assert sorted(reactions) == sorted(comments)  # each ✍ once, once saved

    def check_nothing_false_said(self) -> list[str]:
        """What the bot said in pop-ups and messages: never the false comfort;
        a pop-up is "saved" or "not saved yet". Returns the pop-ups."""
        telegram = self.harness.telegram
        said = [call.params.get("text") or "" for call in telegram.calls
                if call.method in ("sendMessage", "answerCallbackQuery")]
        assert not [text for text in said if FALSE_COMFORT in text]
        queries = {update["callback_query"]["id"] for update in self.updates
                   if "callback_query" in update}
        popups = [call.params.get("text") for call in telegram.calls_to("answerCallbackQuery")
                  if call.params.get("callback_query_id") in queries]
        assert set(popups) <= {"Saved, thank you!", NOT_SAVED_YET}
        return popups


async def a_question(harness, count: int = 30) -> Stream:
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    return Stream(harness, group, question, prompt.id, count)


async def test_polling_confirms_nothing_while_the_database_is_away(harness, monkeypatch):
    stream = await a_question(harness)
    before, during, after = stream.thirds()
    monkeypatch.setattr(polling, "_FIRST_RETRY", 0.05)  # the retries' waits, shortened
    monkeypatch.setattr(polling, "_LONGEST_STORE_RETRY", 0.2)
    results: dict[int, list[bool]] = {}
    process = polling.process

    async def noted(application, update, **kwargs):
        handled = await process(application, update, **kwargs)
        results.setdefault(update.update_id, []).append(handled)
        return handled

    monkeypatch.setattr(polling, "process", noted)
    outage = Outage(harness.store.db)
    stop = asyncio.Event()
    poller = ConfirmingPoller(harness.app, poll_seconds=1)
    task = asyncio.create_task(poller.run(stop))
    for update in before:
        harness.telegram.push_update(update)
    await until(lambda: all(True in results.get(u["update_id"], []) for u in before), seconds=60)
    outage.begin()
    for update in during:
        harness.telegram.push_update(update)
    # Away until every update sent meanwhile is in hand and the first has
    # met it three times: the group's later ones wait behind it, in order.
    first_unsaved = min(u["update_id"] for u in during)
    await until(lambda: results.get(first_unsaved, []).count(False) >= 3
                and all(u["update_id"] in poller._running for u in during), seconds=60)
    assert poller.offset <= first_unsaved  # none of them confirmed to Telegram
    outage.end()
    for update in after:
        harness.telegram.push_update(update)
    everything = {u["update_id"] for u in stream.updates}
    await until(lambda: all(True in results.get(n, []) for n in everything), seconds=60)
    stop.set()
    await task
    assert outage.refused > 0
    assert poller.offset == max(everything) + 1
    await harness.app.bot_data.settle()
    await stream.check_saved_once()
    popups = stream.check_nothing_false_said()
    taps_refused = sum(1 for u in stream.updates
                       if "callback_query" in u and False in results[u["update_id"]])
    assert taps_refused >= 1
    assert popups.count(NOT_SAVED_YET) == taps_refused  # told once each, not at every retry


async def deliver(http, port: int, update: dict, statuses: list[int]) -> None:
    """What Telegram does with a webhook: send again, a moment later, until 200."""
    while True:
        async with http.post(f"http://127.0.0.1:{port}/telegram", json=update,
                             headers={SECRET_HEADER: SECRET}) as answer:
            statuses.append(answer.status)
            if answer.status == 200:
                return
            assert answer.status == 503
        await asyncio.sleep(0.05)


async def test_the_webhook_answers_503_while_the_database_is_away(harness):
    stream = await a_question(harness)
    before, during, after = stream.thirds()
    outage = Outage(harness.store.db)
    server = WebServer(harness.app, webhook=True)
    await server.start()
    statuses: dict[int, list[int]] = {u["update_id"]: [] for u in stream.updates}
    try:
        async with aiohttp.ClientSession() as http:
            for update in before:
                await deliver(http, server.port, update, statuses[update["update_id"]])
            outage.begin()
            sending = [asyncio.create_task(deliver(http, server.port, update,
                                                   statuses[update["update_id"]]))
                       for update in during]
            await until(lambda: all(statuses[u["update_id"]].count(503) >= 2 for u in during),
                        seconds=60)
            outage.end()
            await asyncio.wait_for(asyncio.gather(*sending), 60)
            for update in after:
                await deliver(http, server.port, update, statuses[update["update_id"]])
    finally:
        await server.stop()
    assert all(statuses[u["update_id"]] == [200] for u in before + after)
    assert all(statuses[u["update_id"]][-1] == 200 for u in during)
    await harness.app.bot_data.settle()
    await stream.check_saved_once()
    popups = stream.check_nothing_false_said()
    assert popups.count(NOT_SAVED_YET) == sum(1 for u in during if "callback_query" in u)
    assert harness.app.bot_data.metrics.registry.get_sample_value(
        "civic_reflect_updates_handled_total", {"via": "webhook"}) == len(stream.updates)


@pytest.mark.parametrize("backend", ["postgresql"])  # replicas share a PostgreSQL database
async def test_two_replicas_behind_one_address_while_postgresql_is_away(harness):
    """Telegram's deliveries spread over two replicas on one PostgreSQL, an
    update refused by one sent again to the other."""
    stream = await a_question(harness)
    before, during, after = stream.thirds()
    other = await start_app(harness.settings, harness.telegram, harness.clock)
    outages = [Outage(harness.store.db), Outage(other.bot_data.store.db)]
    servers = [WebServer(harness.app, webhook=True), WebServer(other, webhook=True)]
    for server in servers:
        await server.start()
    statuses: dict[int, list[int]] = {u["update_id"]: [] for u in stream.updates}

    async def spread(update: dict) -> None:
        """Deliver to one replica, then to the other after each 503."""
        turn = update["update_id"]
        while True:
            port = servers[turn % 2].port
            async with http.post(f"http://127.0.0.1:{port}/telegram", json=update,
                                 headers={SECRET_HEADER: SECRET}) as answer:
                statuses[update["update_id"]].append(answer.status)
                if answer.status == 200:
                    return
            turn += 1
            await asyncio.sleep(0.05)

    try:
        async with aiohttp.ClientSession() as http:
            for update in before:
                await spread(update)
            for outage in outages:
                outage.begin()
            sending = [asyncio.create_task(spread(update)) for update in during]
            await until(lambda: all(statuses[u["update_id"]].count(503) >= 2 for u in during),
                        seconds=60)
            for outage in outages:
                outage.end()
            await asyncio.wait_for(asyncio.gather(*sending), 60)
            for update in after:
                await spread(update)
    finally:
        for server in servers:
            await server.stop()
        await other.bot_data.settle()
        await stop_app(other)
    assert set(statuses[u["update_id"]][-1] for u in stream.updates) == {200}
    assert all(set(statuses[u["update_id"]]) <= {200, 503} for u in stream.updates)
    await harness.app.bot_data.settle()
    await stream.check_saved_once()
    stream.check_nothing_false_said()


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["sqlite"])  # the database is the server started here
async def test_a_real_postgresql_server_stopped_for_seconds_in_webhook_mode(
    settings, telegram, clock
):
    if server_programs() is None:
        pytest.skip("no PostgreSQL server programs")
    postgres = ThrowawayPostgres()
    url = postgres.start()
    pg_ctl = str(postgres.programs / "pg_ctl")
    try:
        async for harness in running(replace(settings, database_url=url), telegram, clock):
            stream = await a_question(harness, count=24)
            before, during, after = stream.thirds()
            server = WebServer(harness.app, webhook=True)
            await server.start()
            statuses: dict[int, list[int]] = {u["update_id"]: [] for u in stream.updates}
            try:
                async with aiohttp.ClientSession() as http:
                    for update in before:
                        await deliver(http, server.port, update, statuses[update["update_id"]])
                    await asyncio.to_thread(postgres._run, pg_ctl, "-D", str(postgres.data),
                                            "-m", "fast", "-w", "stop")
                    sending = [asyncio.create_task(deliver(http, server.port, update,
                                                           statuses[update["update_id"]]))
                               for update in during]
                    waiting = [update["update_id"] for update in during]
                    await until(lambda seen=statuses, ids=waiting: all(503 in seen[n] for n in ids),
                                seconds=60)
                    await asyncio.sleep(2)  # a few seconds away, Telegram sending again
                    await asyncio.to_thread(postgres._run, pg_ctl, "-D", str(postgres.data),
                                            "-l", str(postgres.folder / "server.log"), "-w",
                                            "-t", "60", "-o", f"{_FAST} -k {postgres.folder}",
                                            "start")
                    await asyncio.wait_for(asyncio.gather(*sending), 60)
                    for update in after:
                        await deliver(http, server.port, update, statuses[update["update_id"]])
            finally:
                await server.stop()
            await harness.app.bot_data.settle()
            await stream.check_saved_once()
            stream.check_nothing_false_said()
            assert all(statuses[u["update_id"]][-1] == 200 for u in stream.updates)
    finally:
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            postgres.stop()


async def test_only_the_database_out_of_reach_counts_as_away(tmp_path, clock, monkeypatch):
    """A locked file is the database away; a bad statement, or an OSError
    that did not come through the store, is not (trying again would only
    fail again)."""
    from bot.store import Store, lock_wait
    from bot.store.outage import is_unavailable

    monkeypatch.setattr(lock_wait, "LOCK_PATIENCE_SECONDS", 0.1)  # locked: at once, not in 30 s
    store = await Store.open(tmp_path / "bot.sqlite3", clock)
    other = sqlite3.connect(tmp_path / "bot.sqlite3", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process writing: the file is locked
        with pytest.raises(sqlite3.OperationalError) as locked:
            await store.db.execute("DELETE FROM outbox WHERE id = -1")
        assert is_unavailable(locked.value)
        other.execute("ROLLBACK")
        with pytest.raises(sqlite3.OperationalError) as bad:
            await store.db.fetch_value("SELECT * FROM no_such_table")
        assert not is_unavailable(bad.value)
    finally:
        other.close()
        await store.close()
    try:
        open(tmp_path / "no-such-folder" / "font.ttf", "rb")  # noqa: SIM115
    except OSError as elsewhere:
        assert not is_unavailable(elsewhere)
    assert not is_unavailable(ConnectionRefusedError(111, "refused"))  # never raised: no trace
