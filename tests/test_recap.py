"""The weekly recap of a personal journal (bot/domain/recap.py): one week's
answers mirrored back, or nothing at all for a week without answers; and its
message (bot/render/personal.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.recap import (
    EXCERPT_CHARS,
    JournalEntry,
    Recap,
    RecapLine,
    cut_at_word,
    shorten,
    weekly_recap,
)
from bot.render import personal

from helpers.personal import HOSTILE, MONDAY, a_week_of_entries
from helpers.render_checks import isolated, valid

WEEK_START = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # Monday 00:00 in Madrid (UTC+1)
WEEK_END = WEEK_START + timedelta(days=7)
NEXT = ("well-being", "wellbeing-03")


def entry(
    prompt_id: int, answered_at: datetime, *, pack_id: str = "well-being",
    item_id: str = "wellbeing-01", scale: int | None = None, text: str | None = None,
    voice: bool = False,
) -> JournalEntry:
    return JournalEntry(prompt_id=prompt_id, pack_id=pack_id, item_id=item_id,
                        asked_at=answered_at - timedelta(minutes=30), answered_at=answered_at,
                        scale=scale, text=text, has_voice=voice)


def recap_of(*entries: JournalEntry, next_item=NEXT) -> Recap | None:
    return weekly_recap(entries, week_start=WEEK_START, week_end=WEEK_END, next_item=next_item)


def day(days: float) -> datetime:
    return WEEK_START + timedelta(days=days)


# -- nothing to recap ------------------------------------------------------------------------------


def test_no_entries_no_recap():
    assert recap_of() is None


def test_answers_from_other_weeks_give_no_recap():
    assert recap_of(entry(1, day(-0.5), text="last week"), entry(2, day(7), text="next")) is None


def test_prompts_skipped_or_left_blank_give_no_recap():
    skipped = entry(1, day(1), pack_id="checklist-cso", item_id="cso-01", scale=0)
    blank = entry(2, day(2), text="  \n\t ")
    assert recap_of(skipped, blank) is None


# -- one week --------------------------------------------------------------------------------------


def test_a_week_of_answers_in_the_order_given():
    recap = recap_of(
        entry(3, day(4), item_id="wellbeing-03", voice=True),
        entry(1, day(0.5), item_id="wellbeing-01", text="Called my sister.\nIt was lovely."),
        entry(7, day(2), pack_id="checklist-cso", item_id="cso-02", scale=4),
        entry(9, day(5), item_id="wellbeing-05", text="Helped at the food bank", voice=True),
    )
    assert recap == Recap(
        week_start=WEEK_START,
        week_end=WEEK_END,
        lines=(
            RecapLine("well-being", "wellbeing-01", "Called my sister.…", None, False),
            RecapLine("checklist-cso", "cso-02", None, 4, False),
            RecapLine("well-being", "wellbeing-03", None, None, True),
            RecapLine("well-being", "wellbeing-05", "Helped at the food bank", None, True),
        ),
        next_item=NEXT,
    )
    assert recap.count == 4
    assert recap.prompts == (("well-being", "wellbeing-01"), ("checklist-cso", "cso-02"),
                             ("well-being", "wellbeing-03"), ("well-being", "wellbeing-05"))


def test_the_week_includes_its_start_and_excludes_its_end():
    recap = recap_of(entry(1, WEEK_START, text="first moment"),
                     entry(2, WEEK_END - timedelta(microseconds=1), text="last moment"),
                     entry(3, WEEK_END, text="next week"))
    assert [line.excerpt for line in recap.lines] == ["first moment", "last moment"]


def test_a_week_counts_when_the_answer_was_given_not_when_asked():
    late = JournalEntry(prompt_id=5, pack_id="well-being", item_id="wellbeing-02",
                        asked_at=day(-2), answered_at=day(0.1), scale=None, text="a walk",
                        has_voice=False)
    assert recap_of(late).count == 1


def test_one_prompt_answered_twice_is_one_reflection_with_the_later_answer():
    recap = recap_of(entry(4, day(1), text="first thought"), entry(4, day(1.5), text="second"))
    assert (recap.count, recap.lines[0].excerpt) == (1, "second")


def test_a_rating_with_a_comment_keeps_both():
    recap = recap_of(entry(1, day(1), pack_id="checklist-cso", item_id="cso-01", scale=2,
                           text="We are still learning"))
    assert recap.lines == (RecapLine("checklist-cso", "cso-01", "We are still learning", 2,
                                     False),)


def test_the_week_ahead_may_have_no_question():
    assert recap_of(entry(1, day(1), text="done"), next_item=None).next_item is None


def test_week_bounds_must_be_aware_and_in_order():
    with pytest.raises(ValueError):
        weekly_recap([], week_start=WEEK_START.replace(tzinfo=None), week_end=WEEK_END,
                     next_item=None)
    with pytest.raises(ValueError):
        weekly_recap([], week_start=WEEK_END, week_end=WEEK_START, next_item=None)


def test_the_recap_holds_nothing_beyond_the_week():
    """No streaks, totals or comparisons: only these fields exist (the
    commitments are those made or answered in the week)."""
    assert set(Recap.__dataclass_fields__) == {"week_start", "week_end", "lines", "next_item",
                                               "commitments"}


# -- a line from each answer -----------------------------------------------------------------------


def test_a_short_single_line_is_kept_as_it_is():
    assert shorten("Called my sister 📞") == "Called my sister 📞"


def test_only_the_first_non_blank_line_is_kept_and_the_rest_is_marked():
    assert shorten("\n\n  Walked to work.  \nSaw the river.\n") == "Walked to work.…"


def test_runs_of_spaces_are_collapsed():
    assert shorten("a\t\tquiet   morning") == "a quiet morning"


def test_a_long_line_is_cut_at_a_word_boundary_within_the_limit():
    text = ("Today I noticed how the light falls across the square in the late afternoon, "
            "and how nobody seems to stop and look at it, including me until today")
    short = shorten(text)
    # 119 characters would end inside "it,": the cut goes back to the space before it.
    assert short == ("Today I noticed how the light falls across the square in the late "
                     "afternoon, and how nobody seems to stop and look at…")
    assert len(short) <= EXCERPT_CHARS


def test_a_line_of_exactly_the_limit_is_not_cut():
    text = "x" * EXCERPT_CHARS
    assert shorten(text) == text


def test_one_endless_word_is_cut_mid_word():
    assert shorten("a" * 300) == "a" * (EXCERPT_CHARS - 1) + "…"
    assert shorten("https://example.org/" + "p" * 200, 30) == "https://example.org/ppppppppp…"


def test_right_to_left_and_emoji_text_is_kept_intact_when_short():
    assert shorten("שלום עולם 🌍\nשורה שנייה") == "שלום עולם 🌍…"


def test_blank_text_shortens_to_nothing():
    assert shorten(" \n ") == ""


@pytest.mark.parametrize(
    ("text", "end", "expected"),
    [
        ("one two three", 7, "one two"),  # the cut falls on a space
        ("one two three", 9, "one two"),  # inside "three": back to the space
        ("one two, three", 9, "one two"),  # no comma left hanging
        ("abcdefghij klm", 12, "abcdefghij"),
        ("ab cdefghijklmnop", 12, "ab cdefghijk"),  # the space is too far back
    ],
)
def test_cut_at_word(text, end, expected):
    assert cut_at_word(text, end) == expected


# -- the recap message -----------------------------------------------------------------------------


def test_recap_text(catalog, packs):
    recap = weekly_recap(a_week_of_entries(), week_start=MONDAY - timedelta(hours=9),
                         week_end=MONDAY + timedelta(days=7), next_item=("theory-u", "u-02"))
    assert valid(personal.recap_text(catalog, "en", recap, packs)) == (
        "🌿 Your week in reflection\n\n"
        "This week you answered 4 prompts:\n"
        "• Who have you connected with lately, even briefly? How did it feel?\n"
        f"   ↳ {isolated('Called my sister.…')}\n"
        "• How well is the CSO exploring how these goals might contribute to progress on…\n"
        "   ↳ ⭐ 4 of 5 · Mostly\n"
        "• What did you notice recently that you might usually miss: a sound, a face, a…\n"
        "   ↳ 🎙 voice note\n"
        "• A prompt that is no longer in the programme\n"
        f"   ↳ {isolated(HOSTILE)}\n\n"
        "A question for the week ahead\n"
        "What have you seen or heard lately that didn't fit what you expected?\n\n"
        "/journal has all your answers. Take care 🌱"
    )


def test_recap_of_one_rated_and_commented_answer_in_spanish(catalog, packs):
    recap = weekly_recap([entry(1, MONDAY, pack_id="checklist-cso", item_id="cso-01", scale=2,
                                text="Nos falta escuchar más")],
                         week_start=MONDAY, week_end=MONDAY + timedelta(days=7), next_item=None)
    shown = valid(personal.recap_text(catalog, "es", recap, packs))
    assert shown.startswith("🌿 Tu semana de reflexión\n\nEsta semana has respondido 1 pregunta:\n")
    assert f"   ↳ ⭐ 2 de 5 · Un poco — {isolated('Nos falta escuchar más')}\n\n" in shown
    assert "Una pregunta para la semana que empieza" not in shown


def test_a_busy_week_shows_seven_and_counts_the_rest(catalog, packs):
    entries = [entry(n, MONDAY + timedelta(hours=n), text="&" * 200 + "😀" * 100)
               for n in range(1, 13)]
    recap = weekly_recap(entries, week_start=MONDAY, week_end=MONDAY + timedelta(days=7),
                         next_item=("well-being", "wellbeing-02"))
    shown = valid(personal.recap_text(catalog, "en", recap, packs))
    assert shown.count("↳") == 7
    assert "…and 5 more in your /journal." in shown
