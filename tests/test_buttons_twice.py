"""Every button pressed twice is a button pressed once (a promise: the register).

Telegram delivers an update again when it did not hear that the bot took it
(the bot crashed, a webhook reply was lost at the proxy). Each kind of button
is delivered twice here, the same update with the same update_id and the
same callback query, in groups and in private chats, on both databases: every
row of every table after the second delivery is as after the first."""

from __future__ import annotations

import pytest

from bot.render import callbacks

from helpers.group import GROUP_ID, ask, bot_message
from helpers.partnership import COUNCIL_ID, CSO_ID, ask_and_rate, linked_pair
from helpers.personal import ROSA, next_prompt, onboard

C = callbacks
# Which kinds of button each test below presses twice: together, every kind.
COVERS = {
    "test_question_buttons_in_a_group": {C.Rate, C.Quote, C.Explain},
    "test_forget_in_a_group": {C.Rate, C.ForgetConfirm},
    "test_every_step_of_the_setup_wizard": {C.SetupChoice},
    "test_private_chat_buttons": {C.SetupChoice, C.Rate, C.Journal},
    "test_partnership_buttons": {C.PartnershipView, C.Unpartner},
    "test_action_buttons": {C.ActionChoice, C.CheckIn, C.NoteShare},
    "test_design_test_buttons": {C.DesignAsk, C.DesignRate, C.DesignProfile},
    "test_commitment_buttons": {C.Commit, C.CheckIn},
    "test_joint_action_buttons": {C.JointPropose, C.ActionChoice},
}


@pytest.fixture(autouse=True)
def pressed(request):
    """The kinds of button the test pressed, checked against COVERS at its end."""
    kinds: set[type] = set()
    yield kinds
    if request.node.originalname in COVERS:
        assert kinds == COVERS[request.node.originalname]


async def everything(harness) -> dict[str, list[tuple]]:
    """Every row of every table, in a fixed order."""
    db = harness.store.db
    return {table: sorted((tuple(row) for row in await db.fetch_all(f"SELECT * FROM {table}")),
                          key=repr)
            for table in await db.tables()}


async def twice(harness, pressed: set[type], chat: dict, user: dict, message: dict,
                data: str) -> dict:
    """Deliver one press, then the very same update again; the database must
    not change the second time. Returns the pop-up of the first delivery."""
    pressed.add(type(callbacks.decode(data)))
    update = harness.updates.callback(chat, user, message, data)
    await harness.send(update)
    answer = harness.telegram.last("answerCallbackQuery").params
    once = await everything(harness)
    await harness.send(update)
    assert await everything(harness) == once, f"{data} changed something the second time"
    return answer


async def test_question_buttons_in_a_group(harness, group, pressed):
    chat = group.chat
    question = await ask(harness, group)
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    await twice(harness, pressed, chat, group.bruno, question, f"1|r|{prompt.id}|4")
    await twice(harness, pressed, chat, group.dev, question, f"1|r|{prompt.id}|0")  # skip
    await harness.send(harness.updates.reply(chat, group.carla, question, "Quote this"))
    await twice(harness, pressed, chat, group.carla, question, f"1|q|{prompt.id}|1")
    await twice(harness, pressed, chat, group.carla, question, f"1|q|{prompt.id}|0")
    assert (await harness.store.answers.get(prompt.id, group.carla["id"])).quotable is False
    await twice(harness, pressed, chat, group.eli, question, f"1|g|{prompt.id}")


async def test_forget_in_a_group(harness, group, pressed):
    chat = group.chat
    question = await ask(harness, group)
    prompt = (await harness.store.prompts.list_for_chat(GROUP_ID))[-1]
    await twice(harness, pressed, chat, group.dev, question, f"1|r|{prompt.id}|5")
    await harness.send(harness.updates.command(chat, group.dev, "/forget"))
    await twice(harness, pressed, chat, group.dev, bot_message(harness, GROUP_ID),
                f"1|f|{group.dev['id']}|0")
    await harness.send(harness.updates.command(chat, group.dev, "/forget"))
    await twice(harness, pressed, chat, group.dev, bot_message(harness, GROUP_ID),
                f"1|f|{group.dev['id']}|1")
    assert await harness.store.answers.get(prompt.id, group.dev["id"]) is None


@pytest.fixture
def fresh_group(harness):
    from helpers.group import make_group

    return make_group(harness)


async def test_every_step_of_the_setup_wizard(harness, fresh_group, pressed):
    group = fresh_group
    chat, ana = group.chat, group.ana
    await harness.send(harness.updates.bot_added(chat, ana))
    await harness.send(harness.updates.command(chat, ana, "/setup"))
    wizard = bot_message(harness, GROUP_ID)
    for step, value in (("p", "checklist-cso"), ("c", "weekly"), ("d", "mon"), ("t", "09:00"),
                        ("z", "Europe/Madrid"), ("l", "en"), ("n", "counts")):
        await twice(harness, pressed, chat, ana, wizard, f"1|s|{step}|{value}")
    enrolment = await harness.store.enrolments.active_for(GROUP_ID)
    assert enrolment is not None and enrolment.pack_id == "checklist-cso"


async def test_private_chat_buttons(harness, pressed):
    u = harness.updates
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    # The wizard once more, every press twice (a second /start shows the programme).
    await harness.send(u.command(private, rosa, "/programme"))
    wizard = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    for step, value in (("P", "well-being"), ("C", "daily"), ("T", "20:00"),
                        ("Z", "Europe/Madrid"), ("R", "sun")):
        await twice(harness, pressed, private, rosa, wizard, f"1|s|{step}|{value}")
    prompt, message = await next_prompt(harness, harness.clock.now.replace(hour=23))
    await twice(harness, pressed, private, rosa, message, f"1|r|{prompt.id}|3")
    await harness.send(u.command(private, rosa, "/journal"))
    page = harness.telegram.message(ROSA, harness.telegram.last(
        "sendMessage", chat_id=ROSA).result["message_id"])
    await twice(harness, pressed, private, rosa, page, "1|j|1|-")


async def test_partnership_buttons(harness, pressed):
    _town, cso = await linked_pair(harness)
    link = (await harness.store.partnerships.for_chat(CSO_ID))[0]
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/partnership"))
    view = bot_message(harness, CSO_ID)
    await twice(harness, pressed, cso.chat, cso.admin, view, f"1|v|{link.id}|cso|1")
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    confirm = bot_message(harness, CSO_ID)
    await twice(harness, pressed, cso.chat, cso.admin, confirm, f"1|u|{link.id}|keep")
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    confirm = bot_message(harness, CSO_ID)
    await twice(harness, pressed, cso.chat, cso.admin, confirm, f"1|u|{link.id}|end")
    assert await harness.store.partnerships.for_chat(CSO_ID) == []


async def test_action_buttons(harness, group, pressed):
    u = harness.updates
    chat, bruno = group.chat, group.bruno
    private = u.private_chat(bruno)
    await harness.send(u.command(private, bruno, "/start"))
    await harness.send(u.command(chat, group.carla, "/action Paint the fence"))
    card = bot_message(harness, GROUP_ID)
    action = (await harness.store.actions.open_for_chat(GROUP_ID))[0].id
    for person, choice in ((bruno, "vol"), (group.carla, "vol"), (group.carla, "back"),
                           (group.carla, "w1")):
        await twice(harness, pressed, chat, person, card, f"1|a|{action}|{choice}")
    harness.clock.advance(days=8)
    await harness.tick()
    checkin = bot_message(harness, bruno["id"])
    await twice(harness, pressed, private, bruno, checkin, f"1|c|{action}|stuck")
    await harness.send(u.message(private, bruno, "need a key"))
    offer = bot_message(harness, bruno["id"])
    await twice(harness, pressed, private, bruno, offer, f"1|n|{action}|1")
    await twice(harness, pressed, private, bruno, checkin, f"1|c|{action}|done")
    assert (await harness.store.actions.get(action)).state == "done"


async def test_design_test_buttons(harness, group, pressed):
    chat = group.chat
    await harness.send(harness.updates.command(chat, group.carla, "/action Paint the fence"))
    card = bot_message(harness, GROUP_ID)
    action = (await harness.store.actions.open_for_chat(GROUP_ID))[0].id
    await twice(harness, pressed, chat, group.ana, card, f"1|t|{action}")
    tests = bot_message(harness, GROUP_ID)
    for person, value in ((group.bruno, 4), (group.carla, 2), (group.bruno, 5)):
        await twice(harness, pressed, chat, person, tests, f"1|d|{action}|dem|{value}")
    await twice(harness, pressed, chat, group.ana, tests, f"1|p|{action}")
    assert len(await harness.store.design_tests.ratings(action)) == 2


async def test_commitment_buttons(harness, pressed):
    u = harness.updates
    rosa = u.user(ROSA, "Rosa")
    private = u.private_chat(rosa)
    await onboard(harness, rosa, private)
    prompt, _ = await next_prompt(harness, harness.clock.now.replace(hour=23))
    while prompt.item_id != "u-11":  # Theory U's small step offers a commitment
        harness.clock.advance(seconds=30)
        await harness.send(u.command(private, rosa, "/skip"))
        prompt = (await harness.store.prompts.list_for_chat(ROSA))[-1]
    await harness.send(u.message(private, rosa, "Plant beans"))
    offer = bot_message(harness, ROSA)
    for choice in ("w1", "d3", "no", "w2"):
        await twice(harness, pressed, private, rosa, offer, f"1|m|{prompt.id}|{choice}")
    (commitment,) = await harness.store.commitments.of_person(ROSA)
    harness.clock.now = commitment.due_at
    await harness.tick()
    checkin = bot_message(harness, ROSA)
    for answer in ("way", "done"):
        await twice(harness, pressed, private, rosa, checkin,
                    f"1|c|{commitment.action_id}|{answer}")
    assert (await harness.store.commitments.of_person(ROSA))[0].state == "done"


async def test_joint_action_buttons(harness, pressed):
    town, cso = await linked_pair(harness)
    await ask_and_rate(harness, town, dict.fromkeys(("Olga", "Pablo", "Quinn"), 2))
    await ask_and_rate(harness, cso, dict.fromkeys(("Ana", "Bruno", "Carla"), 4))
    link = (await harness.store.partnerships.for_chat(CSO_ID))[0]
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/partnership agenda"))
    agenda = bot_message(harness, CSO_ID)
    await twice(harness, pressed, cso.chat, cso.admin, agenda, f"1|ja|{link.id}|cso|1")
    # In private the press waits for the coordinator's line: once.
    private = harness.updates.private_chat(town.admin)
    await harness.send(harness.updates.command(private, town.admin, "/start"))
    await harness.send(harness.updates.command(private, town.admin, "/partnership agenda"))
    in_private = bot_message(harness, town.admin["id"])
    await twice(harness, pressed, private, town.admin, in_private, f"1|ja|{link.id}|la|1")
    assert await harness.store.db.fetch_value("SELECT COUNT(*) FROM joint_drafts") == 1
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/jointaction 1 Meet"))
    (joint,) = await harness.store.joint_actions.for_chat(CSO_ID)
    for team, chat_id, action in ((cso, CSO_ID, joint.cso_action_id),
                                  (town, COUNCIL_ID, joint.la_action_id)):
        card = bot_message(harness, chat_id)
        await twice(harness, pressed, team.chat, team.members[0], card, f"1|a|{action}|vol")
    assert len(await harness.store.actions.owners(joint.la_action_id)) == 1


def test_every_kind_of_button_is_pressed_twice():
    """A new kind of button must join a test above."""
    assert set().union(*COVERS.values()) == set(callbacks.Callback.__args__)
