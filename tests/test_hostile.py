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

from helpers.group import (
    GROUP_ID,
    Group,
    ask,
    bot_message,
    last_text,
    make_group,
    press,
    run_setup,
)

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


# -- every command answers, wherever it is sent ------------------------------------------------

SET_UP_SUPERGROUP, BARE_GROUP, BARE_SUPERGROUP = -1001300, -100500, -1001500
# What counts as an answer: a message, a file, a reaction, an edit (anywhere:
# /digest and /export answer in the coordinator's private chat).
ANSWERS = {"sendMessage", "sendDocument", "sendPhoto", "setMessageReaction", "editMessageText"}
# Commands in no menu: unknown ones, ones addressed to us, and to another bot.
NOT_IN_MENUS = ("frobnicate", "help@civic_reflect_bot", "frobnicate@civic_reflect_bot",
                "ask@other_bot", "journal@civic_reflect_bot")
# Deliberate silences, only in groups: Telegram shows a group every bot's
# commands, so a command addressed to another bot, or a name we do not know
# sent without our username, may well be another bot's; answering it would
# talk over that bot. (In a private chat nothing is another bot's.)
SILENT_IN_GROUPS = {"ask@other_bot", "frobnicate"}


def every_command() -> list[str]:
    from bot.handlers.registry import COMMANDS

    return sorted({command.name for command in COMMANDS}) + list(NOT_IN_MENUS)


async def _set_up(harness, chat_id: int, kind: str) -> Group:
    group = make_group(harness, chat_id)
    group.chat = harness.updates.group_chat(chat_id, f"{kind} {chat_id}", type=kind)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    return group


async def test_every_command_gets_an_answer_in_every_kind_of_chat(unpaced):
    harness = unpaced
    u = harness.updates
    assert harness.app.bot.username == "civic_reflect_bot"
    places = []
    for chat_id, kind, ready in ((GROUP_ID, "group", True),
                                 (SET_UP_SUPERGROUP, "supergroup", True),
                                 (BARE_GROUP, "group", False),
                                 (BARE_SUPERGROUP, "supergroup", False)):
        group = await _set_up(harness, chat_id, kind)
        if ready:
            await run_setup(harness, group)
        label = f"{kind} {'set up' if ready else 'not set up'}"
        places += [(f"{label}, by its coordinator" if ready else f"{label}, by an admin",
                    group.chat, group.ana),
                   (f"{label}, by a member", group.chat, group.bruno)]
    ana, bruno = group.ana, group.bruno
    await harness.send(u.command(u.private_chat(ana), ana, "/start"))
    places += [("private, a coordinator", u.private_chat(ana), ana),
               ("private, someone new", u.private_chat(bruno), bruno)]

    set_up = places[0][1]
    unanswered, answered_silences = [], []
    for command in every_command():
        sent = [(place, chat, u.message(chat, person, f"/{command}"))
                for place, chat, person in places]
        # An admin posting as the group: asked to use their own account.
        sent.append(("group set up, an anonymous admin", set_up,
                     u.anonymous_admin_command(set_up, f"/{command}")))
        for place, chat, update in sent:
            before = len(harness.telegram.calls)
            await harness.send(update)
            answers = [call for call in harness.telegram.calls[before:]
                       if call.method in ANSWERS and call.ok]
            silent_on_purpose = chat["type"] != "private" and command in SILENT_IN_GROUPS
            if silent_on_purpose and answers:
                answered_silences.append((command, place))
            elif not silent_on_purpose and not answers:
                unanswered.append((command, place))
    assert unanswered == []
    assert answered_silences == []


async def test_a_command_in_the_wrong_chat_says_where_it_works(unpaced):
    harness = unpaced
    u = harness.updates
    group = make_group(harness)
    await harness.send(u.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    ana = group.ana
    private = u.private_chat(ana)
    await harness.send(u.command(private, ana, "/summary"))
    assert last_text(harness, ana["id"]) == "/summary works in a group. Please send it there."
    await harness.send(u.command(group.chat, ana, "/journal"))
    call = harness.telegram.last("sendMessage", chat_id=GROUP_ID)
    assert last_text(harness, GROUP_ID).startswith("/journal works in a private chat with me")
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["url"].startswith(
        "https://t.me/civic_reflect_bot?start=")
    await harness.send(u.command(private, ana, "/frobnicate"))
    assert last_text(harness, ana["id"]).startswith("I do not know /frobnicate.")


async def test_a_command_in_private_is_never_taken_for_a_journal_answer(unpaced):
    harness = unpaced
    u = harness.updates
    rosa = u.user(701, "Rosa")
    private = u.private_chat(rosa)
    await harness.send(u.command(private, rosa, "/start"))
    wizard = bot_message(harness, 701)
    for step, value in (("P", "theory-u"), ("C", "daily"), ("T", "20:00"),
                        ("Z", "Europe/Madrid"), ("R", "sun")):
        await harness.send(u.callback(private, rosa, wizard, f"1|s|{step}|{value}"))
    harness.clock.advance(days=1)
    assert (await harness.tick()).sent == 1
    for command in ("/summary", "/ask", "/frobnicate"):
        await harness.send(u.command(private, rosa, command))
        assert not last_text(harness, 701).startswith("📓"), command
    assert await harness.store.db.fetch_value("SELECT COUNT(*) FROM answers") == 0


async def test_a_button_with_an_id_past_64_bits_is_a_stale_button(unpaced):
    harness = unpaced
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)
    question = await ask(harness, group)
    stale = harness.app.bot_data.catalog.text("en", "button.stale")
    for data in ("1|r|99999999999999999999|3", "1|r|9223372036854775808|3",
                 "1|q|99999999999999999999|1", "1|g|99999999999999999999",
                 "1|f|99999999999999999999|1", "1|j|99999999999999999999|-"):
        answer = await press(harness, group.chat, group.bruno, question, data)
        assert answer.get("text") == stale, data
