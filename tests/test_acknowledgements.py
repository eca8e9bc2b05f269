"""Every acknowledgement is sent only after its answer is committed.

A tap's "Saved, thank you!", a comment's ✍ reaction and the journal's
"Saved in your journal" tell a person their words are kept. If the bot said
so and then died before committing, they would be lost while the person
believes them safe. So at the very moment each acknowledgement reaches
(the stand-in for) Telegram, a second connection to the database, which sees
only committed rows, reads the answer: it must already be there, as it is
being acknowledged. Run against both backends.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import asyncpg
import pytest

from helpers.group import GROUP_ID, ask, press
from helpers.personal import ROSA, at_local, next_prompt, onboard

SELECT_ANSWER = ("SELECT scale, text, voice_file_id FROM answers "
                 "WHERE prompt_id = {0} AND user_id = {1}")


@dataclass
class Committed:
    """What another connection sees of one answer: (scale, text, voice) or None."""

    settings: object
    connection: asyncpg.Connection | None = None

    async def open(self) -> None:
        if self.settings.database_url:
            self.connection = await asyncpg.connect(self.settings.database_url)

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def answer(self, prompt_id: int, user_id: int) -> tuple | None:
        if self.connection is not None:
            row = await self.connection.fetchrow(SELECT_ANSWER.format("$1", "$2"),
                                                 prompt_id, user_id)
            return tuple(row) if row else None
        # A fresh read-only connection each time: it sees the last commit, nothing pending.
        reader = sqlite3.connect(f"file:{self.settings.database_path}?mode=ro", uri=True)
        try:
            return reader.execute(SELECT_ANSWER.format("?", "?"), (prompt_id, user_id)).fetchone()
        finally:
            reader.close()


@dataclass
class Watch:
    """Reads the answer being acknowledged whenever an acknowledgement is sent."""

    committed: Committed
    expecting: tuple[int, int] | None = None
    seen: list[tuple[str, tuple | None]] = field(default_factory=list)

    def wrap(self, handle):
        async def handle_after_reading(api_method, params, files):
            if self.expecting and acknowledges(api_method, params):
                self.seen.append((api_method, await self.committed.answer(*self.expecting)))
            return await handle(api_method, params, files)
        return handle_after_reading

    def take(self) -> list[tuple[str, tuple | None]]:
        seen, self.seen = self.seen, []
        return seen


def acknowledges(api_method: str, params: dict) -> bool:
    if api_method in ("answerCallbackQuery", "setMessageReaction"):
        return True
    return api_method == "sendMessage" and "Saved in your journal" in params.get("text", "")


@pytest.fixture
async def watch(harness, monkeypatch):
    committed = Committed(harness.settings)
    await committed.open()
    watching = Watch(committed)
    monkeypatch.setattr(harness.telegram, "handle", watching.wrap(harness.telegram.handle))
    yield watching
    await committed.close()


async def test_a_tap_is_acknowledged_after_its_rating_is_committed(harness, group, watch):
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    for person, value in ((group.bruno, 4), (group.carla, 2), (group.bruno, 5)):
        watch.expecting = (prompt.id, person["id"])
        answer = await press(harness, group.chat, person, question, f"1|r|{prompt.id}|{value}")
        assert answer["text"] == "Saved, thank you!"
        # The change from 4 to 5 included: the acknowledgement follows the new value.
        assert watch.take() == [("answerCallbackQuery", (value, None, None))]


async def test_a_comment_is_acknowledged_after_it_is_committed(harness, group, watch):
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    u = harness.updates
    watch.expecting = (prompt.id, group.carla["id"])
    await harness.send(u.reply(group.chat, group.carla, question, "More outreach, please"))
    assert watch.take() == [("setMessageReaction", (None, "More outreach, please", None))]

    watch.expecting = (prompt.id, group.eli["id"])
    await harness.send(u.voice_reply(group.chat, group.eli, question, "AwACAgVoiceEli", 9))
    assert watch.take() == [("setMessageReaction", (None, None, "AwACAgVoiceEli"))]


async def test_a_journal_answer_is_acknowledged_after_it_is_committed(harness, watch):
    u = harness.updates
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    prompt, _ = await next_prompt(harness, at_local(2, 20))
    watch.expecting = (prompt.id, ROSA)
    await harness.send(u.message(private, rosa, "I assumed nobody would listen."))
    assert watch.take() == [("sendMessage", (None, "I assumed nobody would listen.", None))]


async def test_a_tap_s_pop_up_never_holds_up_the_next_update(harness, group, monkeypatch):
    """Updates are handled one at a time and a pop-up is a round trip to
    Telegram: awaited in the handler, it would hold every other chat's taps
    behind it. So it goes in the background, once the answer is committed."""
    import asyncio

    from telegram import Update

    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    telegram_answers = asyncio.Event()
    handle = harness.telegram.handle

    async def slow_pop_ups(api_method, params, files):
        if api_method == "answerCallbackQuery":
            await telegram_answers.wait()
        return await handle(api_method, params, files)

    monkeypatch.setattr(harness.telegram, "handle", slow_pop_ups)
    before = len(harness.telegram.calls_to("answerCallbackQuery"))
    u = harness.updates
    for person, value in ((group.bruno, 4), (group.carla, 2)):
        tap = u.callback(group.chat, person, question, f"1|r|{prompt.id}|{value}")
        # Handled to the end while Telegram has not answered the pop-up yet.
        await asyncio.wait_for(harness.app.process_update(Update.de_json(tap, harness.app.bot)),
                               timeout=5)
    saved = {a.user_id: a.scale for a in await harness.store.answers.for_prompt(prompt.id)}
    assert saved == {group.bruno["id"]: 4, group.carla["id"]: 2}
    assert len(harness.telegram.calls_to("answerCallbackQuery")) == before
    telegram_answers.set()
    await harness.app.bot_data.settle()
    pop_ups = harness.telegram.calls_to("answerCallbackQuery")[before:]
    assert [call.params["text"] for call in pop_ups] == ["Saved, thank you!"] * 2
