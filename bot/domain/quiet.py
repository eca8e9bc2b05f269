"""Quiet hours: no messages to a group at night, in its own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.schedule import parse_time


def _clock(text: str) -> time:
    hour, minute = parse_time(text)
    return time(hour, minute)


def in_quiet_hours(moment: datetime, timezone: str, start: str, end: str) -> bool:
    """Whether `moment` falls in [start, end) local time; the span may cross
    midnight (21:00-08:00). Equal start and end means no quiet hours."""
    begin, finish = _clock(start), _clock(end)
    if begin == finish:
        return False
    now = moment.astimezone(ZoneInfo(timezone)).time().replace(tzinfo=None)
    if begin < finish:
        return begin <= now < finish
    return now >= begin or now < finish


def quiet_hours_end(moment: datetime, timezone: str, start: str, end: str) -> datetime:
    """The UTC moment quiet hours containing `moment` end (`moment` itself if
    it is not in quiet hours)."""
    if not in_quiet_hours(moment, timezone, start, end):
        return moment
    zone = ZoneInfo(timezone)
    local = moment.astimezone(zone)
    finish = _clock(end)
    candidate = datetime.combine(local.date(), finish, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=1), finish, tzinfo=zone)
    # A wall time skipped by a daylight-saving change normalises forward.
    return candidate.astimezone(UTC)
