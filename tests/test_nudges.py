"""Gentle reminders before a question closes: who, how, and how often."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import nudges as nudges_domain
from bot.domain.nudges import NudgeCandidate, plan_nudges
from bot.render import nudges as render
from bot.sandbox.telegram import visible_text
from bot.services.nudges import nudge_before_closing

from helpers.group import GROUP_ID, make_group, press, run_setup

MONDAY_0900_MADRID = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def candidate(user_id: int, **overrides) -> NudgeCandidate:
    values = {"user_id": user_id, "name": f"P{user_id}", "answered": False, "quiet": False,
              "last_nudged_at": None, "has_private_chat": False}
    return NudgeCandidate(**{**values, **overrides})


def test_plan_skips_who_answered_asked_for_quiet_or_was_reminded_this_week():
    plan = plan_nudges([
        candidate(1),
        candidate(2, answered=True),
        candidate(3, quiet=True),
        candidate(4, last_nudged_at=NOW - timedelta(days=6, hours=23)),
        candidate(5, last_nudged_at=NOW - timedelta(days=7)),
        candidate(6, has_private_chat=True),
    ], NOW)
    assert [p.user_id for p in plan.in_group] == [1, 5]
    assert [p.user_id for p in plan.privately] == [6]


@pytest.fixture
async def group(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group)  # weekly Monday 09:00 Madrid; window off
    for person in group.members[1:]:
        await harness.send(harness.updates.command(group.chat, person, "/join"))
    return group


async def open_question(harness):
    harness.clock.now = MONDAY_0900_MADRID
    await harness.tick()
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    return prompt, harness.telegram.message(GROUP_ID, prompt.message_id)


async def test_reminders_before_closing_privately_or_in_one_group_message(harness, group):
    prompt, question = await open_question(harness)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await press(harness, group.chat, group.carla, question, f"1|r|{prompt.id}|2")
    await harness.send(harness.updates.command(group.chat, group.dev, "/quiet"))
    # Eli has a private chat with the bot; Ana (coordinator) has not.
    eli_private = harness.updates.private_chat(group.eli)
    await harness.send(harness.updates.command(eli_private, group.eli, "/start"))

    # Three hours before the next question is 06:00 in Madrid, in quiet hours:
    # the reminders wait for 08:00, when quiet hours end.
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-3)
    assert (await harness.tick()).closing_soon == 0
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    report = await harness.tick()
    assert report.closing_soon == 1

    private = visible_text(harness.telegram.last("sendMessage", chat_id=group.eli["id"])
                           .params["text"])
    assert private == (
        "Hi Eli 👋 In Riverside CSO, 2 others in the group have answered the question of the "
        "week, which closes today at 09:00. Your voice would be welcome too, privately if "
        "you like.")
    assert "4" not in private and "Bruno" not in private  # no ratings, no names
    in_group = harness.telegram.last("sendMessage", chat_id=GROUP_ID)
    assert visible_text(in_group.params["text"]) == (
        "🌱 There is still time to answer this question: it closes today at 09:00. "
        "Every voice helps, with a tap, a reply or privately.")
    assert "tg://user" not in in_group.params["text"]
    assert in_group.params["reply_parameters"]["message_id"] == prompt.message_id
    button = in_group.params["reply_markup"]["inline_keyboard"][0][0]
    assert button["url"] == f"https://t.me/civic_reflect_bot?start=p{prompt.id}"
    nudged = await harness.store.db.fetch_all("SELECT user_id, channel FROM nudges ORDER BY 1")
    # The group's invitation counts as the reminder of Ana (no private
    # chat), so her once-a-week limit holds; it is one send, once a question.
    assert [tuple(row) for row in nudged] == [(601, "group"), (605, "private")]
    invitations = await harness.store.db.fetch_all(
        "SELECT key, state FROM outbox WHERE kind = 'invite'")
    assert [tuple(row) for row in invitations] == [(f"invite:{prompt.id}", "sent")]

    # The same question never reminds twice.
    harness.clock.advance(minutes=30)
    before = len(harness.telegram.calls)
    await harness.tick()
    assert [c.method for c in harness.telegram.calls[before:]] == []


async def test_at_most_one_reminder_a_week_and_none_when_turned_off(harness, group):
    await open_question(harness)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    await harness.tick()
    first_round = (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0]
    assert first_round == 5  # everyone: no one answered, nobody is quiet

    # A coordinator closes and reopens quickly (window of 1 hour): a second question
    # closes within the week, but nobody is reminded again so soon.
    await harness.send(harness.updates.command(group.chat, group.ana, "/window 1"))
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7)
    await harness.tick()
    harness.clock.advance(minutes=1)
    await harness.tick()
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == first_round

    await harness.send(harness.updates.command(group.chat, group.bruno, "/nudges off"))
    assert "coordinators" in visible_text(harness.telegram.last("sendMessage").params["text"])
    await harness.send(harness.updates.command(group.chat, group.ana, "/nudges off"))
    assert (await harness.store.chats.get(GROUP_ID)).nudges_enabled is False


async def test_no_reminders_in_quiet_hours(harness, group):
    await harness.send(harness.updates.command(group.chat, group.ana, "/quiethours 05:00 08:30"))
    await open_question(harness)  # 09:00 local: sent
    harness.clock.now = datetime(2026, 3, 16, 6, 0, tzinfo=UTC)  # 07:00 Madrid: quiet
    report = await harness.tick()
    assert report.closing_soon == 0
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == 0
    harness.clock.now = datetime(2026, 3, 16, 7, 30, tzinfo=UTC)  # 08:30: quiet hours over
    assert (await harness.tick()).closing_soon == 1
    assert (await harness.store.db.fetch_one("SELECT COUNT(*) FROM nudges"))[0] == 5


# -- nobody named, nobody counted, once a question ------------------------------------------------

PEOPLE = ("Ana", "Admin", "Bruno", "Carla", "Dev", "Eli", "ana_admin", "bruno_r", "carla_c")


def group_with_usernames(harness):
    """The five, with usernames, so an @-mention would have something to use."""
    group = make_group(harness)
    u = harness.updates
    group.ana = u.user(601, "Ana", "Admin", username="ana_admin")
    group.bruno = u.user(602, "Bruno", username="bruno_r")
    group.carla = u.user(603, "Carla", username="carla_c")
    harness.telegram.set_chat_member(GROUP_ID, group.ana, "administrator")
    for person in (group.bruno, group.carla):
        harness.telegram.set_chat_member(GROUP_ID, person, "member")
    return group


@pytest.mark.parametrize("names", ["names", "counts"])
async def test_group_reminders_name_mention_and_count_nobody(harness, names):
    group = group_with_usernames(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group, names=names)
    for person in group.members[1:]:
        await harness.send(harness.updates.command(group.chat, person, "/join"))
    assert (await harness.store.chats.get(GROUP_ID)).names_visible is (names == "names")
    prompt, question = await open_question(harness)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|5")

    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    before = len(harness.telegram.calls)
    assert (await harness.tick()).closing_soon == 1
    in_group = [call for call in harness.telegram.calls[before:]
                if call.method == "sendMessage" and call.params["chat_id"] == GROUP_ID]
    assert len(in_group) == 1, "one invitation to everyone"
    source = in_group[0].params["text"]
    shown = visible_text(source)
    assert shown.startswith("🌱 There is still time to answer this question")
    assert "tg://user" not in source and "@" not in shown
    assert not any(entity["type"] in ("mention", "text_mention")
                   for entity in in_group[0].params.get("entities", []))
    for word in PEOPLE:
        assert word not in shown
    assert re.search(r"\d+ (people|person|others?|colleagues?|voices?)", shown) is None


async def test_no_answers_yet_is_never_said_as_a_count(harness, group):
    eli_private = harness.updates.private_chat(group.eli)
    await harness.send(harness.updates.command(eli_private, group.eli, "/start"))
    await open_question(harness)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    await harness.tick()
    private = visible_text(harness.telegram.last("sendMessage", chat_id=group.eli["id"])
                           .params["text"])
    assert private == ("Hi Eli 👋 In Riverside CSO, the question of the week closes today "
                       "at 09:00. Your voice would be welcome, privately if you like.")
    in_group = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID)
                            .params["text"])
    assert "0" not in in_group.replace("09:00", "")


async def test_the_group_is_invited_at_most_once_a_question(harness, group):
    prompt, _ = await open_question(harness)
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    await harness.tick()
    assert "still time" in visible_text(
        harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    # A newcomer who was never reminded does not bring a second invitation.
    fia = harness.updates.user(606, "Fia")
    harness.telegram.set_chat_member(GROUP_ID, fia, "member")
    await harness.send(harness.updates.command(group.chat, fia, "/join"))
    before = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    assert await nudge_before_closing(harness.app.bot, harness.app.bot_data, prompt) == 0
    assert len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)) == before


async def test_reminders_in_spanish(harness, group):
    await harness.store.chats.update(GROUP_ID, language="es")
    dev_private = harness.updates.private_chat(group.dev)  # Telegram in Spanish
    await harness.send(harness.updates.command(dev_private, group.dev, "/start"))
    prompt, question = await open_question(harness)
    await press(harness, group.chat, group.bruno, question, f"1|r|{prompt.id}|3")
    harness.clock.now = MONDAY_0900_MADRID + timedelta(days=7, hours=-1)
    await harness.tick()
    assert visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID)
                        .params["text"]) == (
        "🌱 Aún hay tiempo para responder a esta pregunta: cierra hoy a las 09:00. "
        "Cada voz cuenta, con un toque, una respuesta o en privado.")
    assert visible_text(harness.telegram.last("sendMessage", chat_id=group.dev["id"])
                        .params["text"]) == (
        "¡Hola, Dev! 👋 En Riverside CSO, ya ha respondido 1 persona más del grupo a la "
        "pregunta de la semana, que cierra hoy a las 09:00. Tu voz también sería "
        "bienvenida, en privado si lo prefieres.")


def test_a_private_reminder_says_the_question_of_the_week_only_when_it_is_weekly(catalog):
    person = candidate(7, name="Eli", has_private_chat=True)
    common = {"group_title": "Riverside", "timezone": "Europe/Madrid", "prompt_id": 3,
              "bot_username": "civic_reflect_bot"}
    daily, _ = render.private_reminder(catalog, "en", person, answered=1, weekly=False,
                                       closes=datetime(2026, 3, 10, 8, 0, tzinfo=UTC), **common)
    assert daily == ("Hi Eli 👋 In Riverside, 1 other person in the group has answered the open "
                     "question, which closes on Tuesday at 09:00. Your voice would be welcome "
                     "too, privately if you like.")
    weekly, button = render.private_reminder(catalog, "en", person, answered=0, weekly=True,
                                             closes=None, **common)
    assert weekly == ("Hi Eli 👋 In Riverside, the question of the week closes soon. Your voice "
                      "would be welcome, privately if you like.")
    assert button.inline_keyboard[0][0].url == "https://t.me/civic_reflect_bot?start=p3"


def test_the_domain_knows_nothing_of_telegram_or_sql():
    source = Path(nudges_domain.__file__).read_text(encoding="utf-8")
    imports = re.findall(r"^\s*(?:from|import) ([\w.]+)", source, re.MULTILINE)
    assert imports and all(name.split(".")[0] in ("__future__", "dataclasses", "datetime")
                           for name in imports), imports


@pytest.mark.parametrize(("now", "said"), [
    (datetime(2025, 3, 3, 7, 0, tzinfo=UTC), "today at 09:00"),
    (datetime(2025, 3, 2, 20, 0, tzinfo=UTC), "tomorrow at 09:00"),
    (datetime(2025, 2, 28, 9, 0, tzinfo=UTC), "on Monday at 09:00"),
    (None, "on Monday at 09:00"),
])
def test_the_closing_time_says_today_when_it_is_today(catalog, now, said):
    # Monday 3 March 2025, 09:00 in London (UTC then).
    closes = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    assert render.closing_phrase(catalog, "en", closes, "Europe/London", now) == said
    assert render.closing_phrase(catalog, "es", closes, "Europe/London",
                          datetime(2025, 3, 3, 7, 0, tzinfo=UTC)) == "hoy a las 09:00"
