"""Prompts that make sense on their own, days later: what they refer back to is
shown with them, and each Theory U stage is explained the first time."""

from __future__ import annotations

import re

import pytest

from bot.render import personal
from bot.render import question as render
from bot.sandbox.telegram import visible_text

# Words that point back to an earlier question. A prompt using one must name
# what it means in its own words or carry `refers_to` (the checklist is
# verbatim, so it can only carry `refers_to`).
REFERS_BACK = re.compile(
    r"\b(this|that|these|those|the same) (challenge|idea|situation|joint working|goals|step|"
    r"plan|work)\b|^(Are|Is) (these|this|they|it)\b|\bour plan\b|\btry it\b|\bthat (same|small)"
    r"\b|\byou (chose|planned|described)\b|\bthe (idea|step) you\b|\byour idea\b",
    re.IGNORECASE,
)


def referring_items(packs):
    return [(pack, item) for pack in packs for item in pack.items
            if REFERS_BACK.search(item.text["en"])]


def test_the_pattern_finds_the_prompts_the_issue_names(packs):
    found = {item.id for _, item in referring_items(packs)}
    assert {"la-03", "la-06", "cso-02"} <= found  # "Are these", "this joint working"...
    assert {"u-03", "u-05", "u-10", "u-11", "u-12", "u-13"} <= found
    assert {"steps-02", "steps-03", "steps-06"} <= found


def test_every_prompt_that_refers_back_says_to_what(packs):
    for pack, item in referring_items(packs):
        earlier = pack.earlier(item)
        assert earlier is not None, f"{pack.id} {item.id} refers back but has no refers_to"
        assert earlier.position < item.position


def test_no_prompt_still_says_our_plan_or_promises_a_wait(packs):
    for pack in packs:
        for item in pack.items:
            assert "our plan" not in item.text["en"], item.id
            assert re.search(r"\b(next|coming) (two|\d+) (weeks|days)\b", item.text["en"]) is None
    # u-13 asks what happened with the step from u-11 without assuming it was tried:
    # on a daily schedule it comes two days later.
    u13 = packs["theory-u"].item("u-13").text["en"]
    assert "If not yet" in u13


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_one_shows_what_it_follows_in_groups_and_in_private(catalog, packs, language):
    checked = 0
    for pack in packs:
        for item in pack.items:
            earlier = pack.earlier(item)
            if earlier is None:
                continue
            before = earlier.text_in(language)
            renders = [
                render.group_question(catalog, language, pack, item, answered=0),
                render.private_question(catalog, language, pack, item, group_title="Riverside"),
                personal.personal_question(catalog, language, pack, item,
                                           position=item.position, total=len(pack.items)),
            ]
            for html in renders:
                shown = visible_text(html)
                # Quoted in full, in a quieter (italic) line just above the question.
                assert before in shown, (pack.id, item.id)
                assert shown.index(before) < shown.index(item.text_in(language))
                line = next(line for line in html.split("\n") if before in visible_text(line))
                assert line.startswith("<i>") and line.endswith("</i>"), line
            checked += 1
    assert checked >= 12


def group_lines(catalog, packs, language: str, pack_id: str, item_id: str) -> list[str]:
    pack = packs[pack_id]
    return visible_text(render.group_question(catalog, language, pack, pack.item(item_id),
                                              answered=0)).split("\n")


def test_the_checklist_context_names_the_item_by_its_source_number(catalog, packs):
    assert group_lines(catalog, packs, "en", "checklist-la", "la-03")[:4] == [
        "Defining valued outcomes · 3 of 15",
        "",
        "Following on from question 2: How well has the LA created processes for wide "
        "participation in agreeing and acting on local strategic goals?",
        "Are these clearly expressed as valued outcomes to guide and evaluate a wide range of "
        "local actions?",
    ]
    assert group_lines(catalog, packs, "es", "checklist-cso", "cso-02")[2].startswith(
        "Viene de la pregunta I: ¿En qué medida ha formulado")


def test_our_own_prompts_quote_the_earlier_prompt(catalog, packs):
    pack = packs["theory-u"]
    shown = visible_text(personal.personal_question(catalog, "en", pack, pack.item("u-10"),
                                                    position=10, total=14))
    assert ("Following on from: Of everything you have noticed on this journey so far, which "
            "idea do you most want to carry forward? Put it in one sentence.") in shown
    assert "Think of the idea you put in one sentence." in shown


# -- Theory U stages ----------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_each_stage_is_explained_the_first_time_only(catalog, packs, language):
    pack = packs["theory-u"]
    seen: set[str] = set()
    for item in pack.items:
        note = pack.theme_notes[item.theme][language]
        group = visible_text(render.group_question(catalog, language, pack, item, answered=0))
        alone = visible_text(personal.personal_question(catalog, language, pack, item,
                                                        position=item.position, total=14))
        first = item.theme not in seen
        seen.add(item.theme)
        for shown in (group, alone):
            assert (note in shown) is first, (item.id, language)
    assert seen == set(pack.themes) == set(pack.theme_notes)


def test_the_stage_note_sits_under_the_heading(catalog, packs):
    assert group_lines(catalog, packs, "en", "theory-u", "u-09")[:2] == [
        "Crystallise · 9 of 14",
        "The first step back up the U: turn what you have noticed into one clear idea.",
    ]


def test_crystallise_is_attributed_to_scharmer_not_the_source(packs):
    pack = packs["theory-u"]
    assert "“Crystallise” comes from Scharmer's wider work" in pack.attribution["en"]
    assert "«Cristalizar» procede de la obra más amplia de Scharmer" in pack.attribution["es"]
    source = pack.path.read_text(encoding="utf-8")
    assert "comes from Scharmer's wider work on Theory U, not from the" in source
