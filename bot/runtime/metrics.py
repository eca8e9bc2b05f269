"""What /metrics shows, in Prometheus' text format (prometheus-client).

One Metrics object per application, in bot_data, with a registry of its
own: nothing is kept at module level, so two applications in one process
(the tests) never mix their counts. The code that counts calls one method
here, in a handful of places: the delivery function (failures, 429s), the
outbox (what was sent), the poller and the webhook (updates), the answer
handlers (answers), the tick (its lag). What describes the database (pending
sends) and the scheduler's last moves is read when /metrics is asked for
(bot.runtime.health), and a reading that could not be made is left out,
never shown as 0: an alert on "no pending count" or "no tick" then fires,
where a 0 would have looked healthy.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric

CONTENT_TYPE = CONTENT_TYPE_LATEST


@dataclass(frozen=True)
class Readings:
    """What /metrics read for this answer; None where it could not be read."""

    outbox_pending: int | None = None
    database_up: bool | None = None
    last_tick_unix: float | None = None
    tick_progress_unix: float | None = None


# name, help, and how to take its value from Readings and the loop's lag.
_READ_GAUGES = (
    ("civic_reflect_outbox_pending", "Sends waiting in the outbox (due or retrying); absent "
     "when the database did not answer", lambda r, lag: r.outbox_pending),
    ("civic_reflect_database_up", "1 when the database answered /metrics' read in time, 0 when "
     "it did not", lambda r, lag: None if r.database_up is None else int(r.database_up)),
    ("civic_reflect_last_tick_timestamp_seconds", "When the scheduler's tick last started "
     "(Unix time), on the leader and on followers alike", lambda r, lag: r.last_tick_unix),
    ("civic_reflect_tick_progress_timestamp_seconds", "When the tick last started or a running "
     "tick last made progress (a batch claimed, a send done; Unix time)",
     lambda r, lag: r.tick_progress_unix),
    ("civic_reflect_event_loop_lag_seconds", "The longest the event loop was late waking a "
     "sleeping task in the last samples: how long every update waited behind other work",
     lambda r, lag: lag),
)


class _ReadAtScrape:
    """The gauges read at each scrape: a family without a sample when the
    value is not known (Prometheus then has no series, rather than a 0)."""

    def __init__(self, loop_lag: LoopLag):
        self.readings = Readings()
        self.loop_lag = loop_lag

    def collect(self) -> Iterator[Metric]:
        readings, lag = self.readings, self.loop_lag.seconds
        for name, documentation, value_of in _READ_GAUGES:
            family = GaugeMetricFamily(name, documentation)
            value = value_of(readings, lag)
            if value is not None:
                family.add_metric([], value)
            yield family


class LoopLag:
    """How late the event loop wakes a task that sleeps a fixed while: every
    update, tick and request waits at least that long behind whatever holds
    the loop (a long statement, a big render). The largest of the last
    `window` samples is shown, so a scrape every few seconds sees a stall
    between two scrapes."""

    def __init__(self, every_seconds: float = 0.5, window: int = 30):
        self.every_seconds = every_seconds
        self._samples: deque[float] = deque(maxlen=window)
        self._task: asyncio.Task | None = None

    @property
    def seconds(self) -> float | None:
        return max(self._samples) if self._samples else None

    def sample(self, late_seconds: float) -> None:
        self._samples.append(max(late_seconds, 0.0))

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            asked = time.monotonic()
            await asyncio.sleep(self.every_seconds)
            self.sample(time.monotonic() - asked - self.every_seconds)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter(
            "civic_reflect_updates_handled", "Updates from Telegram handled, by how they came",
            ["via"], registry=registry)
        self.answers = Counter(
            "civic_reflect_answers_saved",
            "Answers saved: ratings, skips, comments (group questions) and journal entries",
            ["kind"], registry=registry)
        self.sent = Counter(
            "civic_reflect_outbox_sent",
            "Messages the bot sent on its own (questions, summaries...), by kind",
            ["kind"], registry=registry)
        self.send_failures = Counter(
            "civic_reflect_sends_failed",
            "Sends Telegram did not take: retry (never arrived), unknown (may have "
            "arrived), gone (blocked or removed), refused (bad request)",
            ["outcome", "error"], registry=registry)
        self.rate_limited = Counter(
            "civic_reflect_telegram_429", "Answers 429 (Too Many Requests) from Telegram",
            registry=registry)
        self.tick_lag = Gauge(
            "civic_reflect_tick_lag_seconds",
            "At the last tick, how long the longest-waiting due question had been due",
            registry=registry)
        self.leader = Gauge(
            "civic_reflect_leader",
            "1 while this process runs the scheduled work (always, with one process)",
            registry=registry)
        self.rate_share = Gauge(
            "civic_reflect_rate_share",
            "Messages a second this process may send now (its share of Telegram's "
            "overall limit, with replicas)",
            registry=registry)

        self.webhook_refused = Counter(
            "civic_reflect_webhook_refused",
            "Webhook requests refused: wrong_secret, no_secret, bad_body",
            ["reason"], registry=registry)

        self.loop_lag = LoopLag()
        self._read_at_scrape = _ReadAtScrape(self.loop_lag)
        registry.register(self._read_at_scrape)

        # A labelled counter is looked up under a lock at every `labels()`;
        # these are counted per update, so each child is looked up once.
        self._children: dict[tuple[str, str], Any] = {}

    def _child(self, counter: Counter, name: str, value: str) -> Any:
        key = (name, value)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = counter.labels(**{name.split(":")[1]: value})
        return child

    def update_handled(self, via: str) -> None:
        self._child(self.updates, "updates:via", via).inc()

    def answer_saved(self, kind: str) -> None:
        self._child(self.answers, "answers:kind", kind).inc()

    def outbox_sent(self, kind: str) -> None:
        self._child(self.sent, "sent:kind", kind).inc()

    def refused_webhook(self, reason: str) -> None:
        self._child(self.webhook_refused, "webhook_refused:reason", reason).inc()

    def send_failed(self, outcome: str, error: str) -> None:
        self.send_failures.labels(outcome=outcome, error=error).inc()

    def hit_rate_limit(self) -> None:
        self.rate_limited.inc()

    def ticked(self, at_unix: float, lag_seconds: float) -> None:
        # When the tick ran is read from bot_data at each scrape (on a
        # follower too, whose tick returns before it gets here).
        self.tick_lag.set(max(lag_seconds, 0.0))

    def render(self, readings: Readings) -> bytes:
        self._read_at_scrape.readings = readings
        return generate_latest(self.registry)
