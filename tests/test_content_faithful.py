"""Packs written in our own words keep what the source says: the names of its
resilience dimensions and whole-systems keys, its words for "Who's not here?",
the works it cites with the years it gives, and wording that excludes nobody.

Like test_content_wording.py, these read the source beside the clone and are
skipped without it.
"""

from __future__ import annotations

import re

import pytest

from helpers.source_text import source_text


@pytest.fixture(scope="module")
def source() -> str:
    return source_text()


def numbered_headings(source: str, after: str, until: str) -> list[str]:
    """"1.  Enabling leadership. Both those..." -> "Enabling leadership", in order."""
    start = source.index(after)
    section = source[start:source.index(until, start)]
    return [match.group(1) for match in
            re.finditer(r"^\d\.\s+(.+?)\.\s", section, re.MULTILINE)]


def test_resilience_tests_are_headed_by_the_sources_five_dimensions(source, packs):
    headings = numbered_headings(source, "four dimensions of community resilience",
                                 "In sum, these dimensions")
    assert headings[2] == "Fostering an inclusive culture"
    pack = packs["resilience-tests"]
    assert [pack.theme_name(item.theme, "en") for item in pack.items] == headings


def test_resilience_test_four_keeps_involved_in_our_neighbourhoods(source, packs):
    assert "involved in our neighbourhoods" in source
    assert "involved in our neighbourhoods" in packs["resilience-tests"].items[3].text["en"]


def test_wildings_report_has_its_full_title_and_towells_fifth_dimension(source, packs):
    title = "Exploring Community Resilience in times of rapid change"
    assert title in source
    attribution = packs["resilience-tests"].attribution
    assert title in attribution["en"] and f"«{title}»" in attribution["es"]
    assert "added a fifth, the first here" in attribution["en"]
    assert "añadió una quinta, la primera aquí" in attribution["es"]


def test_whole_systems_prompts_are_headed_by_the_five_keys(source, packs):
    keys = numbered_headings(source, "five overlapping keys", "What some of this means")
    assert keys == ["Enabling leadership", "A listening culture",
                    "A welcome to diverse participation", "Public learning",
                    "A commitment to follow-through"]
    pack = packs["whole-systems"]
    assert [pack.theme_name(item.theme, "en") for item in pack.items] == keys


def test_inclusive_practice_six_keeps_the_sources_words_and_six_ways(source, packs):
    words = "whose voice and contribution is not being fully recognised"
    assert words in source
    text = packs["inclusive-practices"].item("inclusive-06").text["en"]
    assert words in text and "Who’s not here?" in text
    for way in ("invit", "hospitality", "accessibility", "what each person has to offer",
                "encouraging contributions", "showing appreciation"):
        assert way in text, way
    spanish = packs["inclusive-practices"].item("inclusive-06").text["es"]
    for way in ("invitándolas", "hospitalidad", "accesibilidad", "lo que cada persona puede "
                "aportar", "animando", "reconocimiento"):
        assert way in spanish, way


# (pack, work as the attribution names it, year): each year is the one the
# source gives next to that work.
CITED = [
    ("checklist-la", "Building a better future through civic partnership", "2014"),
    ("checklist-cso", "Building a better future through civic partnership", "2014"),
    ("resilience-tests", "Exploring Community Resilience in times of rapid change", "2011"),
    ("whole-systems", "Leading Change: A guide to whole systems working", "2003"),
    ("theory-u", "Leading from the Emerging Future", "2013"),
    ("well-being", "nef", "2009"),
]


@pytest.mark.parametrize(("pack_id", "work", "year"), CITED)
def test_attribution_years_are_those_the_source_gives(source, packs, pack_id, work, year):
    attribution = packs[pack_id].attribution["en"]
    assert work in attribution and year in attribution
    nearby = [source[max(0, found.start() - 200):found.end() + 200]
              for found in re.finditer(re.escape(work), source)]
    assert any(year in text for text in nearby), f"{work}: the source gives no {year}"


def test_the_five_ways_are_cited_from_the_2014_series(source, packs):
    # The five ways appear in the 2014 series (Strands I-VI), not in 2015's.
    assert "(2014)" in packs["well-being"].attribution["en"]
    assert "2014-2015" not in packs["well-being"].attribution["en"]
    assert source.index("five ways to well-being") > source.index("Building a better future")


def test_being_active_is_asked_for_every_body(packs):
    pack = packs["well-being"]
    active = next(item for item in pack.items if item.theme == "be-active")
    assert "moved your body" not in active.text["en"]
    assert "wheeling" in active.text["en"] and "chair" in active.text["en"]
    assert pack.theme_name("be-active", "es") == "Mantener la actividad"
