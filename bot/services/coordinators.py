"""A group's coordinators: who they are, appointing and dismissing them, and
the groups a person coordinates."""

from __future__ import annotations

from bot.domain.records import Chat, Sighting
from bot.runtime.context import BotData


async def appoint(data: BotData, user_id: int, seen_as: Sighting, *, by: int) -> bool:
    """/coordinators add: the person (one of the group's members from now on)
    becomes a coordinator, in one step; False if they already were one."""
    return await data.store.coordinators.appoint(seen_as.chat_id, user_id, seen_as, added_by=by)


async def dismiss(data: BotData, chat_id: int, user_id: int) -> bool:
    """/coordinators remove; False if they were not one."""
    return await data.store.coordinators.remove(chat_id, user_id)


async def names(data: BotData, chat_id: int) -> list[str]:
    """The group's coordinators by the names the group knows them by (their
    user id when it never saw them)."""
    found = []
    for coordinator in await data.store.coordinators.list(chat_id):
        member = await data.store.members.get(chat_id, coordinator.user_id)
        found.append(member.display_name if member else str(coordinator.user_id))
    return found


async def groups_of(data: BotData, user_id: int) -> list[Chat]:
    """The groups a person coordinates that the bot is still in."""
    groups = []
    for group_id in await data.store.coordinators.chats_of(user_id):
        group = await data.store.chats.get(group_id)
        if group is not None and group.active and group.is_group:
            groups.append(group)
    return groups
