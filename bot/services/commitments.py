"""Personal commitments: after a text answer to a prompt about trying a
small action, the offer to make it a commitment; then the commitment
itself, an action in the person's private chat (bot/store/commitments.py)
whose check-in the actions' outbox sends on the day.

The commitment's words are the first line of the answer (as it stands when
the person presses, so an edit before is taken): one press, nothing to type.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from telegram import InlineKeyboardMarkup

from bot.domain.commitments import DECLINE, Commitment, checkin_date, commitment_text
from bot.domain.records import Chat, Prompt
from bot.render import commitments as render
from bot.runtime.context import BotData
from bot.store.actions import Change

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Offer:
    text: str
    keyboard: InlineKeyboardMarkup


def offers_commitment(data: BotData, prompt: Prompt) -> bool:
    pack = data.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack is not None else None
    return item is not None and item.offers_commitment


def offer(data: BotData, chat: Chat, prompt: Prompt, answer: str | None) -> Offer | None:
    """The offer under a personal answer, when its prompt offers one and the
    answer has words to commit to (a voice note or a rating has none)."""
    text = commitment_text(answer)
    if text is None or chat.is_group or not offers_commitment(data, prompt):
        return None
    shown, keyboard = render.offer(data.catalog, chat.language, prompt.id, text)
    return Offer(shown, keyboard)


@dataclass(frozen=True)
class Chosen:
    change: Change
    commitment: Commitment | None


async def choose(data: BotData, chat: Chat, prompt_id: int, choice: str) -> Chosen:
    """A press on the offer: the person's own prompt, answered in words,
    of an item that offers a commitment; else GONE."""
    prompt = await data.store.prompts.get(prompt_id)
    if prompt is None or prompt.chat_id != chat.id or not offers_commitment(data, prompt):
        return Chosen(Change.GONE, None)
    answer = await data.store.answers.get(prompt_id, chat.id)
    text = commitment_text(answer.text if answer is not None else None)
    if text is None:
        return Chosen(Change.GONE, None)
    due_for = (None if choice == DECLINE
               else partial(checkin_date, choice, timezone=chat.timezone))
    change, commitment = await data.store.commitments.choose(chat.id, prompt_id, text, due_for)
    log.info("commitment offer on prompt %s in chat %s: %s -> %s", prompt_id, chat.id, choice,
             change.value)
    return Chosen(change, commitment)


async def of_person(data: BotData, user_id: int) -> list[Commitment]:
    return await data.store.commitments.of_person(user_id)
