"""A bot a screen reader can follow: no meaning carried by a symbol alone.

Every message kind is rendered here, in English and in Spanish: each catalog
string with sample values, and the group summary and coordinator digest with
their rating spreads and weekly bars. A screen reader reads ▲ as "black
up-pointing triangle" and ▇ as "lower seven eighths block", so:

- a change is said in words (up, down), never by an arrow alone;
- a row of blocks starts with words that say what it counts ("Rated 4:
  2 people ▇▇"); the blocks come after, as decoration;
- a rating says what it is out of ("4 of 5");
- a chart's caption says where its numbers are in words;
- no message or button is symbols alone.
"""

from __future__ import annotations

import re
import string

import pytest

from bot.domain.summary import chart_data, digest, summarise
from bot.render.chart import CAPTION_LIMIT, chart_caption
from bot.render.summary import (
    BAR_BLOCK,
    EMPTY_BAR,
    digest_messages,
    group_summary_text,
    theme_name,
)
from bot.sandbox.telegram import visible_text

from helpers.group import GROUP_ID, ask, press
from helpers.summary import NOW, month_facts

ARROWS = "▲▼△▽↑↓⬆⬇↗↘"
SAMPLE = {"count": 2, "value": 4, "label": "Mostly", "min": 3, "hours": 24, "most": 168,
          "position": 1, "total": 15, "days": 14, "weeks": 4, "change": "0.5", "mean": "3.5",
          "score": "3.5", "gap": "1.0", "ours": "4.0", "theirs": "3.0", "bar": BAR_BLOCK * 2}
OF_FIVE = {"en": "of 5", "es": "de 5"}
_LETTERS = re.compile(r"[^\W\d_]{2,}")


def rendered(catalog, language: str) -> dict[str, str]:
    """Every catalog string as a person reads it, with sample values."""
    shown = {}
    for key, template in catalog.table(language).items():
        fields = {field for _, field, _, _ in string.Formatter().parse(template) if field}
        values = {field: SAMPLE.get(field, "Riverside") for field in fields}
        shown[key] = visible_text(template.format(**values))
    return shown


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_arrow_carries_a_change(catalog, language):
    found = [key for key, text in rendered(catalog, language).items()
             if any(arrow in text for arrow in ARROWS)]
    assert found == []
    up, down = (rendered(catalog, language)[f"summary.change_{way}"] for way in ("up", "down"))
    assert {"en": ("up", "down"), "es": ("sube", "baja")}[language] == (
        up.split()[0].strip("("), down.split()[0].strip("("))


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_rating_says_what_it_is_out_of(catalog, language):
    table = catalog.table(language)
    ratings = [key for key, text in table.items()
               if re.search(r"(⭐|Rating:|Valoración:) \{value\}", text)]
    assert len(ratings) >= 7  # the journal, recap, export and /mydata
    missing = [key for key in ratings if OF_FIVE[language] not in table[key]]
    assert missing == []
    assert OF_FIVE[language] in table["summary.average"]
    # A plan's averages on the five design tests, in its profile and on the action's card.
    assert OF_FIVE[language] in table["designtests.profile_line"]
    assert OF_FIVE[language] in table["designtests.card_line"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_digest_chart_caption_carries_its_numbers(catalog, packs, language):
    data = chart_data(month_facts(language=language))
    caption = chart_caption(data, catalog, language, packs, "Riverside")
    assert len(caption) <= CAPTION_LIMIT
    mark = catalog.raw(language, "summary.decimal_mark")
    for theme in data.themes:
        assert theme_name(packs, theme.theme, language) in caption
        for score in (theme.now, theme.before):
            if score is not None:
                assert f"{score:.1f}".replace(".", mark) in caption, (theme.theme, score)
    weeks = caption.split(":")[-1]
    assert sum(data.participation) > 0
    assert [int(count) for count in re.findall(r"\b\d+\b", weeks)][1::2] == list(
        data.participation)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_partnership_chart_says_where_its_numbers_are_in_words(catalog, language):
    shown = rendered(catalog, language)
    where = {"en": "in words", "es": "escritas"}[language]
    assert where in shown["partnership.chart_caption"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_no_message_or_button_is_symbols_alone(catalog, language):
    # A frame around a value ("💬 {text}") says it with the value; a string
    # with no value must say it in words.
    symbols_alone = [key for key, text in catalog.table(language).items()
                     if "{" not in text and not _LETTERS.search(visible_text(text))
                     and key != "summary.decimal_mark" and not key.startswith("chart.no_")]
    assert symbols_alone == []


def _bar_lines(text: str) -> list[str]:
    return [line for line in visible_text(text).split("\n")
            if BAR_BLOCK in line or line.rstrip().endswith(EMPTY_BAR)]


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_bar_is_labelled_in_words_before_its_blocks(catalog, packs, language):
    facts = month_facts(language=language)
    summary = group_summary_text(catalog, summarise(facts), packs)
    report = "\n".join(digest_messages(catalog, digest(facts, NOW), packs))
    rows = _bar_lines(summary) + _bar_lines(report)
    assert len(rows) >= 10, rows  # a question's spread and the weekly participation
    person = {"en": r"\b(person|people)\b", "es": r"\b(persona|personas)\b"}[language]
    for row in rows:
        words = row.split(BAR_BLOCK)[0].split(EMPTY_BAR)[0]
        assert re.search(person, words), row
    rated = {"en": "Rated 5: ", "es": "Valoración 5: "}[language]
    assert any(row.startswith(rated) for row in _bar_lines(summary))


def test_the_checks_can_fail(catalog):
    old_row = "5 ▇▇ 2"  # as the summary drew it before: blocks, then a bare number
    assert not re.search(r"\b(person|people)\b", old_row.split(BAR_BLOCK)[0])
    assert any(arrow in " (▲ 0.5 since last week)" for arrow in ARROWS)
    assert OF_FIVE["en"] not in "⭐ {value}"


async def test_a_saved_rating_can_be_read_again_in_text(harness, group):
    """A tap's only confirmation is a pop-up, which a screen reader may miss:
    opening the question privately says the rating given, in words."""
    message = await ask(harness, group)
    prompt = await harness.store.prompts.by_message(GROUP_ID, message["message_id"])
    await press(harness, group.chat, group.bruno, message, f"1|r|{prompt.id}|4")
    bruno = harness.updates.private_chat(group.bruno)
    await harness.send(harness.updates.command(bruno, group.bruno, f"/start p{prompt.id}"))
    copies = [visible_text(call.params["text"]) for call in
              harness.telegram.calls_to("sendMessage", chat_id=group.bruno["id"])]
    copy = next(text for text in copies if text.startswith("A question from"))
    assert "Your answer so far: 4 of 5, Mostly. Tap another rating to change it." in copy
    # Someone who has not answered reads no such line.
    carla = harness.updates.private_chat(group.carla)
    await harness.send(harness.updates.command(carla, group.carla, f"/start p{prompt.id}"))
    texts = [visible_text(call.params["text"]) for call in
             harness.telegram.calls_to("sendMessage", chat_id=group.carla["id"])]
    assert any(text.startswith("A question from") for text in texts)
    assert not any("Your answer so far" in text for text in texts)
