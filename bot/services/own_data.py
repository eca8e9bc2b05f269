"""A person's own data: their answers and actions in a group, and forgetting them (in one
group, or everything, everywhere)."""

from __future__ import annotations

from bot.domain.actions import Action, Owner
from bot.domain.design_tests import Rating
from bot.domain.records import Answer, Chat, Prompt
from bot.runtime.context import BotData


async def answers_in(data: BotData, group_id: int,
                     user_id: int) -> tuple[Chat | None, list[tuple[Prompt, Answer]]]:
    """The group, and a member's answers there with their questions."""
    store = data.store
    group = await store.chats.get(group_id)
    # All of them, however many: read off the event loop.
    return group, await store.answers.member_answers_with_prompts(group_id, user_id)


async def actions_in(data: BotData, group_id: int,
                     user_id: int) -> tuple[list[Action], list[tuple[Action, Owner]]]:
    """The actions a member started in the group, and those they are taking
    on with their own check-in and note."""
    return await data.store.exports.actions_of_member(group_id, user_id)


async def design_ratings_in(data: BotData, group_id: int,
                            user_id: int) -> list[tuple[Action, list[Rating]]]:
    """A member's own design-test ratings in the group, by action."""
    return await data.store.exports.design_ratings_of_member(group_id, user_id)


async def forget_in_group(data: BotData, chat_id: int, user_id: int) -> tuple[int, list[int]]:
    """/forget in a group, confirmed: the member's answers, reminders and
    membership there go (one step). How many answers went, and the open
    questions whose counts that changes."""
    open_prompts = await data.store.prompts.open_for_chat(chat_id)
    deleted = await data.store.forget_member_in_chat(chat_id, user_id)
    return deleted, [prompt.id for prompt in open_prompts]


async def forget_everywhere(data: BotData, user_id: int) -> None:
    """/forget in a private chat, confirmed: everything about the person (one step)."""
    await data.store.forget_person(user_id)
