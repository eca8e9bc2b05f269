"""The weekly recap of a personal journal, and the journal entry it reads.

A recap mirrors back one week: how many prompts were answered, which ones,
a line from each answer and one question for the week ahead. It keeps no
streaks, no totals across weeks and makes no comparisons, and a week without
answers gives no recap at all: nobody is reminded of the weeks they rested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # bot.domain.commitments reads this module's shorten()
    from bot.domain.commitments import Commitment

EXCERPT_CHARS = 120
ELLIPSIS = "…"
# A cut at the last space is kept only if it leaves at least this share of the
# line; one very long word (a link) or a script without spaces is cut mid-word.
_WORD_CUT_SHARE = 0.5


@dataclass(frozen=True)
class JournalEntry:
    """One personal prompt and the person's answer to it (times in UTC)."""

    prompt_id: int
    pack_id: str
    item_id: str
    asked_at: datetime
    answered_at: datetime
    scale: int | None
    text: str | None
    has_voice: bool

    @property
    def rating(self) -> int | None:
        """The tapped rating; 0 is the scale's "skip" button, not a rating."""
        return self.scale if self.scale else None

    @property
    def has_text(self) -> bool:
        return bool(self.text and self.text.strip())

    @property
    def answered(self) -> bool:
        return self.rating is not None or self.has_text or self.has_voice


@dataclass(frozen=True)
class RecapLine:
    """A line from one answer: the first line of its text (shortened), its
    rating, and whether a voice note was sent; the renderer picks the words."""

    pack_id: str
    item_id: str
    excerpt: str | None
    rating: int | None
    has_voice: bool


@dataclass(frozen=True)
class Recap:
    week_start: datetime
    week_end: datetime
    lines: tuple[RecapLine, ...]  # one a reflection, oldest first
    next_item: tuple[str, str] | None  # (pack_id, item_id) for the week ahead
    # Personal commitments made or answered in the week, with how they stand.
    commitments: tuple[Commitment, ...] = ()

    @property
    def count(self) -> int:
        return len(self.lines)

    @property
    def prompts(self) -> tuple[tuple[str, str], ...]:
        return tuple((line.pack_id, line.item_id) for line in self.lines)


def weekly_recap(
    entries: Sequence[JournalEntry], *, week_start: datetime, week_end: datetime,
    next_item: tuple[str, str] | None, commitments: Sequence[Commitment] = (),
) -> Recap | None:
    """The recap of the answers given in [week_start, week_end) and of the
    week's commitments (made or answered in it: bot.domain.commitments
    of_the_week), or None when there were neither (then nothing is sent)."""
    if week_start.tzinfo is None or week_end.tzinfo is None:
        raise ValueError("week bounds must be timezone-aware")
    if week_end <= week_start:
        raise ValueError("the week must end after it starts")
    latest: dict[int, JournalEntry] = {}
    for entry in entries:
        if not entry.answered or not week_start <= entry.answered_at < week_end:
            continue
        # One prompt is one reflection, even if an answer was given twice.
        kept = latest.get(entry.prompt_id)
        if kept is None or entry.answered_at >= kept.answered_at:
            latest[entry.prompt_id] = entry
    if not latest and not commitments:
        return None
    ordered = sorted(latest.values(), key=lambda entry: (entry.answered_at, entry.prompt_id))
    return Recap(
        week_start=week_start,
        week_end=week_end,
        lines=tuple(_line(entry) for entry in ordered),
        next_item=next_item,
        commitments=tuple(commitments),
    )


def _line(entry: JournalEntry) -> RecapLine:
    return RecapLine(
        pack_id=entry.pack_id,
        item_id=entry.item_id,
        excerpt=shorten(entry.text) if entry.has_text else None,
        rating=entry.rating,
        has_voice=entry.has_voice,
    )


def shorten(text: str, limit: int = EXCERPT_CHARS) -> str:
    """The first non-blank line of `text`, at most `limit` characters.

    Runs of spaces are collapsed; a line that is too long is cut at the last
    word boundary that fits. It ends in "…" whenever something was left out,
    including the lines after the first.
    """
    if limit < 2:
        raise ValueError("a shortened text needs room for a character and the ellipsis")
    lines = [" ".join(line.split()) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    first, more = lines[0], len(lines) > 1
    if len(first) <= limit and not more:
        return first
    if len(first) < limit:
        return first + ELLIPSIS
    return cut_at_word(first, limit - 1) + ELLIPSIS


def cut_at_word(text: str, end: int) -> str:
    """`text[:end]`, moved back to the last word boundary when the cut would
    fall inside a word, without the spaces and light punctuation before it."""
    cut = text[:end]
    if end < len(text) and not text[end].isspace():
        space = cut.rfind(" ")
        if space >= len(cut) * _WORD_CUT_SHARE:
            cut = cut[:space]
    return cut.rstrip(" ,;:")
