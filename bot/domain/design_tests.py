"""The five design tests a group can put a plan to, and the plan's profile.

The tests are the source's five dimensions of resilience, offered there as
"design tests" for local action: how likely is it that what is planned will
enhance local democracy, increase economic self-reliance, build social
capital, improve personal well-being and strengthen links with other
communities. Each member rates each test from 1 (very unlikely) to 5 (very
likely). The profile shows averages only, and only for a test rated by at
least the summary's minimum number of people, so no one's rating can be
read off it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.summary import MIN_RESPONDENTS

# The tests in the source's order, as their callback and storage keys.
TESTS = ("dem", "eco", "soc", "wel", "lnk")
LOWEST, HIGHEST = 1, 5


@dataclass(frozen=True)
class Rating:
    action_id: int
    user_id: int
    test: str
    value: int


@dataclass(frozen=True)
class TestResult:
    test: str
    raters: int
    average: float | None  # None below the minimum number of raters

    @property
    def shown(self) -> bool:
        return self.average is not None


@dataclass(frozen=True)
class Profile:
    """One plan's profile: each test's average, and how many people took part."""

    results: tuple[TestResult, ...]
    people: int  # who rated at least one test

    @property
    def any_shown(self) -> bool:
        return any(result.shown for result in self.results)


def is_rating(test: str, value: int) -> bool:
    return test in TESTS and LOWEST <= value <= HIGHEST


def profile(ratings: list[Rating]) -> Profile:
    """Averages per test, rounded to one decimal (half up), each shown only
    from MIN_RESPONDENTS raters of that test."""
    results = []
    for test in TESTS:
        values = [r.value for r in ratings if r.test == test]
        average = (_round(sum(values) / len(values))
                   if len(values) >= MIN_RESPONDENTS else None)
        results.append(TestResult(test, len(values), average))
    return Profile(tuple(results), len({r.user_id for r in ratings}))


def _round(number: float) -> float:
    # Half up, not Python's half-to-even: 3.25 reads as 3.3, as people expect.
    return int(number * 10 + 0.5 + 1e-9) / 10
