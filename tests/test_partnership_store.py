"""The partnership repository on a real SQLite file: codes kept as hashes
and spent once, links, and the per-item tallies that are all that crosses
between two groups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.partnership import ItemTally, Side
from bot.store import Store
from bot.store.partnerships import LinkOutcome

from helpers.app import Clock

COUNCIL, CSO, OTHER = -100, -200, -300


MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def store(database_target):
    """Three groups on a fresh database (of each backend); its clock is `store.db.now`."""
    opened = await Store.open(database_target, Clock(MONDAY))
    for chat_id, title in ((COUNCIL, "Council"), (CSO, "CSO"), (OTHER, "Other CSO")):
        await opened.chats.ensure(chat_id, kind="group", title=title, timezone="UTC",
                                  language="en")
    try:
        yield opened
    finally:
        await opened.close()


class Asker:
    """Puts items of one pack to one chat, each as a new question."""

    def __init__(self, store: Store, chat_id: int, pack_id: str):
        self.store, self.chat_id, self.pack_id = store, chat_id, pack_id
        self.slots = 0

    async def ask(self, item_id: str) -> int:
        enrolment = await self.store.enrolments.active_for(self.chat_id)
        if enrolment is None or enrolment.pack_id != self.pack_id:
            enrolment = await self.store.enrolments.start(
                self.chat_id, self.pack_id, cadence="weekly", days=["mon"],
                local_time="09:00", next_due_at=None)
        self.slots += 1
        prompt, _ = await self.store.prompts.open(
            enrolment.id, f"slot-{self.slots}", chat_id=self.chat_id, pack_id=self.pack_id,
            item_id=item_id)
        return prompt.id


async def test_codes_are_kept_as_hashes_and_linked_once(store):
    clock = store.db.now
    expires = clock.now + timedelta(days=7)
    assert await store.partnerships.add_code(COUNCIL, Side.LA, "hash-1", expires)
    assert not await store.partnerships.add_code(CSO, Side.CSO, "hash-1", expires)  # taken
    code = await store.partnerships.find_code("hash-1")
    assert (code.chat_id, code.side, code.expires_at, code.used_at) == (
        COUNCIL, "la", expires, None)
    assert await store.partnerships.find_code("hash-2") is None

    assert await store.partnerships.link(code.id, COUNCIL, CSO) is LinkOutcome.LINKED
    assert (await store.partnerships.find_code("hash-1")).used_at == clock.now
    # The same code a second time (two coordinators at once): spent.
    assert await store.partnerships.link(code.id, COUNCIL, OTHER) is LinkOutcome.USED
    await store.partnerships.add_code(COUNCIL, Side.LA, "hash-3", expires)
    again = await store.partnerships.find_code("hash-3")
    assert await store.partnerships.link(again.id, COUNCIL, CSO) is LinkOutcome.ALREADY
    assert (await store.partnerships.find_code("hash-3")).used_at is None  # not spent

    link = await store.partnerships.between(COUNCIL, CSO)
    assert [x.id for x in await store.partnerships.for_chat(COUNCIL)] == [link.id]
    assert [x.id for x in await store.partnerships.for_chat(CSO)] == [link.id]
    assert await store.partnerships.for_chat(OTHER) == []
    assert not await store.partnerships.unlink(link.id, OTHER)  # not theirs
    assert await store.partnerships.unlink(link.id, CSO)
    assert not await store.partnerships.unlink(link.id, COUNCIL)  # ended already
    assert await store.partnerships.get(link.id) is None


async def test_spent_codes_are_purged_a_month_after_they_expire(store):
    clock = store.db.now
    await store.partnerships.add_code(COUNCIL, Side.LA, "old", clock.now + timedelta(days=7))
    clock.advance(days=37, minutes=1)
    await store.partnerships.add_code(COUNCIL, Side.LA, "new", clock.now + timedelta(days=7))
    assert await store.partnerships.find_code("old") is None
    assert await store.partnerships.find_code("new") is not None


async def test_a_group_that_leaves_takes_its_codes_and_links_along(store):
    clock = store.db.now
    await store.partnerships.add_code(CSO, Side.CSO, "h", clock.now + timedelta(days=7))
    await store.partnerships.link((await store.partnerships.find_code("h")).id, COUNCIL, CSO)
    assert await store.chats.migrate(CSO, -1009)
    assert [(x.la_chat_id, x.cso_chat_id) for x in await store.partnerships.for_chat(
        COUNCIL)] == [(COUNCIL, -1009)]
    assert (await store.partnerships.find_code("h")).chat_id == -1009
    await store.db.execute("DELETE FROM chats WHERE id = ?", (-1009,))
    assert await store.partnerships.for_chat(COUNCIL) == []
    assert await store.partnerships.find_code("h") is None


async def test_tallies_count_each_person_once_with_their_latest_rating(store):
    cso = Asker(store, CSO, "checklist-cso")
    first = await cso.ask("cso-01")
    for user, value in ((1, 2), (2, 3), (3, 4)):
        await store.answers.record(first, user, scale=value)
    second = await cso.ask("cso-02")
    await store.answers.record(second, 1, scale=5)
    await store.answers.record(second, 2, scale=4, visibility="private")  # counts the same
    await store.answers.record(second, 3, skipped=True)  # a skip is no rating
    await store.answers.record(second, 4, text="only a comment")  # neither is a comment
    again = await cso.ask("cso-01")  # the programme came round again
    await store.answers.record(again, 1, scale=5)  # person 1 changed their mind: 2 -> 5
    await store.answers.record(again, 4, scale=1)  # person 4 rated it for the first time
    assert await store.partnerships.item_tallies(CSO, "checklist-cso") == {
        "cso-01": ItemTally(4, 5 + 3 + 4 + 1),
        "cso-02": ItemTally(2, 9),
    }


async def test_tallies_read_one_group_and_one_pack_and_never_a_journal(store):
    cso = Asker(store, CSO, "checklist-cso")
    prompt = await cso.ask("cso-01")
    for user in (1, 2, 3):
        await store.answers.record(prompt, user, scale=4)
    other = Asker(store, OTHER, "checklist-cso")
    await store.answers.record(await other.ask("cso-01"), 9, scale=1)
    theory = Asker(store, CSO, "theory-u")
    await store.answers.record(await theory.ask("u-01"), 1, scale=1)
    # Person 2 keeps a personal journal on the same checklist, in their private chat.
    await store.chats.ensure(2, kind="private", title=None, timezone="UTC", language="en")
    journal = Asker(store, 2, "checklist-cso")
    await store.answers.record(await journal.ask("cso-01"), 2, scale=1, visibility="private")

    assert await store.partnerships.item_tallies(CSO, "checklist-cso") == {
        "cso-01": ItemTally(3, 12)}
    assert await store.partnerships.item_tallies(2, "checklist-cso") == {}  # not a group


async def test_a_forgotten_person_leaves_the_tallies(store):
    cso = Asker(store, CSO, "checklist-cso")
    prompt = await cso.ask("cso-01")
    for user, value in ((1, 2), (2, 3), (3, 4)):
        await store.answers.record(prompt, user, scale=value)
    await store.forget_member_in_chat(CSO, 2)
    assert await store.partnerships.item_tallies(CSO, "checklist-cso") == {
        "cso-01": ItemTally(2, 6)}
    await store.forget_person(3)
    assert await store.partnerships.item_tallies(CSO, "checklist-cso") == {
        "cso-01": ItemTally(1, 2)}


async def test_when_an_item_was_last_asked(store):
    clock = store.db.now
    cso = Asker(store, CSO, "checklist-cso")
    assert await store.partnerships.last_asked(CSO, "checklist-cso", "cso-04") is None
    await cso.ask("cso-04")
    clock.advance(days=3)
    await cso.ask("cso-04")
    assert await store.partnerships.last_asked(CSO, "checklist-cso", "cso-04") == clock.now
    assert await store.partnerships.last_asked(CSO, "checklist-la", "cso-04") is None
