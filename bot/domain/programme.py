"""Which question comes next in a programme."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NextQuestion:
    index: int  # 0-based position in the pack
    position: int  # 1-based, as shown ("13 of 15")
    total: int
    round: int  # 1 for the first pass through the pack, 2 for the second...
    cursor_after: int


def next_question(cursor: int, total: int) -> NextQuestion:
    """The item at `cursor`. After the last item a new round begins, so a
    group that keeps reflecting meets the same questions again and can see
    how its answers change."""
    if total <= 0:
        raise ValueError("a programme needs at least one question")
    if cursor < 0:
        raise ValueError("cursor cannot be negative")
    index = cursor % total
    return NextQuestion(
        index=index,
        position=index + 1,
        total=total,
        round=cursor // total + 1,
        cursor_after=cursor + 1,
    )

