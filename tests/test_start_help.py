"""/start and /help end to end, in a private chat and in a group."""

from __future__ import annotations

from bot.sandbox.telegram import visible_text


async def test_private_start_records_the_chat_and_explains_what_is_kept(harness):
    ana = harness.updates.user(501, "Ana", language_code="en")
    chat = harness.updates.private_chat(ana)
    await harness.send(harness.updates.command(chat, ana, "/start"))

    welcome, choice = harness.telegram.calls_to("sendMessage", chat_id=501)
    text = visible_text(welcome.params["text"])
    assert text.startswith("Hello Ana!")
    # Then the choice of a personal programme.
    assert visible_text(choice.params["text"]).startswith("🌱 Your personal reflection")
    assert "What I keep" in text and "Who sees what:" in text and "/forget" in text
    assert welcome.params["parse_mode"] == "HTML"
    stored = await harness.store.chats.get(501)
    assert (stored.kind, stored.language, stored.active) == ("private", "en", True)


async def test_start_speaks_spanish_to_a_spanish_speaker(harness):
    bea = harness.updates.user(502, "Bea", language_code="es-AR")
    await harness.send(harness.updates.command(harness.updates.private_chat(bea), bea, "/start"))
    welcome = harness.telegram.calls_to("sendMessage", chat_id=502)[0]
    assert visible_text(welcome.params["text"]).startswith("¡Hola, Bea!")
    assert (await harness.store.chats.get(502)).language == "es"


async def test_names_are_escaped(harness):
    mallory = harness.updates.user(503, "<b>M&M</b>")
    chat = harness.updates.private_chat(mallory)
    await harness.send(harness.updates.command(chat, mallory, "/start"))
    sent = harness.telegram.calls_to("sendMessage", chat_id=503)[0].params["text"]
    assert "&lt;b&gt;M&amp;M&lt;/b&gt;" in sent
    assert visible_text(sent).startswith("Hello <b>M&M</b>!")


async def test_group_start_and_help_list_group_commands(harness):
    ana = harness.updates.user(501, "Ana")
    group = harness.updates.group_chat(-100200, "Riverside <Neighbours>")
    await harness.send(harness.updates.command(group, ana, "/start@civic_reflect_bot"))
    welcome = visible_text(harness.telegram.last("sendMessage", chat_id=-100200).params["text"])
    assert welcome.startswith("Hello, Riverside <Neighbours>!")
    assert "/setup" in welcome
    assert (await harness.store.chats.get(-100200)).kind == "group"

    await harness.send(harness.updates.command(group, ana, "/help"))
    help_text = visible_text(harness.telegram.last("sendMessage", chat_id=-100200).params["text"])
    for command in ("/setup", "/ask", "/skip", "/pause", "/resume", "/status", "/join",
                    "/quiet", "/mydata", "/forget", "/coordinators", "/timezone", "/help"):
        assert f"{command} – " in help_text, command


async def test_private_help_lists_only_private_commands(harness):
    ana = harness.updates.user(501, "Ana")
    await harness.send(harness.updates.command(harness.updates.private_chat(ana), ana, "/help"))
    text = visible_text(harness.telegram.last("sendMessage", chat_id=501).params["text"])
    assert "/start – " in text and "/help – " in text and "/journal – " in text
    assert "/setup" not in text and "/ask" not in text


async def test_commands_for_another_bot_are_ignored(harness):
    ana = harness.updates.user(501, "Ana")
    group = harness.updates.group_chat(-100200, "Riverside")
    await harness.send(harness.updates.command(group, ana, "/help@some_other_bot"))
    await harness.send(harness.updates.message(group, ana, "just chatting"))
    assert harness.telegram.calls_to("sendMessage", chat_id=-100200) == []


async def test_menus_are_published_for_both_scopes_and_languages(harness):
    calls = harness.telegram.calls_to("setMyCommands")
    by_scope = {(c.params["scope"]["type"], c.params.get("language_code")): c for c in calls}
    assert set(by_scope) == {("all_private_chats", None), ("all_private_chats", "es"),
                             ("all_group_chats", None), ("all_group_chats", "es")}
    private = [c["command"] for c in by_scope[("all_private_chats", None)].params["commands"]]
    group = [c["command"] for c in by_scope[("all_group_chats", None)].params["commands"]]
    assert private == ["start", "help", "digest", "partnership", "programme", "journal",
                       "later", "skip", "pause", "resume", "timezone", "language", "export",
                       "mydata", "forget"]
    assert group[:2] == ["start", "help"] and "setup" in group and "ask" in group
    assert {"partner", "unpartner", "partnership"} <= set(group)
