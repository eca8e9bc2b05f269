"""Reminders for the members whose voice is missing, when a question closes soon:
privately, by name, to those who started the bot; otherwise one invitation
to the whole group that names and counts nobody.

The hook decides who is reminded and records it with the sends in one step;
the senders render each reminder when it goes out, and skip it if the
person answered meanwhile.
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import Bot, ReplyParameters

from bot.domain.nudges import NudgeCandidate, closes_at, plan_nudges
from bot.domain.quiet import in_quiet_hours
from bot.domain.records import OutboxItem, Prompt
from bot.render import nudges as render
from bot.runtime.context import BotData
from bot.services import outbox
from bot.services.delivery import Attempt, attempt

log = logging.getLogger(__name__)


async def nudge_before_closing(bot: Bot, data: BotData, prompt: Prompt) -> int:
    """The closing-soon hook: plan reminders for who has not answered and
    send them; return how many reminders were recorded."""
    store = data.store
    chat = await store.chats.get(prompt.chat_id)
    if chat is None or not chat.active or not chat.nudges_enabled:
        return 0
    now = data.now()
    if in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        return 0
    answered = await _answered(data, prompt.id)
    candidates = []
    for member in await store.members.list_current(chat.id):
        private = await store.chats.get(member.user_id)
        candidates.append(NudgeCandidate(
            user_id=member.user_id, name=member.display_name,
            answered=member.user_id in answered, quiet=member.quiet,
            last_nudged_at=await store.nudges.last_sent_to(member.user_id),
            has_private_chat=private is not None and private.active,
        ))
    plan = plan_nudges(candidates, now)
    rows = await store.nudges.plan(prompt.id, chat.id,
                                   privately=[p.user_id for p in plan.privately],
                                   in_group=[p.user_id for p in plan.in_group])
    await outbox.send_now(bot, data, rows)
    return len(rows)


async def send_reminder(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for one person's private reminder."""
    store = data.store
    prompt = await store.prompts.get(item.prompt_id) if item.prompt_id else None
    group = await store.chats.get(item.subject_id) if item.subject_id else None
    private = await store.chats.get(item.chat_id)
    if prompt is None or group is None or private is None or not prompt.is_open:
        return outbox.skipped(item.chat_id, "the question closed or a chat is gone")
    answered = await _answered(data, prompt.id)
    if item.chat_id in answered:
        return outbox.skipped(item.chat_id, "answered meanwhile")
    member = await store.members.get(group.id, item.chat_id)
    person = NudgeCandidate(user_id=item.chat_id, name=member.display_name if member else "",
                            answered=False, quiet=False, last_nudged_at=None,
                            has_private_chat=True)
    weekly, closes = await _when_it_closes(data, prompt)
    text, button = render.private_reminder(
        data.catalog, private.language, person, group_title=group.title or "",
        answered=len(answered - {item.chat_id}), weekly=weekly, closes=closes,
        timezone=group.timezone, prompt_id=prompt.id, bot_username=bot.username, now=data.now())
    return await attempt(data, item.chat_id, "sendMessage",
                         lambda chat_id: bot.send_message(chat_id, text, reply_markup=button))


async def send_invite(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for the one invitation in the group itself: to
    everyone, naming and counting nobody."""
    store = data.store
    prompt = await store.prompts.get(item.prompt_id) if item.prompt_id else None
    chat = await store.chats.get(item.chat_id)
    if prompt is None or chat is None or not chat.active or not prompt.is_open:
        return outbox.skipped(item.chat_id, "the question closed or the group is gone")
    _, closes = await _when_it_closes(data, prompt)
    text, button = render.group_invitation(data.catalog, chat.language, closes=closes,
                                           timezone=chat.timezone, prompt_id=prompt.id,
                                           bot_username=bot.username, now=data.now())
    reply = ReplyParameters(prompt.message_id, allow_sending_without_reply=True) \
        if prompt.message_id else None
    return await attempt(data, chat.id, "sendMessage", lambda chat_id: bot.send_message(
        chat_id, text, reply_parameters=reply, reply_markup=button))


async def _when_it_closes(data: BotData, prompt: Prompt) -> tuple[bool, datetime | None]:
    """(weekly programme?, when the question closes) for a reminder's wording."""
    enrolment = await data.store.enrolments.get(prompt.enrolment_id)
    closes = closes_at(prompt.closes_at, enrolment.next_due_at if enrolment else None)
    return enrolment is not None and enrolment.cadence == "weekly", closes


async def _answered(data: BotData, prompt_id: int) -> set[int]:
    return {a.user_id for a in await data.store.answers.for_prompt(prompt_id)
            if a.scale is not None or a.text or a.voice_file_id}
