"""Putting a question to a chat, keeping its count fresh, and closing it.

Opening a question is one step in the store (the programme moves on by one,
the previous question closes, the sends are recorded in the outbox); the
messages themselves are rendered and sent by the senders below when the
outbox gets to them.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import warnings
import weakref
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot
from telegram.warnings import PTBUserWarning

from bot.domain.records import Chat, Enrolment, Opened, OutboxItem, Prompt
from bot.domain.schedule import is_late, slot_time
from bot.render import personal
from bot.render import question as render
from bot.runtime.context import BotData
from bot.services import outbox, partnership
from bot.services.delivery import Attempt, Outcome, attempt

log = logging.getLogger(__name__)
_UNCHANGED = object()


async def open_next(
    data: BotData, enrolment: Enrolment, slot: str, *, chat: Chat | None = None,
    expected_due: object = _UNCHANGED, next_due_at: object = _UNCHANGED,
    pass_over: int | None = None,
) -> Opened | None:
    """Record the programme's next question (and the closing of the open
    one) as one step; the sends wait in the outbox. None if the programme is
    not running, its pack is gone, or (with `expected_due`) it is no longer due.
    With `pass_over`, that person passes over the open question in the same
    step (a /skip)."""
    store = data.store
    chat = chat or await store.chats.get(enrolment.chat_id)
    pack = data.packs.get(enrolment.pack_id)
    if chat is None or pack is None:
        log.warning("enrolment %s refers to a missing chat or pack", enrolment.id)
        return None
    closes_at = (data.now() + timedelta(minutes=chat.close_after_minutes)
                 if chat.close_after_minutes else None)
    optional = {name: value for name, value in
                (("expected_due", expected_due), ("next_due_at", next_due_at))
                if value is not _UNCHANGED}
    return await store.prompts.open_next(
        enrolment.id, slot, item_ids=[item.id for item in pack.items],
        edit_closed=chat.is_group, closes_at=closes_at, pass_over=pass_over, **optional)


async def ask_now(bot: Bot, data: BotData, enrolment: Enrolment, slot: str,
                  *, chat: Chat | None = None, pass_over: int | None = None) -> Opened | None:
    """/ask, /skip: open the next question and send it straight away (the
    tick picks up whatever could not go now)."""
    return (await ask_now_tracked(bot, data, enrolment, slot, chat=chat,
                                  pass_over=pass_over)).opened


class Delivery(enum.StrEnum):
    """What a person who asked for a question should hear about it."""

    ARRIVED = "arrived"  # the question itself is the answer (or nothing is left to say)
    ON_ITS_WAY = "on_its_way"  # accepted; its send waits for a retry
    STILL_ON_ITS_WAY = "still_on_its_way"  # an earlier one still waits: nothing new opened
    NOT_SENT = "not_sent"  # Telegram refused it, or the outbox gave up


@dataclass(frozen=True)
class Asked:
    opened: Opened | None
    delivery: Delivery


async def ask_now_tracked(bot: Bot, data: BotData, enrolment: Enrolment, slot: str, *,
                          chat: Chat | None = None, pass_over: int | None = None) -> Asked:
    """`ask_now`, also saying what the person who asked should hear: a
    question whose send waits for its retry (Telegram answered 5xx or 429) is
    "on its way"; a second /ask meanwhile opens nothing (the question still
    waiting is the next one) and sends nothing twice, and is told so."""
    opened = await open_next(data, enrolment, slot, chat=chat, pass_over=pass_over)
    if opened is None:
        return Asked(None, Delivery.NOT_SENT)
    # The question's row comes first (a redelivered /ask that finds its
    # question already sent has none: that question was the answer).
    question_row = opened.sends[0] if opened.sends else None
    report = await outbox.send_now(bot, data, list(opened.sends)) if opened.sends else None
    outcome = report.outcomes.get(question_row) if report and question_row else None
    waiting = Delivery.ON_ITS_WAY if opened.created else Delivery.STILL_ON_ITS_WAY
    if question_row is None:
        return Asked(opened, Delivery.ARRIVED)
    match outcome:
        case None | Outcome.RETRY:
            # Not claimed (its retry time has not come, or another sender
            # holds it), or tried and put back for a retry.
            return Asked(opened, waiting)
        case Outcome.REFUSED | Outcome.GIVEN_UP:
            return Asked(opened, Delivery.NOT_SENT)
        case _:
            # Sent; or it may have arrived (never resent); or closed before
            # it went out, or the chat is gone: nothing to tell there.
            return Asked(opened, Delivery.ARRIVED)


@dataclass(frozen=True)
class Standing:
    """Where a group's programme stands, for /status."""

    enrolment: Enrolment | None
    current: Prompt | None  # the newest open question
    answered: int  # people who answered it (never how many did not: /status is public)


async def standing(data: BotData, chat_id: int) -> Standing:
    store = data.store
    open_prompts = await store.prompts.open_for_chat(chat_id)
    current = open_prompts[-1] if open_prompts else None
    return Standing(
        await store.enrolments.active_for(chat_id), current,
        await store.answers.count_for_prompt(current.id) if current else 0)


async def shared_question(data: BotData, prompt_id: int) -> tuple[Prompt, Chat] | None:
    """A group's question and its group, for a member to answer privately."""
    prompt = await data.store.prompts.get(prompt_id)
    group = await data.store.chats.get(prompt.chat_id) if prompt else None
    return None if prompt is None or group is None else (prompt, group)


async def sent_privately(data: BotData, chat_id: int, prompt_id: int,
                         message_ids: list[int]) -> None:
    """The messages a group's question went out as in a private chat (the
    question, the invitation to comment), so a reply to either is for it."""
    await data.store.prompts.link_private_messages(chat_id, message_ids, prompt_id)


async def send_question(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for a question."""
    store = data.store
    prompt = await store.prompts.get(item.prompt_id) if item.prompt_id else None
    chat = await store.chats.get(item.chat_id)
    if prompt is None or chat is None or not chat.active:
        return outbox.skipped(item.chat_id, "the question or its chat is gone")
    if not prompt.is_open:
        return outbox.skipped(item.chat_id, "closed before it went out")
    pack = data.packs.get(prompt.pack_id)
    question = pack.item(prompt.item_id) if pack else None
    if question is None:
        return outbox.skipped(item.chat_id, "its pack or item is gone")
    if chat.is_group:
        text = render.group_question(
            data.catalog, chat.language, pack, question, answered=0,
            late=is_late(slot_time(prompt.slot), prompt.opened_at),
            note=await partnership.question_note(data, chat, pack, question))
        keyboard = render.group_keyboard(data.catalog, chat.language, pack, question,
                                         prompt.id, bot.username)
    else:
        text = personal.personal_question(data.catalog, chat.language, pack, question,
                                          position=question.position, total=len(pack.items))
        keyboard = personal.personal_keyboard(data.catalog, chat.language, pack, question,
                                              prompt.id)
    return await attempt(data, chat.id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text, reply_markup=keyboard))


async def send_closing(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for a closing edit: final count, no buttons."""
    prompt = await data.store.prompts.get(item.prompt_id) if item.prompt_id else None
    if prompt is None or prompt.message_id is None:
        return outbox.skipped(item.chat_id, "no message to close")
    async with _edit_lock(data, prompt.id):
        closed = await _edit(bot, data, prompt, closed=True) or outbox.skipped(
            item.chat_id, "nothing to edit")
    if closed.outcome not in (Outcome.RETRY, Outcome.UNKNOWN):  # else it comes again
        await _close_private_copies(bot, data, prompt)
    return closed


async def _close_private_copies(bot: Bot, data: BotData, prompt: Prompt) -> None:
    """The question's copies in members' private chats lose their buttons too (best
    effort: a tap on one that is left is told the question has closed)."""
    for chat_id, message_id in await data.store.prompts.private_copies(prompt.id):
        # The plain request: python-telegram-bot's edit_message_reply_markup also sends
        # the default parse_mode, a field this method does not have (it warns about the
        # plain request, which is the point here).
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=PTBUserWarning)
            await attempt(data, chat_id, "editMessageReplyMarkup",
                          lambda chat_id, message_id=message_id: bot.do_api_request(
                              "editMessageReplyMarkup",
                              api_kwargs={"chat_id": chat_id, "message_id": message_id}))


async def refresh_count(bot: Bot, data: BotData, prompt_id: int) -> None:
    """Edit an open question's live count (best effort: a missed count edit
    is corrected by the next one, or by the closing edit)."""
    async with _edit_lock(data, prompt_id):
        # Read under the lock: a closing edit may have just gone out, and
        # an older count must not bring the buttons back.
        prompt = await data.store.prompts.get(prompt_id)
        if prompt is None or not prompt.is_open:
            return
        edited = await _edit(bot, data, prompt, closed=False)
        if edited is None or not edited.ok:
            return
        # Another replica may have closed the question while this edit
        # waited its turn at Telegram, its closing edit landing first: the
        # lock above is this process's only. Read again once Telegram has
        # this edit; if closed, the closed message goes again, after it.
        after = await data.store.prompts.get(prompt_id)
        if after is not None and not after.is_open:
            log.info("question %s closed during its count edit; closing it again", prompt_id)
            await _edit(bot, data, after, closed=True)


async def close_expired(data: BotData, now: datetime) -> list[int]:
    """Close questions whose window has ended; their edits wait in the outbox."""
    return await data.store.prompts.close_expired(now)


def _edit_lock(data: BotData, prompt_id: int) -> asyncio.Lock:
    """One edit of a question's message at a time (count edits and the
    closing edit never overtake each other)."""
    locks: weakref.WeakValueDictionary = data.edit_locks
    lock = locks.get(prompt_id)
    if lock is None:
        lock = locks[prompt_id] = asyncio.Lock()
    return lock


async def _edit(bot: Bot, data: BotData, prompt: Prompt, *, closed: bool) -> Attempt | None:
    chat = await data.store.chats.get(prompt.chat_id)
    pack = data.packs.get(prompt.pack_id)
    item = pack.item(prompt.item_id) if pack else None
    if prompt.message_id is None or chat is None or item is None or not chat.active:
        return None
    if not chat.is_group:
        return None  # a personal prompt stays as it was; a late tap is told it closed
    answered = await data.store.answers.count_for_prompt(prompt.id)
    text = render.group_question(
        data.catalog, chat.language, pack, item, answered=answered, closed=closed,
        late=is_late(slot_time(prompt.slot), prompt.opened_at),
        note=await partnership.question_note(data, chat, pack, item),
    )
    markup = None if closed else render.group_keyboard(
        data.catalog, chat.language, pack, item, prompt.id, bot.username)
    return await attempt(data, chat.id, "editMessageText", lambda chat_id: bot.edit_message_text(
        text, chat_id=chat_id, message_id=prompt.message_id, reply_markup=markup))

