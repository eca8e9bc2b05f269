"""What /metrics shows, in Prometheus' text format (prometheus-client).

One Metrics object per application, in bot_data, with a registry of its
own: nothing is kept at module level, so two applications in one process
(the tests) never mix their counts. The code that counts calls one method
here, in a handful of places: the delivery function (failures, 429s), the
outbox (what was sent), the poller and the webhook (updates), the answer
handlers (answers), the tick (its lag). Gauges that describe the database
(pending sends) are read when /metrics is asked for.
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

CONTENT_TYPE = CONTENT_TYPE_LATEST


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
        self.last_tick = Gauge(
            "civic_reflect_last_tick_timestamp_seconds",
            "When the scheduler's tick last ran (Unix time)", registry=registry)
        self.pending = Gauge(
            "civic_reflect_outbox_pending", "Sends waiting in the outbox (due or retrying)",
            registry=registry)
        self.leader = Gauge(
            "civic_reflect_leader",
            "1 while this process runs the scheduled work (always, with one process)",
            registry=registry)

        self.webhook_refused = Counter(
            "civic_reflect_webhook_refused",
            "Webhook requests refused: wrong_secret, no_secret, bad_body",
            ["reason"], registry=registry)

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
        self.last_tick.set(at_unix)
        self.tick_lag.set(max(lag_seconds, 0.0))

    def render(self, pending: int) -> bytes:
        self.pending.set(pending)
        return generate_latest(self.registry)
