"""A small group of five, and the steps every group test starts from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.sandbox.telegram import visible_text
from bot.store import Store

GROUP_ID = -100300


@dataclass
class Group:
    chat: dict
    ana: dict  # admin, runs /setup, so a coordinator
    bruno: dict
    carla: dict
    dev: dict
    eli: dict

    @property
    def members(self) -> list[dict]:
        return [self.ana, self.bruno, self.carla, self.dev, self.eli]


def make_group(harness, chat_id: int = GROUP_ID) -> Group:
    u = harness.updates
    group = Group(
        chat=u.group_chat(chat_id, "Riverside CSO"),
        ana=u.user(601, "Ana", "Admin"),
        bruno=u.user(602, "Bruno"),
        carla=u.user(603, "Carla"),
        dev=u.user(604, "Dev", language_code="es"),
        eli=u.user(605, "Eli"),
    )
    harness.telegram.set_chat_member(chat_id, group.ana, "administrator")
    for person in group.members[1:]:
        harness.telegram.set_chat_member(chat_id, person, "member")
    return group


def last_text(harness, chat_id: int) -> str:
    return visible_text(harness.telegram.last("sendMessage", chat_id=chat_id).params["text"])


def bot_message(harness, chat_id: int, method: str = "sendMessage") -> dict:
    """The message the bot most recently sent to a chat, as Telegram stores it."""
    call = harness.telegram.last(method, chat_id=chat_id)
    return harness.telegram.message(chat_id, call.result["message_id"])


async def press(harness, chat: dict, user: dict, message: dict, data: str) -> dict:
    """Press a button; return the answerCallbackQuery the bot sent."""
    await harness.send(harness.updates.callback(chat, user, message, data))
    return harness.telegram.last("answerCallbackQuery").params


async def run_setup(harness, group: Group, *, timezone: str = "Europe/Madrid",
                    names: str = "counts", pack: str = "checklist-cso") -> str:
    """Ana runs /setup to the end; returns the confirmation text."""
    chat, ana = group.chat, group.ana
    await harness.send(harness.updates.command(chat, ana, "/setup"))
    wizard = bot_message(harness, chat["id"])
    for step, value in (("p", pack), ("c", "weekly"), ("d", "mon"), ("t", "09:00")):
        await press(harness, chat, ana, wizard, f"1|s|{step}|{value}")
    await harness.send(harness.updates.command(chat, ana, f"/timezone {timezone}"))
    for step, value in (("l", "en"), ("n", names)):
        await press(harness, chat, ana, wizard, f"1|s|{step}|{value}")
    return visible_text(harness.telegram.message(chat["id"], wizard["message_id"])["text"])


async def ask(harness, group: Group) -> dict:
    await harness.send(harness.updates.command(group.chat, group.ana, "/ask"))
    return bot_message(harness, group.chat["id"])


async def seed_due_groups(target: Path | str, count: int, first_chat_id: int, due: datetime,
                          *, cadence: str = "weekly", days: tuple[str, ...] = ("mon",)) -> None:
    """`count` groups (ids counting down from `first_chat_id`), each running
    the civil-society checklist with its next question due at `due`, quiet
    hours off so the test runs whatever the time of day. For suites that
    start the real program on a database made beforehand."""
    store = await Store.open(target)
    try:
        for number in range(count):
            chat_id = first_chat_id - number
            await store.chats.ensure(chat_id, kind="group", title=f"Group {number}",
                                     timezone="UTC", language="en")
            await store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00")
            await store.enrolments.start(chat_id, "checklist-cso", cadence=cadence,
                                         days=list(days), local_time="09:00", next_due_at=due)
    finally:
        await store.close()
