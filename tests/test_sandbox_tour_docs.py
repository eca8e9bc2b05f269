"""The tour on docs/using/sandbox.md is one the browser test can follow: every row says who,
what to do in words the test knows, and something to see (checked without a browser, so a
docs edit that the browser test could not follow fails in the quick suite too)."""

from __future__ import annotations

import re

import pytest

from helpers.sandbox_tour import Step, tour_steps


def test_every_step_of_the_tour_can_be_followed_and_checked():
    steps = tour_steps()
    assert [step.number for step in steps] == list(range(1, len(steps) + 1))
    assert len(steps) >= 16
    for step in steps:
        assert step.person in {"Amara", "Ben", "Chen", "Diego", "Eli", "Fatima"}, step
        assert step.actions and (step.texts or step.picture), step.said
    verbs = {action.verb for step in steps for action in step.actions}
    assert verbs == {"open", "send", "tap", "press", "choose", "download"}
    # The four parts the issue names: the group's week, the digest, the export, a journal.
    said = " ".join(step.said for step in steps)
    for part in ("/setup", "Coordinator digest", "/export", "/journal"):
        assert part in said


def test_a_step_the_test_cannot_follow_is_refused(tmp_path):
    page = tmp_path / "sandbox.md"
    page.write_text("## A week in two minutes\n\n| step | as | do | you see |\n|---|---|---|---|\n"
                    "| 1 | Amara | wave at *Riverside Neighbours* | “Hello” |\n\n## Next\n")
    with pytest.raises(ValueError, match="wave"):
        tour_steps(page)


def test_an_ellipsis_in_what_you_see_stands_for_anything():
    step = Step(1, "Amara", (), ("civic-reflect-…csv",), None, False, "")

    assert re.search(step.patterns()[0], "📄 civic-reflect-riverside-neighbours-20260309.csv")
    assert not re.search(step.patterns()[0], "📄 civic-reflect-riverside-neighbours.json")
