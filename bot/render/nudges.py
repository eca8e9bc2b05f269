"""Reminder messages: gentle, no ratings, no scolding, no names in a group."""

from __future__ import annotations

from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.locales import Catalog, Html
from bot.domain.nudges import NudgeCandidate
from bot.domain.schedule import WEEKDAYS, local
from bot.render.question import deep_link


def closing_phrase(
    catalog: Catalog, language: str, closes: datetime | None, timezone: str,
    now: datetime | None = None,
) -> str:
    """"today at 18:00", "tomorrow at 09:00" or "on Monday at 09:00" (the
    group's local time; today and tomorrow only when `now` is known), or
    "soon"."""
    if closes is None:
        return catalog.text(language, "nudge.closes_soon")
    moment = local(closes, timezone)
    time = moment.strftime("%H:%M")
    if now is not None:
        days_ahead = (moment.date() - local(now, timezone).date()).days
        if days_ahead == 0:
            return catalog.text(language, "nudge.closes_today", time=time)
        if days_ahead == 1:
            return catalog.text(language, "nudge.closes_tomorrow", time=time)
    return catalog.text(language, "nudge.closes_on", time=time,
                        weekday=catalog.raw(language, f"weekday.{WEEKDAYS[moment.weekday()]}"))


def first_name(name: str) -> str:
    """A greeting uses the first name: "Ana" of "Ana García"."""
    words = name.split()
    return words[0] if words else name


def _answer_button(catalog: Catalog, language: str, key: str, prompt_id: int,
                   bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(
        catalog.text(language, key), url=deep_link(bot_username, f"p{prompt_id}"))]])


def private_reminder(
    catalog: Catalog, language: str, person: NudgeCandidate, *, group_title: str,
    answered: int, weekly: bool, closes: datetime | None, timezone: str, prompt_id: int,
    bot_username: str, now: datetime | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """In the person's private chat only, greeting them by first name. "The
    question of the week" only for a weekly programme; how many others
    answered only when some have."""
    question = catalog.text(language, "nudge.weekly_question" if weekly
                            else "nudge.open_question")
    values = {"name": first_name(person.name), "title": group_title, "question": Html(question),
              "when": Html(closing_phrase(catalog, language, closes, timezone, now))}
    text = (catalog.plural(language, "nudge.private", answered, **values) if answered
            else catalog.text(language, "nudge.private_none", **values))
    return text, _answer_button(catalog, language, "nudge.answer_button", prompt_id,
                                bot_username)


def group_invitation(
    catalog: Catalog, language: str, *, closes: datetime | None, timezone: str,
    prompt_id: int, bot_username: str, now: datetime | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """One invitation to the whole group: names nobody and counts nobody, so
    it cannot single anyone out, in a group that shows names or not."""
    text = catalog.text(language, "nudge.group",
                        when=Html(closing_phrase(catalog, language, closes, timezone, now)))
    return text, _answer_button(catalog, language, "question.answer_privately", prompt_id,
                                bot_username)
