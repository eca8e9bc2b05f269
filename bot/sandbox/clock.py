"""The sandbox's "now": real time plus however far the time controls have moved it.

The application reads it as bot_data.clock, the stand-in Telegram dates messages with it, so
a jump of a week is a week for the schedules, the database and the page alike.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain.clock import Clock, utc_now


class MovableClock:
    def __init__(self, real: Clock = utc_now, *, behind: timedelta = timedelta(0)) -> None:
        """``behind``: start that far in the past (the sandbox's group has a history)."""
        self._real = real
        self._offset = -behind

    def __call__(self) -> datetime:
        return self._real() + self._offset

    def move_to(self, moment: datetime) -> None:
        """Jump forward to ``moment``; time never goes back (schedules would repeat)."""
        ahead = moment - self()
        if ahead > timedelta(0):
            self._offset += ahead

    def catch_up(self) -> None:
        """On to real time, if the clock is behind it."""
        self.move_to(self._real())
