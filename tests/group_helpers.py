"""A small group of five, and the steps every group test starts from."""

from __future__ import annotations

from dataclasses import dataclass

from fake_telegram import visible_text

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
