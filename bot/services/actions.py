"""Actions that follow through: made in a group, taken on with a tap,
checked in on privately when due, and counted (never named) in the summary.

The tick records each due check-in in the outbox (`plan_checkins`); the
sender renders it from the database when it goes out, and skips it if the
action closed or the person is no longer on it meanwhile.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from telegram import Bot, InlineKeyboardMarkup

from bot.domain import actions as domain
from bot.domain.records import Chat, OutboxItem
from bot.domain.weeks import week_bounds
from bot.render import actions as render
from bot.render import commitments
from bot.runtime.context import BotData
from bot.services import design_tests, joint_lines, outbox
from bot.services.delivery import Attempt, attempt
from bot.store.actions import Change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Card:
    text: str
    keyboard: InlineKeyboardMarkup | None


async def card(data: BotData, chat: Chat, action: domain.Action) -> Card:
    """An action's message in its group, as it stands now."""
    owners = len(await data.store.actions.owners(action.id))
    design = await design_tests.profile(data, action)
    text = render.card(data.catalog, chat.language, action, owners, chat.timezone, design)
    joint = await joint_lines.card_line(data, chat, action)
    if joint is not None:
        # Right under the action's words: a joint action with the partner.
        first, _, rest = text.partition("\n")
        text = "\n".join(part for part in (first, joint, rest) if part)
    return Card(text, render.card_keyboard(data.catalog, chat.language, action))


async def choose(data: BotData, chat: Chat, action_id: int, user_id: int,
                 choice: str) -> Change:
    """A button under an action: take it on, step back, or a by-when choice."""
    store = data.store.actions
    if choice == "vol":
        change = await store.volunteer(action_id, chat.id, user_id)
    elif choice == "back":
        change = await store.step_back(action_id, chat.id, user_id)
    else:
        change = await _set_due(data, chat, action_id,
                                lambda action: domain.due_date(choice, action.created_at,
                                                               chat.timezone))
    log.info("action %s in chat %s: %s by user %s -> %s", action_id, chat.id, choice, user_id,
             change.value)
    return change


async def set_typed_date(data: BotData, chat: Chat, action_id: int, user_id: int,
                         day: date) -> Change:
    """A date typed in reply to the action's message: as a by-when choice."""
    change = await _set_due(data, chat, action_id,
                            lambda action: domain.local_moment(day, chat.timezone))
    log.info("action %s in chat %s: typed date by user %s -> %s", action_id, chat.id, user_id,
             change.value)
    return change


async def _set_due(data: BotData, chat: Chat, action_id: int,
                   due_for: Callable[[domain.Action], datetime]) -> Change:
    store = data.store.actions
    action = await store.get(action_id)
    if action is None or action.chat_id != chat.id:
        return Change.GONE
    if not action.is_open:
        return Change.CLOSED
    return await store.set_due(action_id, chat.id, due_for(action))


async def plan_checkins(data: BotData, now: datetime) -> int:
    """Record every check-in whose day has come; how many were recorded."""
    return len(await data.store.actions.plan_checkins(now))


async def send_checkin(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for one owner's check-in, in their private chat."""
    store = data.store
    action = await store.actions.get(item.subject_id) if item.subject_id else None
    private = await store.chats.get(item.chat_id)
    if action is None or private is None or not private.active or not action.is_open:
        return outbox.skipped(item.chat_id, "the action closed or the chat is gone")
    owner = await store.actions.owner(action.id, item.chat_id)
    if owner is None or owner.state != "asked":
        return outbox.skipped(item.chat_id, "no longer waiting for this check-in")
    if action.chat_id == private.id:
        # A personal commitment (bot/services/commitments.py): no group in it.
        text, keyboard = commitments.checkin(data.catalog, private.language, action)
    else:
        group = await store.chats.get(action.chat_id)
        title = (group.title if group is not None else None) or ""
        text, keyboard = render.checkin(data.catalog, private.language, action, title)
    return await attempt(data, private.id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text, reply_markup=keyboard))


@dataclass(frozen=True)
class Answered:
    change: Change
    action: domain.Action | None
    next_checkin: datetime | None = None


async def check_in(data: BotData, action_id: int, user_id: int, answer: str) -> Answered:
    """An owner's tap on their check-in."""
    store = data.store.actions
    action = await store.get(action_id)
    if action is None:
        return Answered(Change.GONE, None)
    group = await data.store.chats.get(action.chat_id)
    timezone = group.timezone if group is not None else "UTC"
    state = domain.ANSWERS[answer]
    following = domain.a_week_on(data.now(), timezone) if state == "on_way" else None
    change, action = await store.answer(action_id, user_id, state, following)
    log.info("check-in of action %s by user %s: %s -> %s", action_id, user_id, answer,
             change.value)
    return Answered(change, action, following)


async def take_note(data: BotData, user_id: int, text: str) -> int | None:
    """The owner's one-line note after a check-in; the action's id if it was one."""
    line = domain.clean_text(text)
    if line is None:
        return None
    return await data.store.actions.take_note(user_id, line)


async def week_block(data: BotData, chat: Chat, week_start: date) -> str | None:
    """The summary's "What we are doing" for the week beginning `week_start`."""
    start, end = week_bounds(week_start, chat.timezone)
    actions, owners = await data.store.actions.of_week(chat.id, start)
    counts = domain.week_of_actions(actions, owners, start, end, min(data.now(), end))
    blocks = [render.week_block(data.catalog, chat.language, counts),
              await joint_lines.week_block(data, chat, start)]
    return "\n\n".join(block for block in blocks if block) or None


async def digest_block(data: BotData, group: Chat, language: str) -> str | None:
    """The digest's "Could use a hand"."""
    return render.could_use_a_hand(data.catalog, language,
                                   await data.store.actions.stuck(group.id))


async def create(data: BotData, chat: Chat, text: str, user_id: int, *,
                 from_prompt: int | None = None, from_week: str | None = None) -> domain.Action:
    """A new action in a group; made in reply to a question or to the weekly
    summary, it comes from that (else from the group's latest question)."""
    action = await data.store.actions.create(chat.id, text, user_id, from_prompt=from_prompt,
                                             from_week=from_week)
    log.info("action %s made in chat %s by user %s (from prompt %s, week %s)", action.id,
             chat.id, user_id, action.source_prompt_id, action.source_week)
    return action


async def posted(data: BotData, action_id: int, message_id: int) -> None:
    """The group message that shows the action (edited when it is done)."""
    await data.store.actions.set_message(action_id, message_id)


async def share_note(data: BotData, action_id: int, user_id: int, shared: bool) -> Change:
    return await data.store.actions.share_note(action_id, user_id, shared)
