"""Hostile and odd input: the corpus in tests/data/hostile_updates.json (see
make_hostile_corpus.py) replayed against a group with a question open and a
/setup half done. No exception escapes a handler, no traceback is logged,
every request the bot makes passes the Bot API check, nothing lands in the
wrong chat, and the bot still answers afterwards."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from bot.sandbox.telegram import GROUP_ANONYMOUS_BOT_ID

from helpers.group import GROUP_ID, ask, bot_message, make_group, run_setup

CORPUS = Path(__file__).resolve().parent / "data" / "hostile_updates.json"
PEOPLE = {601, 602, 603, 604, 605, 777}  # the group's five and a stranger


def filled(update: dict, question: int, prompt: int, wizard: int) -> dict:
    text = json.dumps(update, ensure_ascii=False)
    text = (text.replace('"$QUESTION"', str(question)).replace('"$WIZARD"', str(wizard))
            .replace("$PROMPT", str(prompt)))
    return json.loads(text)


def test_the_corpus_is_large_and_varied():
    updates = json.loads(CORPUS.read_text(encoding="utf-8"))
    kinds = {next(key for key in update if key != "update_id") for update in updates}
    assert len(updates) >= 200
    assert {"message", "callback_query", "channel_post", "edited_message",
            "my_chat_member"} <= kinds


async def test_hostile_updates_change_nothing_they_should_not(unpaced, caplog):
    harness = unpaced
    group = make_group(harness)
    u = harness.updates
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    await harness.send(u.command(group.chat, group.ana, "/setup"))  # left half done
    wizard = bot_message(harness, GROUP_ID)
    before_text = harness.telegram.message(GROUP_ID, question["message_id"])["text"]
    updates = json.loads(CORPUS.read_text(encoding="utf-8"))

    with caplog.at_level(logging.INFO):
        for update in updates:
            await harness.send(filled(update, question["message_id"], prompt.id,
                                      wizard["message_id"]))
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], [r.getMessage()[:300] for r in errors]
    assert "Traceback" not in caplog.text
    # Nobody's words, nor the token, in the log.
    assert "Str<b>anger</b>" not in caplog.text and "not markup" not in caplog.text
    assert harness.settings.token not in caplog.text

    store = harness.store
    # Only people: no bots, no channels, no anonymous admins among members or answers.
    members = {row[0] for row in await store.db.fetch_all("SELECT user_id FROM members")}
    answerers = {row[0] for row in await store.db.fetch_all("SELECT user_id FROM answers")}
    assert members <= PEOPLE and answerers <= PEOPLE
    assert not {GROUP_ANONYMOUS_BOT_ID, 136817688, 5555} & (members | answerers)
    # Questions only where a coordinator set a programme up; answers only to them.
    rows = await store.db.fetch_all("SELECT DISTINCT chat_id FROM prompts")
    assert [row[0] for row in rows] == [GROUP_ID]
    orphans = await store.db.fetch_value(
        "SELECT COUNT(*) FROM answers a JOIN prompts p ON p.id = a.prompt_id"
        " WHERE p.chat_id NOT IN (?, a.user_id)", (GROUP_ID,))
    assert orphans == 0
    # A stranger's /setup, /forget or export changed nothing of the group.
    assert await store.coordinators.chats_of(777) == []
    assert (await store.enrolments.active_for(GROUP_ID)).pack_id == "checklist-cso"
    # The question's own message was not rewritten by a forged button.
    shown = harness.telegram.message(GROUP_ID, question["message_id"])["text"]
    assert shown.splitlines()[0] == before_text.splitlines()[0]

    # And the bot still answers.
    await harness.send(u.command(group.chat, group.bruno, "/help"))
    assert harness.telegram.last("sendMessage", chat_id=GROUP_ID).ok
