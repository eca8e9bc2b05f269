"""The weekly summary in the group and the coordinators' digests.

When a group's summary time comes, the tick records that week's summary and
each reachable coordinator's digest in the outbox (one step, guarded by the
due time); the senders below render them from the database when they go
out, so a retry after a failure sends the same week, whenever it happens.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import date, datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import TelegramError

from bot.domain import summary as compute
from bot.domain.quiet import in_quiet_hours, quiet_hours_end
from bot.domain.records import Chat, OutboxItem
from bot.domain.schedule import next_weekly, slot_time
from bot.domain.summary_facts import GroupFacts
from bot.domain.weeks import monday_of, period_label, week_bounds, week_of
from bot.render import chart
from bot.render import summary as render
from bot.render.question import deep_link
from bot.render.split import with_last_line
from bot.runtime.context import BotData
from bot.services import actions, digest_worker, joint_actions, outbox, partnership, personal
from bot.services.delivery import Attempt, Outcome, Undeliverable, attempt, deliver
from bot.store.first_questions import questions_of_week

log = logging.getLogger(__name__)
# A weekly summary this late is skipped rather than posted.
STALE_AFTER = timedelta(days=1)
# A week's summary comes no sooner than this after the week's first question
# (see docs/using/weekly.md for why a day).
ANSWERING_TIME = timedelta(days=1)
_PLAN_BATCH = 500  # chats read at a time when planning summaries and recaps


def next_summary_time(chat: Chat, after: datetime) -> datetime | None:
    return next_weekly(chat.summary_day, chat.summary_time, chat.timezone, after)


async def plan_due(data: BotData, now: datetime) -> int:
    """Record every summary, digest and recap whose time has come; return
    how many outbox rows that made."""
    made = 0
    async for chat in _in_batches(data.store.chats.summaries_due, now):
        made += len(await _plan_summary(data, chat, now))
    async for chat in _in_batches(data.store.chats.recaps_due, now):
        due_at = chat.next_recap_at
        # A person's recap comes at the time they chose (no quiet hours:
        # they picked it themselves), about the week before it.
        row = await data.store.weekly.plan_recap(
            chat.id, due_at, personal.next_recap_time(chat, now),
            period_label(week_of(due_at - timedelta(seconds=1), chat.timezone)))
        made += row is not None
    return made


async def _in_batches(due: Callable[..., Awaitable[list[Chat]]],
                      now: datetime) -> AsyncIterator[Chat]:
    """The chats `due` returns, a batch at a time: planning one moves it out
    of the due set, and 10,000 chats read at once held tens of megabytes for
    the whole round. A chat that stays due (planning it failed) is offered
    once; the next tick tries it again."""
    offered: set[int] = set()
    for _ in range(1_000):
        batch = [chat for chat in await due(now, limit=_PLAN_BATCH) if chat.id not in offered]
        if not batch:
            return
        for chat in batch:
            offered.add(chat.id)
            yield chat


async def _plan_summary(data: BotData, chat: Chat, now: datetime) -> list[int]:
    due_at = chat.next_summary_at
    following = next_summary_time(chat, now)
    # Stale counted from when it was last meant to go (after a hold).
    if now - max(due_at, chat.summary_hold_until or due_at) > STALE_AFTER:
        # After a long outage last week's summary would only confuse.
        log.info("skipping a stale summary for chat %s", chat.id)
        return await data.store.weekly.plan_summary(chat.id, due_at, following, None)
    asked, this_week = await questions_of_week(
        data.store.db, chat.id, *week_bounds(week_of(due_at, chat.timezone), chat.timezone))
    if not asked:
        # Set up, but not asked anything by the end of the week: a summary
        # would report on nothing.
        log.info("no question yet in chat %s: its first summary waits a week", chat.id)
        return await data.store.weekly.plan_summary(chat.id, due_at, following, None)
    # When the week's first question was meant to go out: its scheduled time
    # (one that went out late after an outage does not hold the summary back
    # further), or when it was asked for.
    began = min((slot_time(slot) or opened_at for slot, opened_at in this_week), default=None)
    if began is not None and now < began + ANSWERING_TIME:
        # Only just out (the question time is the summary's, or the group's
        # very first question came just before it): this same week's summary
        # waits until people have had time to answer.
        await data.store.weekly.hold_summary(chat.id, began + ANSWERING_TIME)
        return []
    if in_quiet_hours(now, chat.timezone, chat.quiet_start, chat.quiet_end):
        # Held until morning, still the summary of the week it was due in.
        await data.store.weekly.hold_summary(chat.id, quiet_hours_end(
            now, chat.timezone, chat.quiet_start, chat.quiet_end))
        return []
    return await data.store.weekly.plan_summary(
        chat.id, due_at, following, period_label(week_of(due_at, chat.timezone)))


async def group_facts(bot: Bot, data: BotData, chat: Chat, week: date, *,
                      members_heard: bool = True, asked_now: bool = False) -> GroupFacts:
    """The group's week; `asked_now` (a command someone just gave): its
    member count asked of Telegram afresh."""
    return await digest_worker.read_facts(data.store, data.packs, chat.id, week,
                                          await _people_in(bot, data, chat.id, fresh=asked_now),
                                          members_heard=members_heard)


async def shared_group_facts(bot: Bot, data: BotData, chat: Chat, week: date) -> GroupFacts:
    """`group_facts`, read once for a group's summary and its digests when
    they go out together (see services.week_facts)."""
    return await data.week_facts.get(chat.id, week,
                                     lambda: group_facts(bot, data, chat, week))


async def send_summary(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for a group's weekly summary (in parts if long)."""
    chat = await data.store.chats.get(item.chat_id)
    if chat is None or not chat.active or not chat.is_group:
        return outbox.skipped(item.chat_id, "the group is gone")
    week = monday_of(item.period)
    parts = await _summary_parts(bot, data, chat, week)
    doing = await actions.week_block(data, chat, week)
    if doing is not None:
        parts.append(doing)
    markup = None
    unasked = await data.store.coordinators.not_yet_asked_for_private_chat(chat.id)
    if unasked:
        # A coordinator who never opened a private chat can only be reached
        # here: one line under the summary, naming nobody, once for each.
        parts.append(data.catalog.text(chat.language, "weekly.open_private"))
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(
            data.catalog.text(chat.language, "mydata.open_private"),
            url=deep_link(bot.username, "digest"))]])
    # The last part is the message the outbox remembers: a reply to it with
    # /action makes an action from this week's summary.
    parts = with_last_line(parts, data.catalog.text(chat.language, "actions.summary_hint"))
    last = len(parts) - 1
    result = await outbox.send_parts(data, item, [
        (lambda text=text, keyboard=(markup if number == last else None):
         attempt(data, item.chat_id, "sendMessage",
                 lambda chat_id: bot.send_message(chat_id, text, reply_markup=keyboard)))
        for number, text in enumerate(parts)
    ])
    if unasked and result.outcome in (Outcome.SENT, Outcome.UNKNOWN):
        await data.store.coordinators.asked_for_private_chat(chat.id, unasked)
    return result


async def send_digest_item(bot: Bot, data: BotData, item: OutboxItem) -> Attempt:
    """The outbox's sender for a coordinator's weekly digest of one group."""
    group = await data.store.chats.get(item.subject_id) if item.subject_id else None
    private = await data.store.chats.get(item.chat_id)
    if group is None or private is None or not private.active:
        return outbox.skipped(item.chat_id, "the group or the private chat is gone")
    if not await data.store.coordinators.is_coordinator(group.id, item.chat_id):
        return outbox.skipped(item.chat_id, "no longer a coordinator")
    week = monday_of(item.period)
    if _digests_in_worker(data):
        # Read, rendered and drawn in a chart worker: off the event loop.
        try:
            made = await data.charts.draw(
                digest_worker.make_digest, data.store.db.path, group.id, week, data.now(),
                await _people_in(bot, data, group.id), data.catalog, data.packs)
        except Exception:
            log.warning("a chart worker could not make the digest of chat %s; making it here",
                        group.id, exc_info=True)
        else:
            if made is None:
                return outbox.skipped(item.chat_id, "the group is gone")
            return await outbox.send_parts(data, item, _digest_sends(
                bot, data, group, private, made.texts, lambda: _ready(made.picture),
                made.chart_data))
    facts = await shared_group_facts(bot, data, group, week)
    return await outbox.send_parts(data, item, _digest_part_sends(bot, data, group, private,
                                                                  facts))


async def _summary_parts(bot: Bot, data: BotData, chat: Chat, week: date) -> list[str]:
    """The summary's messages: read and rendered in a chart worker when the
    digests are made there, else here (shared with the digests)."""
    if _digests_in_worker(data):
        try:
            parts = await data.charts.draw(
                digest_worker.make_summary, data.store.db.path, chat.id, week,
                await _people_in(bot, data, chat.id), data.catalog, data.packs)
        except Exception:
            log.warning("a chart worker could not make the summary of chat %s; making it here",
                        chat.id, exc_info=True)
        else:
            if parts is not None:
                return parts
        # Read for the summary alone (without the members' history, which
        # only a digest shows).
        facts = await group_facts(bot, data, chat, week, members_heard=False)
    else:
        facts = await shared_group_facts(bot, data, chat, week)
    return render.group_summary_messages(data.catalog, compute.summarise(facts), data.packs)


def _digests_in_worker(data: BotData) -> bool:
    """Whether the round's digests are read and rendered in a chart worker
    (then a group's summary has nobody to share its reading with)."""
    return digest_worker.worker_can_read(data.store, data.charts.workers if data.charts else 0)


async def send_digest(bot: Bot, data: BotData, group: Chat, user_id: int,
                      now: datetime) -> bool:
    """/digest: this week's digest of a group, now, in the coordinator's
    private chat; False if they have not started the bot (or blocked it)."""
    private = await data.store.chats.get(user_id)
    if private is None or not private.active:
        return False
    facts = await group_facts(bot, data, group, week_of(now, group.timezone), asked_now=True)
    for send in _digest_part_sends(bot, data, group, private, facts):
        result = await send()
        if result.outcome is not Outcome.SENT:
            return False
    return True


def _digest_part_sends(bot: Bot, data: BotData, group: Chat, private: Chat,
                       facts: GroupFacts) -> list:
    """The digest read and rendered here, its chart drawn in a worker."""
    texts = render.digest_messages(data.catalog, compute.digest(facts, data.now()), data.packs)
    drawn = compute.chart_data(facts)
    # Drawing costs a tenth of a second of CPU or more: in a worker
    # process, so updates and other sends go on meanwhile.
    return _digest_sends(bot, data, group, private, texts, lambda: data.charts.draw(
        chart.render_chart, drawn, data.catalog, facts.language,
        data.packs), drawn)


async def _ready(value: bytes) -> bytes:
    return value


def _digest_sends(bot: Bot, data: BotData, group: Chat, private: Chat, texts: list[str],
                  picture: Callable[[], Awaitable[bytes]], shown: compute.ChartData) -> list:
    sends = [
        (lambda text=text: attempt(data, private.id, "sendMessage",
                                   lambda chat_id: bot.send_message(chat_id, text)))
        for text in texts
    ]

    async def send_chart() -> Attempt:
        drawn = await picture()
        # The chart's numbers in words: a screen reader reads no picture.
        caption = chart.chart_caption(shown, data.catalog, private.language, data.packs,
                                      group.title or "")
        return await attempt(data, private.id, "sendPhoto", lambda chat_id: bot.send_photo(
            chat_id, drawn, caption=caption))

    async def send_could_use_a_hand() -> Attempt:
        # Stuck actions, with the notes their owners shared (none: no message).
        text = await actions.digest_block(data, group, group.language)
        if text is None:
            return Attempt(Outcome.SENT, private.id)
        return await attempt(data, private.id, "sendMessage",
                             lambda chat_id: bot.send_message(chat_id, text))

    async def send_partnerships() -> Attempt:
        # Each partner group's averages side by side (none when unlinked).
        try:
            await partnership.digest_section(bot, data, group, private.id)
            # Joint actions whose pair came round again: did it help?
            await joint_actions.digest_section(bot, data, group, private.id)
        except Undeliverable as failure:
            return failure.attempt
        return Attempt(Outcome.SENT, private.id)

    return [*sends, send_chart, send_could_use_a_hand, send_partnerships]


async def post_summary_now(bot: Bot, data: BotData, chat: Chat) -> bool:
    """/summary: this week's summary in the group now (the weekly one still
    comes); False when it could not be posted (the coordinator is told)."""
    week = week_of(data.now(), chat.timezone)
    facts = await group_facts(bot, data, chat, week, members_heard=False, asked_now=True)
    parts = render.group_summary_messages(data.catalog, compute.summarise(facts), data.packs)
    doing = await actions.week_block(data, chat, week)
    for part in [*parts, doing] if doing is not None else parts:
        try:
            await deliver(data, chat.id, "sendMessage",
                          lambda chat_id, part=part: bot.send_message(chat_id, part))
        except Undeliverable:
            return False
    return True


async def _people_in(bot: Bot, data: BotData, chat_id: int, *,
                     fresh: bool = False) -> int | None:
    """Telegram's member count, less the bot itself; None if unknown. Asked
    once for a group's summary and digests (bot.runtime.member_counts), unless
    `fresh`."""
    async def ask() -> int | None:
        try:
            return max(await bot.get_chat_member_count(chat_id) - 1, 0)
        except TelegramError:
            return None

    return await data.member_counts.get(chat_id, ask, fresh=fresh)
