"""Reminder messages: gentle, no ratings, no scolding."""

from __future__ import annotations

import html
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.domain.nudges import NudgeCandidate
from bot.locales import Catalog, Html
from bot.render.question import deep_link


def private_reminder(
    catalog: Catalog, language: str, person: NudgeCandidate, *, group_title: str,
    answered: int, prompt_id: int, bot_username: str,
) -> tuple[str, InlineKeyboardMarkup]:
    text = catalog.plural(language, "nudge.private", answered, name=person.name,
                          title=group_title)
    button = InlineKeyboardButton(catalog.text(language, "nudge.answer_button"),
                                  url=deep_link(bot_username, f"p{prompt_id}"))
    return text, InlineKeyboardMarkup([[button]])


def group_reminder(
    catalog: Catalog, language: str, people: Sequence[NudgeCandidate], *, answered: int
) -> str:
    """Names the people (as mentions, so those without a username are reached
    too) and says how many colleagues have already answered."""
    mentions = Html(", ".join(
        f'<a href="tg://user?id={person.user_id}">{html.escape(person.name, quote=False)}</a>'
        for person in people
    ))
    return catalog.plural(language, "nudge.group", answered, names=mentions)
