"""The /setup wizard's messages and keyboards, and its confirmation."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.content.packs import PackLibrary
from bot.domain import setup as wizard
from bot.domain.partnership import PACK_OF_SIDE, Side, checklist_sides, side_of_pack
from bot.domain.schedule import WEEKDAYS, local
from bot.render import callbacks

LANGUAGE_NAMES = {"en": "English", "es": "Español"}


def _button(label: str, step: str, value: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        label, callback_data=callbacks.encode(callbacks.SetupChoice(step, value))
    )


def _rows(buttons: list[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [buttons[i:i + width] for i in range(0, len(buttons), width)]


def step_message(
    catalog: Catalog, language: str, draft: wizard.SetupDraft, packs: PackLibrary
) -> tuple[str, InlineKeyboardMarkup]:
    step = draft.step
    if step == wizard.PROGRAMME:
        keyboard = _rows(_programme_buttons(catalog, language, packs), 1)
    elif step == wizard.SIDE:
        keyboard = _rows([
            _button(catalog.text(language, f"setup.side_{side}"), step, PACK_OF_SIDE[side])
            for side in Side
        ], 1)
    elif step == wizard.CADENCE:
        keyboard = _rows([
            _button(catalog.text(language, f"cadence.{c}"), step, c)
            for c in wizard.GROUP_CADENCES
        ], 2)
    elif step == wizard.DAYS:
        keyboard = _rows([
            _button(("✓ " if d in draft.days else "") + catalog.text(language, f"weekday.{d}"),
                    step, d)
            for d in WEEKDAYS
        ], 4)
    elif step == wizard.TIME:
        keyboard = _rows([_button(t, step, t) for t in wizard.TIMES], 3)
    elif step == wizard.TIMEZONE:
        keyboard = _rows([_button(z, step, z) for z in wizard.COMMON_TIMEZONES], 2)
    elif step == wizard.LANGUAGE:
        keyboard = _rows([_button(name, step, code) for code, name in LANGUAGE_NAMES.items()
                          if code in catalog.languages], 2)
    else:
        keyboard = [[
            _button(catalog.text(language, "setup.names_yes"), step, "names"),
            _button(catalog.text(language, "setup.names_no"), step, "counts"),
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
            buttons.append(_button(pack.title_in(language), wizard.PROGRAMME, pack.id))
        elif programme not in offered:
            offered.add(programme)
            buttons.append(_button(catalog.text(language, f"setup.programme_{programme}"),
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


def confirmation(
    catalog: Catalog, language: str, draft: wizard.SetupDraft, packs: PackLibrary,
    first_question: datetime,
) -> str:
    pack = packs[draft.pack_id]
    lines = [
        catalog.text(language, "setup.done", programme=pack.title_in(language)),
        Html(schedule_phrase(catalog, language, draft)),
        catalog.text(language, "setup.first",
                     when=Html(when(catalog, language, first_question, draft.timezone))),
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
