"""A plan put to the five design tests, end to end through the fake Telegram:
a coordinator asks (anyone else is refused kindly), four members rate the
rows of one message, a press delivered again changes nothing, the count
follows without names, and the profile shows averages only for a test
rated by at least the summary's minimum number of people. A Spanish group
reads Spanish rows."""

from __future__ import annotations

from bot.sandbox.telegram import check_telegram_html, visible_text

from helpers.group import GROUP_ID, bot_message, make_group, press, run_setup

NAMES = ("Ana", "Bruno", "Carla", "Dev", "Eli")


async def planned_action(harness, group, text: str = "Open a repair café") -> tuple[dict, int]:
    await harness.send(harness.updates.command(group.chat, group.bruno, f"/action {text}"))
    card = bot_message(harness, group.chat["id"])
    action = (await harness.store.actions.open_for_chat(group.chat["id"]))[-1].id
    return card, action


def shown(harness, chat_id: int, message: dict) -> dict:
    return harness.telegram.message(chat_id, message["message_id"])


def buttons(message: dict) -> list[list[str]]:
    return [[b["callback_data"] for b in row]
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])]


async def test_a_plan_put_to_the_design_tests_and_its_profile(harness, group):
    card, action = await planned_action(harness, group)
    assert buttons(card)[-1] == [f"1|t|{action}"]
    assert visible_text(card["reply_markup"]["inline_keyboard"][-1][0]["text"]) == (
        "🧪 Design tests")

    # Bruno is no coordinator: a friendly pop-up, nothing asked.
    refused = await press(harness, group.chat, group.bruno, card, f"1|t|{action}")
    assert (refused["text"], refused["show_alert"]) == (
        "Only the group's coordinators can do this. Anyone can answer the questions.", True)
    assert (await harness.store.actions.get(action)).design_asked_at is None

    # Ana coordinates: one message with the plan, five rows, 1-5 each.
    before = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    await press(harness, group.chat, group.ana, card, f"1|t|{action}")
    assert len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)) == before + 1
    tests = bot_message(harness, GROUP_ID)
    assert check_telegram_html(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params[
        "text"]) == []
    text = visible_text(tests["text"])
    assert text.splitlines()[:9] == [
        "🧪 Design tests for our plan",
        "📌 Open a repair café",
        "",
        "How likely is it that this plan will…",
        "1️⃣ make local democracy stronger?",
        "2️⃣ help our local economy rely more on itself?",
        "3️⃣ build trust and mutual help between people?",
        "4️⃣ improve people's well-being?",
        "5️⃣ strengthen our links with other communities?",
    ]
    assert text.endswith("🗳 Nobody has answered yet.")
    rows = buttons(tests)
    assert rows[0] == [f"1|d|{action}|dem|{value}" for value in range(1, 6)]
    assert [row[0].split("|")[3] for row in rows[:5]] == ["dem", "eco", "soc", "wel", "lnk"]
    assert rows[5] == [f"1|p|{action}"]
    # The card no longer offers the tests; asking again is explained.
    assert buttons(shown(harness, GROUP_ID, card))[-1] != [f"1|t|{action}"]
    again = await press(harness, group.chat, group.ana, card, f"1|t|{action}")
    assert again["text"].startswith("These questions were already asked.")
    assert len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)) == before + 1

    # Four members rate; democracy by all four, economy by two only.
    ratings = [(group.bruno, {"dem": 4, "eco": 5, "soc": 3}),
               (group.carla, {"dem": 5, "eco": 2, "soc": 3}),
               (group.dev, {"dem": 3, "soc": 4}),
               (group.eli, {"dem": 4, "soc": 4, "lnk": 2})]
    for person, given in ratings:
        for test, value in given.items():
            popup = await press(harness, group.chat, person, tests,
                                f"1|d|{action}|{test}|{value}")
            assert "text" in popup
    popup = await press(harness, group.chat, group.bruno, tests, f"1|d|{action}|dem|4")
    assert popup["text"] == "Already noted."
    # Bruno changes his mind on one test: the new value replaces his.
    popup = await press(harness, group.chat, group.bruno, tests, f"1|d|{action}|soc|5")
    assert popup["text"] == "Noted: Trust and mutual help, 5 of 5. You can change it."
    assert len(await harness.store.design_tests.ratings(action)) == 11
    now_shown = visible_text(shown(harness, GROUP_ID, tests)["text"])
    assert now_shown.endswith("🗳 4 people have answered.")
    for name in NAMES:
        assert name not in now_shown

    # Only a coordinator posts the profile.
    refused = await press(harness, group.chat, group.carla, tests, f"1|p|{action}")
    assert refused["show_alert"] is True
    await press(harness, group.chat, group.ana, tests, f"1|p|{action}")
    profile = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    assert profile.splitlines() == [
        "📊 Profile of our plan",
        "📌 Open a repair café",
        "",
        "• Local democracy: 4.0 of 5",
        "• Local economy: not enough answers yet",
        "• Trust and mutual help: 4.0 of 5",
        "• Well-being: not enough answers yet",
        "• Links with others: not enough answers yet",
        "",
        "4 people answered.",
        "Averages only, shown from 3 answers.",
    ]
    for name in NAMES:
        assert name not in profile
    # Pressed again with nothing new (or delivered twice): posted once.
    posted = len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))
    again = await press(harness, group.chat, group.ana, tests, f"1|p|{action}")
    assert again["text"] == "The profile above is up to date: nobody has answered since."
    assert len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID)) == posted
    # Kept with the action: /actions shows its one line.
    await harness.send(harness.updates.command(group.chat, group.dev, "/actions"))
    listed = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    assert listed.splitlines()[:2] == ["📌 Action: Open a repair café",
                                       "🧪 Tests (of 5): democracy 4.0 · trust 4.0"]


async def test_a_closed_or_foreign_plan_takes_no_ratings(harness, group):
    card, action = await planned_action(harness, group)
    await press(harness, group.chat, group.ana, card, f"1|t|{action}")
    tests = bot_message(harness, GROUP_ID)
    other = make_group(harness, chat_id=-100400)
    await harness.send(harness.updates.bot_added(other.chat, other.ana))
    await run_setup(harness, other)
    elsewhere = bot_message(harness, -100400)
    popup = await press(harness, other.chat, other.bruno, elsewhere, f"1|d|{action}|dem|3")
    assert (popup["text"], popup["show_alert"]) == ("I can't find this plan here.", True)
    popup = await press(harness, other.chat, other.ana, elsewhere, f"1|p|{action}")
    assert popup["text"] == "I can't find this plan here."
    # Done: the action is closed, the buttons refuse kindly.
    await press(harness, group.chat, group.bruno, card, f"1|a|{action}|vol")
    await harness.store.actions.answer(action, group.bruno["id"], "done", None)
    popup = await press(harness, group.chat, group.carla, tests, f"1|d|{action}|dem|3")
    assert (popup["text"], popup["show_alert"]) == ("This action is closed. Thank you!", True)
    assert await harness.store.design_tests.ratings(action) == []


async def test_a_spanish_group_reads_spanish_rows(harness, group):
    await harness.store.chats.update(GROUP_ID, language="es")
    card, action = await planned_action(harness, group, "Abrir un taller de reparación")
    assert visible_text(card["reply_markup"]["inline_keyboard"][-1][0]["text"]) == (
        "🧪 Pruebas de diseño")
    refused = await press(harness, group.chat, group.dev, card, f"1|t|{action}")
    assert refused["text"].startswith("Solo las personas que coordinan el grupo")
    await press(harness, group.chat, group.ana, card, f"1|t|{action}")
    text = visible_text(bot_message(harness, GROUP_ID)["text"]).splitlines()
    assert text[3:9] == [
        "¿Qué probabilidad hay de que este plan…",
        "1️⃣ refuerce la democracia local?",
        "2️⃣ haga nuestra economía local más autosuficiente?",
        "3️⃣ cree confianza y ayuda mutua entre la gente?",
        "4️⃣ mejore el bienestar de las personas?",
        "5️⃣ refuerce nuestros lazos con otras comunidades?",
    ]
    tests = bot_message(harness, GROUP_ID)
    for person, value in ((group.bruno, 4), (group.carla, 4), (group.dev, 5)):
        await press(harness, group.chat, person, tests, f"1|d|{action}|wel|{value}")
    await press(harness, group.chat, group.ana, tests, f"1|p|{action}")
    profile = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    assert "• Bienestar: 4,3 de 5" in profile.splitlines()
    assert "• Democracia local: todavía no hay respuestas suficientes" in profile.splitlines()
    # A new answer since: the profile may be posted again.
    await press(harness, group.chat, group.eli, tests, f"1|d|{action}|wel|1")
    await press(harness, group.chat, group.ana, tests, f"1|p|{action}")
    profile = visible_text(harness.telegram.last("sendMessage", chat_id=GROUP_ID).params["text"])
    assert "• Bienestar: 3,5 de 5" in profile.splitlines()


async def test_a_coordinator_may_reply_to_an_action_with_designtests(harness, group):
    u = harness.updates
    _, action = await planned_action(harness, group)
    await harness.send(u.command(group.chat, group.dev, "/actions"))
    listed = bot_message(harness, GROUP_ID)
    # Not a coordinator: told so; without a reply: told how.
    await harness.send(u.message(group.chat, group.bruno, "/designtests", reply_to=listed))
    assert harness.telegram.texts(GROUP_ID)[-1].startswith("Sorry, only this group's coordinators")
    await harness.send(u.command(group.chat, group.ana, "/designtests"))
    assert harness.telegram.texts(GROUP_ID)[-1] == (
        "Reply with /designtests to an action's message, or tap 🧪 Design tests under it.")
    assert (await harness.store.actions.get(action)).design_asked_at is None
    # In Spanish, replying to the listed card.
    await harness.send(u.message(group.chat, group.ana, "/pruebas", reply_to=listed))
    asked = await harness.store.actions.get(action)
    assert asked.design_asked_at is not None
    questions = bot_message(harness, GROUP_ID)
    assert asked.design_message_id == questions["message_id"]
    assert visible_text(questions["text"]).startswith("🧪 Design tests for our plan")
    assert [f"1|t|{action}"] not in buttons(shown(harness, GROUP_ID, listed))
    await harness.send(u.message(group.chat, group.ana, "/designtests", reply_to=listed))
    assert harness.telegram.texts(GROUP_ID)[-1].startswith("These questions were already asked.")
