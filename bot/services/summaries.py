"""The weekly summary in the group and the coordinators' digests."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.context import BotData
from bot.domain import summary as compute
from bot.domain.quiet import in_quiet_hours, quiet_hours_end
from bot.domain.records import Chat
from bot.domain.schedule import next_weekly
from bot.domain.summary_facts import GroupFacts
from bot.domain.weeks import period_label, week_of
from bot.render import chart
from bot.render import summary as render
from bot.render.question import deep_link
from bot.services import partnership, personal
from bot.services.delivery import Undeliverable, deliver

log = logging.getLogger(__name__)
# A weekly summary this late is skipped rather than posted.
STALE_AFTER = timedelta(days=1)


def next_summary_time(chat: Chat, after: datetime) -> datetime | None:
    return next_weekly(chat.summary_day, chat.summary_time, chat.timezone, after)


async def post_due_summaries(bot: Bot, data: BotData, now: datetime) -> int:
    """Post every weekly summary and recap whose time has come, several chats
    at a time (the rate limiter keeps the pace); return how many were sent."""
    limit = asyncio.Semaphore(data.settings.dispatch_concurrency)

    async def one(chat: Chat) -> bool:
        async with limit:
            return await _post_due(bot, data, chat, now)

    async def recap(chat: Chat) -> bool:
        async with limit:
            # A person's weekly recap, at the time they chose (no quiet hours:
            # they picked it themselves).
            await data.store.chats.update(chat.id,
                                          next_recap_at=personal.next_recap_time(chat, now))
            return await personal.send_recap(bot, data, chat, now)

    groups = await data.store.chats.summaries_due(now, limit=10_000)
    people = await data.store.chats.recaps_due(now, limit=10_000)
    return sum(await asyncio.gather(*(one(chat) for chat in groups),
                                    *(recap(chat) for chat in people)))


async def _post_due(bot: Bot, data: BotData, chat: Chat, now: datetime) -> bool:
    scheduled = chat.next_summary_at
    if now - scheduled > STALE_AFTER:
        # After a long outage last week's summary would only confuse.
        log.info("skipping a stale summary for chat %s", chat.id)
        await data.store.chats.update(chat.id, next_summary_at=next_summary_time(chat, now),
                                      summary_hold_until=None)
        return False
    if in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        # Held until morning, still the summary of the week it was due in.
        await data.store.chats.update(chat.id, summary_hold_until=quiet_hours_end(
            now, chat.timezone, chat.quiet_start, chat.quiet_end))
        return False
    await data.store.chats.update(chat.id, next_summary_at=next_summary_time(chat, now),
                                  summary_hold_until=None)
    if await data.store.enrolments.active_for(chat.id) is None:
        return False  # nothing to summarise until a programme runs
    return await post_summary(bot, data, chat, scheduled)


async def group_facts(bot: Bot, data: BotData, chat: Chat, now: datetime) -> GroupFacts:
    packs = data.packs
    enrolment = await data.store.enrolments.active_for(chat.id)
    pack = packs.get(enrolment.pack_id) if enrolment else None

    def theme_of(pack_id: str, item_id: str) -> str | None:
        item = packs[pack_id].item(item_id) if pack_id in packs else None
        return item.theme if item else None

    return await data.store.summaries.group_facts(
        chat.id, week_of(now, chat.timezone), theme_of,
        chat_member_count=await _people_in(bot, chat.id),
        theme_order=tuple(pack.themes) if pack else (),
    )


async def post_summary(bot: Bot, data: BotData, chat: Chat, now: datetime) -> bool:
    """This week's summary in the group (once per week), then each
    coordinator's digest in their private chat."""
    facts = await group_facts(bot, data, chat, now)
    period = period_label(facts.week)
    sent = False
    if await data.store.digests.record(chat.id, "summary", period):
        parts = render.group_summary_messages(data.catalog, compute.summarise(facts), data.packs)
        markup = None
        missing = await _coordinators_without_private_chat(data, chat.id)
        if missing:
            # Asking coordinators by name, under the summary, is the only way
            # to reach those who never opened a private chat with the bot.
            parts.append(data.catalog.text(chat.language, "weekly.open_private",
                                           names=", ".join(missing)))
            markup = InlineKeyboardMarkup([[InlineKeyboardButton(
                data.catalog.text(chat.language, "mydata.open_private"),
                url=deep_link(bot.username, "digest"))]])
        try:
            for number, part in enumerate(parts, start=1):
                last = number == len(parts)
                await deliver(data, chat.id, "sendMessage", lambda chat_id, part=part, last=last:
                              bot.send_message(chat_id, part,
                                               reply_markup=markup if last else None))
            sent = True
        except Undeliverable:
            return False
    for coordinator in await data.store.coordinators.list(chat.id):
        if await data.store.digests.record(chat.id, "digest", period, coordinator.user_id):
            await send_digest(bot, data, chat, coordinator.user_id, now, facts)
    return sent


async def send_digest(
    bot: Bot, data: BotData, chat: Chat, user_id: int, now: datetime,
    facts: GroupFacts | None = None,
) -> bool:
    """A coordinator's digest of one group, in their private chat; False if
    they have not started the bot (or blocked it)."""
    private = await data.store.chats.get(user_id)
    if private is None or not private.active:
        return False
    facts = facts or await group_facts(bot, data, chat, now)
    digest = compute.digest(facts, now)
    try:
        for part in render.digest_messages(data.catalog, digest, data.packs):
            await deliver(data, user_id, "sendMessage",
                          lambda chat_id, part=part: bot.send_message(chat_id, part))
        # Drawing takes a quarter of a second of CPU: off the event loop, so
        # updates and other sends go on meanwhile.
        async with data.drawing:
            picture = await asyncio.to_thread(chart.render_chart, compute.chart_data(facts),
                                              data.catalog, facts.language, data.packs)
        await deliver(data, user_id, "sendPhoto", lambda chat_id: bot.send_photo(
            chat_id, picture, caption=data.catalog.text(
                private.language, "weekly.chart_caption", title=chat.title or "")))
        await partnership.digest_section(bot, data, chat, user_id)
    except Undeliverable:
        return False
    return True


async def _coordinators_without_private_chat(data: BotData, chat_id: int) -> list[str]:
    names = []
    for coordinator in await data.store.coordinators.list(chat_id):
        private = await data.store.chats.get(coordinator.user_id)
        if private is None or not private.active:
            member = await data.store.members.get(chat_id, coordinator.user_id)
            names.append(member.display_name if member else str(coordinator.user_id))
    return names


async def _people_in(bot: Bot, chat_id: int) -> int | None:
    """Telegram's member count, less the bot itself; None if unknown."""
    try:
        return max(await bot.get_chat_member_count(chat_id) - 1, 0)
    except TelegramError:
        return None
