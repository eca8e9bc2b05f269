"""Joint actions across a partnership, end to end through the fake Telegram:
a council coordinator proposes one from the agenda; it appears in both
groups; a volunteer on each side; a repeated proposal changes nothing; both
summaries show both sides' progress; once the pair comes round again the
digest asks "did it help?" with both sides' averages before and after; and
neither group ever reads the other's members' names."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sandbox.telegram import check_telegram_html, visible_text

from helpers.group import bot_message, press
from helpers.partnership import (
    COUNCIL_ID,
    CSO_ID,
    HILL_ID,
    ask_and_rate,
    hillside,
    link,
    linked_pair,
    set_up,
    texts,
)

THREE_COUNCIL, THREE_CSO = ("Olga", "Pablo", "Quinn"), ("Ana", "Bruno", "Carla")
PAIR_ONE = "Goals: triple bottom line and valued outcomes"
# "In a week" from Monday 2 March: the check-ins on Monday 9 March, 10:00 in Madrid.
CHECKINS = datetime(2026, 3, 9, 9, 0, tzinfo=UTC)
FRIDAY_1700_MADRID = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
WHAT = "Hold one listening session together"


def names_of(team) -> list[str]:
    return [person["first_name"] for person in team.everyone]


def every_text(harness, chat_id: int) -> list[str]:
    """Every message the bot sent or edited in a chat, as people read them."""
    return [visible_text(call.params["text"])
            for method in ("sendMessage", "editMessageText")
            for call in harness.telegram.calls_to(method, chat_id=chat_id) if call.ok]


def cards(harness, chat_id: int) -> list[dict]:
    return [harness.telegram.message(chat_id, call.result["message_id"])
            for call in harness.telegram.calls_to("sendMessage", chat_id=chat_id)
            if call.ok and "1|a|" in str(call.params.get("reply_markup"))]


def shown(harness, chat_id: int, message: dict) -> str:
    return visible_text(harness.telegram.message(chat_id, message["message_id"])["text"])


async def rate_pair_one_again(harness, team, people, rating: int) -> None:
    """/ask until the programme is back at the pair's question (at most a
    round of fifteen), then the three people rate it."""
    for _ in range(16):
        await harness.send(harness.updates.command(team.chat, team.admin, "/ask"))
        prompt = (await harness.store.prompts.list_for_chat(team.id))[-1]
        if prompt.item_id.endswith("-01"):
            break
    assert prompt.item_id.endswith("-01"), prompt.item_id
    message = harness.telegram.message(team.id, prompt.message_id)
    for person in team.everyone:
        if person["first_name"] in people:
            await press(harness, team.chat, person, message, f"1|r|{prompt.id}|{rating}")


async def test_a_joint_action_seen_by_both_partners_without_names(harness):
    town, cso = await linked_pair(harness)
    u = harness.updates
    for person in (town.admin, cso.admin, cso.members[0]):
        await harness.send(u.command(u.private_chat(person), person, "/start"))
    # Pair 1, both sides: the council rates itself 2, the civil society 4.
    await ask_and_rate(harness, town, dict.fromkeys(THREE_COUNCIL, 2))
    await ask_and_rate(harness, cso, dict.fromkeys(THREE_CSO, 4))
    harness.clock.advance(minutes=30)

    # The agenda offers a joint action on each pair it points at.
    await harness.send(u.command(town.chat, town.admin, "/partnership agenda"))
    agenda = bot_message(harness, COUNCIL_ID)
    (row,) = agenda["reply_markup"]["inline_keyboard"]
    assert row[0]["text"] == f"🤝 Joint action: {PAIR_ONE}"
    link = (await harness.store.partnerships.for_chat(COUNCIL_ID))[0]
    assert row[0]["callback_data"] == f"1|ja|{link.id}|la|1"
    refused = await press(harness, town.chat, town.members[0], agenda, row[0]["callback_data"])
    assert refused["show_alert"] is True
    await press(harness, town.chat, town.admin, agenda, row[0]["callback_data"])
    assert "/jointaction 1" in texts(harness, COUNCIL_ID)[-1]

    # Proposed once; the same proposal again makes nothing new.
    await harness.send(u.command(town.chat, town.admin, f"/jointaction 1 {WHAT}"))
    assert texts(harness, COUNCIL_ID)[-2].startswith("Done. The joint action is now in both")
    await harness.send(u.command(town.chat, town.admin, f"/jointaction 1 {WHAT}"))
    assert texts(harness, COUNCIL_ID)[-1] == "This joint action is open already, in both groups."
    (joint,) = await harness.store.joint_actions.for_chat(CSO_ID)
    assert (joint.pair_number, joint.proposed_by) == (1, "la")
    (here,), (there,) = cards(harness, COUNCIL_ID), cards(harness, CSO_ID)
    assert shown(harness, COUNCIL_ID, here).startswith(
        f"📌 Action: {WHAT}\n🤝 A joint action with Riverside CSO, on “{PAIR_ONE}”.")
    assert shown(harness, CSO_ID, there).startswith(
        f"📌 Action: {WHAT}\n🤝 A joint action with Riverside Council, on “{PAIR_ONE}”.")
    # The partner's action keeps no maker: no person's id crosses.
    assert (await harness.store.actions.get(joint.cso_action_id)).created_by is None

    # Each side puts forward its own people.
    pablo, bruno = town.members[0], cso.members[0]
    await press(harness, town.chat, pablo, here, f"1|a|{joint.la_action_id}|vol")
    await press(harness, cso.chat, bruno, there, f"1|a|{joint.cso_action_id}|vol")
    again = await press(harness, cso.chat, bruno, there, f"1|a|{joint.cso_action_id}|vol")
    assert again["text"] == "You are already taking this on."
    await press(harness, cso.chat, bruno, there, f"1|a|{joint.cso_action_id}|w1")
    assert "1 person is taking this on." in shown(harness, CSO_ID, there)
    assert "🤝 A joint action with Riverside Council" in shown(harness, CSO_ID, there)

    # Bruno's check-in: done on the civil-society side.
    harness.clock.now = CHECKINS
    await harness.tick()
    await harness.tick()
    checkin = bot_message(harness, bruno["id"])
    await press(harness, u.private_chat(bruno), bruno, checkin,
                f"1|c|{joint.cso_action_id}|done")
    assert (await harness.store.actions.get(joint.cso_action_id)).state == "done"
    assert (await harness.store.actions.get(joint.la_action_id)).state == "open"

    # Both summaries show both sides' progress.
    await harness.send(u.command(town.chat, town.admin, "/summary"))
    assert (f"• {WHAT} (with Riverside CSO): taken on here, done there."
            in texts(harness, COUNCIL_ID)[-1])
    await harness.send(u.command(cso.chat, cso.admin, "/summary"))
    assert (f"• {WHAT} (with Riverside Council): done here, taken on there."
            in texts(harness, CSO_ID)[-1])

    # The programme comes round to pair 1 again (fifteen questions on), on
    # both sides: the council now rates itself 3.
    harness.clock.advance(hours=1)
    for team, people, rating in ((town, THREE_COUNCIL, 3), (cso, THREE_CSO, 4)):
        await rate_pair_one_again(harness, team, people, rating)
        await harness.send(u.command(team.chat, team.admin, "/ask"))  # closes it

    harness.clock.now = FRIDAY_1700_MADRID
    await harness.tick()
    digest = next(text for text in texts(harness, town.admin["id"]) if "Did it help?" in text)
    assert f"• {WHAT}, with Riverside CSO, on “{PAIR_ONE}”" in digest
    assert "You: before 2.0 out of 5, now 3.0 out of 5" in digest
    assert "Riverside CSO: before 4.0 out of 5, now 4.0 out of 5" in digest
    theirs = next(text for text in texts(harness, cso.admin["id"]) if "Did it help?" in text)
    assert "You: before 4.0 out of 5, now 4.0 out of 5" in theirs
    assert "Riverside Council: before 2.0 out of 5, now 3.0 out of 5" in theirs

    for chat_id in (COUNCIL_ID, CSO_ID, town.admin["id"], cso.admin["id"]):
        for call in harness.telegram.calls_to("sendMessage", chat_id=chat_id):
            assert check_telegram_html(call.params["text"]) == []

    # Neither side ever reads the other's members' names.
    for chat_id, others in ((COUNCIL_ID, names_of(cso)), (CSO_ID, names_of(town)),
                            (town.admin["id"], names_of(cso)),
                            (cso.admin["id"], names_of(town))):
        seen = "\n".join(every_text(harness, chat_id))
        assert WHAT in seen
        for name in others:
            assert name not in seen, (chat_id, name)


async def test_who_may_propose_what_and_with_whom(harness):
    town, cso = await linked_pair(harness)
    u = harness.updates

    async def said(team, text: str, person: dict | None = None) -> str:
        await harness.send(u.command(team.chat, person or team.admin, text))
        return texts(harness, team.id)[-1]

    assert (await said(cso, "/jointaction 1 Meet", cso.members[0])).startswith(
        "Sorry, only this group's coordinators can do that.")
    for typed in ("/jointaction", "/jointaction Meet", "/jointaction 4", "/jointaction -1 Meet"):
        assert (await said(cso, typed)).startswith("Send a pair's number and what both"), typed
    assert await said(cso, "/jointaction 16 Meet") == (
        "There is no pair 16. The pairs go from 1 to 15.")
    assert await said(cso, "/jointaction 2 " + "long " * 60) == (
        "Please keep a joint action to one short line.")
    assert await harness.store.joint_actions.for_chat(CSO_ID) == []

    # The number and the words may come on two lines.
    await harness.send(u.command(cso.chat, cso.admin, "/jointaction 2\nShare our priorities"))
    (joint,) = await harness.store.joint_actions.for_chat(CSO_ID)
    assert (joint.pair_number, joint.proposed_by) == (2, "cso")
    assert (await harness.store.actions.get(joint.la_action_id)).text == "Share our priorities"

    # A Spanish civil-society group becomes the council's second partner: the
    # council can no longer say with whom; Hillside proposes in Spanish.
    hill = hillside(harness)
    await set_up(harness, hill, "cso", language="es")
    await link(harness, town, hill)
    assert await said(town, "/jointaction 3 Meet") == (
        "This group has more than one partner, so I can't tell with which one. Send "
        "/partnership agenda in your private chat with me, and tap 🤝 Joint action there.")
    await harness.send(u.command(hill.chat, hill.admin, "/accionconjunta 3 Reunirnos"))
    assert texts(harness, HILL_ID)[-2].startswith("Hecho. La acción conjunta ya está en los dos")
    assert texts(harness, HILL_ID)[-1].startswith(
        "📌 Acción: Reunirnos\n🤝 Una acción conjunta con Riverside Council, sobre «")
    assert texts(harness, COUNCIL_ID)[-1].startswith(
        "📌 Action: Reunirnos\n🤝 A joint action with Red de Hillside, on “")

    # Unlinked: each side's action stays, a plain one; no new joint action.
    await harness.send(u.command(cso.chat, cso.admin, "/unpartner"))
    link_id = (await harness.store.partnerships.for_chat(CSO_ID))[0].id
    await press(harness, cso.chat, cso.admin, bot_message(harness, CSO_ID),
                f"1|u|{link_id}|end")
    assert (await said(cso, "/jointaction 2 Again")).startswith("This group has no partner yet")
    await harness.send(u.command(cso.chat, cso.admin, "/actions"))
    card = texts(harness, CSO_ID)[-1]
    assert card.startswith("📌 Action: Share our priorities\n📅") and "🤝" not in card


async def test_from_the_agenda_in_private_the_next_message_is_the_line(harness):
    town, cso = await linked_pair(harness)
    u = harness.updates
    olga = u.private_chat(town.admin)
    await harness.send(u.command(olga, town.admin, "/start"))
    await ask_and_rate(harness, town, dict.fromkeys(THREE_COUNCIL, 2))
    await ask_and_rate(harness, cso, dict.fromkeys(THREE_CSO, 4))
    await harness.send(u.command(olga, town.admin, "/partnership agenda"))
    agenda = bot_message(harness, town.admin["id"])
    (row,) = agenda["reply_markup"]["inline_keyboard"]
    await press(harness, olga, town.admin, agenda, row[0]["callback_data"])
    asked = harness.telegram.last("sendMessage", chat_id=town.admin["id"])
    assert visible_text(asked.params["text"]) == (
        f"🤝 What will both groups do on “{PAIR_ONE}”? Send it as your next message, on one "
        "line. It will appear in both groups.")
    assert asked.params["reply_markup"]["force_reply"] is True
    sent = len(harness.telegram.calls_to("sendMessage", chat_id=town.admin["id"]))
    again = await press(harness, olga, town.admin, agenda, row[0]["callback_data"])
    assert again["text"] == "Send what both groups will do as your next message, on one line."
    assert len(harness.telegram.calls_to("sendMessage", chat_id=town.admin["id"])) == sent

    await harness.send(u.message(olga, town.admin, WHAT))
    assert texts(harness, town.admin["id"])[-1].startswith("Done. The joint action is now")
    (joint,) = await harness.store.joint_actions.for_chat(COUNCIL_ID)
    assert (joint.pair_number, joint.proposed_by) == (1, "la")
    assert texts(harness, COUNCIL_ID)[-1].startswith(f"📌 Action: {WHAT}\n🤝 A joint action")
    assert texts(harness, CSO_ID)[-1].startswith(f"📌 Action: {WHAT}\n🤝 A joint action")
    # One message, one proposal: the next one is not taken for another.
    await harness.send(u.message(olga, town.admin, "And another thing"))
    assert len(await harness.store.joint_actions.for_chat(COUNCIL_ID)) == 1

    # A line that comes too late is not taken either.
    await press(harness, olga, town.admin, agenda, row[0]["callback_data"])
    harness.clock.advance(minutes=16)
    await harness.send(u.message(olga, town.admin, "Too late"))
    assert len(await harness.store.joint_actions.for_chat(COUNCIL_ID)) == 1
