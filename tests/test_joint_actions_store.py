"""Joint actions in the store (bot/store/joint_actions.py), on SQLite and
PostgreSQL: a proposal makes one action in each linked group, once; none
after an unlink, which leaves both as plain actions; the tie follows a group
that becomes a supergroup; a forgotten member leaves no trace in it; the
pair's rounds are tallies of closed questions only. Also the upgrade of a
schema-11 database (step 12)."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.partnership import ItemTally, Side
from bot.store import Store
from bot.store.actions import Change
from bot.store.joint_actions import Proposal

from helpers.app import Clock
from helpers.upgrades import GROUP, OTHER_GROUP, UPGRADED_AT, load

COUNCIL, CSO, SUPERGROUP = -500, -300, -1003
OLGA, ANA, BRUNO, CARLA = 801, 601, 602, 603
ITEMS = {Side.LA: ("checklist-la", "la-04"), Side.CSO: ("checklist-cso", "cso-04")}


async def linked(store, code_hash: str = "hash") -> int:
    for chat_id, title in ((COUNCIL, "Riverside Council"), (CSO, "Riverside CSO")):
        await store.chats.ensure(chat_id, kind="group", title=title, timezone="UTC",
                                 language="en")
    await store.partnerships.add_code(COUNCIL, Side.LA, code_hash,
                                      store.db.now() + timedelta(7))
    code = await store.partnerships.find_code(code_hash)
    await store.partnerships.link(code.id, COUNCIL, CSO)
    return (await store.partnerships.between(COUNCIL, CSO)).id


async def propose(store, link_id: int, text: str = "Meet in the library", by: Side = Side.LA):
    return await store.joint_actions.propose(link_id, COUNCIL, CSO, 4, by, text, OLGA, ITEMS)


async def test_a_proposal_makes_one_action_in_each_group_once(store):
    link_id = await linked(store)
    outcome, joint = await propose(store, link_id)
    assert outcome is Proposal.MADE
    ours, theirs = (await store.actions.get(joint.la_action_id),
                    await store.actions.get(joint.cso_action_id))
    assert (ours.chat_id, theirs.chat_id) == (COUNCIL, CSO)
    assert ours.text == theirs.text == "Meet in the library"
    # Only the proposing side keeps who made it.
    assert (ours.created_by, theirs.created_by) == (OLGA, None)
    assert (joint.pair_number, joint.proposed_by) == (4, "la")
    again, same = await propose(store, link_id)
    assert (again, same) == (Proposal.SAME, joint)
    assert await store.db.fetch_value("SELECT COUNT(*) FROM actions") == 2
    other, _ = await propose(store, link_id, "Share one newsletter", Side.CSO)
    assert other is Proposal.MADE
    assert len(await store.joint_actions.for_chat(COUNCIL)) == 2
    assert await store.joint_actions.of_action(theirs.id) == joint


async def test_each_side_takes_its_half_on_with_its_own_people(store):
    link_id = await linked(store)
    _, joint = await propose(store, link_id)
    assert await store.actions.volunteer(joint.cso_action_id, CSO, BRUNO) is Change.DONE
    # A half is its own group's: a press from the partner group changes nothing.
    assert await store.actions.volunteer(joint.cso_action_id, COUNCIL, OLGA) is Change.GONE
    assert [o.user_id for o in await store.actions.owners(joint.cso_action_id)] == [BRUNO]
    assert await store.actions.owners(joint.la_action_id) == []
    await store.forget_person(BRUNO)
    assert await store.actions.owners(joint.cso_action_id) == []
    assert await store.joint_actions.of_action(joint.cso_action_id) == joint


async def test_unlinking_keeps_both_actions_as_plain_ones(store):
    link_id = await linked(store)
    _, joint = await propose(store, link_id)
    assert await store.partnerships.unlink(link_id, CSO)
    assert await store.joint_actions.for_chat(CSO) == []
    assert await store.joint_actions.of_action(joint.la_action_id) is None
    assert (await store.actions.get(joint.la_action_id)).is_open
    assert (await store.actions.get(joint.cso_action_id)).is_open
    # A proposal on a partnership that has ended makes nothing.
    assert await propose(store, link_id, "Another") == (Proposal.UNLINKED, None)
    assert await store.db.fetch_value("SELECT COUNT(*) FROM actions") == 2


async def test_the_tie_follows_a_group_that_becomes_a_supergroup(store):
    link_id = await linked(store)
    _, joint = await propose(store, link_id)
    assert await store.chats.migrate(CSO, SUPERGROUP)
    assert await store.joint_actions.for_chat(SUPERGROUP) == [joint]
    assert (await store.actions.get(joint.cso_action_id)).chat_id == SUPERGROUP
    assert (await store.partnerships.get(link_id)).cso_chat_id == SUPERGROUP


async def test_rounds_are_tallies_of_closed_questions_only(store, clock):
    await linked(store)
    enrolment = await store.enrolments.start(
        CSO, "checklist-cso", cadence="weekly", days=["mon"], local_time="09:00",
        next_due_at=None)
    first, _ = await store.prompts.open(enrolment.id, "one", chat_id=CSO,
                                        pack_id="checklist-cso", item_id="cso-04")
    for person, value in ((ANA, 2), (BRUNO, 3), (CARLA, 5)):
        await store.answers.record(first.id, person, scale=value)
    await store.answers.record(first.id, OLGA, text="no rating, only words")
    await store.prompts.close(first.id)
    clock.advance(days=7)
    second, _ = await store.prompts.open(enrolment.id, "two", chat_id=CSO,
                                         pack_id="checklist-cso", item_id="cso-04")
    await store.answers.record(second.id, ANA, scale=4)  # still open: not a round yet
    (round_,) = await store.joint_actions.rounds(CSO, "checklist-cso", "cso-04")
    assert round_.tally == ItemTally(3, 10)
    assert round_.opened_at == first.opened_at and round_.closed_at is not None
    assert await store.joint_actions.rounds(CSO, "checklist-cso", "cso-05") == []


async def test_a_schema_11_database_upgrades_to_joint_actions(tmp_path):
    path = tmp_path / "v11.sqlite3"
    load(11, path)
    store = await Store.open(path, Clock(UPGRADED_AT))
    try:
        assert await store.db.schema_version() == 12
        # The fixture's partnership: the council -300 and the civil-society group.
        outcome, joint = await store.joint_actions.propose(
            1, OTHER_GROUP, GROUP, 2, Side.CSO, "Meet", 601, ITEMS)
        assert outcome is Proposal.MADE
        assert await store.joint_actions.for_chat(OTHER_GROUP) == [joint]
    finally:
        await store.close()


async def test_a_coordinators_line_is_waited_for_once_and_briefly(store, clock):
    link_id = await linked(store)
    await store.chats.ensure(OLGA, kind="private", title=None, timezone="UTC", language="en")
    assert await store.joint_actions.want_words(OLGA, link_id, Side.LA, 4)
    assert not await store.joint_actions.want_words(OLGA, link_id, Side.LA, 4)  # again
    await store.joint_actions.words_asked(OLGA, 77)
    # A reply to another message is not the line; a reply to the question is.
    assert await store.joint_actions.take_draft(OLGA, 76) is None
    draft = await store.joint_actions.take_draft(OLGA, 77)
    assert (draft.partnership_id, draft.side, draft.pair_number) == (link_id, "la", 4)
    assert await store.joint_actions.take_draft(OLGA, None) is None  # taken once
    assert await store.joint_actions.want_words(OLGA, link_id, Side.LA, 5)
    clock.advance(minutes=16)
    assert await store.joint_actions.take_draft(OLGA, None) is None  # too late
    # It goes with the partnership, and with the person.
    assert await store.joint_actions.want_words(OLGA, link_id, Side.LA, 5)
    await store.partnerships.unlink(link_id, COUNCIL)
    assert await store.db.fetch_value("SELECT COUNT(*) FROM joint_drafts") == 0
    link_id = await linked(store, "another hash")
    assert await store.joint_actions.want_words(OLGA, link_id, Side.LA, 5)
    await store.forget_person(OLGA)
    assert await store.db.fetch_value("SELECT COUNT(*) FROM joint_drafts") == 0
