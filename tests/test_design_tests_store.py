"""Design-test ratings in the store (bot/store/design_tests.py), on SQLite and
PostgreSQL: asked once, one rating per person and test (a repeat changes
nothing, a new value replaces), only for an open action of the group that
asked, and gone with the person's /forget."""

from __future__ import annotations

from bot.domain.design_tests import Rating
from bot.store.actions import Change

GROUP_ID, OTHER = -100, -200
ANA, BRUNO, CARLA = 601, 602, 603


async def planned_action(store) -> int:
    for chat_id in (GROUP_ID, OTHER):
        await store.chats.ensure(chat_id, kind="group", title="Riverside",
                                 timezone="Europe/Madrid", language="en")
    return (await store.actions.create(GROUP_ID, "Open a repair café", ANA)).id


async def test_ratings_are_kept_once_per_person_and_test(store):
    action = await planned_action(store)
    assert await store.design_tests.rate(action, GROUP_ID, BRUNO, "dem", 4) is Change.GONE
    assert await store.design_tests.ask(action, OTHER) is Change.GONE
    assert await store.design_tests.ask(action, GROUP_ID) is Change.DONE
    assert await store.design_tests.ask(action, GROUP_ID) is Change.SAME
    assert (await store.actions.get(action)).design_asked_at is not None
    await store.design_tests.set_message(action, 77)
    assert (await store.actions.get(action)).design_message_id == 77

    assert await store.design_tests.rate(action, GROUP_ID, BRUNO, "dem", 4) is Change.DONE
    assert await store.design_tests.rate(action, GROUP_ID, BRUNO, "dem", 4) is Change.SAME
    assert await store.design_tests.rate(action, GROUP_ID, BRUNO, "dem", 2) is Change.DONE
    assert await store.design_tests.rate(action, GROUP_ID, BRUNO, "lnk", 5) is Change.DONE
    assert await store.design_tests.rate(action, GROUP_ID, CARLA, "dem", 3) is Change.DONE
    # Another group cannot rate this group's plan.
    assert await store.design_tests.rate(action, OTHER, ANA, "dem", 1) is Change.GONE
    assert await store.design_tests.ratings(action) == [
        Rating(action, BRUNO, "dem", 2), Rating(action, BRUNO, "lnk", 5),
        Rating(action, CARLA, "dem", 3)]
    assert await store.design_tests.raters(action) == 2
    # The profile is posted once per change: a repeat with nothing new is SAME.
    assert await store.design_tests.show(action, OTHER) is Change.GONE
    assert await store.design_tests.show(action, GROUP_ID) is Change.DONE
    assert await store.design_tests.show(action, GROUP_ID) is Change.SAME
    assert await store.design_tests.rate(action, GROUP_ID, CARLA, "dem", 3) is Change.SAME
    assert await store.design_tests.show(action, GROUP_ID) is Change.SAME
    assert await store.design_tests.rate(action, GROUP_ID, CARLA, "eco", 1) is Change.DONE
    assert await store.design_tests.show(action, GROUP_ID) is Change.DONE


async def test_a_closed_action_takes_no_more_ratings(store, clock):
    action = await planned_action(store)
    await store.design_tests.ask(action, GROUP_ID)
    await store.design_tests.rate(action, GROUP_ID, BRUNO, "eco", 3)
    await store.actions.volunteer(action, GROUP_ID, BRUNO)
    await store.actions.answer(action, BRUNO, "done", None)
    assert (await store.actions.get(action)).state == "done"
    assert await store.design_tests.rate(action, GROUP_ID, CARLA, "eco", 5) is Change.CLOSED
    # The profile's ratings stay with the action.
    assert await store.design_tests.ratings(action) == [Rating(action, BRUNO, "eco", 3)]


async def test_forget_deletes_a_persons_ratings_in_that_group_or_everywhere(store):
    action = await planned_action(store)
    elsewhere = (await store.actions.create(OTHER, "Plant trees", ANA)).id
    for plan, chat_id in ((action, GROUP_ID), (elsewhere, OTHER)):
        await store.design_tests.ask(plan, chat_id)
        for person in (BRUNO, CARLA):
            await store.design_tests.rate(plan, chat_id, person, "soc", 4)
    await store.forget_member_in_chat(GROUP_ID, BRUNO)
    assert [r.user_id for r in await store.design_tests.ratings(action)] == [CARLA]
    assert [r.user_id for r in await store.design_tests.ratings(elsewhere)] == [BRUNO, CARLA]
    await store.forget_person(CARLA)
    assert await store.design_tests.ratings(action) == []
    assert [r.user_id for r in await store.design_tests.ratings(elsewhere)] == [BRUNO]


async def test_ratings_move_with_a_group_that_becomes_a_supergroup(store):
    supergroup = -1009
    action = await planned_action(store)
    await store.design_tests.ask(action, GROUP_ID)
    await store.design_tests.rate(action, GROUP_ID, BRUNO, "wel", 4)
    assert await store.chats.migrate(GROUP_ID, supergroup)
    assert await store.design_tests.ratings(action) == [Rating(action, BRUNO, "wel", 4)]
    assert await store.design_tests.rate(action, supergroup, CARLA, "wel", 5) is Change.DONE
    assert await store.design_tests.rate(action, GROUP_ID, ANA, "wel", 5) is Change.GONE
    # Forgetting in the supergroup reaches the ratings given before the move.
    await store.forget_member_in_chat(supergroup, BRUNO)
    assert [r.user_id for r in await store.design_tests.ratings(action)] == [CARLA]
