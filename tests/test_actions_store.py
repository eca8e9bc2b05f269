"""Actions in the store (bot/store/actions.py), on SQLite and PostgreSQL: each
press changes an action once and only its own group's, a check-in is
recorded once per round, notes stay private unless shared, and actions go
along with a group that becomes a supergroup and outlive an owner's /forget.
Also the upgrade of a schema-11 database to actions (step 12)."""

from __future__ import annotations

from datetime import timedelta

from bot.store import Store
from bot.store.actions import Change

from helpers.app import Clock
from helpers.upgrades import ANA, GROUP, UPGRADED_AT, load

GROUP_ID, OTHER, SUPERGROUP = -100, -200, -1009
BRUNO, CARLA, DEV = 602, 603, 604


async def group_with_people(store, *people: int, private: tuple[int, ...] = ()) -> None:
    for chat_id in (GROUP_ID, OTHER):
        await store.chats.ensure(chat_id, kind="group", title="Riverside", timezone="Europe/Madrid",
                                 language="en")
    for person in private or people:
        await store.chats.ensure(person, kind="private", title=None, timezone="UTC",
                                 language="en")


async def due_action(store, clock, *owners: int) -> int:
    action = await store.actions.create(GROUP_ID, "Ask the library", owners[0])
    for person in owners:
        assert await store.actions.volunteer(action.id, GROUP_ID, person) is Change.DONE
    await store.actions.set_due(action.id, GROUP_ID, clock.now + timedelta(days=7))
    return action.id


async def test_a_press_acts_once_and_only_in_its_own_group(store, clock):
    await group_with_people(store, BRUNO)
    action = await store.actions.create(GROUP_ID, "Ask the library", BRUNO)
    assert (action.state, action.created_by, action.due_at, action.source_prompt_id) == (
        "open", BRUNO, None, None)
    assert await store.actions.volunteer(action.id, GROUP_ID, BRUNO) is Change.DONE
    assert await store.actions.volunteer(action.id, GROUP_ID, BRUNO) is Change.SAME
    assert await store.actions.volunteer(action.id, OTHER, CARLA) is Change.GONE
    assert await store.actions.volunteer(action.id + 1000, GROUP_ID, CARLA) is Change.GONE
    assert [o.user_id for o in await store.actions.owners(action.id)] == [BRUNO]
    due = clock.now + timedelta(days=7)
    assert await store.actions.set_due(action.id, GROUP_ID, due) is Change.DONE
    assert await store.actions.set_due(action.id, GROUP_ID, due) is Change.SAME
    assert await store.actions.step_back(action.id, GROUP_ID, CARLA) is Change.NOT_OWNER
    assert await store.actions.step_back(action.id, GROUP_ID, BRUNO) is Change.DONE
    assert await store.actions.owners(action.id) == []
    assert [a.id for a in await store.actions.open_for_chat(GROUP_ID)] == [action.id]
    assert await store.actions.open_for_chat(OTHER) == []


async def test_an_action_comes_from_the_open_question_else_the_last(store, clock):
    await group_with_people(store, BRUNO)
    enrolment = await store.enrolments.start(GROUP_ID, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00", next_due_at=None)
    first, _ = await store.prompts.open(enrolment.id, "s1", chat_id=GROUP_ID,
                                        pack_id="checklist-cso", item_id="cso-01")
    clock.advance(minutes=1)
    second, _ = await store.prompts.open(enrolment.id, "s2", chat_id=GROUP_ID,
                                         pack_id="checklist-cso", item_id="cso-02")
    await store.prompts.close(second.id)
    assert (await store.actions.create(GROUP_ID, "a", BRUNO)).source_prompt_id == first.id
    await store.prompts.close(first.id)
    assert (await store.actions.create(GROUP_ID, "b", BRUNO)).source_prompt_id == second.id


async def test_a_checkin_is_recorded_once_for_owners_with_a_private_chat(store, clock):
    await group_with_people(store, BRUNO, CARLA, DEV, private=(BRUNO, CARLA))
    action = await due_action(store, clock, BRUNO, CARLA, DEV)
    assert await store.actions.plan_checkins(clock.now + timedelta(days=6)) == []
    clock.advance(days=7)
    rows = await store.actions.plan_checkins(clock.now)
    assert len(rows) == 2  # Dev has no private chat to hear it in
    assert await store.actions.plan_checkins(clock.now) == []
    items = [await store.outbox.by_key(f"checkin:{action}:{person}:1") for person in (BRUNO,
                                                                                      CARLA)]
    assert [(i.kind, i.chat_id, i.subject_id) for i in items] == [
        ("checkin", BRUNO, action), ("checkin", CARLA, action)]
    states = {o.user_id: (o.state, o.rounds) for o in await store.actions.owners(action)}
    assert states == {BRUNO: ("asked", 1), CARLA: ("asked", 1), DEV: ("on", 0)}
    # Once Dev opens a private chat, his comes too.
    await store.chats.ensure(DEV, kind="private", title=None, timezone="UTC", language="en")
    assert len(await store.actions.plan_checkins(clock.now)) == 1


async def test_on_the_way_asks_again_later_and_done_by_all_closes_it(store, clock):
    await group_with_people(store, BRUNO, CARLA)
    action = await due_action(store, clock, BRUNO, CARLA)
    clock.advance(days=7)
    await store.actions.plan_checkins(clock.now)
    later = clock.now + timedelta(days=7)
    change, _ = await store.actions.answer(action, BRUNO, "on_way", later)
    assert change is Change.DONE
    assert (await store.actions.answer(action, BRUNO, "on_way", later))[0] is Change.SAME
    assert (await store.actions.answer(action, DEV, "done", None))[0] is Change.NOT_OWNER
    change, after = await store.actions.answer(action, CARLA, "done", None)
    assert (change, after.state) == (Change.DONE, "open")
    assert await store.actions.plan_checkins(later - timedelta(minutes=1)) == []
    assert len(await store.actions.plan_checkins(later)) == 1  # Bruno's second round
    assert await store.outbox.by_key(f"checkin:{action}:{BRUNO}:2") is not None
    clock.advance(days=7)
    change, after = await store.actions.answer(action, BRUNO, "done", None)
    assert (after.state, after.closed_at) == ("done", clock.now)
    assert (await store.actions.answer(action, BRUNO, "stuck", None))[0] is Change.CLOSED
    assert await store.actions.volunteer(action, GROUP_ID, DEV) is Change.CLOSED


async def test_letting_go_leaves_the_action_to_others(store, clock):
    await group_with_people(store, BRUNO)
    action = await due_action(store, clock, BRUNO)
    change, after = await store.actions.answer(action, BRUNO, "let_go", None)
    assert (change, after.state) == (Change.DONE, "open")
    assert await store.actions.owners(action) == []
    assert (await store.actions.answer(action, BRUNO, "let_go", None))[0] is Change.NOT_OWNER


async def test_a_note_is_private_unless_its_owner_shares_it(store, clock):
    await group_with_people(store, BRUNO, CARLA)
    action = await due_action(store, clock, BRUNO, CARLA)
    assert await store.actions.take_note(BRUNO, "unasked") is None
    await store.actions.answer(action, BRUNO, "stuck", None)
    await store.actions.answer(action, CARLA, "stuck", None)
    assert await store.actions.take_note(BRUNO, "need a key") == action
    assert await store.actions.take_note(BRUNO, "a second message") is None  # one note
    assert await store.actions.take_note(CARLA, "tired") == action
    assert await store.actions.stuck(GROUP_ID) == [(await store.actions.get(action), [])]
    assert await store.actions.share_note(action, BRUNO, True) is Change.DONE
    assert await store.actions.share_note(action, BRUNO, True) is Change.SAME
    assert await store.actions.share_note(action, DEV, True) is Change.NOT_OWNER
    [(_, notes)] = await store.actions.stuck(GROUP_ID)
    assert notes == ["need a key"]
    assert await store.actions.stuck(OTHER) == []


async def test_the_note_window_closes(store, clock):
    await group_with_people(store, BRUNO)
    action = await due_action(store, clock, BRUNO)
    await store.actions.answer(action, BRUNO, "stuck", None)
    clock.advance(days=3)
    assert await store.actions.take_note(BRUNO, "too late to be a note") is None


async def test_actions_move_with_a_group_that_becomes_a_supergroup(store, clock):
    await group_with_people(store, BRUNO)
    action = await due_action(store, clock, BRUNO)
    assert await store.chats.migrate(GROUP_ID, SUPERGROUP)
    moved = await store.actions.get(action)
    assert moved.chat_id == SUPERGROUP
    assert [o.user_id for o in await store.actions.owners(action)] == [BRUNO]
    assert await store.actions.volunteer(action, SUPERGROUP, CARLA) is Change.DONE


async def test_forget_removes_an_owner_and_the_action_stays_unassigned(store, clock):
    await group_with_people(store, BRUNO, CARLA)
    action = await due_action(store, clock, BRUNO, CARLA)
    elsewhere = await store.actions.create(OTHER, "Elsewhere", CARLA)
    await store.actions.volunteer(elsewhere.id, OTHER, CARLA)
    await store.forget_member_in_chat(GROUP_ID, CARLA)
    assert [o.user_id for o in await store.actions.owners(action)] == [BRUNO]
    assert [o.user_id for o in await store.actions.owners(elsewhere.id)] == [CARLA]
    await store.forget_person(BRUNO)
    kept = await store.actions.get(action)
    assert (kept.state, kept.created_by, await store.actions.owners(action)) == (
        "open", None, [])
    await store.forget_person(CARLA)
    assert (await store.actions.get(elsewhere.id)).created_by is None
    assert await store.db.fetch_value("SELECT COUNT(*) FROM action_owners") == 0


async def test_a_schema_11_database_upgrades_to_actions(tmp_path):
    path = tmp_path / "v11.sqlite3"
    load(11, path)
    store = await Store.open(path, Clock(UPGRADED_AT))
    try:
        assert await store.db.schema_version() == 12
        assert await store.actions.open_for_chat(GROUP) == []
        action = await store.actions.create(GROUP, "Ask the library", ANA)
        # The group's open question (prompt 2 of the fixture) is where it came from.
        assert action.source_prompt_id == 2
        assert await store.actions.volunteer(action.id, GROUP, ANA) is Change.DONE
    finally:
        await store.close()
