"""Actions' pure rules (bot/domain/actions.py): due dates in the group's time
zone across a clock change, what owners' answers make of an action, and the
summary's counts, which never name anyone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.actions import (
    Action,
    Owner,
    a_week_on,
    clean_text,
    due_date,
    state_after,
    week_of_actions,
)


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.mark.parametrize(("choice", "made", "timezone", "due"), [
    # Madrid moves to summer time on Sunday 29 March 2026: a week after
    # Wednesday 25 March is Wednesday 1 April at 10:00 local, 08:00 UTC.
    ("w1", at(2026, 3, 25, 9), "Europe/Madrid", at(2026, 4, 1, 8)),
    ("w1", at(2026, 3, 18, 9), "Europe/Madrid", at(2026, 3, 25, 9)),
    ("w2", at(2026, 3, 20, 9), "Europe/Madrid", at(2026, 4, 3, 8)),
    # The autumn change (25 October): back to 09:00 UTC.
    ("w1", at(2026, 10, 21, 8), "Europe/Madrid", at(2026, 10, 28, 9)),
    # The local day counts, not UTC's: 23:30 UTC on the 9th is already the
    # 10th in Madrid, and still the 9th in Mexico City.
    ("w1", at(2026, 3, 9, 23, 30), "Europe/Madrid", at(2026, 3, 17, 9)),
    ("w1", at(2026, 3, 9, 23, 30), "America/Mexico_City", at(2026, 3, 16, 16)),
    # A month keeps the day where the month has it, else its last day.
    ("m1", at(2026, 1, 31, 12), "UTC", at(2026, 2, 28, 10)),
    ("m1", at(2026, 12, 15, 12), "UTC", at(2027, 1, 15, 10)),
])
def test_a_due_choice_is_a_local_day_at_ten(choice, made, timezone, due):
    assert due_date(choice, made, timezone) == due


def test_the_same_choice_gives_the_same_date_whenever_it_is_pressed():
    made = at(2026, 3, 2, 8)
    assert due_date("w1", made, "Europe/Madrid") == due_date("w1", made, "Europe/Madrid")
    with pytest.raises(ValueError):
        due_date("w3", made, "Europe/Madrid")


def test_on_the_way_asks_again_a_week_on_across_the_clock_change():
    assert a_week_on(at(2026, 3, 27, 15), "Europe/Madrid") == at(2026, 4, 3, 8)


def test_an_action_is_one_short_line():
    assert clean_text("  Paint\nthe   fence ") == "Paint the fence"
    assert clean_text("   ") is None
    assert clean_text("x" * 201) is None


@pytest.mark.parametrize(("states", "after"), [
    (["done", "done"], "done"),
    (["done", "stuck"], "open"),
    (["done", "on_way"], "open"),
    ([], "open"),  # everyone let it go: open for someone else
])
def test_an_action_is_done_when_everyone_on_it_says_so(states, after):
    assert state_after(states) == after


def action(number: int, created: datetime, *, due: datetime | None = None,
           state: str = "open", closed: datetime | None = None) -> Action:
    return Action(number, -100, f"action {number}", 601, created, due, None, state, closed, None)


def owner(action_id: int, user_id: int, state: str) -> Owner:
    return Owner(action_id, user_id, at(2026, 3, 2, 8), state, None, 1, None, None, False, None)


def test_the_week_counts_started_done_on_the_way_and_waiting():
    start, end, now = at(2026, 3, 8, 23), at(2026, 3, 15, 23), at(2026, 3, 13, 16)
    actions = [
        action(1, at(2026, 3, 10, 9)),  # started this week, no date
        action(2, at(2026, 3, 2, 9), state="done", closed=at(2026, 3, 9, 10)),
        action(3, at(2026, 3, 2, 9), state="done", closed=at(2026, 3, 6, 10)),  # last week
        action(4, at(2026, 3, 2, 9), due=at(2026, 3, 9, 9)),  # one owner on the way
        action(5, at(2026, 3, 2, 9), due=at(2026, 3, 9, 9)),  # asked, no answer
        action(6, at(2026, 3, 2, 9), due=at(2026, 3, 9, 9)),  # nobody on it
        action(7, at(2026, 3, 2, 9), due=at(2026, 3, 9, 9)),  # stuck: the digest's
        action(8, at(2026, 3, 2, 9), due=at(2026, 3, 20, 9)),  # not due yet
    ]
    owners = {4: [owner(4, 602, "on_way"), owner(4, 603, "asked")],
              5: [owner(5, 602, "asked")], 7: [owner(7, 604, "stuck")],
              8: [owner(8, 605, "on")]}
    week = week_of_actions(actions, owners, start, end, now)
    assert (week.started, week.done, week.on_the_way, week.waiting_for_news) == (1, 1, 1, 2)
    assert not week.empty
    assert week_of_actions([], {}, start, end, now).empty
