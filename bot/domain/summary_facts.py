"""What the weekly summary and the coordinator digest are computed from.

The store fills these (already grouped by SQL, so a year of answers is not
loaded to summarise a week); the summary functions in bot/domain/summary.py
turn them into what is shown. Pure data: no Telegram, no SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class MemberFacts:
    user_id: int
    name: str
    joined_at: datetime
    last_answered_at: datetime | None  # None: never answered
    answers: int  # answers with content, ever, in this group
    quiet: bool  # chose /quiet


@dataclass(frozen=True)
class CommentFacts:
    user_id: int
    text: str | None
    has_voice: bool
    private: bool  # given through the private chat: never shown in the group
    quotable: bool  # the author allowed quoting in the group summary


@dataclass(frozen=True)
class QuestionFacts:
    """One question asked this week."""

    prompt_id: int
    pack_id: str
    item_id: str
    theme: str | None
    opened_at: datetime
    distribution: tuple[int, int, int, int, int]  # how many rated 1..5
    respondents: tuple[int, ...]  # user ids with an answer (rating, comment or voice)
    comments: tuple[CommentFacts, ...] = ()
    private_answers: int = 0  # of the respondents, how many answered privately


@dataclass(frozen=True)
class ThemeWeek:
    """Ratings of one theme in one week: score = total / ratings."""

    week: date  # the Monday the week starts on (group's local calendar)
    theme: str
    ratings: int
    total: int


@dataclass(frozen=True)
class WeekParticipation:
    week: date
    participants: int  # distinct members who answered anything that week


@dataclass(frozen=True)
class GroupFacts:
    chat_id: int
    title: str
    language: str
    names_visible: bool
    week: date  # the week summarised (its Monday)
    members: tuple[MemberFacts, ...]  # current members the bot knows
    questions: tuple[QuestionFacts, ...]  # asked this week, oldest first
    themes: tuple[ThemeWeek, ...] = ()  # the last 8 weeks, this one included
    participation: tuple[WeekParticipation, ...] = ()  # the last 8 weeks
    first_week: date | None = None  # the week of the group's first question (None: none yet)
    chat_member_count: int | None = None  # Telegram's count, people only (None: unknown)
    theme_order: tuple[str, ...] = field(default_factory=tuple)  # display order of themes
    # False: the members' last answers were not read (a group summary needs
    # none; a digest's "Who's not here?" does), so `last_answered_at` and
    # `answers` mean nothing.
    members_heard: bool = True
