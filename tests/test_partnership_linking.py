"""Linking a council group with civil-society groups, through the real
Application and the fake Telegram: /setup's side step, /partner codes
(valid, expired, reused, forged, same side, own), who may link and unlink,
/unpartner with its confirmation, and a supergroup upgrade."""

from __future__ import annotations

import pytest

from bot.domain.partner_link import code_hash, normalise_code
from bot.render.callbacks import PartnershipView, Unpartner, decode, encode
from bot.sandbox.telegram import visible_text

from helpers.group import bot_message, press
from helpers.partnership import (
    CSO_ID,
    HILL_ID,
    OTHER_ID,
    command,
    council,
    hillside,
    last,
    link,
    make_team,
    new_code,
    riverside_cso,
    set_up,
    valley,
)


@pytest.fixture
async def teams(harness):
    town, cso, hill = council(harness), riverside_cso(harness), hillside(harness)
    await set_up(harness, town, "la")
    await set_up(harness, cso, "cso")
    await set_up(harness, hill, "cso", language="es")
    return town, cso, hill


def buttons(message: dict) -> list[tuple[str, str]]:
    return [(b["text"], b.get("callback_data", "")) for row in
            message["reply_markup"]["inline_keyboard"] for b in row]


# -- buttons ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("callback", "data"),
    [(Unpartner(12, "pick"), "1|u|12|pick"), (Unpartner(12, "end"), "1|u|12|end"),
     (Unpartner(12, "keep"), "1|u|12|keep"), (Unpartner(None, "keep"), "1|u|-|keep"),
     (PartnershipView(7, "la", False), "1|v|7|la|0"),
     (PartnershipView(10**15, "cso", True), "1|v|1000000000000000|cso|1")],
    ids=repr,
)
def test_partnership_buttons_round_trip(callback, data):
    assert encode(callback) == data and decode(data) == callback


@pytest.mark.parametrize("data", ["1|u|-|end", "1|u|-|pick", "1|u|0|end", "1|u|12|drop",
                                  "1|u|12", "1|v|7|council|0", "1|v|7|la|2", "1|v|-7|la|0",
                                  "1|v|7|la", "2|v|7|la|0"])
def test_forged_partnership_buttons_decode_to_nothing(data):
    assert decode(data) is None


# -- /setup: the checklist once, then the side ------------------------------------------------


async def test_setup_offers_the_checklist_once_then_asks_the_side(harness):
    town = council(harness)
    u = harness.updates
    await harness.send(u.bot_added(town.chat, town.admin))
    await harness.send(u.command(town.chat, town.admin, "/setup"))
    wizard = bot_message(harness, town.id)
    offered = [label for label, _ in buttons(wizard)]
    assert offered[0] == "Civic partnership checklist"
    assert not any(label.startswith("Civic partnership:") for label in offered)
    assert offered.count("Civic partnership checklist") == 1
    assert "Theory U: a learning journey" in offered

    await press(harness, town.chat, town.admin, wizard, "1|s|p|checklist")
    wizard = harness.telegram.message(town.id, wizard["message_id"])
    assert "Which side of the partnership is this group?" in visible_text(wizard["text"])
    assert buttons(wizard) == [
        ("A council or other public body", "1|s|side|checklist-la"),
        ("A civil-society organisation", "1|s|side|checklist-cso")]
    # A side that is not one of the checklist's is refused politely.
    refused = await press(harness, town.chat, town.admin, wizard, "1|s|side|theory-u")
    assert refused["text"].startswith("This button is no longer valid")

    await press(harness, town.chat, town.admin, wizard, "1|s|side|checklist-la")
    for step, value in (("c", "weekly"), ("d", "wed"), ("t", "09:00"), ("z", "Europe/Madrid"),
                        ("l", "en"), ("n", "counts")):
        await press(harness, town.chat, town.admin, wizard, f"1|s|{step}|{value}")
    done = visible_text(harness.telegram.message(town.id, wizard["message_id"])["text"])
    assert "This group will reflect on Civic partnership: local authority." in done
    assert "a coordinator sends /partner here for a code" in done
    assert (await harness.store.enrolments.active_for(town.id)).pack_id == "checklist-la"


async def test_an_old_wizard_button_for_one_side_still_works(harness):
    cso = riverside_cso(harness)
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/setup"))
    wizard = bot_message(harness, cso.id)
    # A message from before the change offered each side as its own programme.
    answer = await press(harness, cso.chat, cso.admin, wizard, "1|s|p|checklist-cso")
    assert "text" not in answer
    shown = visible_text(harness.telegram.message(cso.id, wizard["message_id"])["text"])
    assert "How often should a question come?" in shown


async def test_other_programmes_end_without_a_partner_hint(harness):
    other = make_team(harness, OTHER_ID, "Book Club", 971, ["Yara", "Zoe"])
    done = await set_up(harness, other, None, pack="theory-u")
    assert "/partner" not in done


# -- linking -----------------------------------------------------------------------------------


async def test_a_valid_code_links_and_both_groups_are_told_in_their_language(harness, teams):
    town, _, hill = teams
    await harness.send(harness.updates.command(town.chat, town.admin, "/partner"))
    issued = last(harness, town.id)
    assert issued.startswith("🤝 A partnership code for Riverside Council:")
    assert "Give it to a coordinator of a civil-society group" in issued
    assert "until Monday 9 March at 09:00 (Europe/Madrid)" in issued  # seven days
    assert "names, comments, each person's own rating" in issued
    code = normalise_code(issued.split(":", 1)[1].split()[0])

    await harness.send(harness.updates.command(hill.chat, hill.admin, f"/partner {code.lower()}"))
    told_town, told_hill = last(harness, town.id), last(harness, HILL_ID)
    assert told_town.startswith("🤝 Riverside Council and Red de Hillside are now partners.")
    assert "What stays hidden: names, comments" in told_town
    assert told_hill.startswith("🤝 Red de Hillside y Riverside Council son ahora grupos aliados.")
    assert "Lo que queda oculto: nombres, comentarios" in told_hill
    links = await harness.store.partnerships.for_chat(town.id)
    assert [(x.la_chat_id, x.cso_chat_id) for x in links] == [(town.id, HILL_ID)]

    # Only the code's hash is kept, and it is spent.
    rows = await harness.store.db.fetch_all("SELECT * FROM partner_codes")
    assert [row["code_hash"] for row in rows] == [code_hash(code)]
    assert all(code not in str(value) for row in rows for value in tuple(row))
    assert rows[0]["used_at"] is not None


async def test_a_used_code_does_not_link_again(harness, teams):
    town, cso, hill = teams
    code = await new_code(harness, town)
    await command(harness, hill, f"/partner {code}")
    reply = await command(harness, cso, f"/partner {code}")
    assert reply.startswith("That code has been used already")
    assert [x.cso_chat_id for x in await harness.store.partnerships.for_chat(town.id)] == [
        HILL_ID]


async def test_an_expired_code_is_refused(harness, teams):
    town, cso, _ = teams
    code = await new_code(harness, town)
    harness.clock.advance(days=7)
    assert (await command(harness, cso, f"/partner {code}")).startswith(
        "That code has expired: codes work for 7 days.")
    assert await harness.store.partnerships.for_chat(town.id) == []


async def test_a_code_works_until_its_seventh_day_ends(harness, teams):
    town, cso, _ = teams
    code = await new_code(harness, town)
    harness.clock.advance(days=6, hours=23, minutes=59)
    await command(harness, cso, f"/partner {code}")
    assert len(await harness.store.partnerships.for_chat(town.id)) == 1


@pytest.mark.parametrize(
    ("typed", "reply"),
    [
        ("ABCD-EFGH", "I do not know that code."),
        ("hello", "“hello” is not a partnership code."),
        ("<b>HX7K</b>", "“<b>HX7K</b>” is not a partnership code."),  # escaped, shown as typed
    ],
    ids=["forged", "malformed", "markup"],
)
async def test_forged_codes_are_refused(harness, teams, typed, reply):
    _, cso, _ = teams
    assert (await command(harness, cso, f"/partner {typed}")).startswith(reply)
    assert await harness.store.partnerships.for_chat(CSO_ID) == []


async def test_a_code_never_links_a_group_to_itself_or_to_its_own_side(harness, teams):
    town, cso, hill = teams
    code = await new_code(harness, cso)
    assert (await command(harness, cso, f"/partner {code}")).startswith(
        "That code was made in this group.")
    assert (await command(harness, hill, f"/partner {code}")).startswith(
        "Los dos grupos responden a las preguntas del mismo lado de la lista.")
    # Neither refusal spent the code: the council can still use it.
    await command(harness, town, f"/partner {code}")
    assert [x.cso_chat_id for x in await harness.store.partnerships.for_chat(CSO_ID)] == [CSO_ID]
    assert (await command(harness, town, f"/partner {await new_code(harness, cso)}")).startswith(
        "Riverside CSO is already a partner of this group.")


async def test_only_groups_on_the_checklist_can_link(harness, teams):
    town, _, _ = teams
    other = make_team(harness, OTHER_ID, "Book Club", 971, ["Yara", "Zoe"])
    await set_up(harness, other, None, pack="theory-u")
    assert (await command(harness, other, "/partner")).startswith(
        "This group does not follow the civic partnership checklist")
    code = await new_code(harness, town)
    assert (await command(harness, other, f"/partner {code}")).startswith(
        "This group does not follow the civic partnership checklist")
    # A code whose group left the checklist stops working.
    cso_code = await new_code(harness, teams[1])
    await set_up(harness, teams[1], None, pack="theory-u")
    assert (await command(harness, town, f"/partner {cso_code}")).startswith(
        "The group that made this code no longer follows its side")


async def test_non_coordinators_can_neither_link_nor_unlink(harness, teams):
    town, cso, _ = teams
    bruno = cso.members[0]
    assert (await command(harness, cso, "/partner", bruno)).startswith(
        "Sorry, only this group's coordinators can do that.")
    code = await new_code(harness, town)
    assert (await command(harness, cso, f"/partner {code}", bruno)).startswith(
        "Sorry, only this group's coordinators can do that.")
    assert await harness.store.partnerships.for_chat(CSO_ID) == []
    await command(harness, cso, f"/partner {code}")  # the code was not spent by Bruno
    assert len(await harness.store.partnerships.for_chat(CSO_ID)) == 1

    assert (await command(harness, cso, "/unpartner", bruno)).startswith(
        "Sorry, only this group's coordinators can do that.")
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    confirm = bot_message(harness, CSO_ID)
    link_id = (await harness.store.partnerships.for_chat(CSO_ID))[0].id
    answer = await press(harness, cso.chat, bruno, confirm, f"1|u|{link_id}|end")
    assert answer["text"].startswith("Sorry, only this group's coordinators")
    assert len(await harness.store.partnerships.for_chat(CSO_ID)) == 1
    # A coordinator of the *other* group cannot press this group's button either.
    harness.telegram.set_chat_member(CSO_ID, town.admin, "member")
    answer = await press(harness, cso.chat, town.admin, confirm, f"1|u|{link_id}|end")
    assert answer["text"].startswith("Sorry, only this group's coordinators")
    assert len(await harness.store.partnerships.for_chat(CSO_ID)) == 1


# -- unlinking ----------------------------------------------------------------------------------


async def test_unpartner_asks_first_and_both_groups_are_told(harness, teams):
    town, cso, _ = teams
    await link(harness, town, cso)
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    confirm = bot_message(harness, CSO_ID)
    assert visible_text(confirm["text"]) == (
        "Stop the partnership with Riverside Council? Sharing stops at once, both ways.")
    link_id = (await harness.store.partnerships.for_chat(CSO_ID))[0].id
    assert buttons(confirm) == [("Yes, stop sharing", f"1|u|{link_id}|end"),
                                ("No, keep it", f"1|u|{link_id}|keep")]
    await press(harness, cso.chat, cso.admin, confirm, f"1|u|{link_id}|keep")
    assert visible_text(harness.telegram.message(CSO_ID, confirm["message_id"])["text"]) == (
        "Nothing changed: the partnership goes on.")
    assert len(await harness.store.partnerships.for_chat(CSO_ID)) == 1

    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    confirm = bot_message(harness, CSO_ID)
    await press(harness, cso.chat, cso.admin, confirm, f"1|u|{link_id}|end")
    assert visible_text(harness.telegram.message(CSO_ID, confirm["message_id"])["text"]) == (
        "The partnership with Riverside Council has ended. Neither group sees the other's "
        "averages any more.")
    assert last(harness, town.id) == (
        "Riverside CSO has ended its partnership with this group. Neither group sees the "
        "other's averages any more.")
    assert await harness.store.partnerships.for_chat(CSO_ID) == []
    # The same button again (its message has no buttons left): politely stale.
    answer = await press(harness, cso.chat, cso.admin, confirm, f"1|u|{link_id}|end")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    assert (await command(harness, cso, "/unpartner")).startswith("This group has no partners")


async def test_with_several_partners_unpartner_asks_which(harness, teams):
    town, cso, hill = teams
    vale = valley(harness)
    await set_up(harness, vale, "cso")
    for partner in (cso, hill, vale):
        await link(harness, town, partner)
    await harness.send(harness.updates.command(town.chat, town.admin, "/unpartner"))
    choice = bot_message(harness, town.id)
    links = {x.cso_chat_id: x.id for x in await harness.store.partnerships.for_chat(town.id)}
    assert buttons(choice) == [
        ("Riverside CSO", f"1|u|{links[CSO_ID]}|pick"),
        ("Red de Hillside", f"1|u|{links[HILL_ID]}|pick"),
        ("Valley Voices", f"1|u|{links[vale.id]}|pick"),
        ("Keep them all", "1|u|-|keep")]
    await press(harness, town.chat, town.admin, choice, "1|u|-|keep")
    assert visible_text(harness.telegram.message(town.id, choice["message_id"])["text"]) == (
        "Nothing changed: every partnership goes on.")
    assert len(await harness.store.partnerships.for_chat(town.id)) == 3
    # A forged button naming a partnership of other groups is refused.
    other = (await harness.store.partnerships.for_chat(CSO_ID))[0].id + 1000
    answer = await press(harness, town.chat, town.admin, choice, f"1|u|{other}|end")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."
    # "Keep them all" took the buttons away: a new /unpartner asks again.
    await harness.send(harness.updates.command(town.chat, town.admin, "/unpartner"))
    choice = bot_message(harness, town.id)
    await press(harness, town.chat, town.admin, choice, f"1|u|{links[HILL_ID]}|pick")
    confirm = harness.telegram.message(town.id, choice["message_id"])
    assert visible_text(confirm["text"]).startswith("Stop the partnership with Red de Hillside?")
    await press(harness, town.chat, town.admin, confirm, f"1|u|{links[HILL_ID]}|end")
    assert last(harness, HILL_ID).startswith("Riverside Council ha terminado su alianza")
    remaining = [x.cso_chat_id for x in await harness.store.partnerships.for_chat(town.id)]
    assert remaining == [CSO_ID, vale.id]


async def test_a_supergroup_upgrade_keeps_the_partnership(harness, teams):
    town, cso, _ = teams
    await link(harness, town, cso)
    new_id = -1001234567890
    await harness.send(harness.updates.migrate(cso.chat, new_id))
    supergroup = harness.updates.group_chat(new_id, "Riverside CSO", type="supergroup")
    await harness.send(harness.updates.migrated_from(supergroup, CSO_ID))
    links = await harness.store.partnerships.for_chat(town.id)
    assert [(x.la_chat_id, x.cso_chat_id) for x in links] == [(town.id, new_id)]
    assert await harness.store.partnerships.for_chat(CSO_ID) == []


async def test_partner_commands_answer_in_the_groups_language(harness, teams):
    _, _, hill = teams
    assert (await command(harness, hill, "/unpartner")).startswith(
        "Este grupo no tiene grupos aliados")
    assert (await command(harness, hill, "/partner ???")).startswith(
        "«???» no es un código de alianza.")
