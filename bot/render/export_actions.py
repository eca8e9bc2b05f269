"""Export files (CSV and JSON) of a group's actions: what, when, how it went.

The same privacy as the answers' export (bot/render/export.py): owners are
named only when the group chose to show names, else numbered within their
action (a number that ties them to nothing else); a check-in note appears
only when its owner shared it, and with its action, not beside its owner,
as the coordinators' digest shows it. A plan's design tests appear as each
test's average and number of raters, only from the profile's minimum number
of raters (bot/domain/design_tests.py), and never anyone's own rating, with
or without names.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from bot.domain.actions import Action
from bot.domain.design_tests import Rating, profile
from bot.domain.records import ExportOwner
from bot.render.export import csv_cell, iso_time

ACTION_COLUMNS = (
    "action_id", "action", "made_at", "due_at", "state", "owners", "done_at",
    "check_ins", "shared_notes", "design_tests", "from_question", "from_summary_week",
)
# An owner's check-in state, in the export's plain words.
CHECK_IN = {
    "on": "taking it on",
    "asked": "asked, no answer yet",
    "on_way": "on the way",
    "done": "done",
    "stuck": "stuck",
}
STATE = {"open": "open", "done": "done", "dropped": "dropped"}
# The five design tests, in the export's plain words (the source's order).
DESIGN_TEST = {"dem": "local democracy", "eco": "economic self-reliance",
               "soc": "social capital", "wel": "personal well-being",
               "lnk": "links with other communities"}


def action_records(actions: Sequence[Action], owners: Sequence[ExportOwner],
                   ratings: Sequence[Rating] = ()) -> list[dict[str, object]]:
    """One record per action, with its owners' check-ins and its design
    tests' averages (those rated by enough people)."""
    by_action: dict[int, list[ExportOwner]] = {}
    for owner in owners:
        by_action.setdefault(owner.action_id, []).append(owner)
    rated: dict[int, list[Rating]] = {}
    for rating in ratings:
        rated.setdefault(rating.action_id, []).append(rating)
    records = []
    for action in actions:
        its_owners = by_action.get(action.id, [])
        records.append({
            "action_id": action.id,
            "action": action.text,
            "made_at": iso_time(action.created_at),
            "due_at": iso_time(action.due_at),
            "state": STATE.get(action.state, action.state),
            "owners": len(its_owners),
            "done_at": iso_time(action.closed_at) if action.state == "done" else None,
            "check_ins": [
                {
                    "owner": owner.display_name or f"owner {number}",
                    "check_in": CHECK_IN.get(owner.state, owner.state),
                    "rounds": owner.rounds,
                    "answered_at": iso_time(owner.answered_at),
                }
                for number, owner in enumerate(its_owners, start=1)
            ],
            "shared_notes": [owner.shared_note for owner in its_owners
                             if owner.shared_note is not None],
            "design_tests": _design_tests(rated.get(action.id, [])),
            # What it came from: a question (its prompt_id in the answers'
            # export), or the weekly summary of an ISO week (2026-W11).
            "from_question": action.source_prompt_id,
            "from_summary_week": action.source_week,
        })
    return records


def _design_tests(ratings: list[Rating]) -> dict[str, dict[str, object]]:
    """Each test's average and raters, for the tests shown in the profile
    only: below the minimum, not even how many rated it."""
    return {DESIGN_TEST[result.test]: {"average": result.average, "raters": result.raters}
            for result in profile(ratings).results if result.shown}


def actions_to_json(records: list[dict[str, object]]) -> str:
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def actions_to_csv(records: list[dict[str, object]]) -> str:
    """One row per action; its check-ins and shared notes each in one cell."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ACTION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        flat = dict(record)
        flat["check_ins"] = "; ".join(f"{c['owner']}: {c['check_in']}"
                                      for c in record["check_ins"])
        flat["shared_notes"] = " | ".join(record["shared_notes"])
        flat["design_tests"] = "; ".join(f"{test}: {shown['average']} ({shown['raters']} raters)"
                                         for test, shown in record["design_tests"].items())
        writer.writerow({key: csv_cell(value) for key, value in flat.items()})
    return buffer.getvalue()
