"""Who gets a gentle reminder before a question closes, and how.

Never shaming: reminders name no ratings, go to nobody who asked for quiet,
and reach each person at most once a question and once a week. Only people
who started the bot are reminded personally, in their private chat. Nobody
is ever named in the group: when members without a private chat have not
answered, the group gets one invitation addressed to everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

ONE_A_WEEK = timedelta(days=7)


@dataclass(frozen=True)
class NudgeCandidate:
    user_id: int
    name: str
    answered: bool
    quiet: bool
    last_nudged_at: datetime | None
    has_private_chat: bool


@dataclass(frozen=True)
class NudgePlan:
    privately: tuple[NudgeCandidate, ...]  # a private message each
    # Those a group invitation is for. Never named: they are why one
    # invitation to everyone is posted, and it counts as their reminder.
    in_group: tuple[NudgeCandidate, ...]

    @property
    def invite_group(self) -> bool:
        return bool(self.in_group)


def plan_nudges(candidates: list[NudgeCandidate], now: datetime) -> NudgePlan:
    chosen = [
        person for person in candidates
        if not person.answered and not person.quiet
        and (person.last_nudged_at is None or now - person.last_nudged_at >= ONE_A_WEEK)
    ]
    return NudgePlan(
        privately=tuple(p for p in chosen if p.has_private_chat),
        in_group=tuple(p for p in chosen if not p.has_private_chat),
    )


def closes_at(window_end: datetime | None, next_question_at: datetime | None) -> datetime | None:
    """When a question closes: at the end of its window, else when the next
    question opens (None when neither is known)."""
    return window_end or next_question_at
