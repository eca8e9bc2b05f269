"""Weekly summary, coordinator digest and chart data, computed from a simulated
month of a group of 12 (bot/domain/summary.py); the month and who did what in
it are described in tests/helpers/summary.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from bot.domain.summary import (
    Absence,
    SeenComment,
    chart_data,
    digest,
    summarise,
    whos_not_here,
)
from bot.domain.summary_facts import (
    GroupFacts,
    MemberFacts,
    ThemeWeek,
)

from helpers.summary import (
    CO_DESIGNED,
    COUNCIL_FIRST,
    CPF,
    DVO,
    EWS,
    GUSTAVO,
    HTML_IDEAS,
    JOINED,
    NAMES,
    NOT_SURE,
    NOW,
    RTL_YOUTH,
    THEMES,
    THIS_WEEK,
    YOUTH_COUNCIL,
    month_facts,
    with_private_answers,
)


@pytest.fixture
def facts() -> GroupFacts:
    return month_facts()


# -- the group summary ---------------------------------------------------------------------------


def test_participation_counts_distinct_members_this_week(facts):
    taking_part = summarise(facts).participation
    assert (taking_part.answered, taking_part.members, taking_part.chat_members) == (7, 12, 15)


def test_chat_member_count_may_be_unknown():
    assert summarise(month_facts(chat_member_count=None)).participation.chat_members is None


def test_a_question_rated_by_enough_people_shows_its_spread(facts):
    first, _ = summarise(facts).questions
    assert (first.item_id, first.respondents, first.ratings) == ("cso-08", 5, 4)
    assert first.distribution == (0, 1, 1, 1, 1)
    assert first.mean == pytest.approx(3.5)
    assert not first.distribution_hidden


def test_a_question_rated_by_fewer_than_three_hides_its_spread(facts):
    _, second = summarise(facts).questions
    assert (second.item_id, second.respondents, second.ratings) == ("cso-09", 5, 2)
    assert second.distribution is None
    assert second.mean is None
    assert second.distribution_hidden


def test_a_question_nobody_rated_is_not_hidden_just_unrated(facts):
    only_words = replace(facts.questions[1], distribution=(0, 0, 0, 0, 0))
    question = summarise(replace(facts, questions=(only_words,))).questions[0]
    assert (question.distribution, question.distribution_hidden) == (None, False)


def test_quotes_need_consent_text_and_a_group_answer(facts):
    first, second = summarise(facts).questions
    # Not Lola's (private), not Kofi's voice note, not Lucía's (no consent), not a blank one.
    assert first.quotes == (CO_DESIGNED,)
    assert second.quotes == (HTML_IDEAS, RTL_YOUTH)


def test_private_answers_never_reach_the_group_summary(facts):
    summary = summarise(facts)
    quoted = [quote for question in summary.questions for quote in question.quotes]
    assert COUNCIL_FIRST not in quoted
    assert YOUTH_COUNCIL not in quoted
    assert not any(name in repr(summary) for name in NAMES.values())


def test_theme_scores_and_change_since_last_week(facts):
    scores = {row.theme: row for row in summarise(facts).themes}
    assert list(scores) == list(THEMES)
    assert scores[CPF].ratings == 6
    assert scores[CPF].score == pytest.approx(23 / 6)
    assert scores[CPF].change == pytest.approx(23 / 6 - 15 / 5)
    # Rated last week (3 ratings) but not this week: no score, no change.
    assert (scores[EWS].ratings, scores[EWS].score, scores[EWS].change) == (0, None, None)
    assert all(scores[theme].score is None for theme in (DVO, *THEMES[3:]))


def theme_facts(*rows: tuple[date, int, int]) -> GroupFacts:
    return replace(month_facts(), questions=(), themes=tuple(
        ThemeWeek(week=week, theme=DVO, ratings=ratings, total=total)
        for week, ratings, total in rows
    ))


def test_a_theme_score_from_fewer_than_three_ratings_is_hidden():
    row = summarise(theme_facts((THIS_WEEK, 2, 9))).themes[0]
    assert (row.ratings, row.score, row.change, row.hidden) == (2, None, None, True)


def test_no_change_is_shown_against_a_hidden_score():
    last_week = THIS_WEEK - timedelta(weeks=1)
    # Last week's 2 ratings are hidden; a change would reveal their mean.
    row = summarise(theme_facts((last_week, 2, 4), (THIS_WEEK, 3, 12))).themes[0]
    assert (row.score, row.change) == (4.0, None)
    row = summarise(theme_facts((last_week, 4, 18), (THIS_WEEK, 3, 12))).themes[0]
    assert row.change == pytest.approx(4.0 - 4.5)


def test_no_scorecard_when_no_theme_was_ever_rated(facts):
    words_only = replace(facts, themes=(ThemeWeek(THIS_WEEK, "open-mind", 0, 0),))
    assert summarise(words_only).themes == ()
    assert chart_data(words_only).themes == ()


def test_themes_outside_the_programme_order_come_after_it(facts):
    extra = replace(facts, themes=(*facts.themes, ThemeWeek(THIS_WEEK, "connect", 3, 12)))
    themes = summarise(extra).themes
    assert [row.theme for row in themes] == [*THEMES, "connect"]
    assert themes[-1].score == 4.0


def test_someone_who_answered_and_left_is_not_counted_as_a_member(facts):
    departed = replace(facts, members=tuple(m for m in facts.members if m.user_id != GUSTAVO))
    taking_part = summarise(departed).participation
    assert (taking_part.answered, taking_part.members) == (6, 11)
    assert summarise(departed).questions[1].respondents == 5  # the answer still counts


# -- the coordinator digest ---------------------------------------------------------------------


def test_digest_contains_the_summary(facts):
    assert digest(facts, NOW).summary == summarise(facts)


def test_digest_names_who_answered_in_member_order(facts):
    assert digest(facts, NOW).answered_names == (
        "Ana García", "Bongani Dlamini", "Chen Wei", "Lola Pérez", "Gustavo Silva",
        "Kofi Mensah", "Lucía Fernández",
    )


def test_digest_names_group_comments_and_holds_back_a_lone_private_one(facts):
    """Lola alone answered each question privately: with "Who answered" beside
    it, her comment would point to her, so it is held back and counted."""
    first, second = digest(facts, NOW).questions
    assert first.comments == (
        SeenComment(CO_DESIGNED, has_voice=False, private=False, author="Ana García"),
        SeenComment(None, has_voice=True, private=False, author="Kofi Mensah"),
        SeenComment(NOT_SURE, has_voice=False, private=False, author="Lucía Fernández"),
    )
    assert second.comments == (
        SeenComment(HTML_IDEAS, has_voice=False, private=False, author="Bongani Dlamini"),
        SeenComment(RTL_YOUTH, has_voice=False, private=False, author="Chen Wei"),
    )
    assert (first.private_held_back, second.private_held_back) == (1, 1)


@pytest.mark.parametrize(("private_answers", "shown"), [(1, False), (2, False), (3, True),
                                                         (7, True)])
@pytest.mark.parametrize("names_visible", [True, False])
def test_private_comments_reach_the_digest_only_among_enough_private_answers(
        private_answers, shown, names_visible):
    facts = with_private_answers(month_facts(names_visible=names_visible), private_answers)
    first, second = digest(facts, NOW).questions
    private = [c for c in first.comments + second.comments if c.private]
    if shown:
        assert private == [
            SeenComment(COUNCIL_FIRST, has_voice=False, private=True, author=None),
            SeenComment(YOUTH_COUNCIL, has_voice=False, private=True, author=None)]
        assert (first.private_held_back, second.private_held_back) == (0, 0)
    else:
        assert private == []
        assert (first.private_held_back, second.private_held_back) == (1, 1)
    # Never with a name, in either kind of group.
    assert all(c.author is None for c in first.comments + second.comments if c.private)


def test_trends_cover_eight_weeks_with_zero_for_silent_weeks(facts):
    result = digest(facts, NOW)
    assert result.weeks == tuple(THIS_WEEK - timedelta(weeks=back) for back in range(7, -1, -1))
    assert result.participation == (0, 0, 0, 5, 7, 6, 5, 7)
    trends = {trend.theme: trend.scores for trend in result.theme_trends}
    assert trends[DVO] == pytest.approx((None, None, None, 11 / 5, 23 / 10, None, None, None))
    assert trends[EWS] == pytest.approx((None, None, None, None, None, 23 / 9, 8 / 3, None))
    assert trends[CPF] == pytest.approx((None, None, None, None, None, None, 3.0, 23 / 6))
    assert trends[THEMES[3]] == (None,) * 8


def test_whos_not_here_lists_the_silent_and_the_never_heard(facts):
    absent = digest(facts, NOW).whos_not_here
    assert (absent.silent, absent.never, absent.quiet, absent.total) == (2, 2, 2, 4)
    assert [(m.name, m.absence, m.days, m.quiet) for m in absent.members] == [
        ("Emeka Obi", Absence.SILENT, 19, False),  # last answer 18 Feb, 11:00
        ("فاطمة الزهراء", Absence.SILENT, 26, True),
        ("Hana Kim", Absence.NEVER, 41, False),  # joined 27 Jan; Ivan joined 4 days ago
        ("Jamila Yusuf", Absence.NEVER, 41, True),
    ]
    assert [m.first_name for m in absent.members] == ["Emeka", "فاطمة", "Hana", "Jamila"]


def member(last: datetime | None, joined: datetime = JOINED, quiet: bool = False) -> MemberFacts:
    return MemberFacts(user_id=1, name="Ana", joined_at=joined, last_answered_at=last,
                       answers=0 if last is None else 1, quiet=quiet)


@pytest.mark.parametrize(
    ("last", "joined", "absence"),
    [
        (NOW - timedelta(days=14), JOINED, Absence.SILENT),  # exactly two weeks: silent
        (NOW - timedelta(days=14) + timedelta(minutes=1), JOINED, None),
        (None, NOW - timedelta(days=7), Absence.NEVER),  # exactly a week: counted
        (None, NOW - timedelta(days=7) + timedelta(minutes=1), None),  # too new
    ],
)
def test_whos_not_here_thresholds(last, joined, absence):
    found = whos_not_here((member(last, joined),), NOW, names_visible=True).members
    assert [m.absence for m in found] == ([absence] if absence else [])


def test_counts_only_groups_get_no_names_anywhere():
    result = digest(month_facts(names_visible=False), NOW)
    assert result.answered_names == ()
    assert all(c.author is None for q in result.questions for c in q.comments)
    absent = result.whos_not_here
    assert (absent.silent, absent.never, absent.quiet, absent.members) == (2, 2, 2, ())
    assert not any(name in repr(result) for name in NAMES.values())


# -- chart data ----------------------------------------------------------------------------------


def test_chart_data_sets_the_last_four_weeks_against_the_four_before(facts):
    data = chart_data(facts)
    assert (data.week, data.compare_week) == (THIS_WEEK, date(2025, 2, 3))
    scores = {theme.theme: (theme.now, theme.before) for theme in data.themes}
    assert list(scores) == list(THEMES)
    # Last four weeks: 10 Feb to 3 Mar; the four before: 13 Jan to 3 Feb.
    assert scores[DVO] == (pytest.approx(23 / 10), pytest.approx(11 / 5))
    assert scores[EWS] == (pytest.approx((23 + 8) / (9 + 3)), None)
    assert scores[CPF] == (pytest.approx((15 + 23) / (5 + 6)), None)
    assert data.participation == (0, 0, 0, 5, 7, 6, 5, 7)
    assert data.weeks[0] == date(2025, 1, 13)
