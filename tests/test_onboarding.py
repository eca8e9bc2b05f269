"""The personal wizard in a private chat (bot/domain/onboarding.py): a state
machine over a draft, like the group /setup wizard, with its own step codes;
and its messages (bot/render/personal.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.domain import onboarding as wizard
from bot.domain import setup as group_wizard
from bot.domain.onboarding import OnboardingDraft, begin, choose, set_timezone
from bot.domain.schedule import WEEKDAYS, Schedule
from bot.domain.setup import InvalidChoice
from bot.render import callbacks, personal

from helpers.personal import buttons
from helpers.render_checks import valid

PERSONAL_PACKS = ("checklist-cso", "theory-u", "three-steps", "well-being")
ME = 4242


def pick(draft: OnboardingDraft, step: str, value: str) -> OnboardingDraft:
    return choose(draft, step, value, pack_ids=PERSONAL_PACKS)


def run(draft: OnboardingDraft, *choices: tuple[str, str]) -> OnboardingDraft:
    for step, value in choices:
        draft = pick(draft, step, value)
    return draft


def drafts(*choices: tuple[str, str], ask_timezone: bool = True,
           timezone: str = "UTC") -> OnboardingDraft:
    return run(begin(7, ask_timezone=ask_timezone, timezone=timezone), *choices)


def newcomer() -> OnboardingDraft:
    return begin(ME, ask_timezone=True, timezone="UTC")


def at_days_step() -> OnboardingDraft:
    return run(newcomer(), ("P", "well-being"), ("C", "days"))


def at_timezone_step() -> OnboardingDraft:
    return run(newcomer(), ("P", "theory-u"), ("C", "daily"), ("T", "07:00"))


# -- starting --------------------------------------------------------------------------------------


def test_begin_prefills_the_chats_zone_and_waits_at_the_programme_step():
    assert newcomer() == OnboardingDraft(
        user_id=ME, step="P", pack_id=None, cadence=None, days=(), local_time=None,
        timezone="UTC", recap_day=None, ask_timezone=True,
    )


def test_begin_for_someone_whose_zone_is_known_skips_the_question():
    draft = begin(ME, ask_timezone=False, timezone="America/Bogota")
    assert (draft.timezone, draft.ask_timezone) == ("America/Bogota", False)


@pytest.mark.parametrize("zone", ["", "Mars/Olympus", "../etc/passwd"])
def test_a_zone_we_cannot_use_is_asked_for_even_if_the_caller_thought_it_known(zone):
    draft = begin(ME, ask_timezone=False, timezone=zone)
    assert (draft.timezone, draft.ask_timezone) == (None, True)


def test_step_codes_cannot_be_taken_for_the_group_wizards():
    assert wizard.STEPS == ("P", "C", "D", "T", "Z", "R", "done")
    assert set(wizard.STEPS) & set(group_wizard.STEPS) == {"done"}


# -- happy paths -----------------------------------------------------------------------------------


def test_daily_with_the_time_zone_question_to_done():
    draft = run(newcomer(), ("P", "theory-u"), ("C", "daily"), ("T", "07:00"),
                ("Z", "Europe/Madrid"), ("R", "sun"))
    assert draft == OnboardingDraft(
        user_id=ME, step="done", pack_id="theory-u", cadence="daily", days=(),
        local_time="07:00", timezone="Europe/Madrid", recap_day="sun", ask_timezone=True,
    )
    assert draft.finished


def test_steps_in_order_for_daily():
    draft, seen = newcomer(), []
    for step, value in (("P", "well-being"), ("C", "daily"), ("T", "21:00"),
                        ("Z", "America/Santiago"), ("R", "none")):
        seen.append(draft.step)
        draft = pick(draft, step, value)
    assert seen == ["P", "C", "T", "Z", "R"]
    assert draft.step == "done"


def test_the_time_zone_is_asked_once_then_skipped():
    known = begin(ME, ask_timezone=False, timezone="America/Mexico_City")
    draft = run(known, ("P", "three-steps"), ("C", "daily"), ("T", "12:00"))
    assert draft.step == "R"
    draft = pick(draft, "R", "fri")
    assert draft == OnboardingDraft(
        user_id=ME, step="done", pack_id="three-steps", cadence="daily", days=(),
        local_time="12:00", timezone="America/Mexico_City", recap_day="fri", ask_timezone=False,
    )


def test_no_recap_is_a_choice_and_leaves_no_recap_day():
    draft = run(at_timezone_step(), ("Z", "UTC"), ("R", "none"))
    assert (draft.step, draft.recap_day) == ("done", None)


@pytest.mark.parametrize("time", wizard.PERSONAL_TIMES)
def test_every_offered_time_is_accepted(time):
    draft = run(newcomer(), ("P", "well-being"), ("C", "daily"), ("T", time))
    assert (draft.step, draft.local_time) == ("Z", time)


# -- chosen weekdays -------------------------------------------------------------------------------


def test_days_are_toggled_kept_in_week_order_and_confirmed_with_ok():
    draft = at_days_step()
    assert (draft.step, draft.cadence, draft.days) == ("D", "days", ())
    draft = run(draft, ("D", "fri"), ("D", "mon"), ("D", "wed"))
    assert (draft.step, draft.days) == ("D", ("mon", "wed", "fri"))
    draft = pick(draft, "D", "wed")  # untick
    assert (draft.step, draft.days) == ("D", ("mon", "fri"))
    draft = pick(draft, "D", "ok")
    assert (draft.step, draft.days) == ("T", ("mon", "fri"))


def test_one_day_is_enough_and_seven_are_allowed():
    assert run(at_days_step(), ("D", "sat"), ("D", "ok")).days == ("sat",)
    every = run(at_days_step(), *(("D", day) for day in reversed(WEEKDAYS)), ("D", "ok"))
    assert (every.step, every.days) == ("T", WEEKDAYS)


def test_ok_without_a_day_is_refused():
    draft = run(at_days_step(), ("D", "tue"), ("D", "tue"))
    assert draft.days == ()
    with pytest.raises(InvalidChoice):
        pick(draft, "D", "ok")


def test_daily_never_visits_the_days_step_and_keeps_no_days():
    draft = run(newcomer(), ("P", "well-being"), ("C", "daily"))
    assert (draft.step, draft.days) == ("T", ())


# -- stale and forged buttons ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("draft", "step", "value"),
    [
        (newcomer(), "P", "checklist-la"),  # a group-only pack
        (newcomer(), "P", "no-such-pack"),
        (newcomer(), "C", "daily"),  # not the current step
        (newcomer(), "p", "well-being"),  # the group wizard's step code
        (run(newcomer(), ("P", "well-being")), "C", "weekly"),  # group cadences
        (run(newcomer(), ("P", "well-being")), "C", "twice-weekly"),
        (at_days_step(), "D", "monday"),
        (at_days_step(), "D", "OK"),
        (run(newcomer(), ("P", "well-being"), ("C", "daily")), "T", "10:00"),  # a group time
        (run(newcomer(), ("P", "well-being"), ("C", "daily")), "T", "7:00"),
        (at_timezone_step(), "Z", "Mars/Olympus"),
        (at_timezone_step(), "Z", "/etc/localtime"),
        (at_timezone_step(), "Z", "ok"),
        (run(at_timezone_step(), ("Z", "UTC")), "R", "someday"),
        (run(at_timezone_step(), ("Z", "UTC")), "R", "ok"),
        (run(at_timezone_step(), ("Z", "UTC"), ("R", "mon")), "R", "tue"),  # already done
        (run(at_timezone_step(), ("Z", "UTC"), ("R", "mon")), "done", "mon"),
    ],
)
def test_a_choice_the_step_does_not_offer_is_refused(draft, step, value):
    with pytest.raises(InvalidChoice):
        pick(draft, step, value)


# -- /timezone while the wizard waits --------------------------------------------------------------


def test_a_typed_zone_answers_the_time_zone_step():
    draft = set_timezone(at_timezone_step(), "Africa/Nairobi")
    assert (draft.step, draft.timezone) == ("R", "Africa/Nairobi")


def test_a_typed_zone_is_refused_when_invalid_or_not_asked_for():
    with pytest.raises(InvalidChoice):
        set_timezone(at_timezone_step(), "Nowhere/Special")
    with pytest.raises(InvalidChoice):
        set_timezone(at_days_step(), "Africa/Nairobi")


# -- storage and the schedule ----------------------------------------------------------------------


def test_a_draft_survives_a_json_round_trip():
    draft = run(at_days_step(), ("D", "tue"), ("D", "thu"))
    stored = json.loads(json.dumps(draft.to_dict()))
    assert stored["days"] == ["tue", "thu"]
    assert OnboardingDraft.from_dict(stored) == draft


def test_a_stored_group_draft_is_not_taken_for_a_personal_one():
    with pytest.raises(InvalidChoice):
        OnboardingDraft.from_dict(group_wizard.SetupDraft(ME).to_dict())


def test_a_daily_draft_makes_a_schedule_in_the_persons_zone():
    draft = run(at_timezone_step(), ("Z", "Europe/Madrid"), ("R", "sun"))
    schedule = draft.schedule()
    assert schedule == Schedule("daily", (), "07:00", "Europe/Madrid")
    # Monday 2 March 2026, 09:00 UTC is 10:00 in Madrid: the next 07:00 is Tuesday's.
    after = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert schedule.next_due(after) == datetime(2026, 3, 3, 6, 0, tzinfo=UTC)


def test_chosen_weekdays_make_a_schedule_on_those_days():
    draft = run(at_days_step(), ("D", "wed"), ("D", "sat"), ("D", "ok"), ("T", "20:00"),
                ("Z", "America/Bogota"), ("R", "sun"))
    schedule = draft.schedule()
    assert schedule == Schedule("days", ("wed", "sat"), "20:00", "America/Bogota")
    after = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Monday
    first = schedule.next_due(after)
    second = schedule.next_due(first)
    third = schedule.next_due(second)
    # 20:00 in Bogota (UTC-5) is 01:00 UTC the next day.
    assert [first, second, third] == [
        datetime(2026, 3, 5, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 8, 1, 0, tzinfo=UTC),
        datetime(2026, 3, 12, 1, 0, tzinfo=UTC),
    ]


def test_all_seven_days_schedule_every_day():
    draft = run(at_days_step(), *(("D", day) for day in WEEKDAYS), ("D", "ok"), ("T", "08:00"),
                ("Z", "UTC"), ("R", "none"))
    after = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    assert draft.schedule().next_due(after) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


# -- the wizard's messages -------------------------------------------------------------------------


def test_programme_step_offers_the_personal_programmes_with_their_descriptions(catalog, packs):
    text, keyboard = personal.onboarding_step(catalog, "en", drafts(), packs)
    shown = valid(text)
    assert shown.startswith("🌱 Your personal reflection\n\n"
                            "Which programme would you like to follow?\n\n"
                            "• Civic partnership: local authority – Fifteen questions for a "
                            "local authority (a council, municipality or other public body)")
    assert "• Civic partnership: civil society – Fifteen questions" in shown
    assert "• Five ways to well-being – Five short prompts for your own reflection" in shown
    assert buttons(keyboard) == [
        [("Civic partnership: local authority", "1|s|P|checklist-la")],
        [("Civic partnership: civil society", "1|s|P|checklist-cso")],
        [("Theory U: a learning journey", "1|s|P|theory-u")],
        [("From reflection to commitment", "1|s|P|three-steps")],
        [("Five ways to well-being", "1|s|P|well-being")],
    ]


def test_cadence_step(catalog, packs):
    text, keyboard = personal.onboarding_step(catalog, "es", drafts(("P", "theory-u")), packs)
    assert valid(text) == "🌱 Tu reflexión personal\n\n¿Cada cuánto quieres recibir una pregunta?"
    assert buttons(keyboard) == [[("Todos los días", "1|s|C|daily"),
                                  ("Los días que yo elija", "1|s|C|days")]]


def test_days_step_ticks_the_chosen_days_and_offers_ok_once_one_is_chosen(catalog, packs):
    draft = drafts(("P", "theory-u"), ("C", "days"))
    text, keyboard = personal.onboarding_step(catalog, "en", draft, packs)
    assert valid(text).endswith("On which days? Tap as many as you like, then OK.")
    assert buttons(keyboard) == [
        [("Monday", "1|s|D|mon"), ("Tuesday", "1|s|D|tue"), ("Wednesday", "1|s|D|wed"),
         ("Thursday", "1|s|D|thu")],
        [("Friday", "1|s|D|fri"), ("Saturday", "1|s|D|sat"), ("Sunday", "1|s|D|sun")],
    ]
    draft = choose(choose(draft, "D", "sat", pack_ids=()), "D", "tue", pack_ids=())
    _, keyboard = personal.onboarding_step(catalog, "en", draft, packs)
    assert buttons(keyboard) == [
        [("Monday", "1|s|D|mon"), ("✓ Tuesday", "1|s|D|tue"), ("Wednesday", "1|s|D|wed"),
         ("Thursday", "1|s|D|thu")],
        [("Friday", "1|s|D|fri"), ("✓ Saturday", "1|s|D|sat"), ("Sunday", "1|s|D|sun"),
         ("OK", "1|s|D|ok")],
    ]


def test_time_step_names_the_known_zone_when_it_will_not_be_asked(catalog, packs):
    asked = drafts(("P", "well-being"), ("C", "daily"))
    known = drafts(("P", "well-being"), ("C", "daily"), ask_timezone=False,
                   timezone="America/Bogota")
    text, keyboard = personal.onboarding_step(catalog, "en", asked, packs)
    assert valid(text) == "🌱 Your personal reflection\n\nAt what time?"
    assert buttons(keyboard) == [
        [("07:00", "1|s|T|07:00"), ("08:00", "1|s|T|08:00"), ("09:00", "1|s|T|09:00")],
        [("12:00", "1|s|T|12:00"), ("13:00", "1|s|T|13:00"), ("18:00", "1|s|T|18:00")],
        [("19:00", "1|s|T|19:00"), ("20:00", "1|s|T|20:00"), ("21:00", "1|s|T|21:00")],
    ]
    text, _ = personal.onboarding_step(catalog, "en", known, packs)
    assert valid(text).endswith(
        "At what time?\nIn your time zone, America/Bogota. /timezone changes it.")


def test_timezone_step_ticks_the_current_zone_and_offers_it_first_if_uncommon(catalog, packs):
    draft = drafts(("P", "well-being"), ("C", "daily"), ("T", "08:00"),
                   timezone="Africa/Nairobi")
    text, keyboard = personal.onboarding_step(catalog, "en", draft, packs)
    assert "send /timezone Area/City" in valid(text)
    assert buttons(keyboard) == [
        [("✓ Africa/Nairobi", "1|s|Z|Africa/Nairobi"), ("Europe/London", "1|s|Z|Europe/London")],
        [("Europe/Madrid", "1|s|Z|Europe/Madrid"), ("America/Bogota", "1|s|Z|America/Bogota")],
        [("America/Mexico_City", "1|s|Z|America/Mexico_City"),
         ("America/Santiago", "1|s|Z|America/Santiago")],
        [("UTC", "1|s|Z|UTC")],
    ]


def test_recap_step_offers_every_weekday_or_none(catalog, packs):
    draft = drafts(("P", "well-being"), ("C", "daily"), ("T", "08:00"), ("Z", "UTC"))
    text, keyboard = personal.onboarding_step(catalog, "es", draft, packs)
    assert valid(text).endswith("¿Qué día quieres recibir un breve resumen de tu semana? "
                                "Recoge las preguntas que has respondido, cita una línea de cada "
                                "respuesta y te deja una pregunta para la semana siguiente.")
    assert buttons(keyboard)[1] == [("viernes", "1|s|R|fri"), ("sábado", "1|s|R|sat"),
                                    ("domingo", "1|s|R|sun"), ("Sin resumen", "1|s|R|none")]


def test_every_wizard_button_decodes_to_the_choice_it_shows(catalog, packs):
    path = [("P", "three-steps"), ("C", "days"), ("D", "mon"), ("D", "ok"), ("T", "07:00"),
            ("Z", "America/Santiago")]
    for index in range(len(path) + 1):
        draft = drafts(*path[:index])
        _, keyboard = personal.onboarding_step(catalog, "en", draft, packs)
        for row in keyboard.inline_keyboard:
            for button in row:
                decoded = callbacks.decode(button.callback_data)
                assert decoded == callbacks.SetupChoice(draft.step, decoded.value)
                assert len(button.callback_data.encode()) <= 64


def test_a_finished_wizard_has_no_step_message(catalog, packs):
    draft = drafts(("P", "well-being"), ("C", "daily"), ("T", "08:00"), ("Z", "UTC"),
                   ("R", "none"))
    with pytest.raises(ValueError):
        personal.onboarding_step(catalog, "en", draft, packs)


def test_done_says_what_when_in_the_persons_zone_and_how(catalog, packs):
    draft = drafts(("P", "well-being"), ("C", "days"), ("D", "wed"), ("D", "mon"),
                   ("D", "fri"), ("D", "ok"), ("T", "08:00"), ("Z", "Europe/Madrid"),
                   ("R", "sun"))
    text = personal.onboarding_done(catalog, "en", draft, packs,
                                    datetime(2026, 3, 4, 7, 0, tzinfo=UTC))
    attribution = packs["well-being"].attribution["en"]
    assert valid(text) == (
        "✅ All set. You will reflect on Five ways to well-being.\n\n"
        "Every week on Monday, Wednesday and Friday at 08:00 (Europe/Madrid).\n"
        "Your first prompt comes on Wednesday 4 March at 08:00 (Europe/Madrid).\n"
        "Every Sunday, a short recap of your week.\n\n"
        f"{attribution}\n\n"
        "Answer each prompt with your next message (text or a voice note), or with a tap "
        "when it asks for a rating.\n\n"
        "Whenever you like:\n"
        "/later – ask me again in an hour\n"
        "/skip – move on to the next prompt\n"
        "/pause – take a break (/resume to carry on)\n"
        "/journal – read your answers\n"
        "/export – your whole journal as files\n"
        "/forget – delete everything I keep about you\n\n"
        "Your answers appear nowhere but in this chat and in your export."
    )


def test_done_in_spanish_daily_without_recap(catalog, packs):
    draft = drafts(("P", "theory-u"), ("C", "daily"), ("T", "21:00"), ("R", "none"),
                   ask_timezone=False, timezone="America/Mexico_City")
    # 03:00 UTC on Tuesday is 21:00 on Monday in Mexico City.
    shown = valid(personal.onboarding_done(catalog, "es", draft, packs,
                                           datetime(2026, 3, 3, 3, 0, tzinfo=UTC)))
    assert shown.startswith(
        "✅ ¡Listo! Vas a reflexionar con Teoría U: un viaje de aprendizaje.\n\n"
        "Todos los días a las 21:00 (America/Mexico_City).\n"
        "Tu primera pregunta llegará el lunes 2 de marzo a las 21:00 (America/Mexico_City).\n"
        "Sin resumen semanal.\n\n")
    assert "/olvidar – borrar todo lo que guardo sobre ti" in shown
