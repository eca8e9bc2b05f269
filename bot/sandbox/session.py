"""The sandbox: the real Application from build_application, talking to the stand-in
Telegram, and the one door through which the page (and the simulated neighbours) act.

Everything a person does becomes the update Telegram would deliver; the Application
handles it exactly as in production. Updates, ticks and timed jobs take turns, like the
updates of one chat in a real deployment, so a time jump never races a button press.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from datetime import datetime
from urllib.parse import parse_qs, urlparse

from telegram import Update

from bot.app import build_application
from bot.config import Settings
from bot.runtime.context import BotApplication, BotContext
from bot.services import dispatch
from bot.services.dispatch import TickReport

from .cast import GROUP_AGE, GROUP_ID, GROUP_TITLE, NEIGHBOURS
from .clock import MovableClock
from .feed import ChatFeed
from .telegram import BOT_ID, BOT_USERNAME, FakeTelegram, UpdateFactory

log = logging.getLogger(__name__)

# Well-formed, so the bot starts as it would with a real one; it never leaves this process.
SANDBOX_TOKEN = f"{BOT_ID}:sandbox-not-a-real-token-0000000000"
MAX_TEXT = 4096  # what a Telegram client lets one send in a message
TICK_SECONDS = 60.0


class SandboxError(Exception):
    """Something the page asked that a Telegram client could not do; says why, in a line."""


def real_settings_in(settings: Settings) -> list[str]:
    """What in `settings` belongs to a real bot: a sandbox given any of it refuses to start
    (its settings come from runner.sandbox_settings, which clears them all)."""
    found = [name for name in ("database_url", "webhook_url", "api_base_url")
             if getattr(settings, name)]
    return found + ([] if settings.token == SANDBOX_TOKEN else ["token"])


class Sandbox:
    def __init__(self, settings: Settings, clock: MovableClock | None = None) -> None:
        # A demo must be unable to touch real data, whoever builds it.
        real = real_settings_in(settings)
        if real:
            raise SandboxError(f"a sandbox never uses a real bot's {', '.join(real)}")
        self.settings = settings
        self.clock = clock or MovableClock(behind=GROUP_AGE)
        self.telegram = FakeTelegram(clock=self.clock)
        self.feed = ChatFeed(self.telegram)
        self.updates = UpdateFactory(self.telegram)
        self.app: BotApplication = build_application(settings, request=self.telegram,
                                                      clock=self.clock)
        self.turn = asyncio.Lock()
        self.people = {
            n.id: self.updates.user(n.id, n.first_name, n.last_name, language_code=n.language)
            for n in NEIGHBOURS
        }
        self.group = self.updates.group_chat(GROUP_ID, GROUP_TITLE, "supergroup")
        for n in NEIGHBOURS:
            self.telegram.set_chat_member(GROUP_ID, n.id, "creator" if n.coordinator else "member")

    # -- life ------------------------------------------------------------------------------
    async def start(self) -> None:
        """What run_polling does before it polls; then the group is formed (once a database)."""
        app = self.app
        await app.initialize()
        await app.post_init(app)
        await app.start()
        if await app.bot_data.store.chats.get(GROUP_ID) is None:
            await self._form_group()  # in the past, if the clock started behind
            self.clock.catch_up()
        else:
            # A kept database may have lived weeks ahead: never go back before its latest.
            self.clock.catch_up()
            self.clock.move_to(await self._latest_question_time())
            self.feed.add_note(GROUP_ID, "The sandbox restarted on a kept database: earlier "
                               "messages are not shown, programmes and answers are kept.")
        # The schedule's tick, as in production but taking its turn with the page's actions.
        app.job_queue.run_repeating(self._scheduled_tick, interval=TICK_SECONDS, first=1,
                                    name="sandbox:tick")

    async def _latest_question_time(self) -> datetime:
        store = self.app.bot_data.store
        latest = self.clock()
        for chat_id in (GROUP_ID, *self.people):
            enrolment = await store.enrolments.active_for(chat_id)
            asked = enrolment and await store.prompts.last_slot_time(enrolment.id)
            if asked and asked > latest:
                latest = asked
        return latest

    async def stop(self) -> None:
        app = self.app
        if app.running:
            await app.stop()
            await app.post_stop(app)
        await app.post_shutdown(app)
        await app.shutdown()

    async def _form_group(self) -> None:
        """Amara creates the group, adds the neighbours and the bot."""
        amara = self.people[NEIGHBOURS[0].id]
        members = [self.people[n.id] for n in NEIGHBOURS[1:]]
        bot_user = self.telegram.state.bot_user
        await self.deliver(self.updates.members_added(self.group, amara, [*members, bot_user]))
        await self.deliver(self.updates.bot_added(self.group, amara))

    # -- what people do --------------------------------------------------------------------
    async def deliver(self, update: dict, shown_as: str | None = None) -> None:
        """Hand one update to the Application and wait until its handlers are done.
        ``shown_as``: what the page shows of the person's message, if not its text."""
        for kind in ("message", "edited_message"):
            if kind in update:
                self.feed.add_message(update[kind], shown_as)
        async with self.turn:
            await self.app.process_update(Update.de_json(copy.deepcopy(update), self.app.bot))

    def person(self, user_id: int) -> dict:
        if user_id not in self.people:
            raise SandboxError(f"nobody with id {user_id} lives in {GROUP_TITLE}")
        return self.people[user_id]

    def chat(self, user_id: int, chat_id: int) -> dict:
        """A chat the person may write in: the group, or their own chat with the bot."""
        if chat_id == GROUP_ID:
            return self.group
        if chat_id == user_id:
            return self.updates.private_chat(self.person(user_id))
        raise SandboxError("you can write only in the group and in your own chat with the bot")

    async def say(self, user_id: int, chat_id: int, text: str,
                  reply_to: int | None = None, shown_as: str | None = None) -> dict:
        """Send a message (a command too) as ``user_id``; returns it as Telegram stored it."""
        person, chat = self.person(user_id), self.chat(user_id, chat_id)
        text = text.strip()
        if not 1 <= len(text) <= MAX_TEXT:
            raise SandboxError(f"a message has 1 to {MAX_TEXT} characters")
        replied = None
        if reply_to is not None:
            replied = self.telegram.state.message(chat_id, reply_to)
            if replied is None:
                raise SandboxError("the message you reply to is not there any more")
        update = self.updates.message(chat, person, text, reply_to=replied)
        if chat_id == GROUP_ID and not _reaches_bot(text, replied):
            # Privacy mode: in a group the bot only gets commands and replies to itself.
            self.feed.add_message(update["message"])
        else:
            await self.deliver(update, shown_as)
        return update["message"]

    async def press(self, user_id: int, chat_id: int, message_id: int, data: str) -> None:
        """Tap an inline button of a message; only a button that is on it."""
        person, chat = self.person(user_id), self.chat(user_id, chat_id)
        message = self.telegram.state.message(chat_id, message_id)
        buttons = [button for row in ((message or {}).get("reply_markup") or {}).get(
            "inline_keyboard", []) for button in row]
        if not any(button.get("callback_data") == data for button in buttons):
            raise SandboxError("that button is not on this message (any more)")
        update = self.updates.callback(chat, person, message, data)
        self.feed.pressed(update["callback_query"]["id"], user_id)
        await self.deliver(update)

    async def open_link(self, user_id: int, url: str) -> int:
        """A t.me link to the bot: open the person's chat with it and send /start <payload>.
        Returns the chat opened."""
        payload = start_payload(url)
        if payload is None:
            raise SandboxError(f"only links to @{BOT_USERNAME} open inside the sandbox")
        # Telegram's apps show the person's message as "/start", the payload unseen.
        await self.say(user_id, user_id, f"/start {payload}".strip(), shown_as="/start")
        return user_id

    # -- time ------------------------------------------------------------------------------
    async def tick(self) -> TickReport:
        """One run of the schedule at the clock's current time."""
        async with self.turn:
            return await dispatch.tick(self.app.bot, self.app.bot_data)

    async def run_count_jobs(self) -> int:
        """Edit the live counts now instead of a few seconds later."""
        async with self.turn:
            return await self.app.bot_data.counts.now(self.app.bot, self.app.bot_data)

    async def _scheduled_tick(self, context: BotContext) -> None:
        report = await self.tick()
        if report.sent or report.summaries:
            log.info("sandbox tick: %d sent, %d summaries", report.sent, report.summaries)


def split_message(text: str, limit: int = MAX_TEXT) -> list[str]:
    """A text as Telegram's apps send it: in messages of at most ``limit`` characters, each
    cut at the last line break before the limit, or the last space if that is far back (a
    longer word is cut at the limit)."""
    text = text.strip()
    parts = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit + 1)
        if cut < limit // 2:  # no line break in the second half: the last space
            cut = max(cut, text.rfind(" ", 0, limit + 1))
        if cut <= 0:
            cut = limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].strip()
    return [*parts, text] if text else parts


def _reaches_bot(text: str, replied: dict | None) -> bool:
    if text.startswith("/") or f"@{BOT_USERNAME}".lower() in text.lower():
        return True
    return replied is not None and replied.get("from", {}).get("id") == BOT_ID


def start_payload(url: str) -> str | None:
    """"" or the start parameter of a t.me link to the bot; None for any other link."""
    parsed = urlparse(url)
    if parsed.scheme not in ("https", "http") or parsed.netloc.lower() not in (
        "t.me", "telegram.me"
    ):
        return None
    if parsed.path.strip("/").lower() != BOT_USERNAME.lower():
        return None
    return parse_qs(parsed.query).get("start", [""])[0]
