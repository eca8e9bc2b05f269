"""A plan's design-test ratings where data goes: in the group's actions
export (each test's average and number of raters, and only from the
profile's minimum number of raters, never anyone's own rating, with names
shown or not), on SQLite and PostgreSQL and from the command line; and in
/mydata, a member's own ratings and no one else's."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime

import pytest

from bot.cli import main
from bot.domain.summary import MIN_RESPONDENTS
from bot.render.export_actions import action_records, actions_to_csv, actions_to_json
from bot.store import Store
from bot.store.actions import Change

from helpers.app import Clock
from helpers.group import GROUP_ID, bot_message

PEOPLE = {601: "Ana Pérez", 602: "Bruno Díaz", 603: "Carla Ruiz"}


async def a_rated_plan(store, chat_id: int = GROUP_ID, *, names: bool) -> tuple[int, int]:
    """Two plans: one whose local democracy test three people rated (4, 5
    and 3) and economy two (1 and 2); one only two people rated at all."""
    await store.chats.ensure(chat_id, kind="group", title="Riverside", timezone="Europe/Madrid",
                             language="en")
    await store.chats.update(chat_id, names_visible=names)
    for person, name in PEOPLE.items():
        await store.members.seen(chat_id, person, name)
    rated = await store.actions.create(chat_id, "Open a tool library", 601)
    few = await store.actions.create(chat_id, "Plant the square", 601)
    for action in (rated, few):
        assert await store.design_tests.ask(action.id, chat_id) is Change.DONE
    for person, value in zip(PEOPLE, (4, 5, 3), strict=True):
        await store.design_tests.rate(rated.id, chat_id, person, "dem", value)
    for person, value in ((601, 1), (602, 2)):
        await store.design_tests.rate(rated.id, chat_id, person, "eco", value)
        await store.design_tests.rate(few.id, chat_id, person, "dem", 5)
    return rated.id, few.id


async def records_of(store, chat_id: int = GROUP_ID) -> list[dict]:
    return action_records(*await store.exports.actions_for_chat(chat_id),
                          await store.exports.design_ratings_for_chat(chat_id))


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
async def test_the_export_shows_averages_only_from_the_minimum(store, names):
    assert MIN_RESPONDENTS == 3
    await a_rated_plan(store, names=names)
    rated, few = await records_of(store)
    assert rated["design_tests"] == {"local democracy": {"average": 4.0, "raters": 3}}
    assert few["design_tests"] == {}
    (row, other) = csv.DictReader(io.StringIO(actions_to_csv([rated, few])))
    assert row["design_tests"] == "local democracy: 4.0 (3 raters)"
    assert other["design_tests"] == ""
    for text in (actions_to_csv([rated, few]), actions_to_json([rated, few])):
        # Nothing of the tests below the minimum, and no one beside a rating.
        assert "economic" not in text and "self-reliance" not in text
        assert not any(name in text for name in PEOPLE.values())


async def test_other_groups_ratings_stay_out(store):
    await a_rated_plan(store, names=True)
    await a_rated_plan(store, -200, names=True)
    assert {r.action_id for r in await store.exports.design_ratings_for_chat(-200)} == {
        action.id for action in (await store.exports.actions_for_chat(-200))[0]}
    assert len(await store.exports.design_ratings_for_chat(GROUP_ID)) == 7


async def test_a_forgotten_rating_leaves_the_average(store):
    await a_rated_plan(store, names=False)
    await store.forget_member_in_chat(GROUP_ID, 603)
    rated, _ = await records_of(store)
    assert rated["design_tests"] == {}


def test_the_command_line_export_carries_the_averages(tmp_path, monkeypatch, capsys):
    path = tmp_path / "civic.sqlite3"

    async def build() -> None:
        store = await Store.open(path, Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)))
        try:
            await a_rated_plan(store, names=True)
        finally:
            await store.close()

    asyncio.run(build())
    for name in ("DATABASE_URL", "CIVIC_REFLECT_CONTENT", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(path))
    out = tmp_path / "actions.json"
    assert main(["export", "--chat", str(GROUP_ID), "--actions", "--format", "json",
                 "--output", str(out)]) == 0
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["design_tests"] for r in records] == [
        {"local democracy": {"average": 4.0, "raters": 3}}, {}]


async def test_mydata_shows_a_members_own_ratings_only(harness, group):
    u, store = harness.updates, harness.store
    for person in (group.bruno, group.carla):
        await harness.send(u.command(u.private_chat(person), person, "/start"))
    action = await store.actions.create(GROUP_ID, "Open a tool library", group.ana["id"])
    assert await store.design_tests.ask(action.id, GROUP_ID) is Change.DONE
    for test, value in (("dem", 4), ("lnk", 2)):
        await store.design_tests.rate(action.id, GROUP_ID, group.bruno["id"], test, value)
    await store.design_tests.rate(action.id, GROUP_ID, group.carla["id"], "dem", 1)

    await harness.send(u.command(group.chat, group.bruno, "/mydata"))
    mine = "\n".join(text for text in harness.telegram.texts(group.bruno["id"]))
    assert "🧪 Your design-test ratings" in mine
    assert "📌 Open a tool library\n   Local democracy: 4 of 5\n   Links with others: 2 of 5" in (
        mine)
    assert "1 of 5" not in mine  # Carla's rating is hers
    # Her /forget in the group takes her ratings there.
    await harness.send(u.command(group.chat, group.carla, "/forget"))
    confirm = bot_message(harness, GROUP_ID)
    await harness.send(u.callback(group.chat, group.carla, confirm,
                                  f"1|f|{group.carla['id']}|1"))
    assert await store.exports.design_ratings_of_member(GROUP_ID, group.carla["id"]) == []
