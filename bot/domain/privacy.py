"""When a private answer may reach the coordinators.

Someone who answers privately is told that the group never sees it and the
coordinators never see it with their name. A missing name is not enough on
its own: when one person answered a question privately, the coordinators'
other views (who answered this week, the group's own answers with their
authors, the group chat) can leave only one person it may be. So what a
private answer says (its rating, comment or voice note) reaches coordinators,
in the digest and in exports, only among at least PRIVATE_MIN private
answers to the same question; fewer are held back, counted but never shown.
Averages that include them are shown under the summary's own minimum
(summary.MIN_RESPONDENTS), as every rating is.
"""

from __future__ import annotations

PRIVATE_MIN = 3


def private_answers_shown(private_answers: int) -> bool:
    """Whether a question's private answers may be shown to coordinators, given
    how many people answered it privately."""
    return private_answers >= PRIVATE_MIN
