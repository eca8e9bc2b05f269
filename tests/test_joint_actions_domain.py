"""Joint actions' pure rules (bot/domain/joint_actions.py): one word of
progress per side (owners never cross), which joint actions a summary
shows, and "did it help?": which rounds are before and after, when it
shows, and that a side's average needs three people."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.joint_actions import (
    SHOWN_FOR,
    Progress,
    Round,
    before_and_after,
    did_it_help,
    in_the_week,
    progress,
)
from bot.domain.partnership import ItemTally, Standing

MADE = datetime(2026, 3, 2, 9, tzinfo=UTC)


def round_at(days: float, respondents: int, total: int) -> Round:
    opened = MADE + timedelta(days=days)
    return Round(opened, opened + timedelta(days=2), ItemTally(respondents, total))


@pytest.mark.parametrize(("state", "owners", "expected"), [
    ("open", [], Progress.NOBODY),
    ("open", ["on", "asked"], Progress.TAKEN),
    ("open", ["asked", "stuck"], Progress.STUCK),
    ("open", ["stuck", "on_way"], Progress.ON_WAY),
    ("open", ["done", "asked"], Progress.ON_WAY),
    ("done", ["done"], Progress.DONE),
    ("done", [], Progress.DONE),
    ("dropped", ["on"], Progress.STOPPED),
])
def test_a_sides_progress_in_one_word(state, owners, expected):
    assert progress(state, owners) is expected


def test_a_summary_shows_open_joint_actions_and_those_closed_this_week():
    start = MADE + timedelta(days=7)
    assert in_the_week(("open", "done"), (None, MADE), start)
    assert in_the_week(("done", "done"), (start + timedelta(hours=1), MADE), start)
    assert not in_the_week(("done", "done"), (MADE, MADE), start)


def test_before_is_the_last_round_before_the_action_and_after_the_newest_since():
    rounds = [round_at(-14, 3, 6), round_at(-7, 3, 9), round_at(14, 3, 12),
              round_at(28, 4, 16)]
    seen = before_and_after(rounds, MADE)
    assert (seen.before.mean, seen.after.mean, seen.asked_again) == (3.0, 4.0, True)
    # Shuffled, the same.
    assert before_and_after(rounds[::-1], MADE) == seen


def test_an_average_needs_three_people_on_each_side():
    seen = before_and_after([round_at(-7, 2, 8), round_at(7, 3, 9)], MADE)
    assert seen.before.standing is Standing.TOO_FEW and seen.before.mean is None
    assert seen.after.mean == 3.0
    nothing = before_and_after([], MADE)
    assert (nothing.before.standing, nothing.after.standing, nothing.asked_again) == (
        Standing.NONE, Standing.NONE, False)


def test_did_it_help_shows_once_the_pair_came_round_again_and_then_makes_way():
    ours = [round_at(-7, 3, 6), round_at(14, 3, 9)]
    theirs = [round_at(-7, 3, 12)]
    closed = ours[1].closed_at
    shown = did_it_help(ours, theirs, MADE, closed + timedelta(days=1))
    assert shown is not None
    assert (shown.ours.before.mean, shown.ours.after.mean) == (2.0, 3.0)
    assert (shown.theirs.before.mean, shown.theirs.asked_again) == (4.0, False)
    assert did_it_help(ours, theirs, MADE, closed + SHOWN_FOR + timedelta(hours=1)) is None
    # Not yet come round on either side: nothing to ask.
    assert did_it_help(ours[:1], theirs, MADE, closed) is None
