"""Actions where a person's data goes, end to end through the fake Telegram:
/export sends the coordinator a second file, the group's actions, with a
check-in note only when its owner shared it; /mydata shows a member the
actions they started and took on, with their own notes, shared or not; and
/forget takes their notes with them (the action stays, unassigned)."""

from __future__ import annotations

from datetime import timedelta

from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, bot_message, press

KEPT = "My landlord makes evenings hard."
SHARED = "Waiting for the library to call back."


async def checked_in_action(harness, group) -> int:
    """Ana starts an action, Bruno and Carla take it on; on the day both are
    stuck: Bruno keeps his note, Carla shares hers."""
    u = harness.updates
    for person in (group.ana, group.bruno, group.carla):
        await harness.send(u.command(u.private_chat(person), person, "/start"))
    await harness.send(u.command(group.chat, group.ana, "/action Ask the library for a room"))
    card = bot_message(harness, GROUP_ID)
    action = int(card["reply_markup"]["inline_keyboard"][0][0]["callback_data"].split("|")[2])
    for person in (group.bruno, group.carla):
        await press(harness, group.chat, person, card, f"1|a|{action}|vol")
    await press(harness, group.chat, group.ana, card, f"1|a|{action}|w1")
    harness.clock.now = harness.clock.now + timedelta(days=8)
    await harness.tick()
    await harness.tick()
    for person, note in ((group.bruno, KEPT), (group.carla, SHARED)):
        chat = u.private_chat(person)
        checkin = bot_message(harness, person["id"])
        assert "Check-in" in checkin["text"]
        await press(harness, chat, person, checkin, f"1|c|{action}|stuck")
        await harness.send(u.message(chat, person, note))
        if note == SHARED:
            await press(harness, chat, person, bot_message(harness, person["id"]),
                        f"1|n|{action}|1")
    return action


def documents_to(harness, person: dict) -> dict[str, str]:
    return {file.filename: file.content.decode()
            for call in harness.telegram.calls_to("sendDocument", chat_id=person["id"])
            for file in call.files.values()}


async def test_export_sends_the_actions_with_shared_notes_only(harness, group):
    await checked_in_action(harness, group)
    await harness.send(harness.updates.command(group.chat, group.ana, "/export"))
    files = documents_to(harness, group.ana)
    (actions_file,) = [name for name in files if name.endswith("-actions.csv")]
    text = files[actions_file]
    assert "Ask the library for a room" in text
    assert SHARED in text
    assert KEPT not in text
    # Counts only: owners are numbered, never named.
    assert "owner 1: stuck; owner 2: stuck" in text
    assert "Bruno" not in text and "Carla" not in text
    assert all(KEPT not in content for content in files.values())
    caption = harness.telegram.last("sendDocument", chat_id=group.ana["id"]).params["caption"]
    assert caption == "Riverside CSO: 1 action, with how its check-ins went."


async def test_mydata_shows_a_person_their_actions_and_their_own_notes(harness, group):
    await checked_in_action(harness, group)
    u = harness.updates
    await harness.send(u.command(group.chat, group.bruno, "/mydata"))
    mine = visible_text(bot_message(harness, group.bruno["id"])["text"])
    assert "Your actions" in mine
    assert "You are taking on: Ask the library for a room" in mine
    assert "Your check-in: stuck." in mine
    assert f"Your note, only for you: “{KEPT}”" in mine
    assert SHARED not in mine  # Carla's, not his
    await harness.send(u.command(group.chat, group.ana, "/mydata"))
    hers = visible_text(bot_message(harness, group.ana["id"])["text"])
    assert "You started: Ask the library for a room" in hers
    assert "taking on" not in hers and KEPT not in hers


async def test_forget_takes_an_owners_notes_and_leaves_the_action(harness, group):
    action = await checked_in_action(harness, group)
    for person in (group.bruno, group.carla):
        await harness.store.forget_person(person["id"])
    assert await harness.store.actions.owners(action) == []
    assert (await harness.store.actions.get(action)).state == "open"
    rows = await harness.store.db.fetch_all(
        "SELECT note FROM action_owners WHERE note IS NOT NULL")
    assert list(rows) == []
