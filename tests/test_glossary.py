""""What does this mean?": the glossary, its button, and who sees the answer."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.content.glossary import load_glossary
from bot.content.packs import PackError, load_library
from bot.render import callbacks
from bot.render.glossary import ALERT_LIMIT, meanings_alert, meanings_message
from bot.sandbox.telegram import utf16_len, visible_text

from helpers.group import GROUP_ID, ask, make_group, press, run_setup

CONTENT = Path(__file__).resolve().parents[1] / "content"

# The jargon issue 11 lists, as the packs' English wording spells it.
JARGON = {
    "la": "LA", "cso": "CSO", "triple-bottom-line": "triple bottom line",
    "stakeholders": "stakeholders", "sense-making": "sense-making",
    "social-technologies": "social technologies", "stewardship": "stewardship",
    "co-production": "Co-producing", "social-capital": "social capital",
    "world-cafe": "World Café",
}


def test_every_listed_term_has_a_meaning_in_english_and_spanish(packs):
    glossary = packs.glossary
    for term_id in JARGON:
        term = glossary.get(term_id)
        assert term is not None, term_id
        assert set(term.name) == set(term.meaning) == {"en", "es"}
        assert term.meaning["en"] != term.meaning["es"]


def test_a_question_gets_the_terms_its_wording_or_theme_uses(packs):
    terms = {item.id: item.terms for pack in packs for item in pack.items}
    assert terms["la-01"] == ("triple-bottom-line", "valued-outcomes", "la")
    assert terms["la-15"] == ("social-technologies", "world-cafe", "la")
    assert terms["cso-04"] == ("whole-systems", "sense-making", "cso")
    assert "stakeholders" in terms["la-04"] and "stewardship" in terms["la-11"]
    assert "co-production" in terms["cso-07"]  # from its theme, "Co-producing the future"
    assert terms["resilience-03"] == ("social-capital",)
    assert terms["inclusive-02"] == ("world-cafe",)
    assert terms["u-01"] == () and terms["wellbeing-01"] == ()
    # "LA" is an acronym: "la" in a Spanish sentence, or "place", is not it.
    assert "la" not in terms["cso-01"]


def test_every_term_is_used_somewhere_and_every_listed_word_is_found(packs):
    used = {term for pack in packs for item in pack.items for term in item.terms}
    assert used == {term.id for term in packs.glossary.terms}
    for term_id, word in JARGON.items():
        assert any(word in item.text["en"] or word in "".join(pack.themes.get(item.theme, {})
                                                               .values())
                   for pack in packs for item in pack.items if term_id in item.terms), term_id


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pop_up_always_fits_and_holds_whole_meanings(catalog, packs, language):
    more = catalog.raw(language, "glossary.more")
    for pack in packs:
        for item in pack.items:
            if not item.terms:
                continue
            alert, complete = meanings_alert(catalog, language, packs.glossary, item.terms)
            assert 0 < utf16_len(alert) <= ALERT_LIMIT, (item.id, alert)
            assert complete is (not alert.endswith(more)), item.id
            first = packs.glossary.get(item.terms[0])
            assert alert.startswith(f"{first.name[language]}: {first.meaning[language]}")
            if len(item.terms) <= 2 and language == "en":
                assert complete, f"{item.id}: two meanings should fit in one pop-up"


def test_the_message_lists_every_meaning_escaped(catalog, packs):
    text = meanings_message(catalog, "es", packs.glossary, ("social-technologies", "world-cafe",
                                                             "la"))
    assert visible_text(text).split("\n") == [
        "Qué significan las palabras de esta pregunta", "",
        "Tecnologías sociales: formas de reunirse para que todo el mundo participe y piense en "
        "común (no son programas).",
        "World Café: una conversación grande en mesas pequeñas, como en un café, cambiando de "
        "mesa.",
        "Autoridad local: el gobierno local elegido (ayuntamiento o municipio) y sus servicios.",
    ]


def test_the_button_data_is_short_versioned_and_decoded_in_one_place():
    assert callbacks.encode(callbacks.Explain(42)) == "1|g|42"
    assert callbacks.decode("1|g|42") == callbacks.Explain(42)
    for forged in ("1|g|0", "1|g|-3", "1|g|x", "1|g|42|1", "2|g|42"):
        assert callbacks.decode(forged) is None


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ('match = ["CSO", "CSOs"]', "glossary.toml, term cso: match must list"),
        ('es = "OSC"', "glossary.toml, term cso: term has no text in es"),
        ('id = "cso"', "glossary.toml, term #13: needs an id"),
    ],
)
def test_a_broken_glossary_stops_the_library_naming_the_term(tmp_path, broken, message):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "glossary.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(broken, ""), encoding="utf-8")
    with pytest.raises(PackError, match=re.escape(message)):
        load_library(content)


def test_a_library_without_a_glossary_has_no_buttons(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "glossary.toml").unlink()
    library = load_library(content)
    assert len(library.glossary) == 0
    assert all(item.terms == () for pack in library for item in pack.items)
    assert len(load_glossary(CONTENT / "glossary.toml")) == len(load_library(CONTENT).glossary)


# -- through the bot ------------------------------------------------------------------------------




def glossary_button(message: dict) -> dict:
    rows = message["reply_markup"]["inline_keyboard"]
    assert rows[-1][0]["text"] in ("❓ What does this mean?", "❓ ¿Qué significa esto?")
    return rows[-1][0]


async def question_and_prompt(harness, group, asks: int = 1):
    for _ in range(asks):
        message = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, message["message_id"])
    return message, prompt


def group_sends(harness) -> int:
    return len(harness.telegram.calls_to("sendMessage", chat_id=GROUP_ID))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Valued outcomes: the real changes people want to see in their lives and their "
               "area.\nCSO: a civil-society organisation: a community group, charity or citizens' "
               "network."),
        ("es", "Resultados valiosos: los cambios reales que la gente quiere ver en su vida y su "
               "entorno.\nOSC: organización de la sociedad civil: grupo comunitario, asociación o "
               "red vecinal."),
    ],
)
async def test_the_button_answers_the_tapper_alone_in_the_group_language(
    harness, group, language, expected
):
    await harness.store.chats.update(GROUP_ID, language=language)
    message, prompt = await question_and_prompt(harness, group)
    button = glossary_button(message)
    assert button["callback_data"] == f"1|g|{prompt.id}"
    before = group_sends(harness)
    answer = await press(harness, group.chat, group.bruno, message, button["callback_data"])
    assert answer["show_alert"] is True
    assert answer["text"] == expected
    assert group_sends(harness) == before  # nothing said in the group


async def test_long_meanings_go_to_the_private_chat_of_whoever_has_one(harness, group):
    # Item IV: whole systems, sense-making and the CSO do not fit in one pop-up.
    message, prompt = await question_and_prompt(harness, group, asks=4)
    assert prompt.item_id == "cso-04"
    eli_private = harness.updates.private_chat(group.eli)
    await harness.send(harness.updates.command(eli_private, group.eli, "/start"))
    before = group_sends(harness)

    answer = await press(harness, group.chat, group.eli, message, f"1|g|{prompt.id}")
    assert answer["text"] == "I have sent you what these words mean in our private chat."
    sent = visible_text(harness.telegram.last("sendMessage", chat_id=group.eli["id"])
                        .params["text"])
    assert sent.startswith("What the words in this question mean\n\nWhole systems: ")
    assert "Sense-making: working out together" in sent and "CSO: a civil-society" in sent

    # Without a private chat: as much as fits, and where to read the rest.
    answer = await press(harness, group.chat, group.carla, message, f"1|g|{prompt.id}")
    assert answer["text"].startswith("Whole systems: everyone involved in an issue")
    assert answer["text"].endswith("More in a private chat with me: start one, then tap the "
                                   "button again.")
    assert utf16_len(answer["text"]) <= ALERT_LIMIT
    assert group_sends(harness) == before


async def test_the_private_copy_has_the_button_and_answers_there(harness, group):
    _, prompt = await question_and_prompt(harness, group, asks=4)
    dev_private = harness.updates.private_chat(group.dev)
    await harness.send(harness.updates.command(dev_private, group.dev, f"/start p{prompt.id}"))
    copy = next(harness.telegram.message(group.dev["id"], call.result["message_id"])
                for call in reversed(harness.telegram.calls_to("sendMessage",
                                                               chat_id=group.dev["id"]))
                if "reply_markup" in call.params and "inline_keyboard"
                in call.params["reply_markup"])
    button = glossary_button(copy)
    answer = await press(harness, dev_private, group.dev, copy, button["callback_data"])
    assert "text" not in answer or not answer["text"]
    # Dev reads in Spanish: the copy, and so its glossary, is in his language.
    reply = visible_text(harness.telegram.last("sendMessage", chat_id=group.dev["id"])
                         .params["text"])
    assert reply.startswith("Qué significan las palabras de esta pregunta\n\nTodo el sistema: ")


async def test_a_glossary_button_under_another_message_is_refused(harness, group):
    _, first_prompt = await question_and_prompt(harness, group)
    second, _ = await question_and_prompt(harness, group)
    answer = await press(harness, group.chat, group.bruno, second, f"1|g|{first_prompt.id}")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."


async def test_a_question_without_jargon_has_no_button(harness):
    group = make_group(harness)
    await harness.send(harness.updates.bot_added(group.chat, group.ana))
    await run_setup(harness, group, pack="theory-u")
    message = await ask(harness, group)
    labels = [button.get("text") for row in message["reply_markup"]["inline_keyboard"]
              for button in row]
    assert "❓ What does this mean?" not in labels
