"""Personal commitments: a small action a person chose, in their own
reflection, to follow through, and how it went.

A commitment is an action (bot/domain/actions.py) kept in the person's own
private chat with them as its one owner, so the check-in, its buttons and
its note are the actions' own. Pure: the check-in date from the offer's
choices (local days in the person's time zone, so "in a week" is seven
days on the calendar across a clock change), the commitment's words from
the answer, and its state as the journal and the recap show it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.actions import MAX_TEXT, Action, Owner, local_moment
from bot.domain.recap import shorten

# The offer's date choices (callback tokens) and the local days each means.
CHOICE_DAYS = {"d3": 3, "w1": 7, "w2": 14}
# "No thanks": no commitment (or none any more, before its check-in).
DECLINE = "no"
OFFER_CHOICES = (*CHOICE_DAYS, DECLINE)
# How a commitment stands, as the person reads it.
STATES = ("open", "asked", "on_way", "stuck", "done", "let_go")


def checkin_date(choice: str, made_at: datetime, timezone: str) -> datetime:
    """When the check-in of a commitment made at `made_at` comes: that many
    local days later, at the actions' check-in time, in UTC. Counted from
    when it was made, so pressing the same choice twice gives the same date."""
    days = CHOICE_DAYS.get(choice)
    if days is None:
        raise ValueError(f"not a commitment date choice: {choice!r}")
    made = made_at.astimezone(ZoneInfo(timezone)).date()
    return local_moment(made + timedelta(days=days), timezone)


def commitment_text(answer: str | None) -> str | None:
    """A commitment's words: the first line of the person's answer, tidied
    and cut at a word to fit an action's one line; None when no text."""
    if not answer or not answer.strip():
        return None
    return shorten(answer, MAX_TEXT) or None


@dataclass(frozen=True)
class Commitment:
    """A personal commitment as the person sees it (times in UTC)."""

    action_id: int
    prompt_id: int | None
    text: str
    made_at: datetime
    due_at: datetime | None  # its check-in day (the next one, when on the way)
    state: str  # one of STATES
    answered_at: datetime | None
    note: str | None

    @property
    def settled(self) -> bool:
        """Done or let go: no more check-ins."""
        return self.state in ("done", "let_go")


def commitment_of(action: Action, owner: Owner | None) -> Commitment:
    """The commitment an action in a private chat stands for. Let go closes
    it (dropped, its owner gone); done closes it too."""
    if action.state == "done":
        state = "done"
    elif action.state == "dropped" or owner is None:
        state = "let_go"
    else:
        state = {"on": "open"}.get(owner.state, owner.state)
    return Commitment(
        action_id=action.id, prompt_id=action.source_prompt_id, text=action.text,
        # On the way: the next check-in's day, else the first one's.
        made_at=action.created_at,
        due_at=(owner.checkin_at if owner and owner.checkin_at else action.due_at), state=state,
        answered_at=owner.answered_at if owner else action.closed_at,
        note=owner.note if owner else None,
    )


def of_the_week(commitments: list[Commitment], start: datetime,
                end: datetime) -> list[Commitment]:
    """The commitments a weekly recap shows: made, or answered, in [start, end)."""
    return [c for c in commitments
            if start <= c.made_at < end
            or (c.answered_at is not None and start <= c.answered_at < end)]
