"""A personal programme rests when its prompts go unanswered.

Someone away for a week should come back to one friendly note, not a pile
of seven prompts. So before a private chat's next prompt, its newest prompts
are looked at: if the last REST_AFTER all went without a word (no answer,
no rating, no /skip), the programme pauses instead, and the person is told
once how to carry on (/resume). Groups never rest this way: a group's
silence is what the nudges and the weekly summary are for.
"""

from __future__ import annotations

from collections.abc import Sequence

REST_AFTER = 3  # unanswered prompts in a row before a personal programme rests


def should_rest(answered_newest_first: Sequence[bool]) -> bool:
    """Whether a personal programme whose newest prompts were answered (or
    not) as given, newest first, should rest rather than ask again."""
    newest = answered_newest_first[:REST_AFTER]
    return len(newest) == REST_AFTER and not any(newest)
