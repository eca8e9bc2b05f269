"""The stand-in Telegram over HTTP (bot.sandbox.http_api): a real `python -m bot run`
process talks to it, and python-telegram-bot's own HTTP client gets Telegram's answers."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from telegram import Bot
from telegram.error import BadRequest, InvalidToken, NetworkError

from bot.sandbox.http_api import BotApiServer, BotApiThread
from bot.sandbox.telegram import UpdateFactory, visible_text

from helpers.app import TEST_TOKEN
from helpers.processes import until

ROOT = Path(__file__).resolve().parents[1]


def bot_process(base_url: str, database: Path) -> subprocess.Popen:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM")}
    env.update(TELEGRAM_BOT_TOKEN=TEST_TOKEN, CIVIC_REFLECT_DB=str(database),
               TELEGRAM_API_BASE_URL=base_url)
    return subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(process: subprocess.Popen) -> str:
    process.send_signal(signal.SIGINT)
    try:
        return process.communicate(timeout=20)[1]
    finally:
        if process.poll() is None:
            process.kill()


def test_a_real_bot_process_starts_answers_an_update_and_stops(tmp_path):
    with BotApiThread(token=TEST_TOKEN) as server:
        process = bot_process(server.url, tmp_path / "run.sqlite3")
        try:
            assert server.wait_for(lambda: len(server.calls("getUpdates")) >= 1), \
                "the bot never polled"
            updates = UpdateFactory(server.telegram)
            person = updates.user(4242, "Ana")
            server.push_update(updates.command(updates.private_chat(person), person, "/start"))
            assert server.wait_for(lambda: any(
                c.ok and c.params.get("chat_id") == 4242 for c in server.calls("sendMessage")))
        finally:
            stderr = stop(process)
    assert process.returncode == 0, stderr
    telegram = server.telegram
    telegram.assert_clean()  # every request was valid Bot API
    methods = [call.method for call in telegram.calls]
    assert methods[0] == "getMe"
    assert methods.count("setMyCommands") == 4  # two scopes, two languages
    welcome, wizard = [c for c in telegram.calls_to("sendMessage", chat_id=4242) if c.ok]
    assert visible_text(welcome.params["text"]).startswith("Hello Ana")
    assert wizard.params["reply_markup"]["inline_keyboard"]  # the personal programme's first step
    # The long poll carried the update and was then confirmed with the next offset.
    offsets = [c.params.get("offset") for c in telegram.calls_to("getUpdates")]
    assert 2 in offsets
    assert TEST_TOKEN not in stderr


def test_the_server_outlives_a_killed_bot_and_serves_the_next_one(tmp_path):
    database = tmp_path / "run.sqlite3"
    with BotApiThread(token=TEST_TOKEN) as server:
        updates = UpdateFactory(server.telegram)
        person = updates.user(4242, "Ana")
        chat = updates.private_chat(person)

        def answers() -> int:
            return sum(1 for c in server.calls("sendMessage")
                       if c.ok and c.params.get("chat_id") == 4242)

        server.push_update(updates.command(chat, person, "/start"))  # before any bot runs
        first = bot_process(server.url, database)
        try:
            assert server.wait_for(lambda: answers() >= 2), "the first bot never answered"
        finally:
            first.kill()  # SIGKILL: no goodbye, no clean shutdown
            first.wait(timeout=20)
        answered = answers()
        server.push_update(server.run(updates.command, chat, person, "/help"))
        second = bot_process(server.url, database)
        try:
            assert server.wait_for(lambda: answers() > answered), "the second bot never answered"
        finally:
            stderr = stop(second)
    assert second.returncode == 0, stderr
    assert [c.method for c in server.telegram.calls].count("getMe") == 2  # two processes
    server.telegram.assert_clean()


@pytest.fixture
async def server():
    async with BotApiServer(token=TEST_TOKEN) as running:
        yield running
    running.telegram.assert_clean()


@pytest.fixture
async def http_bot(server):
    # python-telegram-bot's default HTTPXRequest: forms, multipart and downloads over HTTP.
    async with Bot(TEST_TOKEN, base_url=f"{server.url}/bot",
                   base_file_url=f"{server.url}/file/bot") as bot:
        yield bot


async def test_forms_are_decoded_by_the_references_types(server, http_bot):
    message = await http_bot.send_message(-100200, "123", reply_markup={
        "inline_keyboard": [[{"text": "Go", "callback_data": "1|r|1|4"}]]})
    call = server.telegram.last("sendMessage")
    # chat_id (Integer or String) became a number; text (String) stayed a string.
    assert call.params["chat_id"] == -100200 and call.params["text"] == "123"
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "Go"
    assert message.text == "123"
    assert message.reply_markup.inline_keyboard[0][0].callback_data == "1|r|1|4"


async def test_an_uploaded_document_can_be_downloaded_again(server, http_bot):
    sent = await http_bot.send_document(4242, b"member,rating\n1,4\n", filename="answers.csv",
                                        caption="Export")
    upload = server.telegram.last("sendDocument").files["document"]
    assert (upload.filename, upload.content) == ("answers.csv", b"member,rating\n1,4\n")
    assert sent.document.file_name == "answers.csv"
    file = await http_bot.get_file(sent.document.file_id)
    assert bytes(await file.download_as_bytearray()) == b"member,rating\n1,4\n"


async def test_invalid_requests_get_telegrams_400_and_are_recorded(server, http_bot):
    with pytest.raises(BadRequest, match="text"):
        await http_bot.send_message(4242, "x" * 4097)
    assert any("4096" in problem for problem in server.telegram.take_violations())


async def test_another_token_is_unauthorized(server):
    stranger = Bot("42:" + "A" * 35, base_url=f"{server.url}/bot")
    with pytest.raises(InvalidToken):
        await stranger.initialize()  # getMe answered 401
    await stranger.shutdown()
    assert server.telegram.calls == []  # refused before reaching the stand-in


async def test_get_updates_long_polls_until_an_update_is_pushed(server, http_bot):
    updates = UpdateFactory(server.telegram)
    person = updates.user(4242, "Ana")
    polling = asyncio.create_task(http_bot.get_updates(timeout=10))
    # The poll reaches the server before the update does: answered at once,
    # it would bring nothing.
    await until(lambda: server.telegram.calls_to("getUpdates"), seconds=30)
    assert not polling.done(), "getUpdates answered before any update arrived"
    server.push_update(updates.message(updates.private_chat(person), person, "hello"))
    received = await asyncio.wait_for(polling, timeout=5)
    assert [update.message.text for update in received] == ["hello"]


async def test_an_injected_network_failure_reaches_the_bot_as_a_network_error(server, http_bot):
    server.telegram.network_error_next("sendMessage")
    with pytest.raises(NetworkError):
        await http_bot.send_message(4242, "hello")
    assert (await http_bot.send_message(4242, "again")).text == "again"
