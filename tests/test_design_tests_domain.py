"""The plan's profile from the five design tests (bot/domain/design_tests.py):
averages per test, rounded half up, shown only from the summary's minimum
number of raters of that test."""

from __future__ import annotations

from bot.domain.design_tests import TESTS, Rating, is_rating, profile
from bot.domain.summary import MIN_RESPONDENTS


def ratings(test: str, *values: int, first_user: int = 1) -> list[Rating]:
    return [Rating(7, first_user + i, test, value) for i, value in enumerate(values)]


def test_the_minimum_is_the_summarys():
    assert MIN_RESPONDENTS == 3


def test_an_average_is_shown_only_from_the_minimum_number_of_raters():
    shown = profile(ratings("dem", 4, 5, 3) + ratings("eco", 5, 5))
    by_test = {r.test: r for r in shown.results}
    assert [r.test for r in shown.results] == list(TESTS)
    assert (by_test["dem"].raters, by_test["dem"].average) == (3, 4.0)
    assert (by_test["eco"].raters, by_test["eco"].average, by_test["eco"].shown) == (
        2, None, False)
    assert (by_test["lnk"].raters, by_test["lnk"].average) == (0, None)
    assert shown.people == 3
    assert shown.any_shown


def test_averages_are_rounded_to_one_decimal_half_up():
    # 13/4 = 3.25 reads 3.3 (not Python's 3.2); 10/3 = 3.333... reads 3.3.
    assert profile(ratings("soc", 3, 3, 3, 4)).results[2].average == 3.3
    assert profile(ratings("soc", 4, 3, 3)).results[2].average == 3.3
    assert profile(ratings("soc", 5, 5, 4)).results[2].average == 4.7
    assert profile(ratings("soc", 1, 1, 2, 2)).results[2].average == 1.5


def test_no_ratings_is_a_profile_with_nothing_shown():
    empty = profile([])
    assert empty.people == 0 and not empty.any_shown
    assert all(r.raters == 0 for r in empty.results)


def test_people_count_each_rater_once_across_tests():
    both = ratings("dem", 2, 3) + ratings("wel", 4, 4, 4, first_user=2)
    assert profile(both).people == 4


def test_only_the_five_tests_and_one_to_five_are_ratings():
    assert is_rating("dem", 1) and is_rating("lnk", 5)
    assert not is_rating("dem", 0) and not is_rating("dem", 6)
    assert not is_rating("xyz", 3)
