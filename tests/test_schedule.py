"""Schedule: what it accepts, and when the next question is due (in UTC), across
daylight-saving changes, month ends and leap days.

Dates used: 2026-03-02 is a Monday; in Europe/London the clocks go forward on 2026-03-29
and back on 2026-10-25 (both Sundays); 2028-02-29 is a Tuesday.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.schedule import Schedule, ScheduleError, local, parse_time, valid_timezone

LONDON = "Europe/London"
SANTIAGO = "America/Santiago"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def fires(schedule: Schedule, after: datetime, count: int) -> list[datetime]:
    """The next `count` due times, each computed from the previous one."""
    found = []
    for _ in range(count):
        after = schedule.next_due(after)
        found.append(after)
    return found


# -- validation ---------------------------------------------------------------------------------


def test_a_valid_schedule_keeps_its_fields():
    schedule = Schedule("twice-weekly", ("thu", "mon"), "09:30", "America/Argentina/Buenos_Aires")
    assert (schedule.cadence, schedule.days, schedule.local_time) == (
        "twice-weekly",
        ("thu", "mon"),
        "09:30",
    )
    assert schedule.zone == ZoneInfo("America/Argentina/Buenos_Aires")


def test_unknown_cadence_is_rejected():
    with pytest.raises(ScheduleError, match="unknown cadence 'monthly'"):
        Schedule("monthly", ("mon",), "09:00", "UTC")


@pytest.mark.parametrize(
    ("cadence", "days", "needed"),
    [
        ("daily", ("mon",), 0),
        ("weekly", (), 1),
        ("weekly", ("mon", "tue"), 1),
        ("fortnightly", (), 1),
        ("fortnightly", ("mon", "thu"), 1),
        ("twice-weekly", ("mon",), 2),
        ("twice-weekly", ("mon", "wed", "fri"), 2),
    ],
)
def test_wrong_number_of_days_for_the_cadence_is_rejected(cadence, days, needed):
    with pytest.raises(ScheduleError, match=rf"^{cadence} needs {needed} day\(s\)$"):
        Schedule(cadence, days, "09:00", "UTC")


@pytest.mark.parametrize("days", [("mon", "mon"), ("monday",), ("Mon",), ("",)])
def test_duplicate_or_unknown_days_are_rejected(days):
    cadence = "twice-weekly" if len(days) == 2 else "weekly"
    with pytest.raises(ScheduleError, match="bad days"):
        Schedule(cadence, days, "09:00", "UTC")


@pytest.mark.parametrize(
    "text", ["9:00", "24:00", "09:60", "0900", "09:00:00", "", "noon", "-1:00", "09.00"]
)
def test_badly_written_times_are_rejected(text):
    with pytest.raises(ScheduleError, match="is not a time like 09:30"):
        Schedule("daily", (), text, "UTC")


@pytest.mark.parametrize(
    "zone",
    [
        "Europe",
        "America/Argentina",
        "Mars/Olympus_Mons",
        "",
        "../usr/share/zoneinfo/UTC",
        "/etc/localtime",
        "Europe/London ",
        "europe/london",
    ],
)
def test_unknown_or_region_time_zones_are_rejected(zone):
    assert valid_timezone(zone) is False
    with pytest.raises(ScheduleError, match="unknown time zone"):
        Schedule("daily", (), "09:00", zone)


def test_schedule_error_is_a_value_error():
    assert issubclass(ScheduleError, ValueError)


@pytest.mark.parametrize(
    ("text", "parsed"), [("00:00", (0, 0)), ("07:05", (7, 5)), ("23:59", (23, 59))]
)
def test_parse_time_reads_hours_and_minutes(text, parsed):
    assert parse_time(text) == parsed


@pytest.mark.parametrize("zone", ["UTC", "Europe/London", "Etc/GMT+5", SANTIAGO])
def test_real_time_zones_are_valid(zone):
    assert valid_timezone(zone) is True


def test_naive_after_is_rejected():
    with pytest.raises(ValueError, match="must be timezone-aware"):
        Schedule("daily", (), "09:00", "UTC").next_due(datetime(2026, 3, 2, 8, 0))


# -- regular cadences ---------------------------------------------------------------------------


def test_daily_is_due_today_if_the_time_is_still_ahead_else_tomorrow():
    schedule = Schedule("daily", (), "09:00", "Europe/Madrid")  # UTC+1 in March
    assert schedule.next_due(utc(2026, 3, 2, 7, 59)) == utc(2026, 3, 2, 8, 0)
    assert schedule.next_due(utc(2026, 3, 2, 8, 1)) == utc(2026, 3, 3, 8, 0)


def test_result_is_in_utc_whatever_zone_after_is_given_in():
    schedule = Schedule("daily", (), "09:00", "Europe/Madrid")
    after = datetime(2026, 3, 2, 3, 0, tzinfo=ZoneInfo("America/Bogota"))  # 08:00 UTC
    due = schedule.next_due(after)
    assert due == utc(2026, 3, 3, 8, 0)
    assert due.tzinfo is UTC


def test_weekly_fires_on_the_chosen_day_every_seven_days():
    schedule = Schedule("weekly", ("wed",), "18:00", "UTC")
    assert fires(schedule, utc(2026, 3, 2, 8, 0), 3) == [
        utc(2026, 3, 4, 18, 0),
        utc(2026, 3, 11, 18, 0),
        utc(2026, 3, 18, 18, 0),
    ]


def test_twice_weekly_alternates_between_both_days_in_any_given_order():
    schedule = Schedule("twice-weekly", ("thu", "mon"), "09:00", "UTC")
    assert fires(schedule, utc(2026, 3, 2, 10, 0), 4) == [
        utc(2026, 3, 5, 9, 0),
        utc(2026, 3, 9, 9, 0),
        utc(2026, 3, 12, 9, 0),
        utc(2026, 3, 16, 9, 0),
    ]


def test_after_exactly_at_a_fire_time_gives_the_next_one():
    schedule = Schedule("daily", (), "09:00", "UTC")
    assert schedule.next_due(utc(2026, 3, 2, 9, 0)) == utc(2026, 3, 3, 9, 0)
    assert schedule.next_due(utc(2026, 3, 2, 8, 59, 59)) == utc(2026, 3, 2, 9, 0)


def test_a_fire_less_than_a_second_ahead_is_not_skipped():
    schedule = Schedule("daily", (), "09:00", "UTC")
    after = utc(2026, 3, 2, 8, 59, 59) + timedelta(microseconds=500_000)
    assert schedule.next_due(after) == utc(2026, 3, 2, 9, 0)


# -- fortnightly --------------------------------------------------------------------------------


def test_fortnightly_without_a_previous_send_takes_the_next_chosen_weekday():
    schedule = Schedule("fortnightly", ("mon",), "09:00", "UTC")
    assert schedule.next_due(utc(2026, 3, 2, 9, 30)) == utc(2026, 3, 9, 9, 0)


def test_fortnightly_skips_the_week_after_a_send():
    schedule = Schedule("fortnightly", ("mon",), "09:00", "UTC")
    sent = utc(2026, 3, 2, 9, 0, 3)  # sent a few seconds after it was due
    due = []
    for _ in range(3):
        next_one = schedule.next_due(sent, last_sent=sent)
        due.append(next_one)
        sent = next_one + timedelta(seconds=3)
    assert due == [utc(2026, 3, 16, 9, 0), utc(2026, 3, 30, 9, 0), utc(2026, 4, 13, 9, 0)]


def test_fortnightly_after_a_long_pause_takes_the_next_weekday_after_now():
    schedule = Schedule("fortnightly", ("mon",), "09:00", "UTC")
    assert schedule.next_due(utc(2026, 4, 1, 12, 0), last_sent=utc(2026, 3, 2, 9, 0)) == utc(
        2026, 4, 6, 9, 0
    )


def test_last_sent_is_ignored_by_other_cadences():
    schedule = Schedule("weekly", ("mon",), "09:00", "UTC")
    assert schedule.next_due(utc(2026, 3, 2, 9, 0), last_sent=utc(2026, 3, 2, 9, 0)) == utc(
        2026, 3, 9, 9, 0
    )


# -- daylight saving: Europe/London -------------------------------------------------------------


def test_weekly_sunday_nine_stays_nine_local_when_london_springs_forward():
    schedule = Schedule("weekly", ("sun",), "09:00", LONDON)
    due = fires(schedule, utc(2026, 3, 20), 3)
    assert due == [utc(2026, 3, 22, 9, 0), utc(2026, 3, 29, 8, 0), utc(2026, 4, 5, 8, 0)]
    assert [local(moment, LONDON).strftime("%a %H:%M %z") for moment in due] == [
        "Sun 09:00 +0000",
        "Sun 09:00 +0100",
        "Sun 09:00 +0100",
    ]


def test_weekly_sunday_nine_stays_nine_local_when_london_falls_back():
    schedule = Schedule("weekly", ("sun",), "09:00", LONDON)
    due = fires(schedule, utc(2026, 10, 17), 3)
    assert due == [utc(2026, 10, 18, 8, 0), utc(2026, 10, 25, 9, 0), utc(2026, 11, 1, 9, 0)]
    assert {local(moment, LONDON).strftime("%a %H:%M") for moment in due} == {"Sun 09:00"}


def test_daily_half_past_one_in_londons_spring_gap_fires_at_half_past_two_that_day():
    # 01:30 does not exist on 2026-03-29 (01:00 GMT becomes 02:00 BST). APScheduler reads the
    # missing 01:30 with the winter offset, i.e. 01:30 UTC = 02:30 BST: late by the length
    # of the gap, but on the right day, and after `after`.
    schedule = Schedule("daily", (), "01:30", LONDON)
    before_gap = utc(2026, 3, 28, 1, 30)  # the fire on Saturday, 01:30 GMT
    due = fires(schedule, before_gap, 2)
    assert due == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    assert local(due[0], LONDON).strftime("%d %H:%M %z") == "29 02:30 +0100"
    assert local(due[1], LONDON).strftime("%d %H:%M %z") == "30 01:30 +0100"
    assert due[0] - before_gap == timedelta(days=1)
    # Asked from inside the last hour before the gap, it is still that same morning.
    assert schedule.next_due(utc(2026, 3, 29, 0, 59)) == utc(2026, 3, 29, 1, 30)


def test_during_londons_repeated_hour_next_due_is_still_after_after():
    schedule = Schedule("daily", (), "01:30", LONDON)
    after = utc(2026, 10, 25, 1, 10)  # 01:10 GMT, the second 01:10 of the night
    assert schedule.next_due(after) == utc(2026, 10, 25, 1, 30)


def test_daily_half_past_one_fires_once_on_londons_fall_back_day():
    schedule = Schedule("daily", (), "01:30", LONDON)
    first = schedule.next_due(utc(2026, 10, 24, 12, 0))
    assert first == utc(2026, 10, 25, 0, 30)  # 01:30 BST
    assert schedule.next_due(first) == utc(2026, 10, 26, 1, 30)


# -- daylight saving: America/Santiago ----------------------------------------------------------


def test_santiago_offsets_around_its_2026_changes():
    zone = ZoneInfo(SANTIAGO)
    hours = [
        datetime(2026, month, day, 12, tzinfo=zone).utcoffset() / timedelta(hours=1)
        for month, day in [(4, 4), (4, 5), (9, 5), (9, 6)]
    ]
    assert hours == [-3, -4, -4, -3]


def test_daily_nine_stays_nine_local_when_santiago_ends_summer_time():
    schedule = Schedule("daily", (), "09:00", SANTIAGO)
    assert fires(schedule, utc(2026, 4, 4, 0, 0), 3) == [
        utc(2026, 4, 4, 12, 0),  # 09:00 -03
        utc(2026, 4, 5, 13, 0),  # 09:00 -04
        utc(2026, 4, 6, 13, 0),
    ]


def test_daily_nine_stays_nine_local_when_santiago_starts_summer_time():
    schedule = Schedule("daily", (), "09:00", SANTIAGO)
    due = fires(schedule, utc(2026, 9, 5, 0, 0), 3)
    assert due == [utc(2026, 9, 5, 13, 0), utc(2026, 9, 6, 12, 0), utc(2026, 9, 7, 12, 0)]
    assert [local(moment, SANTIAGO).strftime("%d %H:%M %z") for moment in due] == [
        "05 09:00 -0400",
        "06 09:00 -0300",
        "07 09:00 -0300",
    ]


def test_weekly_midnight_in_santiagos_spring_gap_is_not_skipped_for_a_week():
    schedule = Schedule("weekly", ("sun",), "00:00", SANTIAGO)
    assert schedule.next_due(utc(2026, 9, 1)) == utc(2026, 9, 6, 4, 0)  # 01:00 -03


# -- calendar edges -----------------------------------------------------------------------------


def test_daily_moves_from_january_31_to_february_1():
    schedule = Schedule("daily", (), "20:00", "Europe/Madrid")  # 19:00 UTC in winter
    assert schedule.next_due(utc(2026, 1, 31, 19, 0)) == utc(2026, 2, 1, 19, 0)


def test_daily_moves_across_the_new_year():
    schedule = Schedule("daily", (), "20:00", "UTC")
    assert schedule.next_due(utc(2026, 12, 31, 20, 0)) == utc(2027, 1, 1, 20, 0)


def test_daily_includes_the_leap_day():
    schedule = Schedule("daily", (), "09:00", "UTC")
    assert fires(schedule, utc(2028, 2, 28, 9, 0), 2) == [
        utc(2028, 2, 29, 9, 0),
        utc(2028, 3, 1, 9, 0),
    ]


def test_weekly_tuesday_runs_across_the_leap_day():
    schedule = Schedule("weekly", ("tue",), "09:00", LONDON)
    assert fires(schedule, utc(2028, 2, 22, 9, 0), 2) == [
        utc(2028, 2, 29, 9, 0),
        utc(2028, 3, 7, 9, 0),
    ]
