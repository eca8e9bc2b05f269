"""The sandbox's server without a browser: the page's JSON actions and event stream, the
time controls, the simulated neighbours, files, and that nothing typed becomes markup."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.render.export import HELD_BACK
from bot.sandbox.cast import GROUP_ID
from bot.sandbox.web import attachment, build_web_app

from helpers.sandbox import (
    AMARA,
    BEN,
    CHEN,
    DIEGO,
    ELI,
    START,
    act,
    button,
    frozen_sandbox,
    last_with_keyboard,
    read_events,
    set_up_group,
    tap,
    texts,
)

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
async def sandbox(tmp_path):
    running = frozen_sandbox(tmp_path)
    await running.start()
    yield running
    await running.stop()
    running.telegram.assert_clean()  # the bot sent nothing Telegram would refuse


@pytest.fixture
async def client(sandbox):
    async with TestClient(TestServer(build_web_app(sandbox))) as test_client:
        yield test_client


async def error_of(client, path: str, **body) -> str:
    response = await client.post(path, json=body)
    assert response.status == 400
    return (await response.json())["error"]


async def test_the_group_is_formed_with_its_members_and_the_bot_greets_it(client):
    state = await (await client.get("/api/state")).json()
    assert [p["name"] for p in state["people"]] == [
        "Amara Okafor", "Ben Hughes", "Chen Wei", "Diego Ruiz", "Eli Cohen", "Fatima Khan"]
    assert [p["role"] for p in state["people"]].count("coordinator") == 1
    group = state["messages"][str(GROUP_ID)]
    assert group[0]["service"] == ("Amara Okafor added Ben Hughes, Chen Wei, Diego Ruiz, "
                                   "Eli Cohen, Fatima Khan, Civic Reflect")
    assert group[1]["from"]["is_bot"] and group[1]["text"].startswith(
        "Hello, Riverside Neighbours!")
    # The command menus the bot published, per chat type and language, as Telegram keeps them.
    assert {c["command"] for c in state["menus"]["group"][""]} >= {"setup", "status", "export"}
    assert "programa" in {c["command"] for c in state["menus"]["private"]["es"]}
    assert state["now"] == int(START.timestamp())


async def test_the_event_stream_sends_the_state_then_each_change(client, sandbox):
    stream = await client.get("/api/events")
    assert stream.headers["Content-Type"] == "text/event-stream"
    first = await read_events(stream, lambda e: True)
    assert first[0]["type"] == "state"
    await act(client, "/api/send", user_id=BEN, chat_id=GROUP_ID, text="/help")
    events = await read_events(stream, lambda e: e["type"] == "message"
                               and e["message"]["from"]["is_bot"])
    asked, answered = events[0]["message"], events[-1]["message"]
    assert (asked["text"], asked["from"]["name"]) == ("/help", "Ben Hughes")
    assert answered["reply_to"]["message_id"] == asked["message_id"]
    assert "/status" in answered["text"]
    stream.close()


async def test_setup_by_tapping_then_a_pop_up_for_a_rating(client, sandbox):
    await set_up_group(client, sandbox)
    assert texts(sandbox)[-1].startswith("✅ All set!")
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    question = last_with_keyboard(sandbox)
    stream = await client.get("/api/events")
    await read_events(stream, lambda e: e["type"] == "state")
    await tap(client, BEN, question, "4 ·")
    popup = (await read_events(stream, lambda e: e["type"] == "popup"))[-1]
    assert popup == {"type": "popup", "text": "Saved, thank you!", "alert": False,
                     "user_id": BEN}
    stream.close()


async def test_only_buttons_on_the_message_and_ones_own_chats(client, sandbox):
    welcome = sandbox.feed.messages(GROUP_ID)[1]
    calls = len(sandbox.telegram.calls)
    assert "not on this message" in await error_of(
        client, "/api/press", user_id=BEN, chat_id=GROUP_ID,
        message_id=welcome["message_id"], data="1|s|p|theory-u")
    assert "your own chat" in await error_of(
        client, "/api/send", user_id=BEN, chat_id=AMARA, text="/start")
    assert "nobody" in await error_of(client, "/api/send", user_id=4242, chat_id=4242,
                                      text="/start")
    assert "needs some text" in await error_of(client, "/api/send", user_id=BEN, chat_id=BEN,
                                               text="   ")
    assert "only links to @civic_reflect_bot" in await error_of(
        client, "/api/link", user_id=BEN, url="https://example.org/?start=p1")
    assert len(sandbox.telegram.calls) == calls  # none of it reached the bot
    assert (await client.post("/api/send", data="text=/start")).status == 415


async def test_group_chatter_stays_between_people_as_with_privacy_mode(client, sandbox):
    calls = len(sandbox.telegram.calls)
    await act(client, "/api/send", user_id=DIEGO, chat_id=GROUP_ID, text="Hola a todos")
    assert texts(sandbox)[-1] == "Hola a todos"
    assert len(sandbox.telegram.calls) == calls


async def test_time_controls_need_a_programme_first(client):
    assert "/setup" in await error_of(client, "/api/time/next-question", user_id=AMARA,
                                      chat_id=GROUP_ID)
    assert "/setup" in await error_of(client, "/api/time/weekly-summary", user_id=AMARA)
    assert "No question is open" in await error_of(client, "/api/others", user_id=AMARA)


async def test_a_weekly_cycle_with_the_others_answering(client, sandbox):
    await set_up_group(client, sandbox)
    moved = await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    # Monday 08:00 -> 09:00 London (UTC in March): the first question of the CSO checklist.
    assert moved["status"] == ("Moved 1 h ahead. The bot sent 1 message: "
                               "1 to Riverside Neighbours.")
    assert sandbox.clock() == START + timedelta(hours=1)
    question = last_with_keyboard(sandbox)
    assert "1 of 15" in question["text"]

    answered = await act(client, "/api/others", user_id=AMARA)
    assert answered["status"].startswith("Ben tapped ")
    assert "Chen answered privately" in answered["status"]
    assert "Fatima stayed silent" in answered["status"]
    prompt = (await sandbox.app.bot_data.store.prompts.open_for_chat(GROUP_ID))[-1]
    voices = await sandbox.app.bot_data.store.answers.count_for_prompt(prompt.id)
    assert voices >= 3  # Ben, Chen, Diego always; Eli every other question
    shown = sandbox.feed.view(GROUP_ID, question["message_id"])
    assert shown["edited"] and f"{voices} people have answered so far" in shown["text"]
    again = await act(client, "/api/others", user_id=AMARA)
    assert "Ben had already answered" in again["status"]

    # Ben's reply was acknowledged with a reaction, Chen's answer stayed in his own chat.
    ben_reply = next(m for m in sandbox.feed.messages(GROUP_ID) if m["from"]["id"] == BEN)
    assert ben_reply["reactions"] == ["✍"]
    chen_chat = sandbox.feed.messages(CHEN)
    assert any(m["force_reply"] for m in chen_chat)
    chen_comment = next(m["text"] for m in chen_chat if m["from"]["id"] == CHEN
                        and not m["text"].startswith("/"))
    assert chen_comment not in " ".join(texts(sandbox))

    summary = await act(client, "/api/time/weekly-summary", user_id=AMARA)
    assert summary["status"].startswith("Moved 4 days 8 h ahead.")
    posted = texts(sandbox)[-2]  # then the line asking Amara to open a private chat
    assert posted.startswith("📊 This week in \u2068Riverside Neighbours\u2069")
    assert ben_reply["text"] in posted  # quoted: he allowed it
    assert chen_comment not in posted

    before = len(texts(sandbox))
    week = await act(client, "/api/time/week-later", user_id=AMARA)
    assert week["status"].startswith("Moved 7 days ahead.")
    assert sandbox.clock() == START + timedelta(days=11, hours=9)
    during = texts(sandbox)[before:]
    # Monday 08:00, the end of quiet hours before the question closes: members who have
    # not answered and never opened a chat with the bot are invited in the group, by no name.
    reminder = next(t for t in during if "There is still time to answer this question" in t)
    assert "Fatima" not in reminder and "Ben" not in reminder
    assert any("2 of 15" in t for t in during)  # Monday 09:00: the next question
    closed = sandbox.feed.view(GROUP_ID, question["message_id"])
    assert "This question has closed." in closed["text"] and closed["keyboard"] is None


async def test_a_link_to_the_bot_opens_the_private_chat_with_start(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    privately = button(last_with_keyboard(sandbox), "Answer privately")
    opened = await act(client, "/api/link", user_id=DIEGO, url=privately["url"])
    assert opened["chat_id"] == DIEGO
    diego = sandbox.feed.messages(DIEGO)
    assert diego[0]["text"] == "/start"  # as Telegram's apps show it, the payload unseen
    assert diego[1]["from"]["is_bot"] and "Riverside Neighbours" in diego[1]["text"]
    assert diego[1]["keyboard"]  # the scale, in Diego's language
    assert "Todavía no" in diego[1]["keyboard"][0][0]["text"]


async def test_what_people_type_is_shown_as_text_never_as_markup(client, sandbox):
    attack = '<img src=x onerror="alert(1)"> & <b>bold</b> <script>alert(2)</script>'
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    question = last_with_keyboard(sandbox)
    await act(client, "/api/send", user_id=BEN, chat_id=GROUP_ID, text=attack,
              reply_to=question["message_id"])
    await tap(client, BEN, question, "You may quote me")
    mine = [m for m in sandbox.feed.messages(GROUP_ID) if m["from"]["id"] == BEN][-1]
    assert (mine["text"], mine["entities"]) == (attack, [])
    await act(client, "/api/time/weekly-summary", user_id=AMARA)
    summary = next(m for m in sandbox.feed.messages(GROUP_ID) if attack in m["text"])
    # The bot escaped it (the stand-in Telegram parsed its HTML): the quote is text, and no
    # entity covers the quoted characters as bold.
    start = summary["text"].index(attack)
    quoted = range(start, start + len(attack))
    assert not [e for e in summary["entities"] if e["type"] == "bold" and e["offset"] in quoted]
    # And the page builds its DOM from text nodes only.
    for script in ("app.js", "messages.js", "render.js", "composer.js"):
        source = (await (await client.get(f"/static/{script}")).text())
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                     "eval(", "new Function"):
            assert sink not in source, f"{script} uses {sink}"


async def test_the_digest_chart_and_the_export_can_be_fetched(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/send", user_id=AMARA, chat_id=AMARA, text="/start")
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    await act(client, "/api/others", user_id=AMARA)
    await act(client, "/api/time/weekly-summary", user_id=AMARA)
    digest = "\n".join(texts(sandbox, AMARA))
    # The group was formed two weeks before: Fatima, who never answers, is not heard.
    assert "Who's not here?" in digest
    assert "1 member joined at least 7 days ago but has not answered yet." in digest
    chart = next(m for m in sandbox.feed.messages(AMARA) if m["photo"])
    picture = await client.get(chart["photo"]["url"])
    assert picture.headers["Content-Type"] == "image/png"
    assert (await picture.read()).startswith(PNG)

    await act(client, "/api/send", user_id=AMARA, chat_id=GROUP_ID, text="/export")
    export = [m for m in sandbox.feed.messages(AMARA) if m["document"]][-1]
    download = await client.get(export["document"]["url"])
    name = export["document"]["name"]
    assert name.endswith(".csv")
    assert download.headers["Content-Disposition"] == attachment(name)
    assert download.headers["Content-Type"] == "application/octet-stream"
    rows = list(csv.DictReader(io.StringIO((await download.read()).decode("utf-8"))))
    # Chen answered privately, alone: his row says so and nothing more.
    assert len(rows) >= 3 and {row["answered"] for row in rows} == {"in the group", HELD_BACK}
    assert {row["member"] for row in rows if row["answered"] == HELD_BACK} == {"private"}
    assert (await client.get("/files/fake-file-999")).status == 404


def test_download_names_are_safe_in_a_header_and_kept_in_full():
    assert attachment("answers.csv") == (
        "attachment; filename=\"answers.csv\"; filename*=UTF-8''answers.csv")
    assert attachment('Año "1"\r\n.csv') == (
        "attachment; filename=\"A_o _1___.csv\"; filename*=UTF-8''A%C3%B1o%20%221%22%0D%0A.csv")


async def test_personal_reflection_in_a_members_private_chat(client, sandbox):
    await act(client, "/api/send", user_id=ELI, chat_id=ELI, text="/start")
    wizard = last_with_keyboard(sandbox, ELI)
    for label in ("Theory U", "Every day", "09:00", "Europe/London", "No recap"):
        await tap(client, ELI, sandbox.feed.view(ELI, wizard["message_id"]), label)
    assert "All set." in sandbox.feed.view(ELI, wizard["message_id"])["text"]
    moved = await act(client, "/api/time/next-question", user_id=ELI, chat_id=ELI)
    assert "1 to Eli" in moved["status"]
    await act(client, "/api/send", user_id=ELI, chat_id=ELI,
              text="I noticed who was missing from the meeting.")
    assert "Saved in your journal" in texts(sandbox, ELI)[-1]
    await act(client, "/api/send", user_id=ELI, chat_id=ELI, text="/journal")
    assert "I noticed who was missing" in texts(sandbox, ELI)[-1]
    await act(client, "/api/send", user_id=ELI, chat_id=ELI, text="/export")
    names = [m["document"]["name"] for m in sandbox.feed.messages(ELI) if m["document"]]
    assert [name.rsplit(".", 1)[-1] for name in names] == ["md", "json"]


async def test_the_page_and_its_headers(client):
    page = await client.get("/")
    assert page.status == 200 and "text/html" in page.headers["Content-Type"]
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    html = await page.text()
    assert '<script type="module" src="/static/app.js">' in html
    assert "http" not in html.replace("http-equiv", "")  # nothing from elsewhere, no CDN


async def test_only_its_own_host_names_are_answered(sandbox):
    async with TestClient(TestServer(build_web_app(sandbox, {"127.0.0.1:9"}))) as client:
        assert (await client.get("/", headers={"Host": "127.0.0.1:9"})).status == 200
        assert (await client.get("/", headers={"Host": "rebound.example:9"})).status == 421


async def test_a_press_and_a_jump_take_turns(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    question = last_with_keyboard(sandbox)
    results = await asyncio.gather(
        tap(client, DIEGO, question, "2 ·"),
        act(client, "/api/time/week-later", user_id=AMARA),
    )
    assert results[1]["status"].startswith("Moved 7 days ahead.")
    sandbox.telegram.assert_clean()


async def test_a_kept_database_resumes_no_earlier_than_its_latest_question(tmp_path):
    first = frozen_sandbox(tmp_path)
    await first.start()
    async with TestClient(TestServer(build_web_app(first))) as client:
        await set_up_group(client, first)
        await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
        await act(client, "/api/time/week-later", user_id=AMARA)
    await first.stop()
    again = frozen_sandbox(tmp_path)  # the same database, real time back at START
    await again.start()
    try:
        # The second question was asked on Monday 9 March 09:00: time resumes there, so the
        # schedule neither repeats nor runs backwards.
        assert again.clock() == START + timedelta(days=7, hours=1)
        assert [m["service"] for m in again.feed.messages(GROUP_ID)] == [
            "The sandbox restarted on a kept database: earlier messages are not shown, "
            "programmes and answers are kept."]
    finally:
        await again.stop()
