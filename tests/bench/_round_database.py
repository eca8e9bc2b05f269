"""The database of the weekly round's benchmarks (tests/bench/_digest_round.py
on SQLite, tests/bench/_round_replicas.py on PostgreSQL).

One group is made through the store's own API, with a year of weekly
questions and answers, and its rows copied for every other group with plain
SQL (different ids, the same answers): building a year of answers one call
at a time would take longer than the round. The copy knows the tables a
group's year fills (chats, members, coordinators, enrolments, prompts,
answers) and nothing else; a table added later that the weekly round reads
would need adding.
"""

from __future__ import annotations

import random
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.store import Store

PACK = "checklist-cso"
DUE = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)  # a Friday: every summary due at once
TEMPLATE = -10_000_000  # the template group's id; copy k is TEMPLATE - k
PEOPLE = 100  # user ids of copy k are the template's plus k * PEOPLE
QUESTION_MESSAGE = 1_000  # the open question's message id, in every group


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


async def template_group(path: Path, members: int, weeks: int) -> None:
    """One group's year, through the store's API."""
    clock = Clock(DUE - timedelta(weeks=weeks + 1))
    store = await Store.open(path, clock)
    rng = random.Random(7)
    chat_id, coordinator = TEMPLATE, 1
    await store.chats.ensure(chat_id, kind="group", title="Riverside Neighbours",
                             timezone="UTC", language="en")
    await store.chats.update(chat_id, quiet_start="00:00", quiet_end="00:00",
                             summary_day="fri", summary_time="16:00", next_summary_at=DUE)
    await store.chats.ensure(coordinator, kind="private", title=None, timezone="UTC",
                             language="en")
    await store.coordinators.add(chat_id, coordinator)
    enrolment = await store.enrolments.start(chat_id, PACK, cadence="weekly", days=["mon"],
                                             local_time="09:00", next_due_at=None)
    for member in range(1, members + 1):
        await store.members.seen(chat_id, member, f"Member {member}")
    keen = [rng.uniform(0.3, 1.0) for _ in range(members)]
    for week in range(weeks):
        clock.now = DUE - timedelta(weeks=weeks - week, days=4)  # the Monday
        prompt, _ = await store.prompts.open(enrolment.id, f"w{week}", chat_id=chat_id,
                                             pack_id=PACK, item_id=f"cso-{week % 15 + 1}")
        await store.prompts.set_message(prompt.id, QUESTION_MESSAGE + week - weeks + 1)
        for member in range(1, members + 1):
            if rng.random() < keen[member - 1]:
                await store.answers.record(prompt.id, member, scale=rng.randint(1, 5),
                                           text="A thought" if rng.random() < 0.2 else None)
        if week < weeks - 1:
            clock.now += timedelta(days=3)
            await store.prompts.close(prompt.id)
    await store.close()


def _mapped(column: str, table: str, offsets: dict[str, int]) -> str:
    """The SQL that gives copy :k's value of `column` in `table`."""
    chat = "CASE WHEN {c} < 0 THEN {c} - :k ELSE {c} + :k * " + str(PEOPLE) + " END"
    if (table, column) == ("chats", "id") or column == "chat_id" or column == "subject_id":
        return chat.format(c=column)
    if column in ("user_id", "added_by"):
        return f"{column} + :k * {PEOPLE}"
    if (table, column) in (("enrolments", "id"), ("prompts", "enrolment_id")):
        return f"{column} + :k * {offsets['enrolments']}"
    if (table, column) in (("prompts", "id"), ("answers", "prompt_id")):
        return f"{column} + :k * {offsets['prompts']}"
    if (table, column) == ("answers", "id"):
        return f"{column} + :k * {offsets['answers']}"
    return column


def copy_groups(path: Path, groups: int) -> int:
    """Copy the template group `groups - 1` times; return the answers in all."""
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    offsets = {table: connection.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0]
               for table in ("enrolments", "prompts", "answers")}
    template = {  # which rows are the template's, by a key each table is indexed on
        "chats": f"id IN ({TEMPLATE}, 1)",
        "members": f"chat_id = {TEMPLATE}",
        "coordinators": f"chat_id = {TEMPLATE}",
        "enrolments": f"id <= {offsets['enrolments']}",
        "prompts": f"id <= {offsets['prompts']}",
        "answers": f"id <= {offsets['answers']}",
    }
    statements = []
    for table, rows in template.items():
        columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
        statements.append(
            f"INSERT INTO {table} ({', '.join(columns)})"
            f" SELECT {', '.join(_mapped(c, table, offsets) for c in columns)}"
            f" FROM {table} WHERE {rows}")
    for k in range(1, groups):
        for statement in statements:
            connection.execute(statement, {"k": k})
        if k % 500 == 0:
            connection.commit()
    connection.commit()
    answers = connection.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
    connection.execute("ANALYZE")
    connection.close()
    return answers
