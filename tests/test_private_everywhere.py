"""Private means private in every view a coordinator or operator has (a promise:
docs/how/promises.md). A private answer never carries its author's name or a
number that ties it to their answers in the group, and what it says is shown
only among enough private answers to the same question that it cannot point to
its writer; the digest applies the same rule (tests/test_summary.py,
tests/test_weekly.py)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.privacy import PRIVATE_MIN, private_answers_shown
from bot.domain.records import ExportRow
from bot.render.export import HELD_BACK, PRIVATE, export_records, to_csv, to_json

ASKED = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
NAMES = {1: "Fatima Khan", 2: "Bruno Díaz", 3: "Carla Ruiz", 4: "Dev Patel", 5: "Eli Cohen",
         6: "Gustavo Lima", 7: "Hana Sato"}
NIGHTS = "I work nights so I never make the meetings."


def answer(user: int, *, private: bool, names: bool, prompt: int = 1, minutes: int = 5,
           text: str | None = None, scale: int | None = 3) -> ExportRow:
    return ExportRow(
        chat_id=-100, prompt_id=prompt, pack_id="checklist-cso", item_id=f"cso-0{prompt}",
        asked_at=ASKED, user_id=user, display_name=NAMES[user] if names else None,
        scale=scale, skipped=False, text=text, voice_file_id=None,
        visibility="private" if private else "group", quotable=not private,
        answered_at=ASKED + timedelta(minutes=minutes), edited_at=None)


def week(private: int, *, names: bool) -> list[ExportRow]:
    """Fatima and private-1 others answer privately (Fatima with a comment), two in
    the group; then, on a second question, Fatima answers in the group."""
    rows = [answer(2, private=False, names=names, minutes=1),
            answer(3, private=False, names=names, minutes=2, text="In the group")]
    rows.append(answer(1, private=True, names=names, minutes=3, text=NIGHTS, scale=1))
    rows += [answer(4 + n, private=True, names=names, minutes=4 + n) for n in range(private - 1)]
    rows.append(answer(1, private=False, names=names, prompt=2, text="Seen by all"))
    return rows


def test_the_rule_itself():
    assert PRIVATE_MIN == 3
    assert [private_answers_shown(n) for n in (0, 1, 2, 3, 4)] == [False, False, False, True,
                                                                    True]


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
@pytest.mark.parametrize("private", [1, 2, 3, 4])
def test_a_private_answer_in_the_export(packs, names, private):
    records = export_records(week(private, names=names), packs, "en")
    mine = [r for r in records if r["answered"] != "in the group"]
    assert len(mine) == private
    # Never a name, never a number that ties it to the person's group answers.
    assert {r["member"] for r in mine} == {PRIVATE}
    assert "Fatima Khan" not in {r["member"] for r in mine}
    if private >= PRIVATE_MIN:
        fatima = next(r for r in mine if r["comment"] == NIGHTS)
        assert (fatima["rating"], fatima["answered"]) == (1, "privately")
    else:
        assert all(r["answered"] == HELD_BACK for r in mine)
        assert all(r[field] is None for r in mine for field in (
            "rating", "skipped", "comment", "voice_file_id", "answered_at", "edited_at"))
    assert all(r["may_quote"] is False for r in mine)
    group = [r["member"] for r in records if r["answered"] == "in the group"]
    # Group answers keep their names (the group chose it) or numbers, counted
    # over group answers only: Fatima's group answer is "member 3", not a
    # number her private answer ever had.
    assert group == (["Bruno Díaz", "Carla Ruiz", "Fatima Khan"] if names
                     else ["member 1", "member 2", "member 3"])


@pytest.mark.parametrize("names", [True, False], ids=["names", "counts-only"])
def test_files_carry_no_private_authors_and_no_lone_private_words(packs, names):
    for private in (1, 2):
        records = export_records(week(private, names=names), packs, "en")
        for text in (to_csv(records), to_json(records)):
            assert NIGHTS not in text
            lines = [line for line in text.splitlines() if "Fatima" in line]
            assert all("privately" not in line for line in lines)
    records = export_records(week(3, names=names), packs, "en")
    rows = list(csv.DictReader(io.StringIO(to_csv(records))))
    (said,) = [row for row in rows if row["comment"] == NIGHTS]
    assert said["member"] == PRIVATE
    said_in_json = next(r for r in json.loads(to_json(records)) if r["comment"] == NIGHTS)
    assert said_in_json["member"] == PRIVATE
