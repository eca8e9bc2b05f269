"""Reminders for the members whose voice is missing, when a question closes soon:
privately, by name, to those who started the bot; otherwise one invitation
to the whole group that names and counts nobody."""

from __future__ import annotations

import logging

from telegram import Bot, ReplyParameters

from bot.context import BotData
from bot.domain.nudges import NudgeCandidate, NudgePlan, closes_at, plan_nudges
from bot.domain.quiet import in_quiet_hours
from bot.domain.records import Prompt
from bot.render import nudges as render
from bot.services.delivery import Undeliverable, deliver

log = logging.getLogger(__name__)


async def nudge_before_closing(bot: Bot, data: BotData, prompt: Prompt) -> int:
    """The closing-soon hook: remind who has not answered; return how many
    messages were sent."""
    store, catalog = data.store, data.catalog
    chat = await store.chats.get(prompt.chat_id)
    if chat is None or not chat.active or not chat.nudges_enabled:
        return 0
    now = data.now()
    if in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        return 0
    answers = await store.answers.for_prompt(prompt.id)
    answered = {a.user_id for a in answers
                if a.scale is not None or a.text or a.voice_file_id}
    candidates = []
    private_chats = {}
    for member in await store.members.list_current(chat.id):
        private = private_chats[member.user_id] = await store.chats.get(member.user_id)
        candidates.append(NudgeCandidate(
            user_id=member.user_id, name=member.display_name,
            answered=member.user_id in answered, quiet=member.quiet,
            last_nudged_at=await store.nudges.last_sent_to(member.user_id),
            has_private_chat=private is not None and private.active,
        ))
    plan = plan_nudges(candidates, now)
    enrolment = await store.enrolments.get(prompt.enrolment_id)
    closes = closes_at(prompt.closes_at, enrolment.next_due_at if enrolment else None)
    weekly = enrolment is not None and enrolment.cadence == "weekly"
    sent = 0
    for person in plan.privately:
        if not await store.nudges.record(prompt.id, chat.id, person.user_id, "private"):
            continue
        private = private_chats[person.user_id]
        text, button = render.private_reminder(
            catalog, private.language, person, group_title=chat.title or "",
            answered=len(answered), weekly=weekly, closes=closes, timezone=chat.timezone,
            prompt_id=prompt.id, bot_username=bot.username)
        try:
            await deliver(data, person.user_id, "sendMessage",
                          lambda chat_id, text=text, button=button: bot.send_message(
                              chat_id, text, reply_markup=button))
            sent += 1
        except Undeliverable:
            log.info("could not remind %s privately", person.user_id)
    if plan.invite_group and await _claim_group_invitation(data, prompt, plan):
        text, button = render.group_invitation(
            catalog, chat.language, closes=closes, timezone=chat.timezone, prompt_id=prompt.id,
            bot_username=bot.username)
        reply = ReplyParameters(prompt.message_id, allow_sending_without_reply=True)
        try:
            await deliver(data, chat.id, "sendMessage", lambda chat_id: bot.send_message(
                chat_id, text, reply_parameters=reply, reply_markup=button))
            sent += 1
        except Undeliverable:
            log.info("could not invite group %s to answer prompt %s", chat.id, prompt.id)
    return sent


async def _claim_group_invitation(data: BotData, prompt: Prompt, plan: NudgePlan) -> bool:
    """At most one invitation a question: recorded against the group itself
    (its chat id as the recipient), and as the reminder of each member it
    was for, so their once-a-week limit holds as for a private reminder."""
    nudges = data.store.nudges
    if not await nudges.record(prompt.id, prompt.chat_id, prompt.chat_id, "group"):
        return False
    claimed = [person for person in plan.in_group
               if await nudges.record(prompt.id, prompt.chat_id, person.user_id, "group")]
    return bool(claimed)
