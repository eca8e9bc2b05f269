"""A date typed in reply to an action's message, beside the quick choices:
read day first in the group's time zone, from tomorrow to a year ahead;
the first date set stays, whichever way it was given."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.actions import TypedDate, typed_date

from helpers.group import GROUP_ID, bot_message, press

# 23:30 on Monday 2 March in UTC is already Tuesday the 3rd in Madrid.
LATE_MONDAY = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("typed, day", [
    ("20/3", date(2026, 3, 20)),
    ("20.03.2026", date(2026, 3, 20)),
    ("20-3-26", date(2026, 3, 20)),
    ("2026-03-20", date(2026, 3, 20)),
    (" 20/3. ", date(2026, 3, 20)),
    ("4/3", date(2026, 3, 4)),
    ("1/1", date(2027, 1, 1)),  # without a year, the next such day
])
def test_a_typed_date_is_read_day_first(typed, day):
    assert typed_date(typed, LATE_MONDAY, "Europe/Madrid").day == day


@pytest.mark.parametrize("typed, problem", [
    ("next friday", "unclear"),
    ("31/02", "unclear"),
    ("3/13", "unclear"),  # never guessed as month first
    ("20/3 or so", "unclear"),
    ("3/3", "past"),  # today in Madrid, though still the 2nd in UTC
    ("2/3/2026", "past"),
    ("2027-03-05", "far"),  # a year and two days ahead
])
def test_a_date_that_cannot_be_an_actions_is_refused_with_its_reason(typed, problem):
    assert typed_date(typed, LATE_MONDAY, "Europe/Madrid") == TypedDate(None, problem)


def test_today_depends_on_the_groups_time_zone():
    assert typed_date("3/3", LATE_MONDAY, "America/Bogota").day == date(2026, 3, 3)
    assert typed_date("3/3", LATE_MONDAY, "Europe/Madrid").problem == "past"


async def make_action(harness, group, text: str) -> tuple[dict, int]:
    await harness.send(harness.updates.command(group.chat, group.ana, f"/action {text}"))
    card = bot_message(harness, GROUP_ID)
    action_id = int(card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2])
    return card, action_id


def card_text(harness, card: dict) -> str:
    return harness.telegram.message(GROUP_ID, card["message_id"])["text"]


async def reply_to(harness, group, person, card, text: str) -> str:
    await harness.send(harness.updates.reply(group.chat, person, card, text))
    return harness.telegram.texts(GROUP_ID)[-1]


async def test_a_date_typed_in_reply_sets_it_and_the_card_shows_it(harness, group):
    card, action = await make_action(harness, group, "Ask the library for a room")
    assert "or reply to this message with a date, like 20/12" in card_text(harness, card)
    said = await reply_to(harness, group, group.bruno, card, "20/3")
    assert said == "📅 Done. The date is Friday 20 March."
    due = (await harness.store.actions.get(action)).due_at
    assert due == datetime(2026, 3, 20, 9, 0, tzinfo=UTC)  # 10:00 in Madrid
    assert "By Friday 20 March." in card_text(harness, card)
    # The quick choices are gone from the card, and a late press keeps the date.
    keyboard = harness.telegram.message(GROUP_ID, card["message_id"])["reply_markup"]
    assert f"1|a|{action}|w1" not in str(keyboard)
    popup = await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    assert popup["text"] == "The date is already set."
    assert (await harness.store.actions.get(action)).due_at == due


async def test_a_date_typed_after_a_choice_keeps_the_first(harness, group):
    card, action = await make_action(harness, group, "Print the flyers")
    await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    due = (await harness.store.actions.get(action)).due_at
    said = await reply_to(harness, group, group.bruno, card, "20/3")
    assert said == "The date is already set."
    assert (await harness.store.actions.get(action)).due_at == due


async def test_an_unclear_or_past_date_is_explained_and_changes_nothing(harness, group):
    card, action = await make_action(harness, group, "Print the flyers")
    assert (await reply_to(harness, group, group.bruno, card, "soon")).startswith(
        "I couldn't read that as a date. Reply with a day and month, like 20/12")
    assert await reply_to(harness, group, group.bruno, card, "1/3/2026") == (
        "Please choose a day after today.")
    assert await reply_to(harness, group, group.bruno, card, "2028-01-01") == (
        "Please choose a day within the next year.")
    assert (await harness.store.actions.get(action)).due_at is None


async def test_a_spanish_group_is_answered_in_spanish(harness, group):
    await harness.store.chats.update(GROUP_ID, language="es")
    card, _ = await make_action(harness, group, "Pintar la valla")
    assert "responde a este mensaje con una fecha" in card_text(harness, card)
    assert await reply_to(harness, group, group.bruno, card, "20/3") == (
        "📅 Listo. La fecha es el viernes 20 de marzo.")


async def test_a_reply_to_a_closed_or_other_message_is_not_a_date(harness, group):
    card, action = await make_action(harness, group, "Print the flyers")
    sent_before = len(harness.telegram.texts(GROUP_ID))
    # A plain message, and a reply to a person's message: not for the bot.
    await harness.send(harness.updates.message(group.chat, group.bruno, "20/3"))
    said = bot_message(harness, GROUP_ID)
    await harness.send(harness.updates.reply(group.chat, group.ana, {
        **said, "from": group.bruno}, "20/3"))
    assert len(harness.telegram.texts(GROUP_ID)) == sent_before
    # Done meanwhile: the old card's date is refused kindly, and nothing changes.
    await harness.store.actions.volunteer(action, GROUP_ID, group.bruno["id"])
    await harness.store.actions.answer(action, group.bruno["id"], "done", None)
    assert (await harness.store.actions.get(action)).state == "done"
    assert await reply_to(harness, group, group.bruno, card, "20/3") == (
        "This action is closed. Thank you!")
    assert (await harness.store.actions.get(action)).due_at is None
