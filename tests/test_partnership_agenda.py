"""The agenda for a joint meeting once both sides have answered every pair,
quoted from the source, and long group titles within Telegram's limits."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest

from bot.render.split import TELEGRAM_LIMIT

from helpers.group import press
from helpers.partnership import (
    COUNCIL_ID,
    ask_and_rate,
    council,
    link,
    linked_pair,
    riverside_cso,
    set_up,
    show,
    texts,
)
from helpers.source_text import SOURCE, source_text

FRIDAY_1700_MADRID = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)


@pytest.fixture
async def pair(harness):
    return await linked_pair(harness)


# Every pair, three people a side, all three giving the same rating: (council, civil society).
EVERYTHING = {
    1: (2, 3), 2: (3, 3), 3: (4, 4), 4: (5, 2), 5: (1, 3), 6: (2, 2), 7: (3, 5), 8: (4, 5),
    9: (5, 5), 10: (1, 4), 11: (2, 3), 12: (3, 3), 13: (4, 1), 14: (5, 4), 15: (1, 1),
}


async def answer_everything(harness, town, cso) -> None:
    for number in range(1, 16):
        ours, theirs = EVERYTHING[number]
        await ask_and_rate(harness, town, dict.fromkeys(("Olga", "Pablo", "Quinn"), ours))
        await ask_and_rate(harness, cso, dict.fromkeys(("Ana", "Bruno", "Carla"), theirs))


def collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u00a0", " "))


async def test_when_everything_is_answered_an_agenda_is_offered(harness, pair):
    town, cso = pair
    await answer_everything(harness, town, cso)
    (table,) = await show(harness, town)
    assert "✅ Both sides have answered all fifteen pairs of questions: a good moment to meet. " \
           "/partnership agenda prepares an agenda for a joint session." in table
    assert "Answered by one side so far" not in table and "Not yet answered" not in table

    olga = harness.updates.private_chat(town.admin)
    await harness.send(harness.updates.command(olga, town.admin, "/start"))
    await harness.send(harness.updates.command(olga, town.admin, "/partnership"))
    offer = harness.telegram.last("sendMessage", chat_id=town.admin["id"])
    (button,) = offer.params["reply_markup"]["inline_keyboard"][0]
    assert button["text"] == "📋 Agenda for a joint meeting"
    message = harness.telegram.message(town.admin["id"], offer.result["message_id"])
    before = len(texts(harness, town.admin["id"]))
    await press(harness, olga, town.admin, message, button["callback_data"])
    (agenda,) = texts(harness, town.admin["id"])[before:]
    lines = agenda.split("\n")
    assert lines[0] == "📋 Agenda for a joint meeting: Riverside Council and Riverside CSO"
    # Widest gaps (3): pairs 4, 10 and 13, in checklist order.
    widest = lines[lines.index("1. Where our self-ratings are furthest apart") + 1:]
    assert widest[0] == "Making sense of local challenges together: you 5.0 · Riverside CSO 2.0"
    assert widest[1] == ("      Council side, 4: “How well is the LA leadership creating "
                         "opportunities for relevant stakeholders to come together to make "
                         "sense of local challenges?”")
    assert widest[2] == ("      Civil-society side, IV: “How well is the CSO actively "
                         "contributing its perspectives and experiences to local sense-making?”")
    assert widest[3] == "Local democracy: you 1.0 · Riverside CSO 4.0"
    assert widest[6] == "Welcoming diverse participation: you 4.0 · Riverside CSO 1.0"
    # Strongest shared, among the rest: the highest lower score (9: 5 and 5), then 8 and
    # 14 (4 and 5, 5 and 4: checklist order); 3 (4 and 4) comes fourth.
    strongest = lines[lines.index("2. What we both rate well") + 1:]
    assert [strongest[0], strongest[3], strongest[6]] == [
        "Thinking of future generations: you 5.0 · Riverside CSO 5.0",
        "Neighbourhood leadership and peer support: you 4.0 · Riverside CSO 5.0",
        "A listening culture: you 5.0 · Riverside CSO 4.0"]
    assert strongest[1].startswith("      Council side, 9: “Are there good arrangements")
    openers = lines[lines.index("3. Questions to open the discussion") + 1:]
    assert openers[0].startswith(
        "• On “Making sense of local challenges together”: each side rated")
    assert openers[1].startswith("• On “Thinking of future generations”: what makes this")
    # Where both sides rate lowest: 15 (1 and 1) before 5 (1 and 3).
    assert openers[2].startswith("• On “Conversations that matter”, where we both")
    # Quoted from the source, word for word.
    if SOURCE.exists() or os.environ.get("CIVIC_REFLECT_SOURCE_REQUIRED") == "1":
        source = collapse(source_text())
        quotes = re.findall(r"“(How well[^”]*|Are [^”]*)”", agenda)
        assert len(quotes) == 12
        for quote in quotes:
            assert quote in source, quote

    # The weekly digest offers it too, under the partnership section.
    harness.clock.now = FRIDAY_1700_MADRID
    await harness.tick()
    section = next(call for call in reversed(harness.telegram.calls_to(
        "sendMessage", chat_id=town.admin["id"])) if "Partnership:" in call.params["text"])
    assert section.params["reply_markup"]["inline_keyboard"][0][0] == button

    # And the same in the group, on request.
    (in_group,) = await show(harness, cso, "/partnership agenda")
    assert in_group.startswith("📋 Agenda for a joint meeting: Riverside CSO and Riverside "
                               "Council")
    assert "      Civil-society side, IV: “How well is the CSO actively" in in_group


async def test_an_agenda_before_any_pair_is_compared_says_why_not(harness, pair):
    town, _ = pair
    (agenda,) = await show(harness, town, "/partnership agenda")
    assert agenda.endswith("An agenda needs at least one question with averages from both "
                           "sides (3 or more people each).")


async def test_long_titles_still_fit_telegrams_limits(harness):
    town = council(harness)
    # Telegram allows titles of up to 128 characters.
    town.chat["title"] = ("Riverside & District Council <Partnership Board> " * 3)[:128]
    cso = riverside_cso(harness)
    cso.chat["title"] = ("Riverside Community & Voluntary Sector Forum " * 3)[:128]
    await set_up(harness, town, "la")
    await set_up(harness, cso, "cso")
    await link(harness, town, cso)
    await answer_everything(harness, town, cso)
    parts = await show(harness, town)
    assert len(parts) >= 1
    for call in harness.telegram.calls_to("sendMessage", chat_id=COUNCIL_ID):
        assert len(call.params["text"]) <= TELEGRAM_LIMIT
    assert "Riverside & District Council <Partnership Board>" in parts[0]  # escaped, shown
    agenda = await show(harness, town, "/partnership agenda")
    assert agenda[0].startswith("📋 Agenda for a joint meeting: Riverside & District")
