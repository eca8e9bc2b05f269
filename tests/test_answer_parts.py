"""An answer written over several messages: each further message adds to
the answer, never in its place; an edit changes its own part; the same
message again changes nothing. Checked against the rule written out
plainly, on both databases, and through the bot in a journal and a group."""

from __future__ import annotations

import asyncio
import random

from bot.store.answers import skip_unanswered

from helpers.group import GROUP_ID, ask
from helpers.personal import ROSA, at_local, next_prompt, onboard, texts_to
from helpers.rows import make_group, make_prompt


def random_step(rng: random.Random, user_id: int) -> tuple[str, int, str]:
    kind = rng.choice(["message", "message", "message again", "edit"])
    # A chat's message ids are its own: no two people share one.
    message_id = user_id * 10 + rng.randint(1, 4)
    return kind, message_id, f"words of {message_id}, take {rng.randint(1, 3)}"


async def test_every_sequence_of_messages_keeps_every_message(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    rng = random.Random(2026)
    for user_id in range(1, 201):
        # The rule: the answer is every message's latest words, in the order
        # the messages were sent; a message seen again adds nothing.
        parts: dict[int, str] = {}
        first_words: dict[int, str] = {}
        if rng.random() < 0.2:  # passed over with /skip before answering
            async with store.db.transaction() as tx:
                await skip_unanswered(tx, prompt.id, user_id, clock.now)
        for _ in range(rng.randint(1, 7)):
            clock.advance(minutes=1)
            kind, message_id, words = random_step(rng, user_id)
            if kind == "edit":
                changed = await store.answers.edit_message(
                    prompt.id, user_id, message_id, text=words, voice_file_id=None)
                assert (changed is not None) == (message_id in parts), (user_id, kind)
                if message_id in parts:
                    parts[message_id] = words
            else:
                # Telegram sends a message again with the words it had.
                words = first_words.setdefault(message_id, words)
                await store.answers.add_message(prompt.id, user_id, text=words,
                                                voice_file_id=None, visibility="private",
                                                message_id=message_id)
                parts.setdefault(message_id, words)
            if not parts:
                continue
            saved = await store.answers.get(prompt.id, user_id)
            assert saved.text == "\n\n".join(parts[m] for m in sorted(parts)), user_id
            assert not saved.skipped
            for message_id in parts:  # every message still finds its answer
                assert (await store.answers.by_message(prompt.id, message_id)).id == saved.id


async def test_a_second_message_adds_and_loses_nothing_to_the_history(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    first, added = await store.answers.add_message(
        prompt.id, 7, text="We listen.", voice_file_id=None, visibility="group", message_id=11)
    assert not added and first.text == "We listen."
    clock.advance(minutes=1)
    second, added = await store.answers.add_message(
        prompt.id, 7, text="Mostly.", voice_file_id=None, visibility="group", message_id=12)
    assert added and second.text == "We listen.\n\nMostly."
    # It changed when the second message came; it replaced nothing.
    assert second.message_id == 11 and second.edited_at == clock.now
    assert await store.answers.history(second.id) == []
    # An edit of the first message changes its part; the words it replaced
    # are kept in the history, as for any edit.
    clock.advance(minutes=1)
    edited = await store.answers.edit_message(prompt.id, 7, 11, text="We listen well.",
                                              voice_file_id=None)
    assert edited.text == "We listen well.\n\nMostly." and edited.edited_at == clock.now
    assert [h.text for h in await store.answers.history(second.id)] == [
        "We listen.\n\nMostly."]
    # A message that gave no part of it changes nothing.
    assert await store.answers.edit_message(prompt.id, 7, 99, text="x",
                                            voice_file_id=None) is None


async def test_a_voice_note_after_words_keeps_the_words(store):
    await make_group(store)
    prompt = await make_prompt(store)
    await store.answers.add_message(prompt.id, 7, text="Written first.", voice_file_id=None,
                                    visibility="private", message_id=11)
    saved, added = await store.answers.add_message(
        prompt.id, 7, text=None, voice_file_id="AwACVoice", visibility="private",
        message_id=12)
    assert not added
    assert (saved.text, saved.voice_file_id) == ("Written first.", "AwACVoice")


async def test_a_private_part_keeps_the_whole_answer_private(store):
    await make_group(store)
    prompt = await make_prompt(store)
    await store.answers.add_message(prompt.id, 7, text="In the group.", voice_file_id=None,
                                    visibility="group", message_id=11)
    saved, _ = await store.answers.add_message(
        prompt.id, 7, text="And this only to the coordinators.", voice_file_id=None,
        visibility="private", message_id=12)
    assert saved.visibility == "private"
    # and a later part given in the group does not make it public again
    saved, _ = await store.answers.add_message(prompt.id, 7, text="More.", voice_file_id=None,
                                               visibility="group", message_id=13)
    assert saved.visibility == "private"


async def test_messages_at_the_same_moment_are_all_kept(store):
    """Two copies of the bot (or two updates of one person) adding at once:
    each part is kept, none overwrites another."""
    await make_group(store)
    prompt = await make_prompt(store)
    await store.answers.add_message(prompt.id, 7, text="one", voice_file_id=None,
                                    visibility="private", message_id=10)
    await asyncio.gather(*(
        store.answers.add_message(prompt.id, 7, text=f"part {n}", voice_file_id=None,
                                  visibility="private", message_id=10 + n)
        for n in range(1, 9)))
    saved = await store.answers.get(prompt.id, 7)
    assert saved.text == "\n\n".join(["one", *(f"part {n}" for n in range(1, 9))])


async def test_a_journal_answer_over_two_messages_and_an_edit_of_the_second(harness):
    u, store = harness.updates, harness.store
    rosa = u.user(ROSA, "Rosa", language_code="en")
    private = u.private_chat(rosa)
    harness.clock.now = at_local(2, 9)
    await onboard(harness, rosa, private)
    prompt, _ = await next_prompt(harness, at_local(2, 20))
    await harness.send(u.message(private, rosa, "I assumed nobody would come."))
    second = u.message(private, rosa, "Three people came.")
    await harness.send(second)
    assert texts_to(harness, ROSA)[-2].startswith("📓 Saved in your journal")
    assert texts_to(harness, ROSA)[-1].startswith("📓 Added to your journal")
    await harness.send(u.edited(second["message"], "Five people came."))
    saved = await store.answers.get(prompt.id, ROSA)
    assert saved.text == "I assumed nobody would come.\n\nFive people came."
    # Her journal shows both parts.
    await harness.send(u.command(private, rosa, "/journal"))
    page = texts_to(harness, ROSA)[-1]
    assert "I assumed nobody would come." in page and "Five people came." in page


async def test_two_comments_by_reply_in_a_group_are_one_answer(harness, group):
    u, store = harness.updates, harness.store
    question = await ask(harness, group)
    prompt = await store.prompts.by_message(GROUP_ID, question["message_id"])
    first = u.reply(group.chat, group.carla, question, "We need more outreach")
    second = u.reply(group.chat, group.carla, question, "and a <b>room</b> with a ramp")
    await harness.send(first)
    await harness.send(second)
    reactions = harness.telegram.calls_to("setMessageReaction", chat_id=GROUP_ID)
    assert {r.params["message_id"] for r in reactions} >= {
        first["message"]["message_id"], second["message"]["message_id"]}
    carla = await store.answers.get(prompt.id, group.carla["id"])
    assert carla.text == "We need more outreach\n\nand a <b>room</b> with a ramp"
    await harness.send(u.edited(first["message"], "We need more outreach, and care"))
    carla = await store.answers.get(prompt.id, group.carla["id"])
    assert carla.text == "We need more outreach, and care\n\nand a <b>room</b> with a ramp"
    assert await store.answers.count_for_prompt(prompt.id) == 1


async def test_an_edit_that_leaves_one_message_no_words_keeps_the_others(store):
    """A voice note's caption taken off: that part goes, the other stays."""
    await make_group(store)
    prompt = await make_prompt(store)
    await store.answers.add_message(prompt.id, 7, text="Said first.", voice_file_id=None,
                                    visibility="private", message_id=11)
    await store.answers.add_message(prompt.id, 7, text="A caption.", voice_file_id="AwACVoice",
                                    visibility="private", message_id=12)
    edited = await store.answers.edit_message(prompt.id, 7, 12, text=None,
                                              voice_file_id="AwACVoice")
    assert (edited.text, edited.voice_file_id) == ("Said first.", "AwACVoice")
    assert [h.text for h in await store.answers.history(edited.id)] == [
        "Said first.\n\nA caption."]
