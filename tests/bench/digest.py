"""Benchmark: weekly digests for 10,000 groups of 20 members, each with a
year of weekly answers.

    python tests/bench/digest.py [--groups 10000] [--members 20] [--weeks 52]
                                 [--design render,end-to-end]

Prints one JSON line per design.

"render": the store reads a group's week with a few grouped queries
(bot/store/summaries.py) and hands over `GroupFacts`: per-member totals over
the whole year, eight weeks of per-theme sums and participation, and this
week's questions with every answer. This design builds exactly those facts
for each group from a simulated year of answers (generated, then summed, as
SQL would), and times what the bot does with them every week: the group
summary and the coordinator digest, computed and rendered to text
(`total_s`, `slowest_group_ms`). The chart is drawn for a few groups and
timed separately (`chart_ms`, the median). `store_ms` is the median time of
the SQL that produces the facts, on a real database holding a year of
answers for a sample of groups. No sending.

"end to end" (tests/bench/_digest_round.py): the real application on a real
database of every group's year, the scheduler's tick planning every summary
and digest at once, the real SQL, charts drawn in the chart worker process,
everything sent through a fake Telegram with Telegram's limits (30 a second,
20 a minute per group) and 20-200 ms per request, at real speed unless
--speed says otherwise (then limits are multiplied, latencies divided, and
the *_s figures multiplied back; the charts' CPU is not scaled, so above
about 2 the worker, not Telegram, sets the pace). Rating taps are fed
before and during the round. It takes as long as the round would
(about 20 minutes for 10,000 groups). Not part of the test run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from _digest_round import run_round
from _round_database import copy_groups, template_group

from bot.config import Settings, default_content_dir
from bot.content.locales import Catalog
from bot.content.packs import load_library
from bot.domain import summary as compute
from bot.domain.summary_facts import (
    CommentFacts,
    GroupFacts,
    MemberFacts,
    QuestionFacts,
    ThemeWeek,
    WeekParticipation,
)
from bot.render import chart
from bot.render import summary as render
from bot.store import Store

WEEK = date(2026, 3, 9)  # the Monday of the week summarised
NOW = datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
PACK = "checklist-cso"
IDLE_SECONDS = 5.0  # the chart worker's quiet spell before it stops, in the end-to-end run


def simulated_facts(rng: random.Random, chat_id: int, members: int, weeks: int,
                    pack) -> tuple[GroupFacts, int]:
    """One group's facts, summed from a simulated year; also how many answers it had."""
    items = pack.items
    keen = [rng.random() for _ in range(members)]  # how often each member answers
    joined = NOW - timedelta(weeks=weeks + 1)
    last: dict[int, datetime] = {}
    count = dict.fromkeys(range(members), 0)
    themes: dict[tuple[date, str], list[int]] = {}
    people: dict[date, set[int]] = {}
    this_week: list[tuple[int, int]] = []
    answers = 0
    for back in range(weeks - 1, -1, -1):
        monday = WEEK - timedelta(weeks=back)
        item = items[(weeks - 1 - back) % len(items)]
        for member in range(members):
            if rng.random() > keen[member]:
                continue
            rating = rng.randint(1, 5)
            answers += 1
            count[member] += 1
            last[member] = datetime.combine(monday, datetime.min.time(), UTC) + timedelta(
                hours=9 + member)
            if back < 8:
                people.setdefault(monday, set()).add(member)
                tally = themes.setdefault((monday, item.theme), [0, 0])
                tally[0] += 1
                tally[1] += rating
            if back == 0:
                this_week.append((member, rating))
    question = items[(weeks - 1) % len(items)]
    distribution = [0] * 5
    for _, rating in this_week:
        distribution[rating - 1] += 1
    comments = tuple(
        CommentFacts(user_id=member, text=f"A thought from member {member} <b>&</b> 🌱",
                     has_voice=False, private=member % 5 == 0, quotable=member % 2 == 0)
        for member, _ in this_week[: len(this_week) // 2]
    )
    facts = GroupFacts(
        chat_id=chat_id, title=f"Group {chat_id}", language="en", names_visible=True,
        week=WEEK,
        members=tuple(MemberFacts(user_id=m, name=f"Member {m}", joined_at=joined,
                                  last_answered_at=last.get(m), answers=count[m], quiet=m == 3)
                      for m in range(members)),
        questions=(QuestionFacts(prompt_id=chat_id, pack_id=PACK, item_id=question.id,
                                 theme=question.theme, opened_at=NOW - timedelta(days=4),
                                 distribution=tuple(distribution),
                                 respondents=tuple(m for m, _ in this_week),
                                 comments=comments),),
        themes=tuple(ThemeWeek(week=w, theme=t, ratings=n, total=s)
                     for (w, t), (n, s) in sorted(themes.items())),
        participation=tuple(WeekParticipation(week=WEEK - timedelta(weeks=b),
                                              participants=len(people.get(
                                                  WEEK - timedelta(weeks=b), ())))
                            for b in range(7, -1, -1)),
        chat_member_count=members + 2,
        theme_order=tuple(pack.themes),
    )
    return facts, answers


async def store_timing(packs, sample: int, members: int, weeks: int) -> float:
    """Median ms of the SQL behind one group's facts, on a database with a
    year of answers for `sample` groups."""
    pack = packs[PACK]
    with tempfile.TemporaryDirectory() as folder:
        clock_now = [NOW - timedelta(weeks=weeks)]
        store = await Store.open(Path(folder) / "digest.sqlite3", lambda: clock_now[0])
        rng = random.Random(7)
        for group in range(sample):
            chat_id = -(20_000_000 + group)
            await store.chats.ensure(chat_id, kind="group", title=f"G{group}",
                                     timezone="UTC", language="en")
            enrolment = await store.enrolments.start(chat_id, PACK, cadence="weekly",
                                                     days=["mon"], local_time="09:00",
                                                     next_due_at=None)
            for member in range(members):
                await store.members.seen(chat_id, member + 1, f"Member {member}")
            for week in range(weeks):
                clock_now[0] = NOW - timedelta(weeks=weeks - week)
                item = pack.items[week % len(pack.items)]
                prompt, _ = await store.prompts.open(enrolment.id, f"w{week}", chat_id=chat_id,
                                                     pack_id=PACK, item_id=item.id)
                for member in range(members):
                    if rng.random() < 0.7:
                        await store.answers.record(prompt.id, member + 1,
                                                   scale=rng.randint(1, 5))
        items = {item.id: item.theme for item in pack.items}
        timings = []
        for group in range(sample):
            began = time.perf_counter()
            await store.summaries.group_facts(-(20_000_000 + group), WEEK,
                                              lambda _p, item: items.get(item))
            timings.append((time.perf_counter() - began) * 1000)
        await store.close()
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--groups", type=int, default=10_000)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--store-sample", type=int, default=20)
    parser.add_argument("--design", default="render,end-to-end")
    parser.add_argument("--speed", type=float, default=1.0)
    parser.add_argument("--latency", default="0.02,0.2")
    parser.add_argument("--sends-in-flight", type=int, default=4,
                        help="SENDS_IN_FLIGHT: 4 keeps Telegram's pace with 20-200 ms a request")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--replicas", type=int, default=2,
                        help="with --database postgresql: copies of the bot, one leading")
    parser.add_argument("--url", default="", help="a PostgreSQL server (else a throwaway one)")
    parser.add_argument("--chart-worker-niceness", type=int,
                        default=Settings().chart_worker_niceness,
                        help="how much lower the chart worker's CPU priority is (0: the bot's)")
    parser.add_argument("--quiet-round", action="store_true",
                        help="no taps during the round: the round alone, against its bound")
    parser.add_argument("--loop-time", action="store_true",
                        help="time what the event loop runs during each burst of taps "
                             "(slows the taps; only its shares mean anything)")
    parser.add_argument("--hold-cache", action="store_true",
                        help="before every burst of taps, read back the database pages the "
                             "machine dropped from its page cache (tests/bench/_page_cache.py)")
    parser.add_argument("--inside", help=argparse.SUPPRESS)
    args = parser.parse_args()
    designs = args.design.split(",")
    if args.inside:
        latency = tuple(float(part) for part in args.latency.split(","))
        print(json.dumps(asyncio.run(run_round(Path(args.inside), args.groups, args.members,
                                               args.speed, latency, IDLE_SECONDS,
                                               args.sends_in_flight,
                                               taps_during=not args.quiet_round,
                                               niceness=args.chart_worker_niceness,
                                               loop_time=args.loop_time,
                                               hold_cache=args.hold_cache))))
        return
    if "render" in designs:
        render_design(args)
    if "end-to-end" in designs and args.database == "postgresql":
        on_postgres(args)
    elif "end-to-end" in designs:
        end_to_end(args)


def on_postgres(args) -> None:
    """The round with replicas on PostgreSQL (tests/bench/_round_replicas.py)."""
    import _round_replicas

    latency = tuple(float(part) for part in args.latency.split(","))
    server, throwaway = args.url, None
    if not server:
        from helpers.postgres import ThrowawayPostgres

        throwaway = ThrowawayPostgres()
        server = throwaway.start()
    try:
        figures = _round_replicas.run(args, server, latency, IDLE_SECONDS)
    finally:
        if throwaway is not None:
            throwaway.stop()
    print(json.dumps(figures), flush=True)


def end_to_end(args) -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "round.sqlite3"
        began = time.perf_counter()
        asyncio.run(template_group(database, args.members, args.weeks))
        answers = copy_groups(database, args.groups)
        built_s = time.perf_counter() - began
        # In a fresh process, for an honest memory figure.
        output = subprocess.run(
            [sys.executable, __file__, "--inside", str(database), "--groups", str(args.groups),
             "--members", str(args.members), "--speed", str(args.speed),
             "--latency", args.latency, "--sends-in-flight", str(args.sends_in_flight),
             "--chart-worker-niceness", str(args.chart_worker_niceness),
             *(["--quiet-round"] if args.quiet_round else []),
             *(["--loop-time"] if args.loop_time else []),
             *(["--hold-cache"] if args.hold_cache else [])],
            check=True, stdout=subprocess.PIPE, text=True).stdout  # its errors shown
    figures = json.loads(output.strip().splitlines()[-1])
    figures.update(answers=answers, database_built_s=round(built_s, 1))
    print(json.dumps(figures), flush=True)


def render_design(args) -> None:
    packs = load_library(default_content_dir())
    catalog = Catalog.load()
    pack = packs[PACK]
    rng = random.Random(2026)
    total = slowest = 0.0
    answers = 0
    charts = []
    for group in range(args.groups):
        facts, group_answers = simulated_facts(rng, -(10_000_000 + group), args.members,
                                               args.weeks, pack)
        answers += group_answers
        began = time.perf_counter()
        render.group_summary_messages(catalog, compute.summarise(facts), packs)
        render.digest_messages(catalog, compute.digest(facts, NOW), packs)
        spent = time.perf_counter() - began
        total += spent
        slowest = max(slowest, spent)
        if group < 5:
            began = time.perf_counter()
            png = chart.render_chart(compute.chart_data(facts), catalog, "en", packs)
            charts.append((time.perf_counter() - began) * 1000)
            assert png.startswith(b"\x89PNG")
    print(json.dumps({
        "design": "render",
        "groups": args.groups,
        "answers": answers,
        "total_s": round(total, 2),
        "slowest_group_ms": round(slowest * 1000, 2),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "chart_ms": round(statistics.median(charts), 1),
        "store_ms": round(asyncio.run(store_timing(packs, args.store_sample, args.members,
                                                   args.weeks)), 2),
    }), flush=True)


if __name__ == "__main__":
    main()
