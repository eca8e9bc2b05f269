"""Actions that follow through, end to end through the fake Telegram: a group
makes an action, two people (then a third) take it on, the due day's
check-ins reach each owner privately, one says done and the others are
stuck (one note shared, one kept), the weekly summary counts without names
and the coordinator's digest shows what could use a hand."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from bot.sandbox.telegram import check_telegram_html, visible_text

from helpers.group import GROUP_ID, bot_message, make_group, press, run_setup
from helpers.weekly import FRIDAY_1700_MADRID

# The group's question of the week opens at Monday 09:00 in Madrid; an
# action chosen "in a week" on Monday 2 March is due on the 9th at 10:00.
MONDAY_QUESTION = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
MONDAY_CHECKINS = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
NAMES = ("Ana", "Bruno", "Carla", "Dev", "Eli")


async def start_privately(harness, *people):
    for person in people:
        await harness.send(harness.updates.command(harness.updates.private_chat(person), person,
                                                   "/start"))


async def make_action(harness, group, person, text: str) -> tuple[dict, int]:
    await harness.send(harness.updates.command(group.chat, person, f"/action {text}"))
    card = bot_message(harness, GROUP_ID)
    action_id = int(card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2])
    return card, action_id


def card_text(harness, card: dict) -> str:
    return harness.telegram.message(GROUP_ID, card["message_id"])["text"]


def checkins_to(harness, person: dict) -> list[dict]:
    return [harness.telegram.message(person["id"], call.result["message_id"])
            for call in harness.telegram.calls_to("sendMessage", chat_id=person["id"])
            if call.ok and "1|c|" in str(call.params.get("reply_markup"))]


async def test_an_action_taken_on_checked_in_and_summed_up_without_names(harness, group, caplog):
    caplog.set_level(logging.DEBUG)
    await start_privately(harness, group.ana, group.bruno, group.carla, group.dev, group.eli)
    card, action = await make_action(harness, group, group.ana,
                                     "Ask the library for a <b>room</b>")
    assert check_telegram_html(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params[
        "text"]) == []
    assert card_text(harness, card).startswith("📌 Action: Ask the library for a <b>room</b>")
    assert "Nobody has taken this on yet." in card_text(harness, card)

    # Two volunteers; Bruno's press delivered again changes nothing.
    for person in (group.bruno, group.carla):
        popup = await press(harness, group.chat, person, card, f"1|a|{action}|vol")
        assert popup["text"].startswith("Thank you! I will check in with you privately")
    again = await press(harness, group.chat, group.bruno, card, f"1|a|{action}|vol")
    assert again["text"] == "You are already taking this on."
    assert [o.user_id for o in await harness.store.actions.owners(action)] == [602, 603]
    assert "2 people are taking this on." in card_text(harness, card)
    for name in NAMES:
        assert name not in card_text(harness, card)

    # By when: in a week, from the day it was made, in Madrid.
    await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    assert (await harness.store.actions.get(action)).due_at == MONDAY_CHECKINS
    assert "By Monday 9 March." in card_text(harness, card)
    later = await press(harness, group.chat, group.ana, card, f"1|a|{action}|m1")
    assert later["text"] == "The date is already set."
    assert (await harness.store.actions.get(action)).due_at == MONDAY_CHECKINS

    # Eli joins later; another action, Dev's alone, due the same day.
    await press(harness, group.chat, group.eli, card, f"1|a|{action}|vol")
    flyers_card, flyers = await make_action(harness, group, group.dev, "Print the flyers")
    await press(harness, group.chat, group.dev, flyers_card, f"1|a|{flyers}|vol")
    await press(harness, group.chat, group.dev, flyers_card, f"1|a|{flyers}|w1")

    # Nothing before the day; then one private check-in each, once.
    harness.clock.now = MONDAY_QUESTION
    await harness.tick()
    assert checkins_to(harness, group.bruno) == []
    harness.clock.now = MONDAY_CHECKINS
    await harness.tick()
    await harness.tick()
    for person in (group.bruno, group.carla, group.eli, group.dev):
        assert len(checkins_to(harness, person)) == 1, person["first_name"]
    assert checkins_to(harness, group.ana) == []
    assert all("Check-in" not in text for text in harness.telegram.texts(GROUP_ID))
    bruno_checkin = checkins_to(harness, group.bruno)[0]
    assert "Ask the library for a <b>room</b>" in bruno_checkin["text"]
    assert "Riverside CSO" in bruno_checkin["text"]

    u = harness.updates
    bruno, carla, eli, dev = (u.private_chat(p) for p in (group.bruno, group.carla, group.eli,
                                                          group.dev))
    assert "text" not in await press(harness, bruno, group.bruno, bruno_checkin,
                                     f"1|c|{action}|done")
    assert "Thank you! Well done." in harness.telegram.texts(group.bruno["id"])[-1]
    assert (await press(harness, bruno, group.bruno, bruno_checkin,
                        f"1|c|{action}|done"))["text"] == "Already noted."
    # Someone who is not an owner cannot answer for it (Dev reads Spanish).
    dev_checkin = checkins_to(harness, group.dev)[0]
    assert dev_checkin["text"].startswith("🔔 Seguimiento de Riverside CSO")
    refused = await press(harness, dev, group.dev, dev_checkin, f"1|c|{action}|stuck")
    assert (refused["text"], refused["show_alert"]) == (
        "Este seguimiento no es tuyo, o ya has dejado esta acción.", True)

    await press(harness, carla, group.carla, checkins_to(harness, group.carla)[0],
                f"1|c|{action}|stuck")
    await harness.send(u.message(carla, group.carla, "We need a key & a <date>"))
    offer = bot_message(harness, group.carla["id"])
    assert offer["text"].startswith("Note kept. Only you can see it.")
    assert (await press(harness, carla, group.carla, offer, f"1|n|{action}|1"))["text"] == (
        "Shared with the coordinators.")
    await press(harness, eli, group.eli, checkins_to(harness, group.eli)[0],
                f"1|c|{action}|stuck")
    await harness.send(u.message(eli, group.eli, "only for me"))
    await press(harness, dev, group.dev, dev_checkin, f"1|c|{flyers}|done")

    # Dev's action is done: its card says so, and its buttons are gone.
    assert (await harness.store.actions.get(flyers)).state == "done"
    shown = harness.telegram.message(GROUP_ID, flyers_card["message_id"])
    assert "Done. Thank you!" in shown["text"] and "reply_markup" not in shown
    closed = await press(harness, group.chat, group.eli, flyers_card, f"1|a|{flyers}|vol")
    assert closed["text"] == "This action is closed. Thank you!"
    closed = await press(harness, group.chat, group.eli, flyers_card, f"1|a|{flyers}|m1")
    assert closed["text"] == "This action is closed. Thank you!"
    assert (await harness.store.actions.get(action)).state == "open"

    # An action started this week, nobody on it yet.
    harness.clock.now = MONDAY_CHECKINS.replace(day=10)
    await make_action(harness, group, group.eli, "Call the council")

    before = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    harness.clock.now = FRIDAY_1700_MADRID
    assert (await harness.tick()).summaries == 1
    posted = [visible_text(c.params["text"])
              for c in harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)[before:]]
    block = next(text for text in posted if text.startswith("🛠 What we are doing"))
    assert block.splitlines()[1:] == [
        "🆕 1 action started this week.",
        "✅ 1 action done this week. Thank you!",
        "⏩ 1 action is on the way.",
        "",
        "🛠 Want to act on something here? Reply to this message with /action and what you will"
        " do.",
    ]
    for name in NAMES:
        assert all(name not in text for text in posted)
    assert all("key" not in text for text in posted)

    digest = "\n".join(visible_text(c.params["text"]) for c in harness.telegram.calls_to(
        "sendMessage", chat_id=group.ana["id"]))
    hand = digest[digest.index("🤝 Could use a hand"):]
    assert hand.splitlines()[:3] == ["🤝 Could use a hand", "• Ask the library for a <b>room</b>",
                                     "   💬 “We need a key & a <date>”"]
    assert "only for me" not in digest
    assert "Print the flyers" not in hand and "Call the council" not in hand
    # The bot's logs carry ids: no action's words, no note, no name.
    logged = "\n".join(record.getMessage() for record in caplog.records
                        if record.name.startswith("bot."))
    assert f"action {action}" in logged
    for words in ("library", "flyers", "key", "only for me", "Bruno", "Carla"):
        assert words not in logged


async def test_actions_lists_the_open_ones_with_their_buttons(harness, group):
    await harness.send(harness.updates.command(group.chat, group.bruno, "/acciones"))
    assert harness.telegram.texts(GROUP_ID)[-1].startswith("No open actions.")
    _, first = await make_action(harness, group, group.bruno, "Paint the fence")
    _, second = await make_action(harness, group, group.carla, "Plant the trees")
    await harness.send(harness.updates.command(group.chat, group.dev, "/actions"))
    listed = harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)[-3:]
    assert visible_text(listed[0].params["text"]) == "📋 What we are doing"
    assert [visible_text(c.params["text"]).splitlines()[0] for c in listed[1:]] == [
        "📌 Action: Paint the fence", "📌 Action: Plant the trees"]
    assert [c.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            for c in listed[1:]] == [f"1|a|{first}|vol", f"1|a|{second}|vol"]


async def test_an_action_may_start_on_the_line_after_the_command(harness, group):
    await harness.send(harness.updates.command(group.chat, group.bruno,
                                               "/accion\nPaint   the\nfence"))
    [action] = await harness.store.actions.open_for_chat(GROUP_ID)
    assert action.text == "Paint the fence"


async def test_letting_go_leaves_the_action_to_others_in_the_group(harness, group):
    await start_privately(harness, group.bruno)
    card, action = await make_action(harness, group, group.ana, "Ask the library")
    await press(harness, group.chat, group.bruno, card, f"1|a|{action}|vol")
    await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    assert "1 person is taking this on." in card_text(harness, card)
    harness.clock.now = MONDAY_CHECKINS
    await harness.tick()
    bruno = harness.updates.private_chat(group.bruno)
    await press(harness, bruno, group.bruno, checkins_to(harness, group.bruno)[0],
                f"1|c|{action}|go")
    assert harness.telegram.texts(group.bruno["id"])[-1] == (
        "That's fine. You are no longer on this one. Thank you for trying.")
    assert "Nobody has taken this on yet." in card_text(harness, card)
    assert (await harness.store.actions.get(action)).state == "open"


async def test_an_empty_or_long_action_is_explained(harness, group):
    await harness.send(harness.updates.command(group.chat, group.bruno, "/action"))
    assert harness.telegram.texts(GROUP_ID)[-1].startswith("Send it on one line")
    await harness.send(harness.updates.command(group.chat, group.bruno, "/action " + "x" * 201))
    assert harness.telegram.texts(GROUP_ID)[-1] == "Please keep an action to one short line."
    assert await harness.store.actions.open_for_chat(GROUP_ID) == []


async def test_a_button_of_another_groups_action_changes_nothing(harness, group):
    card, action = await make_action(harness, group, group.ana, "Ask the library")
    other = make_group(harness, chat_id=-100400)
    await harness.send(harness.updates.bot_added(other.chat, other.ana))
    await run_setup(harness, other)
    elsewhere = harness.telegram.message(-100400, harness.telegram.last(
        "sendMessage", chat_id=-100400).result["message_id"])
    popup = await press(harness, other.chat, other.bruno, elsewhere, f"1|a|{action}|vol")
    assert (popup["text"], popup["show_alert"]) == ("I can't find this action here.", True)
    assert await harness.store.actions.owners(action) == []
    # A step back by someone who was never on it.
    popup = await press(harness, group.chat, group.carla, card, f"1|a|{action}|back")
    assert popup["text"] == "You were not taking this on."


async def test_a_volunteer_without_a_private_chat_is_told_how_to_hear_back(harness, group):
    card, action = await make_action(harness, group, group.ana, "Ask the library")
    popup = await press(harness, group.chat, group.bruno, card, f"1|a|{action}|vol")
    assert "open a private chat with me" in popup["text"]
    await press(harness, group.chat, group.bruno, card, f"1|a|{action}|w1")
    harness.clock.now = MONDAY_CHECKINS
    await harness.tick()
    assert harness.telegram.calls_to("sendMessage", chat_id=group.bruno["id"]) == []
    # Once they open it, the check-in comes at the next tick.
    await start_privately(harness, group.bruno)
    await harness.tick()
    assert len(checkins_to(harness, group.bruno)) == 1


async def test_on_the_way_brings_the_next_checkin_a_week_on(harness, group):
    await start_privately(harness, group.bruno)
    card, action = await make_action(harness, group, group.ana, "Ask the library")
    await press(harness, group.chat, group.bruno, card, f"1|a|{action}|vol")
    await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    harness.clock.now = MONDAY_CHECKINS
    await harness.tick()
    bruno = harness.updates.private_chat(group.bruno)
    await press(harness, bruno, group.bruno, checkins_to(harness, group.bruno)[0],
                f"1|c|{action}|way")
    assert harness.telegram.texts(group.bruno["id"])[-1].startswith(
        "Good. I will check in again on Monday 16 March.")
    # /summary shows it on the way, naming nobody.
    await harness.send(harness.updates.command(group.chat, group.ana, "/summary"))
    assert harness.telegram.texts(GROUP_ID)[-1].splitlines() == [
        "🛠 What we are doing", "⏩ 1 action is on the way."]
    harness.clock.advance(days=6, hours=23)
    await harness.tick()
    assert len(checkins_to(harness, group.bruno)) == 1
    harness.clock.advance(hours=1)
    await harness.tick()
    assert len(checkins_to(harness, group.bruno)) == 2
    # Asked again and not answered yet: waiting for news, still nobody named.
    await harness.send(harness.updates.command(group.chat, group.ana, "/summary"))
    assert harness.telegram.texts(GROUP_ID)[-1].splitlines() == [
        "🛠 What we are doing", "💬 1 action is waiting for news."]
