"""A coordinator's digest read, computed, rendered and drawn in a chart worker.

The weekly round used to read each group's week (a year of its answers
for "Who's not here?", eight weeks for the trends), compute and render the
digest on the event loop, and only then hand the chart to a worker: some
milliseconds a group during which answers waited. The worker that draws
the chart does all of it, with its own read-only connection to the same
database (a SQLite file, whose WAL lets it read what the bot has committed
while the bot goes on writing, or the PostgreSQL server), and hands back
the digest's messages and its picture. The bot keeps what needs it:
Telegram's member count, and the sending.

The group's summary is read and rendered there too (`make_summary`): it was
the largest part of the round's work left on the loop. With charts drawn in
the bot's own process (no workers), both are read and rendered on the event
loop as before (`worker_can_read`).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from bot.content.locales import Catalog
from bot.content.packs import PackLibrary
from bot.domain import summary as compute
from bot.domain.summary import ChartData
from bot.domain.summary_facts import GroupFacts
from bot.render import chart
from bot.render import summary as render
from bot.store import Store


@dataclass(frozen=True)
class DigestMade:
    texts: list[str]  # the digest's messages, in order
    picture: bytes  # its chart, a PNG
    chart_data: ChartData  # what the chart draws, for its caption in words


async def read_facts(store: Store, packs: PackLibrary, chat_id: int, week: date,
                     chat_member_count: int | None, *,
                     members_heard: bool = True) -> GroupFacts | None:
    """A group's week as digests need it (None: no such chat); with
    `members_heard` false, only as a group summary needs it."""
    enrolment = await store.enrolments.active_for(chat_id)
    pack = packs.get(enrolment.pack_id) if enrolment else None

    def theme_of(pack_id: str, item_id: str) -> str | None:
        item = packs[pack_id].item(item_id) if pack_id in packs else None
        return item.theme if item else None

    return await store.summaries.group_facts(
        chat_id, week, theme_of, chat_member_count=chat_member_count,
        theme_order=tuple(pack.themes) if pack else (), members_heard=members_heard,
    )


def worker_can_read(store: Store, workers: int) -> bool:
    """Whether a chart worker can open the bot's database itself: workers
    in processes of their own, and a PostgreSQL server or a SQLite file."""
    if workers <= 0:
        return False
    if store.db.dialect == "postgresql":
        return True
    path = getattr(store.db, "path", None)
    return path is not None and path != ":memory:" and Path(path).is_file()


# -- in the worker process -----------------------------------------------------------------------

_loop: asyncio.AbstractEventLoop | None = None
_stores: dict[str, Store] = {}


def _run(work):
    # The store's API is asynchronous: one loop of the worker's own runs each
    # read to the end (a SQLite read at once, PostgreSQL's over its socket).
    global _loop
    if _loop is None:
        _loop = asyncio.new_event_loop()
    return _loop.run_until_complete(work)


def _store(database: str) -> Store:
    store = _stores.get(database)
    if store is None:
        store = _stores[database] = _run(Store.open(database, read_only=True))
    return store


def make_digest(database: str, chat_id: int, week: date, now: datetime,
                chat_member_count: int | None, catalog: Catalog,
                packs: PackLibrary) -> DigestMade | None:
    """The digest of `chat_id`'s `week` and its chart, read from `database`
    (None: the group is gone). Runs in a chart worker."""
    facts = _run(read_facts(_store(database), packs, chat_id, week, chat_member_count))
    if facts is None:
        return None
    texts = render.digest_messages(catalog, compute.digest(facts, now), packs)
    drawn = compute.chart_data(facts)
    picture = chart.render_chart(drawn, catalog, facts.language, packs)
    return DigestMade(texts, picture, drawn)


def make_summary(database: str, chat_id: int, week: date, chat_member_count: int | None,
                 catalog: Catalog, packs: PackLibrary) -> list[str] | None:
    """The group summary of `chat_id`'s `week`, its messages, read from
    `database` (None: the group is gone). Runs in a chart worker, so the
    round's reading and rendering stay off the event loop."""
    facts = _run(read_facts(_store(database), packs, chat_id, week, chat_member_count,
                            members_heard=False))
    if facts is None:
        return None
    return render.group_summary_messages(catalog, compute.summarise(facts), packs)


def forget_stores() -> None:
    """Close the worker's connections (tests that run it in their own process)."""
    for store in _stores.values():
        _run(store.close())
    _stores.clear()
