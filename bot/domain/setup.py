"""The /setup wizard as a small state machine over a draft.

Each button press is one (step, value) choice. `choose` checks the choice
against what that step accepts and returns the next draft; the handler only
stores it and renders the next step.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import asdict, dataclass, replace
from typing import Self

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


@dataclass(frozen=True)
class SetupDraft(WizardDraft):
    language: str | None = None
    names_visible: bool | None = None
    # A programme offered once for two packs (the checklist), whose pack the
    # side step then picks.
    paired_programme: str | None = None


def choose(
    draft: SetupDraft, step: str, value: str, *, pack_ids: Collection[str],
    languages: Collection[str],
) -> SetupDraft:
    if step != draft.step:
        raise InvalidChoice(f"step {step!r} is not the current step {draft.step!r}")
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
        return replace(draft, timezone=value, step=LANGUAGE)
    if step == LANGUAGE and value in languages:
        return replace(draft, language=value, step=NAMES)
    if step == NAMES and value in ("names", "counts"):
        return replace(draft, names_visible=value == "names", step=DONE)
    raise InvalidChoice(f"{value!r} is not a choice at step {step!r}")


def set_timezone(draft: SetupDraft, timezone: str) -> SetupDraft:
    """A time zone typed with /timezone while the wizard waits for one."""
    if draft.step != TIMEZONE or not valid_timezone(timezone):
        raise InvalidChoice(timezone)
    return replace(draft, timezone=timezone, step=LANGUAGE)


def _toggle_day(draft: SetupDraft, day: str) -> SetupDraft:
    days = tuple(d for d in draft.days if d != day) if day in draft.days else (*draft.days, day)
    days = tuple(sorted(days, key=WEEKDAYS.index))
    needed = DAYS_NEEDED[draft.cadence]
    if len(days) >= needed:
        return replace(draft, days=days[:needed], step=TIME)
    return replace(draft, days=days)
