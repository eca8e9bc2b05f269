"""The snags a new user met on the sandbox's tour, each fixed and held here without a browser:
the time control acts on the chat the reader means, long messages go as several, times
follow each person's zone, two presses at once make one jump, files carry the group's name."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.domain.summary import chart_data
from bot.domain.weeks import week_of
from bot.render.export import export_file_name
from bot.sandbox.cast import GROUP_ID
from bot.sandbox.session import MAX_TEXT, split_message
from bot.sandbox.time_controls import BUSY
from bot.sandbox.web import build_web_app

from helpers.sandbox import (
    AMARA,
    BEN,
    CHEN,
    DIEGO,
    act,
    button,
    frozen_sandbox,
    last_with_keyboard,
    set_up_group,
    tap,
    texts,
)


@pytest.fixture
async def sandbox(tmp_path):
    running = frozen_sandbox(tmp_path)
    await running.start()
    yield running
    await running.stop()
    running.telegram.assert_clean()


@pytest.fixture
async def client(sandbox):
    async with TestClient(TestServer(build_web_app(sandbox))) as test_client:
        yield test_client


async def diego_reflects_daily(client, sandbox) -> None:
    """Diego starts a daily personal programme at noon, Madrid time."""
    await act(client, "/api/send", user_id=DIEGO, chat_id=DIEGO, text="/start")
    wizard = last_with_keyboard(sandbox, DIEGO)
    for label in ("Teoría U", "Todos los días", "12:00", "Europe/Madrid", "Sin resumen"):
        await tap(client, DIEGO, sandbox.feed.view(DIEGO, wizard["message_id"]), label)


async def test_next_question_from_a_private_chat_without_a_programme_is_the_groups(
        client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/send", user_id=AMARA, chat_id=AMARA, text="/start")
    # Amara reads her digest in her chat with the bot and presses the control there.
    moved = await act(client, "/api/time/next-question", user_id=AMARA, chat_id=AMARA)
    assert moved["chat_id"] == GROUP_ID  # the page then shows the group
    assert moved["status"].startswith("Your chat with the bot has no personal programme, so "
                                      "this is Riverside Neighbours's next question.")
    assert "1 to Riverside Neighbours" in moved["status"]
    assert "1 of 15" in last_with_keyboard(sandbox)["text"]


async def test_next_question_in_a_chat_with_its_own_programme_stays_there(client, sandbox):
    await set_up_group(client, sandbox)
    await diego_reflects_daily(client, sandbox)
    moved = await act(client, "/api/time/next-question", user_id=DIEGO, chat_id=DIEGO)
    assert moved["chat_id"] == DIEGO and "1 to Diego" in moved["status"]
    assert not moved["status"].startswith("Your chat")


async def test_no_programme_anywhere_is_still_said(client):
    response = await client.post("/api/time/next-question",
                                 json={"user_id": BEN, "chat_id": BEN})
    assert response.status == 400
    assert "send /programme (or /start) here first" in (await response.json())["error"]


def test_a_long_text_is_cut_as_telegrams_apps_cut_it():
    words = " ".join(f"word{i}" for i in range(2000))  # about 17,000 characters
    parts = split_message(words)
    assert len(parts) == 5 and all(len(part) <= MAX_TEXT for part in parts)
    assert " ".join(parts) == words  # nothing lost, no word cut
    lines = "\n".join(["a line of text"] * 400)
    assert all(not part.startswith("\n") for part in split_message(lines))
    assert split_message("x" * (MAX_TEXT + 1)) == ["x" * MAX_TEXT, "x"]  # one long word
    assert split_message("  short  ") == ["short"] and split_message("   ") == []


async def test_a_message_over_4096_characters_arrives_as_several(client, sandbox):
    long_text = "\n".join(f"Line {i}: the drop-in works, the street less so." for i in range(200))
    assert len(long_text) > 2 * MAX_TEXT
    sent = await act(client, "/api/send", user_id=BEN, chat_id=GROUP_ID, text=long_text)
    assert sent["messages"] == 3
    mine = [m["text"] for m in sandbox.feed.messages(GROUP_ID) if m["from"]["id"] == BEN]
    assert len(mine) == 3 and "\n".join(mine) == long_text


async def test_times_follow_each_persons_zone(client, sandbox):
    state = await (await client.get("/api/state")).json()
    assert set(state["zones"].values()) == {"UTC"}  # the bot's default, nothing chosen yet
    await set_up_group(client, sandbox)  # Europe/London
    await act(client, "/api/send", user_id=DIEGO, chat_id=DIEGO, text="/start")
    wizard = last_with_keyboard(sandbox, DIEGO)
    for label in ("Teoría U", "Todos los días", "12:00", "Europe/Madrid"):
        await tap(client, DIEGO, sandbox.feed.view(DIEGO, wizard["message_id"]), label)
    # The wizard's last tap saves the zone: each open page is told at once.
    stream = await client.get("/api/events")
    await stream.content.readline()  # the state
    await tap(client, DIEGO, sandbox.feed.view(DIEGO, wizard["message_id"]), "Sin resumen")
    while True:
        line = (await stream.content.readline()).decode()
        if '"type": "zones"' in line:
            assert '"1004": "Europe/Madrid"' in line
            break
    zones = (await (await client.get("/api/state")).json())["zones"]
    assert zones[str(DIEGO)] == "Europe/Madrid"
    assert zones[str(BEN)] == zones[str(AMARA)] == "Europe/London"


async def test_two_presses_at_once_make_one_jump_and_the_other_is_told(client, sandbox):
    await set_up_group(client, sandbox)
    before = len(texts(sandbox))
    # The first jump waits for its turn (held here), so the second press comes while it works.
    async with sandbox.turn:
        first = asyncio.create_task(client.post(
            "/api/time/next-question", json={"user_id": AMARA, "chat_id": GROUP_ID}))
        await asyncio.sleep(0)
        while not first.done() and not sandbox.turn._waiters:
            await asyncio.sleep(0.01)
        # Refused at once; without the guard it would wait for the turn held here.
        second = await asyncio.wait_for(client.post(
            "/api/time/next-question", json={"user_id": BEN, "chat_id": GROUP_ID}), 60)
        assert second.status == 400 and (await second.json())["error"] == BUSY
    answer = await (await first).json()
    assert answer["status"].endswith("1 to Riverside Neighbours.")
    assert [t for t in texts(sandbox)[before:] if "of 15" in t] != []
    assert sum("of 15" in t for t in texts(sandbox)[before:]) == 1  # one question, not two
    # Done, the control answers again.
    await act(client, "/api/time/week-later", user_id=BEN)


def test_export_files_are_named_after_the_group():
    day = datetime(2026, 3, 9, tzinfo=UTC)
    assert export_file_name("Riverside Neighbours", -1001234500001, day, "csv") == (
        "civic-reflect-riverside-neighbours-20260309.csv")
    assert export_file_name("Año Nuevo / Vecinos: ¡2026!", -100, day, "csv") == (
        "civic-reflect-ano-nuevo-vecinos-2026-20260309.csv")
    # Nothing a file name can carry: the chat's id, as before.
    assert export_file_name("🌱🌱", -1001, day, "csv") == "civic-reflect--1001-20260309.csv"
    assert export_file_name(None, -1001, day, "csv") == "civic-reflect--1001-20260309.csv"
    assert len(export_file_name("x" * 500, -1, day, "csv")) < 100


async def test_the_group_export_carries_the_groups_name(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    await tap(client, BEN, last_with_keyboard(sandbox), "4 ·")
    await act(client, "/api/send", user_id=AMARA, chat_id=AMARA, text="/start")
    await act(client, "/api/send", user_id=AMARA, chat_id=GROUP_ID, text="/export")
    export = [m for m in sandbox.feed.messages(AMARA) if m["document"]][-1]
    assert export["document"]["name"].startswith("civic-reflect-riverside-neighbours-")


async def test_a_deep_link_shows_as_start_and_still_carries_its_payload(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    privately = button(last_with_keyboard(sandbox), "Answer privately")
    await act(client, "/api/link", user_id=BEN, url=privately["url"])
    shown = sandbox.feed.messages(BEN)
    assert shown[0]["text"] == "/start" and shown[0]["entities"] == []
    # What Telegram delivered to the bot had the payload: the question came.
    assert "A question from Riverside Neighbours" in shown[1]["text"]


async def test_the_digest_chart_starts_the_week_the_programme_did(client, sandbox):
    # The group is two weeks old; its first question comes this week.
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    await act(client, "/api/others", user_id=AMARA)
    store, now = sandbox.app.bot_data.store, sandbox.clock()
    week = week_of(now, "Europe/London")
    facts = await store.summaries.group_facts(GROUP_ID, week, lambda pack, item: None)
    assert facts.first_week == week
    chart = chart_data(facts)
    assert chart.weeks == (week,) and chart.participation[0] >= 4  # not seven weeks of nobody
    # A week later the chart has two weeks, still none from before the programme.
    await act(client, "/api/time/week-later", user_id=AMARA)
    later = await store.summaries.group_facts(GROUP_ID, week + timedelta(weeks=1),
                                              lambda pack, item: None)
    assert chart_data(later).weeks == (week, week + timedelta(weeks=1))
    # A group with no question yet (facts without a first week) keeps the eight weeks.
    assert len(chart_data(replace(facts, first_week=None)).weeks) == 8


async def test_a_closed_question_loses_its_buttons_in_private_chats_too(client, sandbox):
    await set_up_group(client, sandbox)
    await act(client, "/api/time/next-question", user_id=AMARA, chat_id=GROUP_ID)
    question = last_with_keyboard(sandbox)
    # Diego opens his private copy and leaves it; Chen answers in his (the neighbours' way).
    await act(client, "/api/link", user_id=DIEGO,
              url=button(question, "Answer privately")["url"])
    await act(client, "/api/others", user_id=AMARA)
    copies = {person: [m for m in sandbox.feed.messages(person) if m["keyboard"]]
              for person in (DIEGO, CHEN)}
    assert all(len(kept) == 1 for kept in copies.values())  # the rating scale
    await act(client, "/api/time/week-later", user_id=AMARA)  # question 1 closes, 2 opens
    assert sandbox.feed.view(GROUP_ID, question["message_id"])["keyboard"] is None
    for person, (copy,) in copies.items():
        assert sandbox.feed.view(person, copy["message_id"])["keyboard"] is None, person


async def test_a_week_away_leaves_three_prompts_and_one_note_not_a_pile(client, sandbox):
    # A week jump once left seven unanswered daily prompts in Diego's chat.
    await set_up_group(client, sandbox)
    await diego_reflects_daily(client, sandbox)
    await act(client, "/api/time/week-later", user_id=AMARA)
    said = texts(sandbox, DIEGO)
    prompts = [text for text in said if text.startswith("🌱 Teoría U")]
    notes = [text for text in said if text.startswith("⏸ Una pausa.")]
    assert len(prompts) == 3 and len(notes) == 1, said[-6:]
    assert said.index(notes[0]) > max(said.index(prompt) for prompt in prompts)
