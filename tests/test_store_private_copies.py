"""Which of the messages linked to a group's question in private chats are copies of the
question (the closing edit takes their buttons off), on both databases."""

from __future__ import annotations

from datetime import timedelta


async def test_the_question_of_each_linked_pair_is_its_copy(store, clock):
    chat = -100
    await store.chats.ensure(chat, kind="group", title="Riverside", timezone="UTC",
                             language="en")
    for person in (1, 2):
        await store.chats.ensure(person, kind="private", title=None, timezone="UTC",
                                 language="en")
    enrolment = await store.enrolments.start(chat, "pack", cadence="weekly", days=["mon"],
                                             local_time="09:00", next_due_at=None)
    prompt, _ = await store.prompts.open(enrolment.id, "s1", chat_id=chat, pack_id="pack",
                                         item_id="q1")
    other, _ = await store.prompts.open(enrolment.id, "s2", chat_id=chat, pack_id="pack",
                                        item_id="q2")
    # Ana opened the question (and its invitation to comment), later again; Ben once, with
    # no invitation; Ana also has the other question.
    await store.prompts.link_private_messages(1, [10, 11], prompt.id)
    clock.now += timedelta(minutes=5)
    await store.prompts.link_private_messages(1, [20, 21], prompt.id)
    await store.prompts.link_private_messages(2, [7], prompt.id)
    await store.prompts.link_private_messages(1, [30, 31], other.id)
    assert await store.prompts.private_copies(prompt.id) == [(1, 10), (1, 20), (2, 7)]
    assert await store.prompts.private_copies(other.id) == [(1, 30)]
    assert await store.prompts.private_copies(other.id + 1) == []
