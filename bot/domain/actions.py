"""Actions a group takes on, and the check-ins that follow them through.

Pure: due dates from the quick choices (in the group's time zone, so a
week is seven local days across a clock change), what an owner's answer
does to the action, and the week's "What we are doing" block. Nothing
here names a person: the block counts actions, never who is late.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# The quick by-when choices, as their callback tokens.
DUE_CHOICES = ("w1", "w2", "m1")
# When on the due day the owners hear from the bot (local time).
CHECKIN_TIME = time(10, 0)
# An action's one line, in characters.
MAX_TEXT = 200
# A note is the owner's next private message within this long of the question.
NOTE_WINDOW = timedelta(days=2)

# An owner's answer to a check-in (the callback token) and the state it sets.
ANSWERS = {"done": "done", "way": "on_way", "stuck": "stuck", "go": "let_go"}
# Owners still expected to answer or report back.
WAITING = ("on", "asked", "on_way")


@dataclass(frozen=True)
class Action:
    id: int
    chat_id: int
    text: str
    created_by: int | None
    created_at: datetime
    due_at: datetime | None
    source_prompt_id: int | None
    state: str  # open, done or dropped
    closed_at: datetime | None
    message_id: int | None
    # When a coordinator put the plan to the five design tests, and the
    # group message the members answer on (bot/domain/design_tests.py).
    design_asked_at: datetime | None = None
    design_message_id: int | None = None
    design_changes: int = 0
    design_shown: int | None = None
    # Made in reply to the weekly summary of this ISO week ("2026-W11").
    source_week: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state == "open"


@dataclass(frozen=True)
class Owner:
    action_id: int
    user_id: int
    joined_at: datetime
    state: str  # on, asked, on_way, done, stuck
    checkin_at: datetime | None
    rounds: int
    answered_at: datetime | None
    note: str | None
    note_shared: bool
    note_wanted_at: datetime | None


def due_date(choice: str, created_at: datetime, timezone: str) -> datetime:
    """When an action chosen "in a week", "in two weeks" or "in a month" is
    due: that many local days (or a calendar month, the day kept where the
    month has it) after the day it was made, at the check-in time, in UTC.
    Counted from when the action was made, so pressing the same choice
    twice gives the same date."""
    zone = ZoneInfo(timezone)
    made = created_at.astimezone(zone).date()
    if choice == "w1":
        day = made + timedelta(days=7)
    elif choice == "w2":
        day = made + timedelta(days=14)
    elif choice == "m1":
        day = _month_after(made)
    else:
        raise ValueError(f"not a due choice: {choice!r}")
    return local_moment(day, timezone)


def a_week_on(now: datetime, timezone: str) -> datetime:
    """"On the way": the next check-in a week from today, at the check-in time."""
    return local_moment(now.astimezone(ZoneInfo(timezone)).date() + timedelta(days=7), timezone)


def local_moment(day: date, timezone: str) -> datetime:
    return datetime.combine(day, CHECKIN_TIME, tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def _month_after(day: date) -> date:
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# A typed date: day and month, with or without a year (20/12, 20.12.2026,
# 20-12-26), or the ISO form (2026-12-20). Day first, as in most of the
# world and in Spanish; a month above 12 is no date, never guessed.
_DAY_FIRST = re.compile(r"(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2}|\d{4}))?\.?")
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
# How far ahead a typed date may be.
LONGEST_AHEAD = timedelta(days=366)


@dataclass(frozen=True)
class TypedDate:
    """What a typed date says: a day, or why it cannot be one."""

    day: date | None
    problem: str | None = None  # "unclear", "past" or "far"


def typed_date(raw: str, now: datetime, timezone: str) -> TypedDate:
    """A date someone typed for an action, read in the group's time zone:
    from tomorrow to a year ahead. Without a year, the next such day."""
    text = raw.strip()
    today = now.astimezone(ZoneInfo(timezone)).date()
    if match := _ISO.fullmatch(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.fullmatch(text):
        day, month = int(match[1]), int(match[2])
        year = int(match[3]) if match[3] else None
        if year is not None and year < 100:
            year += 2000
    else:
        return TypedDate(None, "unclear")
    try:
        if year is None:
            found = date(today.year, month, day)
            if found < today:  # 1/1 typed in December: next year's
                found = date(today.year + 1, month, day)
        else:
            found = date(year, month, day)
    except ValueError:  # 31/02, month 13
        return TypedDate(None, "unclear")
    if found <= today:
        return TypedDate(None, "past")
    if found - today > LONGEST_AHEAD:
        return TypedDate(None, "far")
    return TypedDate(found)


def clean_text(raw: str) -> str | None:
    """An action's one line: spaces tidied, None when empty or too long."""
    text = " ".join(raw.split())
    return text if 0 < len(text) <= MAX_TEXT else None


def state_after(owner_states: list[str]) -> str:
    """The action's state once its owners have answered: done when everyone
    still on it says done (at least one), open otherwise; an action whose
    owners all let it go stays open, for someone else to take on."""
    if owner_states and all(state == "done" for state in owner_states):
        return "done"
    return "open"


@dataclass(frozen=True)
class WeekOfActions:
    """The group's "What we are doing" block for one week: counts only."""

    started: int
    done: int
    on_the_way: int
    waiting_for_news: int

    @property
    def empty(self) -> bool:
        return not (self.started or self.done or self.on_the_way or self.waiting_for_news)


def week_of_actions(actions: list[Action], owners: dict[int, list[Owner]],
                    start: datetime, end: datetime, now: datetime) -> WeekOfActions:
    """Counts for [start, end): started and done in the week; among open
    actions, those some owner reports as on the way, and those past their
    date that nobody has reported on (no owner, or owners not answering)."""
    started = sum(start <= a.created_at < end for a in actions)
    done = sum(a.state == "done" and a.closed_at is not None and start <= a.closed_at < end
               for a in actions)
    on_the_way = waiting = 0
    for action in actions:
        if not action.is_open:
            continue
        states = [owner.state for owner in owners.get(action.id, [])]
        if any(state in ("on_way", "done") for state in states):
            on_the_way += 1
        elif (action.due_at is not None and action.due_at <= now
              and not any(state == "stuck" for state in states)):
            waiting += 1
    return WeekOfActions(started, done, on_the_way, waiting)
