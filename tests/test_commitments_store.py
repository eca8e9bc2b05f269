"""Personal commitments in the store (bot/store/commitments.py), on SQLite and
PostgreSQL: one per prompt however often the offer is pressed, its date
changed or taken back only before its check-in, the actions' check-in
planned for it once, let go closes it, /forget deletes it. Also a schema-11
database upgraded to hold one, and migrate-db copying it."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial

from bot.cli import main
from bot.domain.commitments import checkin_date
from bot.store import Store
from bot.store.actions import Change

from helpers.app import Clock
from helpers.upgrades import ROSA, UPGRADED_AT, load

PROMPT = 3  # Rosa's theory-u prompt in the schema-11 fixture


async def rosa_with_a_prompt(store) -> int:
    """Rosa's private chat and a personal prompt of hers, answered."""
    await store.chats.ensure(ROSA, kind="private", title=None, timezone="Europe/Madrid",
                             language="en")
    enrolment = await store.enrolments.start(ROSA, "theory-u", cadence="daily", days=[],
                                             local_time="20:00", next_due_at=None)
    prompt, _ = await store.prompts.open(enrolment.id, "s1", chat_id=ROSA, pack_id="theory-u",
                                         item_id="u-11")
    return prompt.id


def on(choice: str):
    return partial(checkin_date, choice, timezone="Europe/Madrid")


async def test_one_commitment_per_prompt_whatever_is_pressed(store, clock):
    prompt = await rosa_with_a_prompt(store)
    change, made = await store.commitments.choose(ROSA, prompt, "Plant beans", on("w1"))
    assert change is Change.DONE
    assert (made.text, made.state, made.prompt_id, made.due_at) == (
        "Plant beans", "open", prompt, checkin_date("w1", clock.now, "Europe/Madrid"))
    # Pressed again: the same; pressed at once twice: still one.
    assert (await store.commitments.choose(ROSA, prompt, "Plant beans", on("w1")))[0] is (
        Change.SAME)
    results = await asyncio.gather(*(store.commitments.choose(ROSA, prompt, "x", on("w1"))
                                     for _ in range(4)))
    assert {change for change, _ in results} == {Change.SAME}
    # Another date moves it, counted from when it was made.
    clock.advance(days=1)
    change, moved = await store.commitments.choose(ROSA, prompt, "Plant beans", on("w2"))
    assert (change, moved.action_id, moved.due_at) == (
        Change.DONE, made.action_id, checkin_date("w2", made.made_at, "Europe/Madrid"))
    assert [c.action_id for c in await store.commitments.of_person(ROSA)] == [made.action_id]
    assert await store.commitments.of_prompt(ROSA, prompt) == moved
    # No thanks takes it back; again, nothing to take.
    assert await store.commitments.choose(ROSA, prompt, "Plant beans", None) == (
        Change.DONE, None)
    assert await store.commitments.choose(ROSA, prompt, "Plant beans", None) == (
        Change.SAME, None)
    assert await store.commitments.of_person(ROSA) == []
    assert await store.db.fetch_value("SELECT COUNT(*) FROM action_owners") == 0


async def test_the_checkin_comes_once_and_then_the_offer_changes_nothing(store, clock):
    prompt = await rosa_with_a_prompt(store)
    _, made = await store.commitments.choose(ROSA, prompt, "Plant beans", on("d3"))
    assert await store.actions.plan_checkins(made.due_at - timedelta(seconds=1)) == []
    assert len(await store.actions.plan_checkins(made.due_at)) == 1
    assert await store.actions.plan_checkins(made.due_at + timedelta(hours=1)) == []
    (asked,) = await store.commitments.of_person(ROSA)
    assert asked.state == "asked"
    for choice in (on("w2"), None):
        change, kept = await store.commitments.choose(ROSA, prompt, "Plant beans", choice)
        assert (change, kept) == (Change.CLOSED, asked)
    # On the way: asked again a week on; then done, with a note.
    clock.now = made.due_at
    change, _ = await store.actions.answer(made.action_id, ROSA, "on_way",
                                           made.due_at + timedelta(days=7))
    assert change is Change.DONE
    on_way = (await store.commitments.of_person(ROSA))[0]
    assert (on_way.state, on_way.due_at) == ("on_way", made.due_at + timedelta(days=7))
    assert len(await store.actions.plan_checkins(made.due_at + timedelta(days=7))) == 1
    clock.advance(days=7)
    change, action = await store.actions.answer(made.action_id, ROSA, "done", None)
    assert (change, action.state) == (Change.DONE, "done")
    assert await store.actions.take_note(ROSA, "Beans are up") == made.action_id
    (done,) = await store.commitments.of_person(ROSA)
    assert (done.state, done.note, done.answered_at, done.settled) == (
        "done", "Beans are up", clock.now, True)


async def test_letting_a_commitment_go_closes_it(store, clock):
    prompt = await rosa_with_a_prompt(store)
    _, made = await store.commitments.choose(ROSA, prompt, "Plant beans", on("d3"))
    await store.actions.plan_checkins(made.due_at)
    clock.now = made.due_at + timedelta(hours=2)
    change, action = await store.actions.answer(made.action_id, ROSA, "let_go", None)
    assert (change, action.state, action.closed_at) == (Change.DONE, "dropped", clock.now)
    (gone,) = await store.commitments.of_person(ROSA)
    assert (gone.state, gone.answered_at, gone.settled) == ("let_go", clock.now, True)
    # Never asked again.
    assert await store.actions.plan_checkins(clock.now + timedelta(days=30)) == []


async def test_forget_deletes_every_commitment(store, clock):
    prompt = await rosa_with_a_prompt(store)
    await store.commitments.choose(ROSA, prompt, "Plant beans", on("w1"))
    await store.forget_person(ROSA)
    assert await store.commitments.of_person(ROSA) == []
    assert await store.db.fetch_value("SELECT COUNT(*) FROM actions") == 0


def test_a_schema_11_database_holds_commitments_and_migrate_db_copies_them(tmp_path):
    path = tmp_path / "v11.sqlite3"
    load(11, path)
    clock = Clock(UPGRADED_AT)

    async def commit() -> None:
        store = await Store.open(path, clock)
        try:
            assert await store.db.schema_version() == 12
            change, _ = await store.commitments.choose(ROSA, PROMPT, "Mi diario", on("w1"))
            assert change is Change.DONE
            await store.actions.plan_checkins(UPGRADED_AT + timedelta(days=8))
        finally:
            await store.close()

    asyncio.run(commit())
    copy = tmp_path / "copy.sqlite3"
    assert main(["migrate-db", "--from", f"sqlite:///{path}", "--to", f"sqlite:///{copy}"]) == 0

    async def read(target) -> list:
        store = await Store.open(target, clock)
        try:
            return await store.commitments.of_person(ROSA)
        finally:
            await store.close()

    (original,) = asyncio.run(read(path))
    assert (original.text, original.prompt_id, original.state) == ("Mi diario", PROMPT, "asked")
    assert asyncio.run(read(copy)) == [original]
