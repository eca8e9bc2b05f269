"""The /setup wizard as a small state machine over a draft, and what it
shares with the personal wizard (bot/domain/onboarding.py).

Each button press is one (step, value) choice. `choose` checks the choice
against what that step accepts and returns the next draft; the handler only
stores it and renders the next step.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import ClassVar, Self, TypeVar

from bot.domain.partnership import checklist_sides
from bot.domain.schedule import DAYS_NEEDED, WEEKDAYS, Schedule, valid_timezone

# Short step codes keep callback_data well under Telegram's 64 bytes.
PROGRAMME, CADENCE, DAYS, TIME, TIMEZONE, LANGUAGE, NAMES, DONE = (
    "p", "c", "d", "t", "z", "l", "n", "done")
# Asked only after "the checklist": which side of the partnership the group is.
SIDE = "side"
STEPS = (PROGRAMME, SIDE, CADENCE, DAYS, TIME, TIMEZONE, LANGUAGE, NAMES, DONE)
TIMES = ("08:00", "09:00", "10:00", "12:00", "14:00", "17:00", "18:00", "19:00", "20:00")
GROUP_CADENCES = ("daily", "twice-weekly", "weekly", "fortnightly")
COMMON_TIMEZONES = (
    "Europe/London", "Europe/Madrid", "America/Bogota", "America/Mexico_City",
    "America/Santiago", "UTC",
)


class InvalidChoice(ValueError):
    """A choice that the current step does not accept (stale or forged)."""


@dataclass(frozen=True)
class WizardDraft:
    """What every schedule wizard collects (the group /setup and the personal
    /programme), stored as a dict between button presses."""

    # Each wizard's own step codes for the time zone and the step after it.
    TIMEZONE_STEP: ClassVar[str]
    AFTER_TIMEZONE: ClassVar[str]

    user_id: int
    step: str = PROGRAMME
    pack_id: str | None = None
    cadence: str | None = None
    days: tuple[str, ...] = ()
    local_time: str | None = None
    timezone: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Self:
        """A stored draft; InvalidChoice if the row belongs to another kind of
        wizard (a button pressed on some other wizard's message)."""
        try:
            return cls(**{**data, "days": tuple(data.get("days", ()))})
        except TypeError as error:
            raise InvalidChoice(str(error)) from None

    def schedule(self) -> Schedule:
        return Schedule(self.cadence, self.days, self.local_time, self.timezone)

    @property
    def finished(self) -> bool:
        return self.step == DONE

    @property
    def waits_for_timezone(self) -> bool:
        """Whether a typed /timezone answers this wizard's current step."""
        return self.step == self.TIMEZONE_STEP

    @property
    def chosen_language(self) -> str | None:
        """The language the wizard speaks once it was chosen in it (None: the chat's)."""
        return None

    @property
    def coordinator(self) -> int | None:
        """Who becomes the chat's coordinator when the wizard finishes, if anyone."""
        return None

    def chat_settings(self) -> dict[str, object]:
        """The chat's settings once the wizard finishes."""
        raise NotImplementedError


Draft = TypeVar("Draft", bound=WizardDraft)


@dataclass(frozen=True)
class SetupDraft(WizardDraft):
    TIMEZONE_STEP: ClassVar[str] = TIMEZONE
    AFTER_TIMEZONE: ClassVar[str] = LANGUAGE

    language: str | None = None
    names_visible: bool | None = None
    # A programme offered once for two packs (the checklist), whose pack the
    # side step then picks.
    paired_programme: str | None = None

    @property
    def chosen_language(self) -> str | None:
        return self.language

    @property
    def coordinator(self) -> int | None:
        return self.user_id  # the admin who set the group up

    def chat_settings(self) -> dict[str, object]:
        return {"timezone": self.timezone, "language": self.language,
                "names_visible": bool(self.names_visible)}


def at_step(draft: WizardDraft, step: str) -> None:
    """InvalidChoice for a press of another step's button (stale or forged)."""
    if step != draft.step:
        raise InvalidChoice(f"step {step!r} is not the current step {draft.step!r}")


def choose(
    draft: SetupDraft, step: str, value: str, *, pack_ids: Collection[str],
    languages: Collection[str],
) -> SetupDraft:
    at_step(draft, step)
    sides = checklist_sides(pack_ids)
    if step == PROGRAMME and value in sides:
        return replace(draft, paired_programme=value, pack_id=None, step=SIDE)
    # A side's own pack is still accepted here: buttons of wizards started
    # before the checklist was offered once go on working.
    if step == PROGRAMME and value in pack_ids:
        return replace(draft, pack_id=value, step=CADENCE)
    if step == SIDE and value in sides.get(draft.paired_programme, ()):
        return replace(draft, pack_id=value, step=CADENCE)
    if step == CADENCE and value in GROUP_CADENCES:
        needs_days = DAYS_NEEDED[value] > 0
        return replace(draft, cadence=value, days=(), step=DAYS if needs_days else TIME)
    if step == DAYS and value in WEEKDAYS:
        return _toggle_day(draft, value)
    if step == TIME and value in TIMES:
        return replace(draft, local_time=value, step=TIMEZONE)
    if step == TIMEZONE and valid_timezone(value):
        return set_timezone(draft, value)
    if step == LANGUAGE and value in languages:
        return replace(draft, language=value, step=NAMES)
    if step == NAMES and value in ("names", "counts"):
        return replace(draft, names_visible=value == "names", step=DONE)
    raise InvalidChoice(f"{value!r} is not a choice at step {step!r}")


def set_timezone(draft: Draft, timezone: str) -> Draft:
    """A time zone chosen (or typed with /timezone) while either wizard waits
    for one; the wizard goes on to its next step."""
    if not draft.waits_for_timezone or not valid_timezone(timezone):
        raise InvalidChoice(timezone)
    return replace(draft, timezone=timezone, step=draft.AFTER_TIMEZONE)


def _toggle_day(draft: SetupDraft, day: str) -> SetupDraft:
    days = tuple(d for d in draft.days if d != day) if day in draft.days else (*draft.days, day)
    days = tuple(sorted(days, key=WEEKDAYS.index))
    needed = DAYS_NEEDED[draft.cadence]
    if len(days) >= needed:
        return replace(draft, days=days[:needed], step=TIME)
    return replace(draft, days=days)
