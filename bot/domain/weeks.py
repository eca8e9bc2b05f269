"""Calendar weeks in a group's own time zone (a week starts on Monday)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def week_of(moment: datetime, timezone: str) -> date:
    """The Monday of the local week `moment` falls in."""
    local_day = moment.astimezone(ZoneInfo(timezone)).date()
    return local_day - timedelta(days=local_day.weekday())


def week_bounds(monday: date, timezone: str) -> tuple[datetime, datetime]:
    """[start, end) of a local week, in UTC."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def recent_weeks(monday: date, count: int) -> list[date]:
    """The `count` weeks ending with `monday`, oldest first."""
    return [monday - timedelta(weeks=back) for back in range(count - 1, -1, -1)]


def period_label(monday: date) -> str:
    """ISO week, e.g. 2026-W11: the key under which a week's summary is sent once."""
    year, week, _ = monday.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(label: str) -> date:
    """The Monday of an ISO week label such as 2026-W11 (period_label's inverse)."""
    year, _, week = label.partition("-W")
    return date.fromisocalendar(int(year), int(week), 1)
