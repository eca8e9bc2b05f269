"""When a chat's next question is due.

Times are computed in the chat's own time zone, day by day, so a 09:00
question stays at 09:00 local time across daylight-saving changes, and
returned in UTC for storage. (APScheduler's CronTrigger did this before; it
skipped a Santiago midnight and fired twice in London's repeated hour, and
the domain stays free of the scheduler's imports.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# "days": chosen weekdays, any number of them (personal programmes).
CADENCES = ("daily", "twice-weekly", "weekly", "fortnightly", "days")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAYS_NEEDED = {"daily": 0, "twice-weekly": 2, "weekly": 1, "fortnightly": 1}
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
# A question sent this long after its scheduled time says it is late.
LATE_AFTER = timedelta(hours=3)
# Fortnightly means "the chosen weekday, at least this long after the last one".
_FORTNIGHT_GAP = timedelta(days=13)


class ScheduleError(ValueError):
    pass


def valid_timezone(name: str) -> bool:
    if not name or name.startswith(("/", ".")) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def parse_time(text: str) -> tuple[int, int]:
    match = _TIME.match(text.strip())
    if match is None:
        raise ScheduleError(f"{text!r} is not a time like 09:30")
    return int(match.group(1)), int(match.group(2))


@dataclass(frozen=True)
class Schedule:
    cadence: str
    days: tuple[str, ...]
    local_time: str
    timezone: str

    def __post_init__(self) -> None:
        if self.cadence not in CADENCES:
            raise ScheduleError(f"unknown cadence {self.cadence!r}")
        if any(day not in WEEKDAYS for day in self.days) or len(set(self.days)) != len(self.days):
            raise ScheduleError(f"bad days {self.days!r}")
        if self.cadence == "days":
            if not self.days:
                raise ScheduleError("days needs at least one day")
        elif len(self.days) != DAYS_NEEDED[self.cadence]:
            raise ScheduleError(f"{self.cadence} needs {DAYS_NEEDED[self.cadence]} day(s)")
        parse_time(self.local_time)
        if not valid_timezone(self.timezone):
            raise ScheduleError(f"unknown time zone {self.timezone!r}")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def next_due(self, after: datetime, last_sent: datetime | None = None) -> datetime:
        """The first scheduled moment strictly after `after`, in UTC.

        Daylight-saving changes: a wall time that happens twice (clocks going
        back) is used once, the first time; a wall time that does not exist
        (clocks going forward) fires just after the gap, that same day.
        """
        if after.tzinfo is None:
            raise ValueError("`after` must be timezone-aware")
        start = after
        if self.cadence == "fortnightly" and last_sent is not None:
            start = max(start, last_sent + _FORTNIGHT_GAP)
        zone = self.zone
        already = {_wall(moment, zone) for moment in (after, last_sent) if moment}
        at = time(*parse_time(self.local_time))
        day = start.astimezone(zone).date()
        # A matching weekday comes within a week, a fortnight's gap is already
        # in `start`: sixteen days always hold the answer.
        for _ in range(16):
            if not self.days or WEEKDAYS[day.weekday()] in self.days:
                # In a repeated hour, the first occurrence, or the second when
                # the first has passed unused; in a gap, the offset from before
                # it, which lands just after the gap.
                for fold in (0, 1):
                    wall = datetime.combine(day, at, tzinfo=zone).replace(fold=fold)
                    fire = wall.astimezone(UTC)
                    if fire > start:
                        if _wall(fire, zone) not in already:
                            return fire
                        break
            day += timedelta(days=1)
        raise ScheduleError(f"no time found for {self!r}")  # unreachable for a valid schedule


def next_weekly(day: str, local_time: str, timezone: str, after: datetime) -> datetime | None:
    """The next weekly moment (a summary, a recap) after `after`; None when
    the day, time or zone is not a valid weekly schedule (no recap chosen)."""
    try:
        return Schedule("weekly", (day,), local_time, timezone).next_due(after)
    except ScheduleError:
        return None


def _wall(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None, fold=0)


def is_late(scheduled: datetime | None, sent: datetime) -> bool:
    return scheduled is not None and sent - scheduled > LATE_AFTER


def slot_time(slot: str) -> datetime | None:
    """When a scheduled question was due: its slot is that time (in UTC);
    questions asked by hand (/ask, /skip) have other slots and no due time."""
    try:
        moment = datetime.fromisoformat(slot)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def local(moment: datetime, timezone: str) -> datetime:
    return moment.astimezone(ZoneInfo(timezone))
