"""Joint actions across a partnership: one action two linked groups take on
together, on one pair of the checklist. Pure: no Telegram, no SQL, no text.

Each group has its own action row (its own owners, date and check-ins);
what crosses between the two groups is the action's words and its
progress, never who is on it: `progress` turns a side's owners into one
word, and "did it help?" shows averages only, each from at least
MIN_RESPONDENTS people (the partnership view's rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.partnership import ItemTally, Side, SideScore, side_score

# After "joint action" in a private chat, the coordinator's next message there
# within this long is its line; later, a message is what it would have been.
WORDS_WINDOW = timedelta(minutes=15)
# "Did it help?" shows in the digests of the week after the pair's question
# came round again (closed), then makes way.
SHOWN_FOR = timedelta(days=7)


@dataclass(frozen=True)
class JointAction:
    id: int
    partnership_id: int
    pair_number: int
    la_action_id: int
    cso_action_id: int
    proposed_by: str  # the side: "la" or "cso"
    created_at: datetime

    def action_of(self, side: Side) -> int:
        return self.la_action_id if side is Side.LA else self.cso_action_id

    def side_of_action(self, action_id: int) -> Side:
        if action_id == self.la_action_id:
            return Side.LA
        if action_id == self.cso_action_id:
            return Side.CSO
        raise ValueError(f"action {action_id} is not part of joint action {self.id}")


@dataclass(frozen=True)
class JointDraft:
    """A coordinator asked for a joint action's line in their private chat."""

    user_id: int
    partnership_id: int
    side: str
    pair_number: int
    message_id: int | None
    asked_at: datetime


class Progress(StrEnum):
    """How one side's half of a joint action stands, in one word."""

    NOBODY = "nobody"  # open, nobody has taken it on yet
    TAKEN = "taken"  # open, taken on, no news yet
    ON_WAY = "on_way"  # some owner reports it on the way (or done, the others not yet)
    STUCK = "stuck"  # an owner is stuck and nobody reports progress
    DONE = "done"
    STOPPED = "stopped"  # dropped


def progress(state: str, owner_states: Sequence[str]) -> Progress:
    """A side's progress from its action's state and its owners' states
    (the owners themselves never cross)."""
    if state == "done":
        return Progress.DONE
    if state == "dropped":
        return Progress.STOPPED
    if any(owner in ("on_way", "done") for owner in owner_states):
        return Progress.ON_WAY
    if any(owner == "stuck" for owner in owner_states):
        return Progress.STUCK
    return Progress.TAKEN if owner_states else Progress.NOBODY


def in_the_week(states: Sequence[str], closed: Sequence[datetime | None],
                start: datetime) -> bool:
    """Whether a joint action belongs in a weekly summary: one side's action
    is open, or one closed since the week began."""
    return any(state == "open" for state in states) or any(
        moment is not None and moment >= start for moment in closed)


@dataclass(frozen=True)
class Round:
    """One closed round of a side's question of the pair: when it opened
    and closed, and its tally (each person once)."""

    opened_at: datetime
    closed_at: datetime
    tally: ItemTally


@dataclass(frozen=True)
class BeforeAfter:
    """One side's self-rating on its question of the pair, before the joint
    action (the last round opened before it was made) and after (the newest
    round opened since). Each a mean only from MIN_RESPONDENTS people."""

    before: SideScore
    after: SideScore
    asked_again: bool  # a round opened after the action was made, and closed


@dataclass(frozen=True)
class DidItHelp:
    ours: BeforeAfter
    theirs: BeforeAfter


def before_and_after(rounds: Sequence[Round], made_at: datetime) -> BeforeAfter:
    before = max((r for r in rounds if r.opened_at < made_at), key=_opened, default=None)
    after = max((r for r in rounds if r.opened_at >= made_at), key=_opened, default=None)
    return BeforeAfter(side_score(before.tally if before else None),
                       side_score(after.tally if after else None), after is not None)


def did_it_help(ours: Sequence[Round], theirs: Sequence[Round], made_at: datetime,
                now: datetime) -> DidItHelp | None:
    """Both sides' before and after, once the programme has come round to
    the pair again on either side (a round opened after the action was made
    and closed within the last SHOWN_FOR); None otherwise."""
    latest = [r.closed_at for r in (*ours, *theirs) if r.opened_at >= made_at]
    if not latest or now - max(latest) > SHOWN_FOR:
        return None
    return DidItHelp(before_and_after(ours, made_at), before_and_after(theirs, made_at))


def _opened(round_: Round) -> datetime:
    return round_.opened_at
