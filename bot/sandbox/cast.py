"""Who is in the sandbox: the group "Riverside Neighbours" and its six members.

Each member has a habit the "let the others answer" control follows, so that summaries,
digests, "Who's not here?" and reminders have something to show: some answer in the group,
some privately, one now and then, one never.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

GROUP_ID = -1001234500001
GROUP_TITLE = "Riverside Neighbours"
# The group was formed, and the bot added, this long before the sandbox opens: long enough
# for "Who's not here?" to count a member who joined and never answered.
GROUP_AGE = timedelta(days=14)

# Habits of the simulated members.
RATES = "rates"  # taps a rating in the group
COMMENTS = "comments"  # taps a rating and replies with a comment they allow to be quoted
PRIVATELY = "privately"  # answers in a private chat with the bot, comment included
SOMETIMES = "sometimes"  # like RATES, but only every other question
NEVER = "never"  # never answers: the one "Who's not here?" is about


@dataclass(frozen=True)
class Neighbour:
    id: int
    first_name: str
    last_name: str
    language: str
    coordinator: bool
    habit: str
    leaning: int  # where on the 1-5 scale their ratings usually fall
    comments: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def role(self) -> str:
        return "coordinator" if self.coordinator else "member"


NEIGHBOURS: tuple[Neighbour, ...] = (
    Neighbour(1001, "Amara", "Okafor", "en", True, RATES, 4),
    Neighbour(1002, "Ben", "Hughes", "en", False, COMMENTS, 3, (
        "The Saturday drop-in works <3 More of that & less paperwork.",
        "We listen well in meetings, less so on the street.",
        "The council officers came to our last meeting. A first!",
    )),
    Neighbour(1003, "Chen", "Wei", "en", False, PRIVATELY, 2, (
        "I don't feel the newer residents are heard yet.",
        "Good intentions, but decisions still happen elsewhere.",
        "Better than last year; we now share the agenda beforehand.",
    )),
    Neighbour(1004, "Diego", "Ruiz", "es", False, RATES, 4),
    Neighbour(1005, "Eli", "Cohen", "en", False, SOMETIMES, 3),
    Neighbour(1006, "Fatima", "Khan", "en", False, NEVER, 3),
)


def neighbour(user_id: int) -> Neighbour | None:
    return next((n for n in NEIGHBOURS if n.id == user_id), None)
