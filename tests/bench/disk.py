"""Benchmark: how much disk the bot's database takes per group per year.

    python tests/bench/disk.py [--groups 200] [--members 12] [--database FILE_OR_URL]

Writes a year of a typical group's life through the store's own
repositories (the same statements, rows and indexes as the running bot) for
`--groups` groups, then prints one JSON line: the database's size, and per
group per year, before and after housekeeping (finished sends older than 30
days deleted, bot/services/housekeeping.py), and what one answer costs.

A group's year here: `--members` people, one weekly question (52), each
person rating 60 % of them, a comment of about 140 characters on a quarter
of those ratings, one rating in twenty changed afterwards (the change kept
in the answer's history), a reminder to a third of those who have not
answered, each question closed, and a weekly summary with a digest for each
of its two coordinators, every send recorded in the outbox and marked sent.
Left out: private journals (a person's own questions, which count as a group
of one) and charts (drawn, never stored).

On SQLite the size is the file's after VACUUM (pages in use, as a copy made
by `civic-reflect backup` is); on PostgreSQL (`--database postgresql://...`,
an empty database or schema) it is the sum of pg_total_relation_size over
the bot's tables, after VACUUM FULL. Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bot.domain.records import Sighting
from bot.services.housekeeping import purge
from bot.store import Store

WORDS = ("we", "listened", "to", "the", "neighbours", "about", "the", "park", "and", "agreed",
         "next", "steps", "meeting", "budget", "council", "youth", "centre", "clear", "more",
         "time", "questions", "answered", "together", "volunteers", "thanks", "report")


class Clock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def comment(rng: random.Random) -> str:
    text = []
    while len(" ".join(text)) < rng.randint(100, 180):
        text.append(rng.choice(WORDS))
    return " ".join(text).capitalize() + "."


class Group:
    """One group's people, programme and message numbers."""

    def __init__(self, chat_id: int, members: int):
        self.chat_id = chat_id
        self.people = [abs(chat_id) * 100 + n for n in range(members)]
        self.enrolment_id = 0
        self.message = 1000
        self.prompt_id = 0

    def next_message(self) -> int:
        self.message += 1
        return self.message


async def set_up(store: Store, group: Group) -> None:
    chat_id = group.chat_id
    await store.chats.ensure(chat_id, kind="group", title=f"Group {chat_id}",
                             timezone="Europe/Madrid", language="en")
    for person in group.people:
        await store.members.seen(chat_id, person, f"Person {person}", f"person{person}")
        # Each has started the bot: reminders reach them privately.
        await store.chats.ensure(person, kind="private", title=None,
                                 timezone="Europe/Madrid", language="en")
    for coordinator in group.people[:2]:
        await store.coordinators.add(chat_id, coordinator)
    enrolment = await store.enrolments.start(
        chat_id, "checklist-cso", cadence="weekly", days=["mon"], local_time="09:00",
        next_due_at=None)
    group.enrolment_id = enrolment.id


async def ask(store: Store, clock: Clock, group: Group, week: int, rng: random.Random) -> int:
    """The week's question, its answers and reminders; returns the answers."""
    chat_id = group.chat_id
    slot = clock.now.strftime("%Y-%m-%dT%H:%MZ")
    prompt, _ = await store.prompts.open(group.enrolment_id, slot, chat_id=chat_id,
                                         pack_id="checklist-cso", item_id=f"cso-{week:02}")
    group.prompt_id = prompt.id
    question = await store.outbox.add(f"question:{prompt.id}", "question", chat_id,
                                      prompt_id=prompt.id)
    await store.outbox.question_sent(question, prompt.id, group.next_message())
    seen = Sighting(chat_id, "Person", None)
    answered = set()
    for person in group.people:
        if rng.random() >= 0.6:
            continue
        await store.answers.record(prompt.id, person, scale=rng.randint(1, 5), seen_in=seen)
        answered.add(person)
        if rng.random() < 0.25:
            await store.answers.record(prompt.id, person, text=comment(rng),
                                       message_id=group.next_message(), seen_in=seen)
        if rng.random() < 0.05:
            await store.answers.record(prompt.id, person, scale=rng.randint(1, 5),
                                       seen_in=seen)
    reminded = [p for p in group.people if p not in answered and rng.random() < 0.33]
    for row in await store.nudges.plan(prompt.id, chat_id, privately=reminded, in_group=[]):
        await store.outbox.sent(row, None)
    return len(answered)


async def wrap_up(store: Store, clock: Clock, group: Group) -> None:
    """The question closed, the week's summary and its coordinators' digests."""
    chat_id = group.chat_id
    await store.prompts.close(group.prompt_id)
    close = await store.outbox.add(f"close:{group.prompt_id}", "close", chat_id,
                                   prompt_id=group.prompt_id)
    await store.outbox.sent(close, group.message)
    period = clock.now.strftime("%G-W%V")
    for kind, recipient, key in (
            ("summary", chat_id, f"summary:{chat_id}:{period}"),
            *(("digest", c, f"digest:{chat_id}:{period}:{c}") for c in group.people[:2])):
        row = await store.outbox.add(key, kind, recipient, subject_id=chat_id, period=period)
        await store.outbox.sent(row, group.next_message())


async def a_year(store: Store, clock: Clock, groups: list[Group],
                 rng: random.Random) -> int:
    """Every group's year, week by week as the bot lives it (rows are made
    in the order of time); returns how many answers were given."""
    start = clock.now
    for group in groups:
        await set_up(store, group)
    answers = 0
    for week in range(52):
        for group in groups:  # Monday: the questions, then the day's answers
            clock.now = start + timedelta(weeks=week, minutes=1)
            answers += await ask(store, clock, group, week, rng)
        clock.now = start + timedelta(weeks=week, days=4, hours=8)
        for group in groups:  # Friday: closed, summed up
            await wrap_up(store, clock, group)
    return answers


async def size_of(store: Store) -> int:
    if store.db.dialect == "sqlite":
        store.db._conn.execute("VACUUM")
        pages = store.db._conn.execute("PRAGMA page_count").fetchone()[0]
        size = store.db._conn.execute("PRAGMA page_size").fetchone()[0]
        return pages * size
    tables = await store.db.tables()  # before taking the pool's one connection
    async with store.db.pool.acquire() as connection:
        for table in tables:
            await connection.execute(f"VACUUM FULL {table}")
        return int(await connection.fetchval(
            "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind = 'r'"))


async def main(groups: int, members: int, database: str | None, seed: int) -> dict:
    folder = tempfile.mkdtemp(prefix="disk-")
    target = database or str(Path(folder) / "disk.sqlite3")
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    clock = Clock(start)
    store = await Store.open(target, clock)
    rng = random.Random(seed)
    began = time.perf_counter()
    try:
        empty = await size_of(store)
        answers = await a_year(store, clock, [Group(-1001000000 - number, members)
                                              for number in range(groups)], rng)
        clock.now = start + timedelta(weeks=52)
        before = await size_of(store)
        outbox_before = sum((await store.outbox.counts()).values())
        purged = await purge(store, clock.now)
        after = await size_of(store)
    finally:
        await store.close()
    per_group = (before - empty) / groups
    return {
        "database": store.db.dialect, "groups": groups, "members": members,
        "answers": answers, "outbox_rows": outbox_before, "outbox_purged": purged.outbox,
        "empty_bytes": empty, "bytes_before_housekeeping": before,
        "bytes_after_housekeeping": after,
        "per_group_year_kb": round(per_group / 1024, 1),
        "per_group_year_kb_after_housekeeping": round((after - empty) / groups / 1024, 1),
        "per_answer_bytes": round((after - empty) / answers),
        "seconds": round(time.perf_counter() - began, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--members", type=int, default=12)
    parser.add_argument("--database", help="a SQLite file or postgresql:// URL (default: a "
                        "new temporary SQLite file)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    print(json.dumps(asyncio.run(main(options.groups, options.members, options.database,
                                      options.seed))))
