"""Actions in the group's export files (bot/render/export_actions.py), read on
SQLite and PostgreSQL: what, when, how many owners and how each check-in
went; names only when the group shows names; a check-in note only when its
owner shared it, in every format (a promise: docs/how/promises.md)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.cli import main
from bot.render.export_actions import action_records, actions_to_csv, actions_to_json
from bot.store import Store
from bot.store.actions import Change

from helpers.app import Clock

GROUP_ID = -100
BRUNO, CARLA = 602, 603
SHARED = "Waiting for the library's answer."
UNSHARED = "My landlord is making this hard for me."


async def a_week_of_one_action(store, clock, *, names: bool) -> int:
    await store.chats.ensure(GROUP_ID, kind="group", title="Riverside", timezone="Europe/Madrid",
                             language="en")
    await store.chats.update(GROUP_ID, names_visible=names)
    for person, name in ((BRUNO, "Bruno Díaz"), (CARLA, "Carla Ruiz")):
        await store.chats.ensure(person, kind="private", title=None, timezone="UTC",
                                 language="en")
        await store.members.seen(GROUP_ID, person, name)
    action = await store.actions.create(GROUP_ID, "Ask the library for a room", BRUNO)
    for person in (BRUNO, CARLA):
        assert await store.actions.volunteer(action.id, GROUP_ID, person) is Change.DONE
    await store.actions.set_due(action.id, GROUP_ID, clock.now + timedelta(days=7))
    clock.advance(days=7)
    assert len(await store.actions.plan_checkins(clock.now)) == 2
    await store.actions.answer(action.id, BRUNO, "stuck", None)
    assert await store.actions.take_note(BRUNO, SHARED) == action.id
    assert await store.actions.share_note(action.id, BRUNO, True) is Change.DONE
    await store.actions.answer(action.id, CARLA, "stuck", None)
    assert await store.actions.take_note(CARLA, UNSHARED) == action.id
    return action.id


def files(records) -> list[str]:
    return [actions_to_csv(records), actions_to_json(records)]


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
async def test_a_note_is_in_the_export_only_when_its_owner_shared_it(store, clock, names):
    action_id = await a_week_of_one_action(store, clock, names=names)
    records = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    for text in files(records):
        assert SHARED in text
        assert UNSHARED not in text
    # Carla shares hers too: now it is there; keeps it private again: gone again.
    assert await store.actions.share_note(action_id, CARLA, True) is Change.DONE
    records = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    assert all(UNSHARED in text for text in files(records))
    assert await store.actions.share_note(action_id, CARLA, False) is Change.DONE
    records = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    assert all(UNSHARED not in text for text in files(records))


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
async def test_the_export_says_what_when_and_how_each_check_in_went(store, clock, names):
    action_id = await a_week_of_one_action(store, clock, names=names)
    await store.actions.answer(action_id, BRUNO, "done", None)
    await store.actions.answer(action_id, CARLA, "done", None)
    (record,) = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    assert (record["action_id"], record["action"], record["state"], record["owners"]) == (
        action_id, "Ask the library for a room", "done", 2)
    assert record["made_at"] < record["due_at"] <= record["done_at"]
    owners = [c["owner"] for c in record["check_ins"]]
    assert owners == (["Bruno Díaz", "Carla Ruiz"] if names else ["owner 1", "owner 2"])
    assert [c["check_in"] for c in record["check_ins"]] == ["done", "done"]
    assert record["shared_notes"] == [SHARED]
    text = actions_to_csv([record]) + actions_to_json([record])
    assert ("Bruno" in text) is names
    (row,) = csv.DictReader(io.StringIO(actions_to_csv([record])))
    assert (row["state"], row["owners"], row["shared_notes"]) == ("done", "2", SHARED)
    assert row["check_ins"] == f"{owners[0]}: done; {owners[1]}: done"
    assert json.loads(actions_to_json([record])) == [record]


async def test_other_groups_actions_and_no_actions_stay_out(store, clock):
    await a_week_of_one_action(store, clock, names=True)
    await store.chats.ensure(-200, kind="group", title="Hillside", timezone="UTC",
                             language="en")
    assert await store.exports.actions_for_chat(-200) == ([], [])
    assert action_records([], []) == []
    assert actions_to_csv([]).splitlines() == [
        "action_id,action,made_at,due_at,state,owners,done_at,check_ins,shared_notes,"
        "design_tests,from_question,from_summary_week"]


async def test_an_action_outlives_an_owner_who_forgets_and_their_note_goes(store, clock):
    action_id = await a_week_of_one_action(store, clock, names=True)
    await store.forget_person(BRUNO)
    await store.forget_member_in_chat(GROUP_ID, CARLA)
    assert await store.actions.owners(action_id) == []
    (record,) = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    assert (record["state"], record["owners"], record["shared_notes"]) == ("open", 0, [])
    assert all(SHARED not in text and UNSHARED not in text
               for text in files([record]))


@pytest.mark.parametrize("file_format", ["json", "csv"])
def test_the_command_line_exports_actions_without_unshared_notes(
        tmp_path, monkeypatch, capsys, file_format):
    path = tmp_path / "civic.sqlite3"

    async def build() -> None:
        clock = Clock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
        store = await Store.open(path, clock)
        try:
            await a_week_of_one_action(store, clock, names=False)
        finally:
            await store.close()

    asyncio.run(build())
    for name in ("DATABASE_URL", "CIVIC_REFLECT_CONTENT", "TELEGRAM_BOT_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CIVIC_REFLECT_DB", str(path))
    out = tmp_path / f"actions.{file_format}"
    assert main(["export", "--chat", str(GROUP_ID), "--actions", "--format", file_format,
                 "--output", str(out)]) == 0
    assert capsys.readouterr().err == f"wrote 1 actions to {out}\n"
    text = out.read_text(encoding="utf-8")
    assert SHARED in text and UNSHARED not in text
    assert "Bruno" not in text
    if file_format == "json":
        assert json.loads(text)[0]["check_ins"][0]["owner"] == "owner 1"


async def test_the_export_says_what_each_action_came_from(store, clock):
    await a_week_of_one_action(store, clock, names=False)
    enrolment = await store.enrolments.start(GROUP_ID, "checklist-cso", cadence="weekly",
                                             days=["mon"], local_time="09:00", next_due_at=None)
    prompt, _ = await store.prompts.open(enrolment.id, "w1", chat_id=GROUP_ID,
                                         pack_id="checklist-cso", item_id="cso-01")
    await store.actions.create(GROUP_ID, "Map who we never hear from", BRUNO,
                               from_prompt=prompt.id)
    await store.actions.create(GROUP_ID, "Thank the volunteers", BRUNO, from_week="2026-W11")
    records = action_records(*await store.exports.actions_for_chat(GROUP_ID))
    assert [(r["from_question"], r["from_summary_week"]) for r in records] == [
        (None, None), (prompt.id, None), (None, "2026-W11")]
    rows = list(csv.DictReader(io.StringIO(actions_to_csv(records))))
    assert [(r["from_question"], r["from_summary_week"]) for r in rows] == [
        ("", ""), (str(prompt.id), ""), ("", "2026-W11")]
