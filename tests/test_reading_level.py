"""What a group reads is plain: short sentences of ordinary words.

Everything the bot can post in a group is checked here, in English and in
Spanish: the catalog strings a group sees (the same list as
tests/test_group_visible_words.py) and the prompts of our own group packs.
The civic partnership checklist is exempt: it is quoted from the source word
for word (tests/test_content_wording.py), and its jargon is explained by the
glossary instead (tests/test_glossary.py).

The limits, and why:

- A sentence of a message has at most 25 words in English and 30 in Spanish.
  25 is the plain-language ceiling GOV.UK's style guide and the Plain English
  Campaign give for readers on a phone, including people who read slowly or
  in a second language; Spanish says the same in about a fifth more words.
- A prompt of our own packs has at most 35 words a sentence in English and 40
  in Spanish. A prompt carries one idea of the source, sometimes with the
  source's own words kept on purpose (F2-F7 of the December 2026 review put
  them back), and is read when it suits the reader, not in passing.
- A message of 8 words or more averages at most 6 letters a word in English
  and 7 in Spanish. Everyday prose averages 4.5 to 5 letters a word (Spanish
  about one more); a message above that is dense with long, abstract words.
"""

from __future__ import annotations

import re
import string

import pytest

from bot.content.locales import Catalog
from bot.render.about import group_welcome
from bot.sandbox.telegram import visible_text

# The catalog sections a group can see; kept in step with
# tests/test_group_visible_words.py (test modules never import each other).
GROUP_SECTIONS = ("summary", "question", "status", "nudge.group", "nudge.closes_on", "quiet.on",
                  "quiet.off", "forget.confirm", "forget.yes", "forget.no", "forget.kept",
                  "forget.done", "join.", "mydata.sent_privately", "mydata.needs_private",
                  "mydata.open_private", "weekly", "coordinators", "setup", "schedule",
                  "window", "quiethours", "pause", "resume", "skip", "partner", "partnership",
                  "unpartner", "agenda", "start.group", "help", "guard", "errors", "glossary",
                  "answer", "button", "actions", "designtests", "ask", "elsewhere",
                  "timezone.changed", "when", "joint")
COORDINATORS_ONLY = {"summary.participation.one", "summary.participation.other",
                     "summary.chat_members.one", "summary.chat_members.other"}
# Sections no group sees (private chats, the coordinators' digest, files), or that are
# pieces of other messages; a section in neither list fails until it is classed here.
NOT_GROUP_SECTIONS = {"about", "cadence", "chart", "checkin", "commands", "commitments",
                      "digest", "export_actions", "forget", "journal", "month", "mydata",
                      "mydata_actions", "mydata_ratings",
                      "nudge", "onboarding", "partnership_chart", "personal", "private", "quiet",
                      "recap", "self", "start", "time", "timezone", "weekday", "weekday_short"}
QUOTED_VERBATIM = ("checklist-la", "checklist-cso")

MESSAGE_SENTENCE = {"en": 25, "es": 30}
PROMPT_SENTENCE = {"en": 35, "es": 40}
LETTERS_PER_WORD = {"en": 6.0, "es": 7.0}
SHORTEST_MEASURED = 8  # words; a button or a heading is too short to average

_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
# A sentence ends at . ! ? followed by a space, at a line break or at a bullet.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+|(?:^|\s)•\s")


def plain(template: str) -> str:
    """The words a person reads: markup gone, each value a one-letter word."""
    text = re.sub(r"<[^>]+>", "", template)
    fields = {field for _, field, _, _ in string.Formatter().parse(text) if field}
    return text.format(**dict.fromkeys(fields, "X"))


def sentences(text: str) -> list[str]:
    return [part.strip().removeprefix("• ") for part in _SENTENCE_END.split(text)
            if _WORD.search(part)]


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def group_messages(catalog: Catalog, language: str) -> dict[str, str]:
    return {key: plain(text) for key, text in catalog.table(language).items()
            if key.startswith(GROUP_SECTIONS) and key not in COORDINATORS_ONLY}


def group_prompts(packs, language: str) -> dict[str, str]:
    return {f"{pack.id} {item.id}": item.text[language] for pack in packs
            if pack.audience == "group" and pack.id not in QUOTED_VERBATIM
            for item in pack.items}


def too_long(texts: dict[str, str], most: int) -> list[str]:
    return [f"{where}: {len(words(sentence))} words: {sentence[:60]}…"
            for where, text in sorted(texts.items()) for sentence in sentences(text)
            if len(words(sentence)) > most]


def too_dense(texts: dict[str, str], most: float) -> list[str]:
    found = []
    for where, text in sorted(texts.items()):
        said = words(text)
        if len(said) >= SHORTEST_MEASURED:
            average = sum(map(len, said)) / len(said)
            if average > most:
                found.append(f"{where}: {average:.1f} letters a word")
    return found


def test_every_catalog_section_is_classed_group_or_not(catalog):
    """A new catalog (en.<topic>.toml) is checked here once its sections are classed: a
    group-visible one added to GROUP_SECTIONS (and in tests/test_group_visible_words.py)."""
    sections = {key.split(".")[0] for key in catalog.table("en")}
    group = {key.split(".")[0] for key in catalog.table("en") if key.startswith(GROUP_SECTIONS)}
    unclassed = sorted(sections - group - NOT_GROUP_SECTIONS)
    assert unclassed == [], f"class these sections as seen in a group or not: {unclassed}"


@pytest.mark.parametrize("language", ["en", "es"])
def test_group_messages_have_short_sentences(catalog, language):
    messages = group_messages(catalog, language)
    assert len(messages) > 150 and "start.group" in messages
    assert too_long(messages, MESSAGE_SENTENCE[language]) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_our_group_prompts_have_sentences_a_reader_can_hold(packs, language):
    prompts = group_prompts(packs, language)
    assert "inclusive-practices inclusive-06" in prompts
    assert not any(where.startswith(QUOTED_VERBATIM) for where in prompts)
    assert too_long(prompts, PROMPT_SENTENCE[language]) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_group_words_are_ordinary_words(catalog, packs, language):
    texts = {**group_messages(catalog, language), **group_prompts(packs, language)}
    assert too_dense(texts, LETTERS_PER_WORD[language]) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_group_welcome_fits_on_a_phone_screen(catalog, language):
    # As posted, with whatever it includes (it once included all of /start's
    # privacy text: 338 words).
    welcome = visible_text(group_welcome(catalog, language, "Riverside"))
    assert len(words(welcome)) <= 60
    # The details are one tap away, in private.
    assert "/setup" in welcome and ("Start" in welcome or "Iniciar" in welcome)


def test_the_checks_can_fail():
    # The welcome the review found: 338 words, with sentences like this one.
    long_sentence = ("about you in each group: your Telegram id, your name and username as "
                     "Telegram shows them, when I first and last saw you there, whether you "
                     "left, and whether you sent quiet, and every earlier version")
    assert too_long({"old": long_sentence}, MESSAGE_SENTENCE["en"])
    assert not too_long({"new": "An admin starts with /setup. /help lists what I understand."},
                        MESSAGE_SENTENCE["en"])
    assert too_dense({"jargon": "Intersectoral operationalisation of institutional "
                                "accountability frameworks notwithstanding deliberation"},
                     LETTERS_PER_WORD["en"])
    assert sentences("One. Two words!\n• Three here") == ["One.", "Two words!", "Three here"]
    assert plain("<b>{count}</b> people") == "X people"
