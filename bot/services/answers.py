"""Answers to a group's question: a tap on its scale, consent to be quoted, a
comment (given in the group or privately) and its edits, and which question
a button or a reply is about.

Each answer is one step in the store, the person counted as one of the
group's members in the same step (see AnswerRepository.record).
"""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.records import Prompt, Sighting
from bot.runtime.context import BotData


async def prompt_under(data: BotData, chat_id: int, message_id: int, prompt_id: int, *,
                       in_group: bool, shows_it: Callable[[], bool]) -> Prompt | None:
    """The prompt `prompt_id` if the message a button sits under is a copy of
    it in this chat: in a private chat, the copy sent there or the person's
    own prompt; in a group, see `copy_of`."""
    prompts = data.store.prompts
    if not in_group:
        prompt = (await prompts.by_private_message(chat_id, message_id)
                  or await prompts.by_message(chat_id, message_id))
        return prompt if prompt is not None and prompt.id == prompt_id else None
    return await copy_of(data, chat_id, message_id, prompt_id, shows_it)


async def copy_of(data: BotData, chat_id: int, message_id: int, prompt_id: int,
                  shows_it: Callable[[], bool]) -> Prompt | None:
    """The group's prompt `prompt_id` if the message is a copy of it: the one
    the bot recorded, or another that reached the group when the bot never
    learned how a send ended (`shows_it`: the message carries the prompt's
    own buttons); the bot learns that one's id then."""
    prompt = await data.store.prompts.get(prompt_id)
    if prompt is None or prompt.chat_id != chat_id:
        return None
    if prompt.message_id == message_id:
        return prompt
    if not shows_it():
        return None  # not a copy we can recognise: only the recorded one counts
    if prompt.message_id is None:
        # What the bot finds out about its own message, whatever the person
        # then does with it: their answer is its own step after this.
        await data.store.prompts.learn_message(prompt.id, message_id)
    return prompt


async def replied_to(data: BotData, chat_id: int, replied_message_id: int, *, in_group: bool,
                     named: Callable[[], int | None]) -> Prompt | None:
    """The group question a message replies to: its private copy in a private
    chat; in a group the question itself, or a copy the bot never learned the
    id of (`named`: the prompt its own buttons name)."""
    prompts = data.store.prompts
    if not in_group:
        return await prompts.by_private_message(chat_id, replied_message_id)
    prompt = await prompts.by_message(chat_id, replied_message_id)
    if prompt is not None:
        return prompt
    prompt_id = named()
    if prompt_id is None:
        return None
    return await copy_of(data, chat_id, replied_message_id, prompt_id, lambda: True)


async def rate(data: BotData, prompt: Prompt, user_id: int, value: int, *, in_group: bool,
               sighting: Sighting | None) -> bool:
    """A tap on the scale (0: Skip); True if it was a skip."""
    skipped = value == 0
    await data.store.answers.record(
        prompt.id, user_id, scale=None if skipped else value, skipped=skipped,
        visibility="group" if in_group else "private", seen_in=sighting)
    data.metrics.answer_saved("skip" if skipped else "rating")
    return skipped


async def set_quote(data: BotData, prompt: Prompt, user_id: int, allow: bool,
                    sighting: Sighting | None) -> bool | None:
    """Allow, or stop allowing, one's comment to be quoted in the summary: the
    state asked for, set however often it is asked; None for an answer given
    privately, which is never shown in the group, so never quoted."""
    current = await data.store.answers.get(prompt.id, user_id)
    if current is not None and current.visibility == "private":
        return None
    await data.store.answers.record(prompt.id, user_id, quotable=allow, seen_in=sighting)
    return allow


async def comment(data: BotData, prompt: Prompt, user_id: int, *, text: str | None,
                  voice: str | None, privately: bool, message_id: int,
                  sighting: Sighting | None) -> None:
    """A comment (text or voice) on a group's question, added to any the
    person wrote before; given privately, it stays private."""
    await data.store.answers.add_message(
        prompt.id, user_id, text=text, voice_file_id=voice,
        visibility="private" if privately else "group", message_id=message_id,
        seen_in=sighting)
    data.metrics.answer_saved("comment")


async def edit_comment(data: BotData, prompt: Prompt, user_id: int, message_id: int, *,
                       text: str | None, voice: str | None) -> None:
    """An edited comment replaces what that message had saved (the old text
    stays in its history); only its author's, only while the question is
    open."""
    if not prompt.is_open or (text is None and voice is None):
        return
    answer = await data.store.answers.by_message(prompt.id, message_id)
    if answer is None or answer.user_id != user_id:
        return
    await data.store.answers.edit_message(prompt.id, answer.user_id, message_id, text=text,
                                          voice_file_id=voice)
