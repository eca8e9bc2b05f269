"""Who is where: the chats the bot is in, and the people seen in its groups."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.records import Chat, Sighting
from bot.runtime.context import BotData


async def remember_chat(data: BotData, chat_id: int, *, is_group: bool, title: str | None,
                        person_language: str | None) -> Chat:
    """The chat as stored; recorded the first time the bot hears from it (or
    is back in it), keeping any settings it had. A new chat speaks the
    person's language when the bot has it."""
    stored = await data.store.chats.get(chat_id)
    if stored is not None and stored.active:
        return stored
    settings = data.settings
    language = data.catalog.language_for(stored.language if stored else None, person_language,
                                         settings.default_language)
    return await data.store.chats.ensure(
        chat_id, kind="group" if is_group else "private", title=title if is_group else None,
        timezone=stored.timezone if stored else settings.default_timezone, language=language)


async def remember_member(data: BotData, chat_id: int, user_id: int, name: str,
                          username: str | None) -> None:
    """Someone took part in a group (joined, used a command)."""
    await data.store.members.seen(chat_id, user_id, name, username)


async def set_quiet(data: BotData, chat_id: int, user_id: int, quiet: bool,
                    seen_as: Sighting | None) -> None:
    """/quiet: no reminders for this member (or reminders again); with
    `seen_as`, they are one of the group's members from now on if they were not."""
    await data.store.members.set_quiet(chat_id, user_id, quiet, seen_as=seen_as)


async def people_joined(data: BotData, chat_id: int,
                        people: Sequence[tuple[int, str, str | None]]) -> None:
    """People Telegram says joined a group (user id, name, username)."""
    if people:
        data.member_counts.changed(chat_id)
        await data.store.members.seen_all(chat_id, people)


async def person_left(data: BotData, chat_id: int, user_id: int) -> None:
    data.member_counts.changed(chat_id)
    await data.store.members.mark_left(chat_id, user_id)


async def bot_removed(data: BotData, chat_id: int) -> None:
    """Removed from a group, or blocked in a private chat: nothing more is sent there."""
    await data.store.chats.set_active(chat_id, False)


async def became_supergroup(data: BotData, old_id: int, new_id: int) -> bool:
    """Every row follows the group to its new id; False if there was nothing
    (left) to move."""
    return await data.store.chats.migrate(old_id, new_id)
