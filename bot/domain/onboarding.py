"""The personal wizard in a private chat, as a small state machine over a draft.

Like the group /setup wizard (bot/domain/setup.py), each button press is one
(step, value) choice; `choose` checks it against what the current step accepts
and returns the next draft. The step codes are upper case so that a personal
button can never be taken for a group one: both travel as SetupChoice.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from typing import ClassVar

from bot.domain.schedule import WEEKDAYS, valid_timezone
from bot.domain.setup import COMMON_TIMEZONES, InvalidChoice, WizardDraft, at_step, set_timezone

PROGRAMME, CADENCE, DAYS, TIME, TIMEZONE, RECAP, DONE = "P", "C", "D", "T", "Z", "R", "done"
STEPS = (PROGRAMME, CADENCE, DAYS, TIME, TIMEZONE, RECAP, DONE)
# "days" is every weekday the person ticks, one to seven of them.
PERSONAL_CADENCES = ("daily", "days")
PERSONAL_TIMES = ("07:00", "08:00", "09:00", "12:00", "13:00", "18:00", "19:00", "20:00", "21:00")
DAYS_DONE = "ok"  # the value of the button that ends the days step
NO_RECAP = "none"  # the value of the button that turns the weekly recap off
TIMEZONE_CHOICES = COMMON_TIMEZONES


@dataclass(frozen=True)
class OnboardingDraft(WizardDraft):
    TIMEZONE_STEP: ClassVar[str] = TIMEZONE
    AFTER_TIMEZONE: ClassVar[str] = RECAP

    step: str = PROGRAMME
    # None both before the recap step and after "no recap": `step` tells them apart.
    recap_day: str | None = None
    # False once the person has a time zone: it is asked once, /timezone changes it.
    ask_timezone: bool = True

    def chat_settings(self) -> dict[str, object]:
        # The recap comes at the time of day the prompts come.
        return {"timezone": self.timezone, "timezone_chosen": True,
                "recap_day": self.recap_day, "recap_time": self.local_time}


def begin(user_id: int, *, ask_timezone: bool, timezone: str) -> OnboardingDraft:
    """A new draft at the programme step, with the chat's current time zone.

    A zone we cannot use (unset, or removed from the tz database) is asked for
    even when the caller thought it was known, so that the finished draft
    always makes a valid Schedule.
    """
    usable = valid_timezone(timezone)
    return OnboardingDraft(
        user_id=user_id,
        timezone=timezone if usable else None,
        ask_timezone=ask_timezone or not usable,
    )


def choose(
    draft: OnboardingDraft, step: str, value: str, *, pack_ids: Collection[str]
) -> OnboardingDraft:
    """The draft after pressing `value` at `step`; InvalidChoice for a stale
    button (another step) or a value that step does not offer."""
    at_step(draft, step)
    if step == PROGRAMME and value in pack_ids:
        return replace(draft, pack_id=value, step=CADENCE)
    if step == CADENCE and value in PERSONAL_CADENCES:
        return replace(draft, cadence=value, days=(), step=DAYS if value == "days" else TIME)
    if step == DAYS and value in WEEKDAYS:
        return _toggle_day(draft, value)
    if step == DAYS and value == DAYS_DONE and draft.days:
        return replace(draft, step=TIME)
    if step == TIME and value in PERSONAL_TIMES:
        return replace(draft, local_time=value, step=TIMEZONE if draft.ask_timezone else RECAP)
    if step == TIMEZONE and valid_timezone(value):
        return set_timezone(draft, value)
    if step == RECAP and (value in WEEKDAYS or value == NO_RECAP):
        return replace(draft, recap_day=None if value == NO_RECAP else value, step=DONE)
    raise InvalidChoice(f"{value!r} is not a choice at step {step!r}")


def _toggle_day(draft: OnboardingDraft, day: str) -> OnboardingDraft:
    """Ticks or unticks a weekday; the step ends with the OK button, not here,
    because any number of days from one to seven is a valid choice."""
    days = set(draft.days) ^ {day}
    return replace(draft, days=tuple(d for d in WEEKDAYS if d in days))
