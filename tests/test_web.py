"""The bot's HTTP server on the real Application: the webhook (secret checked,
an update acknowledged only once handled, the same update twice handled
once), /healthz and /metrics."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import timedelta

import aiohttp
import pytest

from bot.runtime.polling import ConfirmingPoller
from bot.runtime.server import SECRET_HEADER, WebServer
from bot.services.tick import dispatch_tick

from helpers.group import ask, make_group, press, run_setup
from helpers.processes import until

SECRET = "webhook-secret-for-tests-0123456789"


@pytest.fixture
def settings(settings):
    return replace(settings, webhook_url="https://bot.example.org/telegram",
                   webhook_secret=SECRET, port=0, listen="127.0.0.1")


@pytest.fixture
async def server(harness):
    running = WebServer(harness.app, webhook=True)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


def address(server: WebServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


async def post(http, server, update: dict, secret: str | None = SECRET) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with http.post(address(server, "/telegram"), json=update, headers=headers) as answer:
        return answer.status


async def test_requests_without_the_secret_are_refused_and_never_handled(
    harness, server, http, caplog
):
    u = harness.updates
    person = u.user(701, "Rosa")
    help_command = u.command(u.private_chat(person), person, "/help")
    caplog.set_level(logging.WARNING)
    assert await post(http, server, help_command, secret=None) == 403
    assert await post(http, server, help_command, secret=SECRET[:-1]) == 403
    assert await post(http, server, help_command, secret=SECRET + "x") == 403
    assert harness.telegram.calls_to("sendMessage") == []
    refused = harness.app.bot_data.metrics.registry.get_sample_value
    assert refused("civic_reflect_webhook_refused_total", {"reason": "no_secret"}) == 1
    assert refused("civic_reflect_webhook_refused_total", {"reason": "wrong_secret"}) == 2
    # The first refusal is logged at once; the next within the minute wait for the summary.
    assert [r.getMessage() for r in caplog.records if r.name == "bot.runtime.server"] == [
        "refused 1 webhook request(s) since the last such line (no_secret 1), "
        "the latest from 127.0.0.1"]
    assert all(SECRET[:10] not in r.getMessage() for r in caplog.records)
    # The right secret: handled.
    assert await post(http, server, help_command) == 200
    assert len(harness.telegram.calls_to("sendMessage", chat_id=701)) == 1
    # Not an update: refused without a traceback.
    async with http.post(address(server, "/telegram"), data=b"{not json",
                         headers={SECRET_HEADER: SECRET}) as answer:
        assert answer.status == 400


async def test_300_wrong_secrets_make_one_log_line_and_a_count_of_300(
    harness, server, http, caplog
):
    u = harness.updates
    person = u.user(701, "Rosa")
    help_command = u.command(u.private_chat(person), person, "/help")
    caplog.set_level(logging.WARNING)
    statuses = [await post(http, server, help_command, secret="not-the-secret")
                for _ in range(300)]
    assert statuses == [403] * 300
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.runtime.server"]
    assert 1 <= len(lines) <= 2, lines  # a second only if the run spans a minute
    assert harness.app.bot_data.metrics.registry.get_sample_value(
        "civic_reflect_webhook_refused_total", {"reason": "wrong_secret"}) == 300
    assert harness.telegram.calls_to("sendMessage") == []


async def test_the_refusal_summary_counts_what_came_since_the_last_line(harness, caplog):
    from bot.runtime.server import Refusals

    now = [1000.0]
    refusals = Refusals(harness.app, clock=lambda: now[0])
    caplog.set_level(logging.WARNING)
    for second in range(0, 125):  # one wrong secret a second for just over two minutes
        now[0] = 1000.0 + second
        refusals.refused("wrong_secret" if second % 5 else "bad_body", "198.51.100.7")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.runtime.server"]
    assert lines == [
        "refused 1 webhook request(s) since the last such line (bad_body 1), "
        "the latest from 198.51.100.7",
        "refused 60 webhook request(s) since the last such line (bad_body 12, "
        "wrong_secret 48), the latest from 198.51.100.7",
        "refused 60 webhook request(s) since the last such line (bad_body 12, "
        "wrong_secret 48), the latest from 198.51.100.7"]


# Bodies that are not an update, each refused with 400 (never a 500, never a traceback).
MALFORMED_BODIES = {
    "nested 100,000 deep": b'{"update_id": 1, "x": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
    "nested objects 100,000 deep": b'{"a": ' * 100_000 + b"1" + b"}" * 100_000,
    "update_id a list": b'{"update_id": [1, 2], "message": {}}',
    "update_id a string": b'{"update_id": "12"}',
    "update_id true": b'{"update_id": true}',
    "update_id a fraction": b'{"update_id": 1.5}',
    "update_id past 64 bits": b'{"update_id": 99999999999999999999}',
    "update_id negative": b'{"update_id": -5}',
    "no update_id": b'{"message": {"text": "hi"}}',
    "a JSON array": b'[{"update_id": 1}]',
    "a number": b"12",
    "a string": b'"update"',
    "null": b"null",
    "empty": b"",
    "not JSON": b"{not json",
    "invalid UTF-8": b'{"update_id": 1, "x": "\xff\xfe"}',
    "a message of the wrong shape": b'{"update_id": 7, "message": 5}',
    "a callback of the wrong shape": b'{"update_id": 8, "callback_query": [1]}',
}


@pytest.mark.parametrize("kind", list(MALFORMED_BODIES))
async def test_a_malformed_body_is_refused_with_400(harness, server, http, caplog, kind):
    caplog.set_level(logging.ERROR)
    async with http.post(address(server, "/telegram"), data=MALFORMED_BODIES[kind],
                         headers={SECRET_HEADER: SECRET,
                                  "Content-Type": "application/json"}) as answer:
        assert answer.status == 400
    assert harness.app.bot_data.metrics.registry.get_sample_value(
        "civic_reflect_webhook_refused_total", {"reason": "bad_body"}) == 1
    assert [r.getMessage() for r in caplog.records] == []
    assert harness.telegram.calls_to("sendMessage") == []


async def test_an_update_is_acknowledged_only_once_it_was_handled(
    harness, server, http, monkeypatch
):
    gate, reached = asyncio.Event(), asyncio.Event()
    handle = type(harness.app).process_update

    async def held(app, update):
        reached.set()
        await gate.wait()
        await handle(app, update)

    monkeypatch.setattr(type(harness.app), "process_update", held)
    u = harness.updates
    person = u.user(701, "Rosa")
    posting = asyncio.ensure_future(
        post(http, server, u.command(u.private_chat(person), person, "/help")))
    await asyncio.wait_for(reached.wait(), 30)
    assert not posting.done()  # no 200 while the handler has not run
    gate.set()
    assert await posting == 200
    # By the time Telegram has its 200, the reply is out.
    assert len(harness.telegram.calls_to("sendMessage", chat_id=701)) == 1


async def test_the_same_update_sent_again_meanwhile_is_handled_once(harness, server, http):
    u = harness.updates
    person = u.user(701, "Rosa")
    update = u.command(u.private_chat(person), person, "/help")
    statuses = await asyncio.gather(*(post(http, server, update) for _ in range(3)))
    assert statuses == [200, 200, 200]
    assert len(harness.telegram.calls_to("sendMessage", chat_id=701)) == 1
    assert harness.app.bot_data.metrics.registry.get_sample_value(
        "civic_reflect_updates_handled_total", {"via": "webhook"}) == 1


async def test_a_chat_s_updates_are_handled_in_the_order_they_came_chats_side_by_side(
    harness, server, http, monkeypatch
):
    u = harness.updates
    rosa, tom = u.user(701, "Rosa"), u.user(702, "Tom")
    first, second = (u.command(u.private_chat(rosa), rosa, "/help") for _ in range(2))
    gate, reached = asyncio.Event(), asyncio.Event()
    handled: list[int] = []
    handle = type(harness.app).process_update

    async def first_held(app, update):
        if update.update_id == first["update_id"]:
            reached.set()
            await gate.wait()
        handled.append(update.update_id)
        await handle(app, update)

    monkeypatch.setattr(type(harness.app), "process_update", first_held)
    posting_first = asyncio.ensure_future(post(http, server, first))
    await asyncio.wait_for(reached.wait(), 30)
    posting_second = asyncio.ensure_future(post(http, server, second))
    await until(lambda: second["update_id"] in server._handling, seconds=30)
    # Another chat is answered while Rosa's first update is held, and her
    # second waits for it.
    tom_help = u.command(u.private_chat(tom), tom, "/help")
    assert await post(http, server, tom_help) == 200
    assert handled == [tom_help["update_id"]] and not posting_second.done()
    gate.set()
    assert await asyncio.gather(posting_first, posting_second) == [200, 200]
    assert handled == [tom_help["update_id"], first["update_id"], second["update_id"]]


async def health(http, server) -> tuple[int, dict]:
    async with http.get(address(server, "/healthz")) as answer:
        return answer.status, await answer.json()


async def test_health_says_when_the_tick_is_overdue_or_the_database_gone(harness, server, http):
    data = harness.app.bot_data
    data.settings = replace(data.settings, dispatch_interval_seconds=60)
    status, report = await health(http, server)
    assert (status, report["status"], report["database"], report["tick"]) == (
        200, "ok", "ok", "ok")
    assert (report["leader"], report["mode"], report["last_tick"]) == (True, "webhook", None)
    harness.clock.advance(minutes=3)  # started three minutes ago, never ticked
    status, report = await health(http, server)
    assert (status, report["status"], report["tick"]) == (503, "failing", "overdue")
    harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
    assert await harness.run_jobs("tick-now") == 1
    status, report = await health(http, server)
    assert (status, report["tick"], report["last_tick"]) == (
        200, "ok", harness.clock.now.isoformat())
    harness.clock.advance(minutes=2, seconds=1)
    assert (await health(http, server))[1]["tick"] == "overdue"
    harness.clock.advance(seconds=-2)
    await harness.store.db.close()  # the database stops answering
    status, report = await health(http, server)
    assert (status, report["database"]) == (503, "unreachable (RuntimeError)")


async def metric_lines(http, server) -> dict[str, float]:
    async with http.get(address(server, "/metrics")) as answer:
        assert answer.headers["Content-Type"].startswith("text/plain")
        text = await answer.text()
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


async def test_metrics_count_what_happened(harness, server, http):
    group = make_group(harness)
    await run_setup(harness, group)
    question = await ask(harness, group)
    chat = group.chat
    await press(harness, chat, group.bruno, question, f"1|r|{_prompt_of(question)}|4")
    await press(harness, chat, group.carla, question, f"1|r|{_prompt_of(question)}|0")
    await harness.send(harness.updates.reply(chat, group.dev, question, "We listen"))
    # A coordinator who has since blocked the bot, and one 429 the rate limiter retried.
    u = harness.updates
    await harness.send(u.command(u.private_chat(group.ana), group.ana, "/start"))
    harness.telegram.kick_next("sendMessage", chat_id=group.ana["id"])
    harness.telegram.rate_limit_next("sendMessage", retry_after=1, chat_id=chat["id"])
    await harness.send(harness.updates.command(chat, group.ana, "/mydata"))
    await harness.send(harness.updates.command(chat, group.ana, "/status"))
    # The next question has been due for five minutes when the tick runs.
    await harness.store.enrolments.set_next_due(
        (await harness.store.enrolments.active_for(chat["id"])).id,
        harness.clock.now - timedelta(minutes=5))
    harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
    await harness.run_jobs("tick-now")
    # Something recorded after the tick waits in the outbox.
    await harness.store.outbox.add("summary:-100300:W1", "summary", chat["id"], period="W1")
    metrics = await metric_lines(http, server)
    assert metrics['civic_reflect_answers_saved_total{kind="rating"}'] == 1
    assert metrics['civic_reflect_answers_saved_total{kind="skip"}'] == 1
    assert metrics['civic_reflect_answers_saved_total{kind="comment"}'] == 1
    assert metrics['civic_reflect_outbox_sent_total{kind="question"}'] == 2
    assert metrics['civic_reflect_sends_failed_total{error="Forbidden",outcome="gone"}'] == 1
    assert metrics["civic_reflect_telegram_429_total"] == 1
    assert metrics["civic_reflect_leader"] == 1
    assert metrics["civic_reflect_last_tick_timestamp_seconds"] == harness.clock.now.timestamp()
    assert metrics["civic_reflect_tick_lag_seconds"] == 300
    assert metrics["civic_reflect_outbox_pending"] == 1
    assert 'civic_reflect_updates_handled_total{via="webhook"}' not in metrics  # not via HTTP


def _prompt_of(message: dict) -> str:
    """The prompt id in a question's first rating button ("1|r|<prompt>|1")."""
    return message["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2]


async def test_the_poller_counts_the_updates_it_handled(harness):
    u = harness.updates
    person = u.user(701, "Rosa")
    harness.telegram.push_update(u.command(u.private_chat(person), person, "/help"))
    stop = asyncio.Event()
    polling = asyncio.create_task(ConfirmingPoller(harness.app, poll_seconds=1).run(stop))
    await until(lambda: harness.telegram.calls_to("sendMessage", chat_id=701), seconds=30)
    stop.set()
    await polling
    assert harness.app.bot_data.metrics.registry.get_sample_value(
        "civic_reflect_updates_handled_total", {"via": "polling"}) == 1
