"""Rows made straight in the store, for the store's own tests."""

from __future__ import annotations

from bot.store import Store


async def make_group(store: Store, chat_id: int = -100) -> None:
    await store.chats.ensure(chat_id, kind="group", title="Riverside CSO", timezone="UTC",
                             language="en")


async def make_prompt(store: Store, chat_id: int = -100, slot: str = "2026-03-02T09:00Z"):
    enrolment = await store.enrolments.active_for(chat_id)
    if enrolment is None:
        enrolment = await store.enrolments.start(
            chat_id, "checklist-cso", cadence="weekly", days=["mon"], local_time="09:00",
            next_due_at=None,
        )
    prompt, created = await store.prompts.open(
        enrolment.id, slot, chat_id=chat_id, pack_id="checklist-cso", item_id="cso-01"
    )
    assert created
    return prompt


async def add_rows(harness, chats: list[int], per_chat: int,
                   kind: str = "question") -> dict[int, list[int]]:
    """Rows for each chat, interleaved (chat by chat, round after round)."""
    rows: dict[int, list[int]] = {}
    for chat_id in chats:
        await harness.store.chats.ensure(chat_id, kind="group", title=f"Chat {chat_id}",
                                         timezone="UTC", language="en")
    for number in range(per_chat):
        for chat_id in chats:
            row = await harness.store.outbox.add(f"test:{kind}:{chat_id}:{number}", kind,
                                                 chat_id)
            rows.setdefault(chat_id, []).append(row)
    return rows
