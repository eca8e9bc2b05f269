"""Both sides of the checklist side by side, through the real Application:
the gap table's numbers and order against hand-computed values, the
three-people rule on each side, private answers, journals and /forget,
several partners shown apart, Spanish, the chart, the digest section and
the line under a question."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sandbox.telegram import visible_text

from helpers.group import bot_message, press
from helpers.partnership import (
    COUNCIL_ID,
    CSO_ID,
    HILL_ID,
    ask_and_rate,
    command,
    hillside,
    last,
    link,
    linked_pair,
    set_up,
    show,
    texts,
    valley,
)

PNG = b"\x89PNG\r\n\x1a\n"
FRIDAY_1700_MADRID = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


@pytest.fixture
async def pair(harness):
    return await linked_pair(harness)


async def answer_privately(harness, team, person, prompt_id: int, value: int) -> None:
    u = harness.updates
    private = u.private_chat(person)
    await harness.send(u.command(private, person, f"/start p{prompt_id}"))
    question = harness.telegram.message(person["id"], harness.telegram.calls_to(
        "sendMessage", chat_id=person["id"])[-2].result["message_id"])
    answer = await press(harness, private, person, question, f"1|r|{prompt_id}|{value}")
    assert answer["text"].startswith("Saved"), answer


async def write_journal(harness, person, item_id: str, value: int) -> None:
    """A personal programme on the civil-society checklist, answered alone:
    a journal entry the partnership must never read."""
    store = harness.store
    await store.chats.ensure(person["id"], kind="private", title=None, timezone="UTC",
                             language="en")
    journal = await store.enrolments.start(person["id"], "checklist-cso", cadence="daily",
                                           days=[], local_time="20:00", next_due_at=None)
    entry, _ = await store.prompts.open(journal.id, "journal-1", chat_id=person["id"],
                                        pack_id="checklist-cso", item_id=item_id)
    await store.answers.record(entry.id, person["id"], scale=value, visibility="private")


async def answer_five_pairs(harness, town, cso) -> None:
    """Hand-picked ratings; each side's average is worked out beside it."""
    for ratings in (
        {"Olga": 4, "Pablo": 4, "Quinn": 5},  # la-01: 13/3 = 4.33
        {"Olga": 3, "Pablo": 3, "Quinn": 3, "Rui": 3},  # la-02: 3.0
        {"Olga": 5, "Pablo": 4},  # la-03: two people, withheld
        {"Olga": 1, "Pablo": 2, "Quinn": 3},  # la-04: 2.0
        {"Olga": 4, "Pablo": 4, "Quinn": 4},  # la-05: 4.0
    ):
        await ask_and_rate(harness, town, ratings)
    await ask_and_rate(harness, cso, {"Ana": 2, "Bruno": 2, "Carla": 3})  # cso-01: 7/3 = 2.33
    second = await ask_and_rate(harness, cso, {"Ana": 3, "Bruno": 4, "Carla": 4})
    await answer_privately(harness, cso, cso.members[3], second, 5)  # Eli: cso-02 = 16/4 = 4.0
    await ask_and_rate(harness, cso, {"Ana": 4, "Bruno": 4, "Dev": 4})  # cso-03: 4.0
    await write_journal(harness, cso.members[3], "cso-03", 1)  # never counted: still 4.0
    await ask_and_rate(harness, cso, {"Ana": 5, "Bruno": 5, "Carla": 4})  # cso-04: 14/3 = 4.67
    await ask_and_rate(harness, cso, {"Ana": 4})  # cso-05: one person, withheld


UNANSWERED = [
    "• Joint work in practice", "• Communities as partners",
    "• Neighbourhood leadership and peer support", "• Thinking of future generations",
    "• Local democracy", "• A sustainable local economy", "• Connected, supportive communities",
    "• Welcoming diverse participation", "• A listening culture", "• Conversations that matter",
]


async def test_the_gap_table_against_hand_computed_averages(harness, pair):
    town, cso = pair
    await answer_five_pairs(harness, town, cso)
    (table,) = await show(harness, town)
    lines = table.split("\n")
    assert lines[0] == "🤝 Partnership: Riverside Council and Riverside CSO"
    assert "They are questions, not answers" in lines[1]
    start = lines.index("Side by side, widest gaps first "
                        "(each side's average rating of itself, out of 5)")
    assert lines[start + 1:] == [
        "Engaging whole systems",
        "• Making sense of local challenges together: you 2.0 · Riverside CSO 4.7 (gap 2.7)",
        "Defining valued outcomes",
        "• Goals: triple bottom line and valued outcomes: you 4.3 · Riverside CSO 2.3 (gap 2.0)",
        "• Shared local priorities: you 3.0 · Riverside CSO 4.0 (gap 1.0)",
        "",
        "Answered by one side so far",
        "• Outcomes that guide local action: you: not enough answers yet · Riverside CSO 4.0",
        "• Joining up what each partner contributes: you 4.0 · Riverside CSO: not enough "
        "answers yet",
        "",
        "Not yet answered by both sides: topics you could take up together",
        *UNANSWERED,
        "",
        "Averages only, each from at least 3 people: no names, no comments, no single "
        "ratings. The checklist is an agenda for building capacity on both sides, not a "
        "score to win.",
    ]
    # The chart comes with it.
    photo = harness.telegram.last("sendPhoto", chat_id=COUNCIL_ID)
    assert next(iter(photo.files.values())).content.startswith(PNG)
    assert photo.params["caption"].startswith("Riverside Council and Riverside CSO: each theme")

    # The civil-society side sees the same numbers the other way round, and its own
    # members' names, comments or single ratings nowhere in the council's view.
    (mirror,) = await show(harness, cso)
    assert ("• Goals: triple bottom line and valued outcomes: you 2.3 · Riverside Council 4.3 "
            "(gap 2.0)") in mirror
    assert ("• Outcomes that guide local action: you 4.0 · Riverside Council: not enough "
            "answers yet") in mirror
    for name in ("Ana", "Bruno", "Carla", "Dev", "Eli", "Olga", "Pablo"):
        assert name not in table and name not in mirror


async def test_forgetting_a_member_takes_their_rating_out_of_the_averages(harness, pair):
    town, cso = pair
    await answer_five_pairs(harness, town, cso)
    carla = cso.members[1]
    await harness.send(harness.updates.command(cso.chat, carla, "/forget"))
    confirm = bot_message(harness, CSO_ID)
    await press(harness, cso.chat, carla, confirm, f"1|f|{carla['id']}|1")
    (table,) = await show(harness, town)
    # cso-01 had Ana 2, Bruno 2, Carla 3: two people left, so withheld; cso-02 had Ana 3,
    # Bruno 4, Carla 4 and Eli 5 privately: now 12/3 = 4.0; cso-04 (5, 5, 4): withheld.
    assert ("• Goals: triple bottom line and valued outcomes: you 4.3 · Riverside CSO: "
            "not enough answers yet") in table
    assert "• Shared local priorities: you 3.0 · Riverside CSO 4.0 (gap 1.0)" in table
    assert ("• Making sense of local challenges together: you 2.0 · Riverside CSO: not enough "
            "answers yet") in table


async def test_nothing_to_compare_yet_is_said_kindly(harness, pair):
    town, _ = pair
    (table,) = await show(harness, town)
    assert "Nothing to set side by side yet: a question's averages appear here once at least " \
           "3 people on each side have rated it." in table
    assert harness.telegram.calls_to("sendPhoto", chat_id=COUNCIL_ID) == []  # no empty chart


async def test_only_coordinators_see_the_show(harness, pair):
    town, _ = pair
    assert (await command(harness, town, "/partnership", town.members[0])).startswith(
        "Sorry, only this group's coordinators can do that.")


async def test_three_partners_shown_apart_in_english_and_spanish(harness, pair):
    town, cso = pair
    hill, vale = hillside(harness), valley(harness)
    await set_up(harness, hill, "cso", language="es")
    await set_up(harness, vale, "cso")
    await link(harness, town, hill)
    await link(harness, vale, town)  # a civil-society group's code, used by the council
    await ask_and_rate(harness, town, {"Olga": 4, "Pablo": 4, "Quinn": 5})  # la-01: 4.33
    await ask_and_rate(harness, cso, {"Ana": 2, "Bruno": 2, "Carla": 3})  # 2.33
    await ask_and_rate(harness, hill, {"Hugo": 5, "Inés": 5, "Jon": 4})  # 4.67
    await ask_and_rate(harness, vale, {"Vera": 4, "Wim": 4, "Xan": 5})  # 4.33

    shown = await show(harness, town)
    assert [part.split("\n")[0] for part in shown] == [
        "🤝 Partnership: Riverside Council and Riverside CSO",
        "🤝 Partnership: Riverside Council and Red de Hillside",
        "🤝 Partnership: Riverside Council and Valley Voices"]
    rows = [next(line for line in part.split("\n") if line.startswith("• Goals"))
            for part in shown]
    assert rows == [
        "• Goals: triple bottom line and valued outcomes: you 4.3 · Riverside CSO 2.3 (gap 2.0)",
        "• Goals: triple bottom line and valued outcomes: you 4.3 · Red de Hillside 4.7 (gap 0.4)",
        "• Goals: triple bottom line and valued outcomes: you 4.3 · Valley Voices 4.3 (gap 0.0)"]
    for part, others in zip(shown, (("Hillside", "Valley"), ("Riverside CSO", "Valley"),
                                    ("Riverside CSO", "Hillside")), strict=True):
        assert not any(name in part for name in others)
    assert len(harness.telegram.calls_to("sendPhoto", chat_id=COUNCIL_ID)) == 3

    # A civil-society group sees only its own partnership, in its own language.
    (spanish,) = await show(harness, hill)
    assert spanish.startswith("🤝 Alianza: Red de Hillside y Riverside Council")
    assert ("• Objetivos: triple balance y resultados valorados: nuestro grupo 4,7 · "
            "Riverside Council 4,3 "
            "(diferencia 0,4)") in spanish
    assert "Riverside CSO" not in spanish and "Valley" not in spanish

    # In private, the council's coordinator chooses which partnership to see.
    olga = harness.updates.private_chat(town.admin)
    await harness.send(harness.updates.command(olga, town.admin, "/start"))
    await harness.send(harness.updates.command(olga, town.admin, "/partnership"))
    choice = bot_message(harness, town.admin["id"])
    labels = [b["text"] for row in choice["reply_markup"]["inline_keyboard"] for b in row]
    assert labels == ["Riverside Council ↔ Riverside CSO", "Riverside Council ↔ Red de Hillside",
                      "Riverside Council ↔ Valley Voices"]
    data = choice["reply_markup"]["inline_keyboard"][1][0]["callback_data"]
    before = len(texts(harness, town.admin["id"]))
    await press(harness, olga, town.admin, choice, data)
    (private_view,) = texts(harness, town.admin["id"])[before:]
    assert private_view.startswith("🤝 Partnership: Riverside Council and Red de Hillside")

    # Someone who coordinates neither side cannot use that button, even forged in
    # their own chat.
    ana = harness.updates.private_chat(cso.admin)
    await harness.send(harness.updates.command(ana, cso.admin, "/start"))
    answer = await press(harness, ana, cso.admin, bot_message(harness, cso.admin["id"]), data)
    assert answer["text"] == "This button is no longer valid. Nothing was changed."


async def test_unlinking_stops_the_sharing_at_once(harness, pair):
    town, cso = pair
    await answer_five_pairs(harness, town, cso)
    olga = harness.updates.private_chat(town.admin)
    await harness.send(harness.updates.command(olga, town.admin, "/start"))
    await harness.send(harness.updates.command(olga, town.admin, "/partnership"))
    assert any(text.startswith("🤝 Partnership: Riverside Council and Riverside CSO")
               for text in texts(harness, town.admin["id"]))
    link_id = (await harness.store.partnerships.for_chat(COUNCIL_ID))[0].id

    await harness.send(harness.updates.command(town.chat, town.admin, "/unpartner"))
    await press(harness, town.chat, town.admin, bot_message(harness, COUNCIL_ID),
                f"1|u|{link_id}|end")
    assert (await show(harness, town)) == [
        "This group has no partner yet. A coordinator can send /partner here to get a code "
        "for a group of the other side."]
    assert (await show(harness, cso))[0].startswith("This group has no partner yet.")
    await harness.send(harness.updates.command(olga, town.admin, "/partnership"))
    assert last(harness, town.admin["id"]).startswith("You do not coordinate a group with a "
                                                      "partner yet.")
    # A button from before the end shows nothing any more.
    message = harness.telegram.message(town.admin["id"], harness.telegram.last(
        "sendMessage", chat_id=town.admin["id"]).result["message_id"])
    answer = await press(harness, olga, town.admin, message, f"1|v|{link_id}|la|0")
    assert answer["text"] == "This button is no longer valid. Nothing was changed."


async def test_the_digest_has_a_partnership_section_with_its_chart(harness, pair):
    town, cso = pair
    await answer_five_pairs(harness, town, cso)
    ana = harness.updates.private_chat(cso.admin)
    await harness.send(harness.updates.command(ana, cso.admin, "/start"))
    harness.clock.now = FRIDAY_1700_MADRID
    await harness.tick()
    sent = texts(harness, cso.admin["id"])
    section = next(text for text in sent if text.startswith("🤝 Partnership:"))
    assert section.startswith("🤝 Partnership: Riverside CSO and Riverside Council")
    assert ("• Goals: triple bottom line and valued outcomes: you 2.3 · Riverside Council 4.3 "
            "(gap 2.0)") in section
    photos = harness.telegram.calls_to("sendPhoto", chat_id=cso.admin["id"])
    assert [p.params["caption"].split(":")[0] for p in photos] == [
        "Riverside CSO, in words", "Riverside CSO and Riverside Council"]
    # Not complete yet: no agenda offered.
    assert all("reply_markup" not in call.params for call in harness.telegram.calls_to(
        "sendMessage", chat_id=cso.admin["id"]) if "Partnership:" in call.params["text"])


async def test_your_partner_is_asked_the_same_this_week(harness, pair):
    town, cso = pair
    hill = hillside(harness)
    await set_up(harness, hill, "cso", language="es")
    note = "🤝 Your partner, Riverside Council, is asked its own question on this topic this week."
    # The council's next question is item 1, due on Wednesday: within the week.
    await ask_and_rate(harness, cso, {})
    assert note in last(harness, CSO_ID)
    await ask_and_rate(harness, town, {})  # item 1: the CSO asked item I just now
    assert ("🤝 Your partner, Riverside CSO, is asked its own question on this topic this week."
            in last(harness, COUNCIL_ID))
    await ask_and_rate(harness, town, {})  # item 2: the CSO asks II next, on Wednesday
    assert "Your partner, Riverside CSO" in last(harness, COUNCIL_ID)
    await ask_and_rate(harness, town, {})  # item 3: the CSO is not there yet
    assert "🤝" not in last(harness, COUNCIL_ID)
    await ask_and_rate(harness, hill, {})  # no partner: no line
    assert "🤝" not in last(harness, HILL_ID)

    # Linked with both: the council is told of each partner asked the same.
    await link(harness, town, hill)
    await ask_and_rate(harness, cso, {})  # II
    await ask_and_rate(harness, cso, {})  # III
    await ask_and_rate(harness, hill, {})  # II
    await ask_and_rate(harness, hill, {})  # III
    await ask_and_rate(harness, town, {})  # 4: both partners ask IV next, on Wednesday
    assert ("🤝 Your partners, Riverside CSO, Red de Hillside, are asked their own question on "
            "this topic this week.") in last(harness, COUNCIL_ID)
    await ask_and_rate(harness, cso, {})  # IV: the council asked 4 just now
    assert note in last(harness, CSO_ID)
    await ask_and_rate(harness, hill, {})  # IV, in Spanish
    assert ("🤝 Esta semana, Riverside Council, grupo aliado, responde a su propia pregunta "
            "sobre este tema.") in last(harness, HILL_ID)


async def test_the_line_goes_when_the_partnership_ends(harness, pair):
    _, cso = pair
    prompt_id = await ask_and_rate(harness, cso, {})
    assert "Your partner, Riverside Council" in last(harness, CSO_ID)
    link_id = (await harness.store.partnerships.for_chat(CSO_ID))[0].id
    await harness.send(harness.updates.command(cso.chat, cso.admin, "/unpartner"))
    await press(harness, cso.chat, cso.admin, bot_message(harness, CSO_ID), f"1|u|{link_id}|end")
    # The question's next edit (its live count) no longer mentions the partner.
    prompt = await harness.store.prompts.get(prompt_id)
    question = harness.telegram.message(CSO_ID, prompt.message_id)
    await press(harness, cso.chat, cso.members[0], question, f"1|r|{prompt_id}|4")
    await harness.refresh_counts()
    edited = harness.telegram.message(CSO_ID, prompt.message_id)
    assert "👥 1 person has answered so far" in visible_text(edited["text"])
    assert "partner" not in visible_text(edited["text"])
