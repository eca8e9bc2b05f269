"""The /setup wizard's messages and keyboards (and what the personal wizard's
are made of), its confirmation, and the group's schedule changed by command."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.content.packs import PackLibrary
from bot.domain import setup as wizard
from bot.domain.partnership import PACK_OF_SIDE, Side, checklist_sides, side_of_pack
from bot.domain.quiet import in_quiet_hours
from bot.domain.records import Chat
from bot.domain.schedule import WEEKDAYS, local
from bot.render import callbacks

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


# -- what both wizards' keyboards are made of (the personal one's too) ---------------------------


def button(label: str, step: str, value: str) -> InlineKeyboardButton:
    """A wizard's choice: both wizards' buttons travel as SetupChoice."""
    return InlineKeyboardButton(
        label, callback_data=callbacks.encode(callbacks.SetupChoice(step, value))
    )


def rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def ticked(label: str, chosen: bool) -> str:
    return f"✓ {label}" if chosen else label


# -- the group's /setup -------------------------------------------------------------------------


def step_message(
    catalog: Catalog, language: str, draft: wizard.SetupDraft, packs: PackLibrary
) -> tuple[str, InlineKeyboardMarkup]:
    step = draft.step
    if step == wizard.PROGRAMME:
        keyboard = rows(_programme_buttons(catalog, language, packs), 1)
    elif step == wizard.SIDE:
        keyboard = rows([
            button(catalog.text(language, f"setup.side_{side}"), step, PACK_OF_SIDE[side])
            for side in Side
        ], 1)
    elif step == wizard.CADENCE:
        keyboard = rows([
            button(catalog.text(language, f"cadence.{c}"), step, c)
            for c in wizard.GROUP_CADENCES
        ], 2)
    elif step == wizard.DAYS:
        keyboard = rows([
            button(ticked(catalog.text(language, f"weekday.{d}"), d in draft.days), step, d)
            for d in WEEKDAYS
        ], 4)
    elif step == wizard.TIME:
        keyboard = rows([button(t, step, t) for t in wizard.TIMES], 3)
    elif step == wizard.TIMEZONE:
        keyboard = rows([button(z, step, z) for z in wizard.COMMON_TIMEZONES], 2)
    elif step == wizard.LANGUAGE:
        keyboard = rows([button(name, step, code) for code, name in LANGUAGE_NAMES.items()
                         if code in catalog.languages], 2)
    else:
        keyboard = [[
            button(catalog.text(language, "setup.names_yes"), step, "names"),
            button(catalog.text(language, "setup.names_no"), step, "counts"),
        ]]
    text = "\n\n".join([
        catalog.text(language, "setup.title"),
        catalog.text(language, f"setup.ask_{step}"),
    ])
    return text, InlineKeyboardMarkup(keyboard)


def _programme_buttons(
    catalog: Catalog, language: str, packs: PackLibrary
) -> list[InlineKeyboardButton]:
    """One button a programme; the checklist's two sides share one, where
    the first of them stands."""
    group_packs = packs.for_groups()
    sides = checklist_sides([pack.id for pack in group_packs])
    buttons, offered = [], set()
    for pack in group_packs:
        programme = next((name for name, ids in sides.items() if pack.id in ids), None)
        if programme is None:
            buttons.append(button(pack.title_in(language), wizard.PROGRAMME, pack.id))
        elif programme not in offered:
            offered.add(programme)
            buttons.append(button(catalog.text(language, f"setup.programme_{programme}"),
                                  wizard.PROGRAMME, programme))
    return buttons


def schedule_phrase(catalog: Catalog, language: str, draft: wizard.SetupDraft) -> str:
    days = ", ".join(catalog.text(language, f"weekday.{d}") for d in draft.days)
    return catalog.text(
        language, f"schedule.{draft.cadence}", days=days, time=draft.local_time,
        timezone=draft.timezone,
    )


def when(catalog: Catalog, language: str, moment: datetime, timezone: str) -> str:
    moment = local(moment, timezone)
    weekday = catalog.text(language, f"weekday.{WEEKDAYS[moment.weekday()]}")
    month = catalog.text(language, f"month.{moment.month}")
    return catalog.text(language, "time.when", weekday=weekday, day=moment.day, month=month,
                        time=moment.strftime("%H:%M"), timezone=timezone)


def comes_at(catalog: Catalog, language: str, moment: datetime, timezone: str,
             now: datetime | None) -> str:
    """When something comes, said from `now`: "today at 18:00 (Europe/London)",
    "tomorrow at 09:00 (...)", else "on Monday 7 December at 09:00 (...)" (days
    counted in `timezone`)."""
    shown = local(moment, timezone)
    if now is not None:
        days_ahead = (shown.date() - local(now, timezone).date()).days
        if days_ahead in (0, 1):
            return catalog.text(language, "when.today" if days_ahead == 0 else "when.tomorrow",
                                time=shown.strftime("%H:%M"), timezone=timezone)
    return catalog.text(language, "when.on", when=Html(when(catalog, language, moment, timezone)))


def confirmation(
    catalog: Catalog, language: str, draft: wizard.SetupDraft, packs: PackLibrary,
    first_question: datetime, now: datetime | None = None,
) -> str:
    pack = packs[draft.pack_id]
    lines = [
        catalog.text(language, "setup.done", programme=pack.title_in(language)),
        Html(schedule_phrase(catalog, language, draft)),
        catalog.text(language, "setup.first",
                     when=Html(comes_at(catalog, language, first_question, draft.timezone, now))),
        catalog.text(language, "setup.names_yes_done" if draft.names_visible
                     else "setup.names_no_done"),
    ]
    source = pack.attribution_in(language)
    if source:
        lines.append(catalog.text(language, "setup.attribution", source=source))
    side = side_of_pack(pack.id)
    if side is not None:
        lines.append(catalog.text(language, f"setup.partner_hint_{side}"))
    lines.append(catalog.text(language, "setup.next_steps"))
    return "\n\n".join(lines)


# -- the group's schedule changed by command ------------------------------------------------------


def timezone_changed(catalog: Catalog, language: str, timezone: str,
                     next_due: datetime | None) -> str:
    text = catalog.text(language, "timezone.changed", timezone=timezone)
    if next_due is not None:
        text += "\n" + catalog.text(language, "status.next",
                                    when=when(catalog, language, next_due, timezone))
    return text


def summary_time_set(catalog: Catalog, language: str, chat: Chat, day: str, clock: str) -> str:
    """When the summary comes now, and that quiet hours will hold it back."""
    text = catalog.text(language, "weekly.summarytime_set",
                        day=catalog.text(language, f"weekday.{day}"), time=clock)
    if chat.next_summary_at is not None and in_quiet_hours(
            chat.next_summary_at, chat.timezone, chat.quiet_start, chat.quiet_end):
        text += "\n" + catalog.text(language, "weekly.summarytime_in_quiet_hours",
                                    start=chat.quiet_start, end=chat.quiet_end)
    return text
