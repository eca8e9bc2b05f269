"""A plan put to the five design tests: a coordinator asks, the members
answer row by row on one group message, and the plan's profile (averages
only, each from the summary's minimum of raters) is posted to the group
and kept with the action (its ratings are stored; the profile is computed
from them each time)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import InlineKeyboardMarkup

from bot.domain import design_tests as domain
from bot.domain.actions import Action
from bot.domain.records import Chat
from bot.render import design_tests as render
from bot.runtime.context import BotData
from bot.store.actions import Change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Questions:
    text: str
    keyboard: InlineKeyboardMarkup | None


async def is_coordinator(data: BotData, chat: Chat, user_id: int) -> bool:
    return await data.store.coordinators.is_coordinator(chat.id, user_id)


async def ask(data: BotData, chat: Chat, action_id: int, user_id: int) -> Change:
    """Put the plan to the tests, once (the caller checked the coordinator)."""
    change = await data.store.design_tests.ask(action_id, chat.id)
    log.info("design tests of action %s in chat %s asked by user %s -> %s", action_id,
             chat.id, user_id, change.value)
    return change


async def questions(data: BotData, chat: Chat, action: Action) -> Questions:
    """The message the group answers, as it stands now."""
    raters = await data.store.design_tests.raters(action.id)
    return Questions(render.questions(data.catalog, chat.language, action, raters),
                     render.questions_keyboard(data.catalog, chat.language, action))


async def posted(data: BotData, action_id: int, message_id: int) -> None:
    await data.store.design_tests.set_message(action_id, message_id)


@dataclass(frozen=True)
class Rated:
    change: Change
    new_rater: bool  # their first rating of this plan: the count went up


async def rate(data: BotData, chat: Chat, action_id: int, user_id: int, test: str,
               value: int) -> Rated:
    store = data.store.design_tests
    before = await store.raters(action_id)
    change = await store.rate(action_id, chat.id, user_id, test, value)
    after = await store.raters(action_id) if change is Change.DONE else before
    log.info("design test %s of action %s rated by user %s -> %s", test, action_id, user_id,
             change.value)
    return Rated(change, after != before)


async def show(data: BotData, chat: Chat, action_id: int) -> Change:
    """Whether the profile is to be posted now (it changed since last time)."""
    change = await data.store.design_tests.show(action_id, chat.id)
    log.info("design profile of action %s in chat %s -> %s", action_id, chat.id, change.value)
    return change


async def profile(data: BotData, action: Action) -> domain.Profile | None:
    """The plan's profile, or None when it was never put to the tests."""
    if action.design_asked_at is None:
        return None
    return domain.profile(await data.store.design_tests.ratings(action.id))


async def profile_text(data: BotData, chat: Chat, action: Action) -> str | None:
    shown = await profile(data, action)
    return None if shown is None else render.profile(data.catalog, chat.language, action,
                                                     shown)
