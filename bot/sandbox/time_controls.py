"""The time controls: move the sandbox's clock forward, doing the scheduled work on the way.

A jump walks through the time it skips in small steps and runs the schedule's tick at each,
as the running bot would have: a question due on Monday, the reminders before it closes,
quiet hours and Friday's summary all happen, in order, at their moment. Then the live counts
waiting to be edited are edited at once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from .cast import GROUP_ID, GROUP_TITLE
from .session import Sandbox, SandboxError

# How finely a jump walks through time; the bot's own tick runs every minute, but every
# time a person can choose (questions, summaries, quiet hours) falls on a quarter hour.
STEP = timedelta(minutes=15)
WEEK = timedelta(days=7)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass
class Jump:
    """What a jump did, for the line the page shows."""

    moved: timedelta = timedelta(0)
    sent: Counter = field(default_factory=Counter)  # chat id -> new messages from the bot
    summaries: int = 0

    def describe(self, chat_name) -> str:
        hours = int(self.moved.total_seconds() // 3600)
        days, hours = divmod(hours, 24)
        minutes = int(self.moved.total_seconds() // 60) % 60
        span = " ".join(part for part in (
            f"{days} day{'s' if days != 1 else ''}" if days else "",
            f"{hours} h" if hours else "",
            f"{minutes} min" if minutes and not days else "",
        ) if part)
        moved = f"Moved {span} ahead." if span else "No need to move time."
        if not self.sent:
            return f"{moved} The bot had nothing to send."
        where = ", ".join(f"{count} to {chat_name(chat)}" for chat, count in self.sent.items())
        total = sum(self.sent.values())
        return f"{moved} The bot sent {total} message{'s' * (total != 1)}: {where}."


class TimeMachine:
    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._busy = False

    @contextmanager
    def alone(self) -> Iterator[None]:
        """One control at a time: a second press while one works (another tab's, say) is
        refused, not run again after it (two "next questions", two claims of one jump)."""
        if self._busy:
            raise SandboxError(BUSY)
        self._busy = True
        try:
            yield
        finally:
            self._busy = False

    async def advance_to(self, target: datetime) -> Jump:
        clock = self.sandbox.clock
        jump = Jump()
        start = clock()

        def count_new(event: dict) -> None:
            message = event.get("message") if event["type"] == "message" else None
            if message and message["from"]["is_bot"] and not message["edited"]:
                jump.sent[message["chat_id"]] += 1

        self.sandbox.feed.on_event(count_new)
        try:
            # Steps on the quarter hours between now and the target, then the target itself.
            moment = _EPOCH + ((start - _EPOCH) // STEP + 1) * STEP
            while moment < target:
                clock.move_to(moment)
                jump.summaries += (await self.sandbox.tick()).summaries
                moment += STEP
            clock.move_to(target)
            jump.summaries += (await self.sandbox.tick()).summaries
            await self.sandbox.run_count_jobs()
        finally:
            self.sandbox.feed.off_event(count_new)
        jump.moved = clock() - start
        self.sandbox.feed.publish({"type": "clock", "now": int(clock().timestamp())})
        return jump

    async def chat_meant(self, chat_id: int) -> tuple[int, str]:
        """The chat "Next question now" acts on, and why, if not the one open: a private chat
        without a personal programme means the group (the coordinator reading a digest wants
        the group's next question, not a refusal)."""
        store = self.sandbox.app.bot_data.store
        if chat_id == GROUP_ID or await _has_schedule(store, chat_id):
            return chat_id, ""
        if await _has_schedule(store, GROUP_ID):
            return GROUP_ID, (f"Your chat with the bot has no personal programme, so this is "
                              f"{GROUP_TITLE}'s next question.")
        return chat_id, ""

    async def next_question(self, chat_id: int) -> Jump:
        """To the moment the chat's programme sends its next question, and it is sent.

        Quiet hours may hold a question back; the jump then goes on to their end."""
        store = self.sandbox.app.bot_data.store
        total = Jump()
        for _ in range(3):
            enrolment = await store.enrolments.active_for(chat_id)
            if enrolment is None or enrolment.next_due_at is None:
                raise SandboxError(NO_GROUP_PROGRAMME if chat_id == GROUP_ID
                                   else NO_PERSONAL_PROGRAMME)
            if enrolment.paused:
                raise SandboxError("The programme is paused: send /resume first.")
            target = max(enrolment.next_due_at, enrolment.hold_until or enrolment.next_due_at)
            jump = await self.advance_to(max(target, self.sandbox.clock()))
            _add(total, jump)
            if jump.sent[chat_id]:
                break
        return total

    async def weekly_summary(self) -> Jump:
        """To the group's weekly summary (and the coordinators' digests)."""
        chat = await self.sandbox.app.bot_data.store.chats.get(GROUP_ID)
        if chat is None or chat.next_summary_at is None:
            raise SandboxError(NO_GROUP_PROGRAMME)
        return await self.advance_to(max(chat.next_summary_at, self.sandbox.clock()))

    async def week_later(self) -> Jump:
        return await self.advance_to(self.sandbox.clock() + WEEK)

    def chat_name(self, chat_id: int) -> str:
        if chat_id == GROUP_ID:
            return GROUP_TITLE
        person = self.sandbox.people.get(chat_id)
        return person["first_name"] if person else str(chat_id)


NO_GROUP_PROGRAMME = (f"{GROUP_TITLE} has no programme yet: as Amara (the coordinator), "
                      "send /setup in the group first.")
BUSY = ("Another time control is still at work (in this tab or another): nothing was done. "
        "Its result shows in the chats when it is done.")
NO_PERSONAL_PROGRAMME = ("This chat has no personal programme yet: send /programme (or "
                         "/start) here first.")


async def _has_schedule(store, chat_id: int) -> bool:
    enrolment = await store.enrolments.active_for(chat_id)
    return enrolment is not None and enrolment.next_due_at is not None


def _add(total: Jump, jump: Jump) -> None:
    total.moved += jump.moved
    total.sent.update(jump.sent)
    total.summaries += jump.summaries
