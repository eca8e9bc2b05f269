"""The /setup wizard as a state machine over a draft, and which question of a programme
comes next."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain import setup as wizard
from bot.domain.programme import next_question
from bot.domain.schedule import Schedule
from bot.domain.setup import InvalidChoice, SetupDraft, choose, set_timezone

PACKS = ("civic-partnership", "theory-u")
LANGUAGES = ("en", "es")
ADMIN = 4242


def pick(draft: SetupDraft, step: str, value: str) -> SetupDraft:
    return choose(draft, step, value, pack_ids=PACKS, languages=LANGUAGES)


def run(*choices: tuple[str, str]) -> SetupDraft:
    draft = SetupDraft(ADMIN)
    for step, value in choices:
        draft = pick(draft, step, value)
    return draft


def at_days_step(cadence: str) -> SetupDraft:
    return run(("p", "civic-partnership"), ("c", cadence))


def at_timezone_step() -> SetupDraft:
    return run(("p", "civic-partnership"), ("c", "daily"), ("t", "09:00"))


LAST_STEPS = (("t", "18:00"), ("z", "America/Santiago"), ("l", "es"), ("n", "counts"))


# -- happy paths --------------------------------------------------------------------------------


def test_a_new_draft_starts_at_the_programme_step_with_nothing_chosen():
    assert SetupDraft(ADMIN) == SetupDraft(
        user_id=ADMIN, step="p", pack_id=None, cadence=None, days=(), local_time=None,
        timezone=None, language=None, names_visible=None, paired_programme=None,
    )


def test_daily_goes_straight_from_cadence_to_time():
    draft = run(("p", "theory-u"), ("c", "daily"))
    assert (draft.step, draft.cadence, draft.days) == (wizard.TIME, "daily", ())


def test_daily_happy_path_to_done():
    draft = run(("p", "theory-u"), ("c", "daily"), ("t", "08:00"), ("z", "Europe/London"),
                ("l", "en"), ("n", "names"))
    assert draft == SetupDraft(
        user_id=ADMIN, step=wizard.DONE, pack_id="theory-u", cadence="daily", days=(),
        local_time="08:00", timezone="Europe/London", language="en", names_visible=True,
    )


@pytest.mark.parametrize("cadence", ["weekly", "fortnightly"])
def test_one_day_cadences_move_on_after_one_day(cadence):
    draft = at_days_step(cadence)
    assert (draft.step, draft.days) == (wizard.DAYS, ())
    draft = pick(draft, "d", "fri")
    assert (draft.step, draft.days) == (wizard.TIME, ("fri",))
    for step, value in LAST_STEPS:
        draft = pick(draft, step, value)
    assert draft == SetupDraft(
        user_id=ADMIN, step=wizard.DONE, pack_id="civic-partnership", cadence=cadence,
        days=("fri",), local_time="18:00", timezone="America/Santiago", language="es",
        names_visible=False,
    )


def test_twice_weekly_waits_for_a_second_day_and_sorts_them_in_week_order():
    draft = pick(at_days_step("twice-weekly"), "d", "thu")
    assert (draft.step, draft.days) == (wizard.DAYS, ("thu",))
    draft = pick(draft, "d", "mon")
    assert (draft.step, draft.days) == (wizard.TIME, ("mon", "thu"))
    for step, value in LAST_STEPS:
        draft = pick(draft, step, value)
    assert (draft.step, draft.cadence, draft.days) == (wizard.DONE, "twice-weekly", ("mon", "thu"))


def test_twice_weekly_second_tap_on_the_same_day_untoggles_it():
    draft = pick(at_days_step("twice-weekly"), "d", "sun")
    draft = pick(draft, "d", "sun")
    assert (draft.step, draft.days) == (wizard.DAYS, ())
    draft = pick(pick(draft, "d", "sun"), "d", "wed")
    assert (draft.step, draft.days) == (wizard.TIME, ("wed", "sun"))


def test_names_choice_sets_whether_coordinators_see_names():
    start = run(("p", "theory-u"), ("c", "daily"), ("t", "08:00"), ("z", "UTC"), ("l", "en"))
    assert start.step == wizard.NAMES
    assert pick(start, "n", "names").names_visible is True
    assert pick(start, "n", "counts").names_visible is False


def test_a_finished_draft_builds_a_working_schedule():
    draft = run(("p", "civic-partnership"), ("c", "twice-weekly"), ("d", "thu"), ("d", "tue"),
                ("t", "10:00"), ("z", "Europe/Madrid"), ("l", "es"), ("n", "names"))
    schedule = draft.schedule()
    assert schedule == Schedule("twice-weekly", ("tue", "thu"), "10:00", "Europe/Madrid")
    # Monday 2026-03-02; 10:00 in Madrid is 09:00 UTC in winter.
    assert schedule.next_due(datetime(2026, 3, 2, 12, 0, tzinfo=UTC)) == datetime(
        2026, 3, 3, 9, 0, tzinfo=UTC
    )


# -- refusals -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "step", "value"),
    [
        (SetupDraft(ADMIN), "c", "daily"),
        (SetupDraft(ADMIN), "t", "09:00"),
        (at_days_step("weekly"), "p", "theory-u"),
        (at_days_step("weekly"), "t", "09:00"),
        (at_timezone_step(), "l", "en"),
        (run(("p", "theory-u"), ("c", "daily")), "d", "mon"),  # daily has no days step
        (run(("p", "theory-u"), ("c", "daily"), ("t", "08:00"), ("z", "UTC"), ("l", "en"),
             ("n", "names")), "n", "counts"),
    ],
    ids=["cadence-first", "time-first", "back-to-programme", "skip-days", "skip-timezone",
         "days-for-daily", "after-done"],
)
def test_a_choice_for_another_step_is_refused(draft, step, value):
    with pytest.raises(InvalidChoice, match=rf"step '{step}' is not the current step"):
        pick(draft, step, value)


@pytest.mark.parametrize(
    ("draft", "step", "value"),
    [
        (SetupDraft(ADMIN), "p", "unknown-pack"),
        (SetupDraft(ADMIN), "p", ""),
        (run(("p", "theory-u")), "c", "monthly"),
        (at_days_step("weekly"), "d", "monday"),
        (run(("p", "theory-u"), ("c", "daily")), "t", "09:30"),  # a valid time, but not offered
        (run(("p", "theory-u"), ("c", "daily")), "t", "25:00"),
        (at_timezone_step(), "z", "Europe"),
        (at_timezone_step(), "z", "Mars/Olympus_Mons"),
        (run(("p", "theory-u"), ("c", "daily"), ("t", "08:00"), ("z", "UTC")), "l", "fr"),
        (run(("p", "theory-u"), ("c", "daily"), ("t", "08:00"), ("z", "UTC"), ("l", "en")),
         "n", "yes"),
    ],
    ids=["pack", "empty-pack", "cadence", "day", "time-not-offered", "bad-time",
         "region-zone", "unknown-zone", "language", "names"],
)
def test_a_value_the_step_does_not_offer_is_refused(draft, step, value):
    with pytest.raises(InvalidChoice, match=rf"^'{value}' is not a choice at step '{step}'$"):
        pick(draft, step, value)


def test_refused_choice_leaves_the_draft_unchanged():
    draft = at_days_step("weekly")
    with pytest.raises(InvalidChoice):
        pick(draft, "d", "someday")
    assert draft == at_days_step("weekly")  # frozen: a refusal cannot half-apply


def test_any_valid_iana_zone_is_accepted_by_button_even_if_not_listed():
    draft = pick(at_timezone_step(), "z", "Africa/Nairobi")
    assert "Africa/Nairobi" not in wizard.COMMON_TIMEZONES
    assert (draft.step, draft.timezone) == (wizard.LANGUAGE, "Africa/Nairobi")


# -- /timezone while the wizard waits -----------------------------------------------------------


def test_set_timezone_at_the_timezone_step_moves_on_to_language():
    draft = set_timezone(at_timezone_step(), "America/Argentina/Buenos_Aires")
    assert (draft.step, draft.timezone) == (wizard.LANGUAGE, "America/Argentina/Buenos_Aires")


@pytest.mark.parametrize(
    "draft",
    [SetupDraft(ADMIN), at_days_step("weekly"), run(("p", "theory-u"), ("c", "daily"))],
    ids=["programme", "days", "time"],
)
def test_set_timezone_at_another_step_is_refused(draft):
    with pytest.raises(InvalidChoice, match=r"^Europe/Madrid$"):
        set_timezone(draft, "Europe/Madrid")


@pytest.mark.parametrize("zone", ["Europe", "Narnia/Cair_Paravel", "", "../etc/passwd"])
def test_set_timezone_with_an_invalid_zone_is_refused(zone):
    with pytest.raises(InvalidChoice):
        set_timezone(at_timezone_step(), zone)


# -- storage ------------------------------------------------------------------------------------


def test_draft_survives_a_round_trip_through_json():
    draft = run(("p", "theory-u"), ("c", "twice-weekly"), ("d", "sat"), ("d", "tue"))
    stored = json.loads(json.dumps(draft.to_dict()))
    assert stored["days"] == ["tue", "sat"]  # JSON has no tuples
    restored = SetupDraft.from_dict(stored)
    assert restored == draft
    assert restored.days == ("tue", "sat")


def test_to_dict_lists_every_field():
    assert SetupDraft(7, step="c", pack_id="theory-u").to_dict() == {
        "user_id": 7, "step": "c", "pack_id": "theory-u", "cadence": None, "days": (),
        "local_time": None, "timezone": None, "language": None, "names_visible": None,
        "paired_programme": None,
    }


def test_from_dict_without_days_gives_no_days():
    assert SetupDraft.from_dict({"user_id": 7, "step": "c"}) == SetupDraft(7, step="c")


# -- programme: which question comes next -------------------------------------------------------


@pytest.mark.parametrize(
    ("cursor", "total", "index", "position", "round_", "cursor_after"),
    [
        (0, 15, 0, 1, 1, 1),
        (12, 15, 12, 13, 1, 13),
        (14, 15, 14, 15, 1, 15),
        (15, 15, 0, 1, 2, 16),  # wraps into round 2
        (16, 15, 1, 2, 2, 17),
        (44, 15, 14, 15, 3, 45),
        (0, 1, 0, 1, 1, 1),
        (3, 1, 0, 1, 4, 4),
    ],
)
def test_next_question(cursor, total, index, position, round_, cursor_after):
    question = next_question(cursor, total)
    assert (question.index, question.position, question.total) == (index, position, total)
    assert (question.round, question.cursor_after) == (round_, cursor_after)


@pytest.mark.parametrize("total", [0, -3])
def test_next_question_needs_at_least_one_question(total):
    with pytest.raises(ValueError, match="at least one question"):
        next_question(0, total)


def test_next_question_refuses_a_negative_cursor():
    with pytest.raises(ValueError, match="cursor cannot be negative"):
        next_question(-1, 15)
