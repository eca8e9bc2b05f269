"""Actions as the group sees them, check-ins as an owner sees them, and the
actions' lines in the weekly summary and the coordinators' digest.

The group reads counts, never names: how many took an action on, how many
actions are waiting for news.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.domain.actions import Action, WeekOfActions
from bot.domain.design_tests import Profile
from bot.domain.schedule import WEEKDAYS
from bot.render import design_tests
from bot.render.callbacks import ActionChoice, CheckIn, NoteShare, encode

_DUE_KEYS = (("w1", "actions.in_week"), ("w2", "actions.in_two_weeks"),
             ("m1", "actions.in_month"))


def local_date(catalog: Catalog, language: str, moment: datetime, timezone: str) -> str:
    local = moment.astimezone(ZoneInfo(timezone))
    return catalog.text(language, "actions.date",
                        weekday=catalog.text(language, f"weekday.{WEEKDAYS[local.weekday()]}"),
                        day=local.day, month=catalog.text(language, f"month.{local.month}"))


def card(catalog: Catalog, language: str, action: Action, owners: int, timezone: str,
         design: Profile | None = None) -> str:
    """The action's message in its group (with its design-test averages, if any)."""
    lines = [catalog.text(language, "actions.card", text=action.text)]
    scores = design_tests.card_line(catalog, language, design) if design else None
    if scores:
        lines.append(scores)
    if action.state == "done":
        lines.append(catalog.text(language, "actions.done"))
        return "\n".join(lines)
    if action.due_at is None:
        lines.append(catalog.text(language, "actions.no_date"))
    else:
        lines.append(catalog.text(language, "actions.due", date=Html(
            local_date(catalog, language, action.due_at, timezone))))
    lines.append(catalog.text(language, "actions.owners.zero") if not owners
                 else catalog.plural(language, "actions.owners", owners))
    return "\n".join(lines)


def card_keyboard(catalog: Catalog, language: str, action: Action) -> InlineKeyboardMarkup | None:
    """Take it on or step back; the by-when choices until a date is set; the
    design tests until a coordinator has asked them."""
    if not action.is_open:
        return None
    rows = [[
        InlineKeyboardButton(catalog.text(language, "actions.take_on"),
                             callback_data=encode(ActionChoice(action.id, "vol"))),
        InlineKeyboardButton(catalog.text(language, "actions.step_back"),
                             callback_data=encode(ActionChoice(action.id, "back"))),
    ]]
    if action.due_at is None:
        rows.append([InlineKeyboardButton(catalog.text(language, key),
                                          callback_data=encode(ActionChoice(action.id, choice)))
                     for choice, key in _DUE_KEYS])
    if action.design_asked_at is None:
        rows.append([design_tests.ask_button(catalog, language, action)])
    return InlineKeyboardMarkup(rows)


def checkin(catalog: Catalog, language: str, action: Action,
            group_title: str) -> tuple[str, InlineKeyboardMarkup]:
    text = catalog.text(language, "checkin.question", group=group_title, text=action.text)
    buttons = [InlineKeyboardButton(catalog.text(language, key),
                                    callback_data=encode(CheckIn(action.id, answer)))
               for answer, key in (("done", "checkin.done"), ("way", "checkin.on_the_way"),
                                   ("stuck", "checkin.stuck"), ("go", "checkin.let_go"))]
    return text, InlineKeyboardMarkup([buttons[:2], buttons[2:]])


def note_keyboard(catalog: Catalog, language: str, action_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(catalog.text(language, "checkin.share"),
                             callback_data=encode(NoteShare(action_id, True))),
        InlineKeyboardButton(catalog.text(language, "checkin.keep"),
                             callback_data=encode(NoteShare(action_id, False))),
    ]])


def week_block(catalog: Catalog, language: str, week: WeekOfActions) -> str | None:
    """The summary's "What we are doing": counts only, nothing when empty."""
    if week.empty:
        return None
    lines = [catalog.text(language, "actions.week_title")]
    for key, count in (("actions.week_started", week.started), ("actions.week_done", week.done),
                       ("actions.week_on_the_way", week.on_the_way),
                       ("actions.week_waiting", week.waiting_for_news)):
        if count:
            lines.append(catalog.plural(language, key, count))
    return "\n".join(lines)


def could_use_a_hand(catalog: Catalog, language: str,
                     stuck: list[tuple[Action, list[str]]]) -> str | None:
    """The digest's stuck actions, each with the notes their owners shared."""
    if not stuck:
        return None
    lines = [catalog.text(language, "checkin.hand_title")]
    for action, notes in stuck:
        lines.append(catalog.text(language, "checkin.hand_line", text=action.text))
        lines.extend(catalog.text(language, "checkin.hand_note", note=note) for note in notes)
    return "\n".join(lines)
