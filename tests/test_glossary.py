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

# The jargon of every quoted checklist item, and of our own prompts where they
# keep a source's word, kept by hand (issue 11, then issue 23's review, G1):
# each word a reader may stumble on, as a glossary term id. A term missing from
# the glossary, in either language, or no longer found in its question, fails.
KEPT_TERMS = {
    "la-01": {"triple-bottom-line", "valued-outcomes", "la"},
    "la-02": {"la"},
    "la-03": {"valued-outcomes"},
    "la-04": {"stakeholders", "whole-systems", "la"},
    "la-05": {"agencies", "la"},
    "la-07": {"co-production", "la"},
    "la-08": {"devolving-leadership", "delivery-staff"},
    "la-10": {"resilience", "la"},
    "la-11": {"self-reliance", "stewardship", "la"},
    "la-12": {"social-cohesion", "la"},
    "la-13": {"marginalisation", "la"},
    "la-14": {"la"},
    "la-15": {"social-technologies", "world-cafe", "la"},
    "cso-01": {"valued-outcomes", "cso"},
    "cso-02": {"resilience", "cso"},
    "cso-04": {"sense-making", "cso"},
    "cso-05": {"cso"},
    "cso-06": {"outreach", "cso"},
    "cso-07": {"community-organizing", "agencies", "co-production", "cso"},
    "cso-08": {"peer-support", "advocacy", "cso"},
    "cso-10": {"pluralist", "cso"},
    "cso-11": {"resilience", "cso"},
    "cso-12": {"resilience", "cso"},
    "cso-13": {"marginalisation", "cso"},
    "resilience-01": {"place-based-governance"},
    "resilience-02": {"self-reliance"},
    "resilience-03": {"social-capital"},
    "inclusive-02": {"world-cafe"},
    "inclusive-04": {"agencies"},
}
# The review's G1: terms of the quoted checklist that had no entry.
REVIEW_G1 = {"resilience", "community-organizing", "advocacy", "peer-support",
             "devolving-leadership", "delivery-staff", "pluralist", "social-cohesion",
             "marginalisation", "self-reliance", "outreach", "agencies"}
# Two entries and the line between them fit in one pop-up (Telegram allows 200).
ENTRY_BUDGET = 99


def test_every_quoted_item_has_its_jargon_kept(packs):
    quoted = {item.id for pack_id in ("checklist-la", "checklist-cso")
              for item in packs[pack_id].items}
    # Every checklist item is either in the kept list or said to have no jargon.
    plain = {"la-06", "la-09", "cso-03", "cso-09", "cso-14", "cso-15"}
    assert quoted == (set(KEPT_TERMS) & quoted) | plain
    assert set().union(*KEPT_TERMS.values()) >= REVIEW_G1


def kept_terms_missing(library) -> list[str]:
    """Each kept term with no entry in both languages, or not found in its question."""
    items = {item.id: item for pack in library for item in pack.items}
    missing = []
    for item_id, term_ids in sorted(KEPT_TERMS.items()):
        for term_id in sorted(term_ids):
            term = library.glossary.get(term_id)
            if term is None or not all(term.name.get(language) and term.meaning.get(language)
                                       for language in ("en", "es")):
                missing.append(f"{item_id}: no entry for {term_id} in both languages")
            elif term_id not in items[item_id].terms:
                missing.append(f"{item_id}: {term_id} is not found in its wording")
    return missing


def test_each_kept_term_has_an_entry_in_both_languages_and_its_button(packs):
    assert kept_terms_missing(packs) == []
    for term in packs.glossary.terms:
        assert term.meaning["en"] != term.meaning["es"], term.id


def test_a_missing_entry_fails_the_kept_list(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    path = content / "glossary.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[[terms]]\nid = "outreach"')
    path.write_text(text[:start] + text[text.index("[[terms]]", start + 1):], encoding="utf-8")
    assert kept_terms_missing(load_library(content)) == [
        "cso-06: no entry for outreach in both languages"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_entry_fits_its_budget_and_reads_after_one_colon(packs, language):
    for term in packs.glossary.terms:
        entry = f"{term.name[language]}: {term.meaning[language]}"
        assert utf16_len(entry) <= ENTRY_BUDGET, (term.id, language, len(entry))
        assert ":" not in term.meaning[language], (term.id, language, "a second colon")


def test_the_glossary_is_neutral_about_country(packs):
    la = packs.glossary.get("la")
    assert not re.search(r"\b(town|city|county)\b", la.meaning["en"])
    assert "alcaldía" in la.meaning["es"] and "ayuntamiento" in la.meaning["es"]
    assert "fair economy" not in packs.glossary.get("triple-bottom-line").meaning["en"]
    assert "sustainable economic development" in packs.glossary.get(
        "triple-bottom-line").meaning["en"]
    assert packs.glossary.get("co-production").name["es"] == "Coproducción"
    assert "programa" not in packs.glossary.get("social-technologies").meaning["es"]
    assert "servicios públicos" in packs.glossary.get("stakeholders").meaning["es"]
    assert "red vecinal" not in packs.glossary.get("cso").meaning["es"]


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


def test_every_term_is_used_somewhere(packs):
    used = {term for pack in packs for item in pack.items for term in item.terms}
    assert used == {term.id for term in packs.glossary.terms}


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
        "Tecnologías sociales: formas de reunirse donde todo el mundo participa y piensa en "
        "común (no apps).",
        "World Café: una conversación grande en mesas pequeñas, como en un café, cambiando de "
        "mesa.",
        "Autoridad local: el gobierno local elegido (alcaldía, ayuntamiento, municipio) y sus "
        "servicios.",
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
        ('id = "cso"', "glossary.toml, term #25: needs an id"),
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
               "area.\nCSO: a civil-society organisation, such as a community group, charity or "
               "citizens' network."),
        ("es", "Resultados valorados: los cambios reales que la gente quiere ver en su vida y su "
               "entorno.\nOSC: organización de la sociedad civil, como un grupo comunitario, una "
               "asociación o red ciudadana."),
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
    assert answer["text"].endswith("More in a private chat: tap my name, press Start, then "
                                   "tap this button again.")
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
