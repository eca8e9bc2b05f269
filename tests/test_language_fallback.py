"""A pack without the chat's language is shown in English, everywhere, and the
rest of the bot still speaks the chat's language."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from bot.content.packs import load_library, localized
from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, ask, bot_message, last_text, make_group, press

CONTENT = Path(__file__).resolve().parents[1] / "content"


def english_only(content: Path, pack_id: str) -> None:
    """Rewrite a pack in place without its Spanish."""
    path = content / f"{pack_id}.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("es = ")]
    path.write_text("\n".join(kept).replace('languages = ["en", "es"]', 'languages = ["en"]'),
                    encoding="utf-8")


@pytest.fixture
def settings(settings, tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    english_only(content, "checklist-cso")
    return replace(settings, content_dir=content)


def test_localized_prefers_the_language_then_english_then_the_first():
    assert localized({"en": "Hello", "es": "Hola"}, "es") == "Hola"
    assert localized({"en": "Hello", "es": "Hola"}, "fr") == "Hello"
    assert localized({"es": "Hola", "pt": "Olá"}, "fr") == "Hola"


def test_a_pack_in_english_only_still_loads_and_reads_in_english(settings):
    pack = load_library(settings.content_dir)["checklist-cso"]
    assert pack.languages == ("en",)
    item = pack.items[0]
    assert pack.title_in("es") == "Civic partnership: civil society"
    assert item.text_in("es") == item.text["en"]
    assert pack.theme_name(item.theme, "es") == "Defining valued outcomes"
    assert pack.scale_in("es")[0] == "Not yet"
    assert pack.attribution_in("es").startswith("Questions quoted from David Towell")


async def test_a_spanish_group_with_an_english_only_pack(harness):
    group = make_group(harness)
    chat, ana = group.chat, group.ana
    await harness.send(harness.updates.bot_added(chat, ana))
    await harness.store.chats.update(GROUP_ID, language="es")

    # /setup used to stop here with a KeyError: the pack had no Spanish title.
    await harness.send(harness.updates.command(chat, ana, "/setup"))
    wizard = bot_message(harness, GROUP_ID)
    titles = [row[0]["text"] for row in wizard["reply_markup"]["inline_keyboard"]]
    # The checklist is offered once, in our own Spanish words (its two sides
    # are chosen next); the other packs keep their Spanish titles.
    assert titles.count("Lista de la alianza cívica") == 1
    assert "Teoría U: un viaje de aprendizaje" in titles
    for step, value in (("p", "checklist-cso"), ("c", "weekly"), ("d", "mon"), ("t", "09:00")):
        await press(harness, chat, ana, wizard, f"1|s|{step}|{value}")
    await harness.send(harness.updates.command(chat, ana, "/timezone Europe/Madrid"))
    for step, value in (("l", "es"), ("n", "counts")):
        await press(harness, chat, ana, wizard, f"1|s|{step}|{value}")
    done = visible_text(harness.telegram.message(GROUP_ID, wizard["message_id"])["text"])
    assert done.startswith("✅ ¡Todo listo! Este grupo reflexionará sobre Civic partnership: "
                           "civil society.")
    assert "Questions quoted from David Towell" in done

    question = await ask(harness, group)
    shown = visible_text(question["text"])
    assert shown.startswith("Defining valued outcomes · I (1 de 15)\n\nHow well has the CSO")
    assert "Basta con tocar una valoración" in shown  # our own words stay Spanish
    labels = [button["text"] for button in question["reply_markup"]["inline_keyboard"][0]]
    assert labels == ["1 · Not yet", "2 · A little", "3 · Partly"]
    prompt = await harness.store.prompts.by_message(GROUP_ID, question["message_id"])
    await press(harness, chat, group.bruno, question, f"1|r|{prompt.id}|4")

    # The private copy, in the reader's Spanish, with the pack in English.
    dev_private = harness.updates.private_chat(group.dev)
    await harness.send(harness.updates.command(dev_private, group.dev, f"/start p{prompt.id}"))
    copies = [visible_text(call.params["text"]) for call in
              harness.telegram.calls_to("sendMessage", chat_id=group.dev["id"])]
    assert any(text.startswith("Una pregunta de Riverside CSO\nDefining valued outcomes")
               for text in copies)

    await harness.send(harness.updates.command(chat, group.bruno, "/status"))
    assert last_text(harness, GROUP_ID).startswith(
        "Programa: Civic partnership: civil society\nAhora: pregunta I (1 de 15): How well")

    await harness.send(harness.updates.command(chat, ana, "/summary"))
    summary = last_text(harness, GROUP_ID)
    assert "Esta semana en" in summary
    # Numbered as the question was; the text in English (the theme's name comes
    # from the paired checklist, which has Spanish).
    assert "\nI. Definir resultados valorados\nHow well has the CSO articulated" in summary

    bruno_private = harness.updates.private_chat(group.bruno)
    await harness.send(harness.updates.command(bruno_private, group.bruno, "/start"))
    await harness.send(harness.updates.command(chat, group.bruno, "/mydata"))
    mine = visible_text(harness.telegram.last("sendMessage", chat_id=group.bruno["id"])
                        .params["text"])
    assert "How well has the CSO articulated" in mine and "4 of 5 (Mostly)" in mine


async def test_a_personal_programme_in_english_only_for_a_spanish_reader(harness):
    reader = harness.updates.user(700, "Dev", language_code="es")
    chat = harness.updates.private_chat(reader)
    await harness.send(harness.updates.command(chat, reader, "/start"))
    wizard = bot_message(harness, reader["id"])
    assert "Civic partnership: civil society" in visible_text(wizard["text"])
