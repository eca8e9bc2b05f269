"""The slow-statement log line: a statement or a transaction of either
backend that took longer than SLOW_SECONDS is logged once, at WARNING, with
how long it took, the repository method at work and the statement's first
words. Never its parameters: they carry what people wrote.

The callers time their work with perf_counter and call slow_work only past
the threshold, so a fast statement costs two clock reads.
"""

from __future__ import annotations

import logging
import sys
from time import perf_counter

log = logging.getLogger("bot.store.slow")

SLOW_SECONDS = 0.05
# Frames of the store's own machinery, passed over to name the method at work.
_MACHINERY = frozenset({__name__, "bot.store.db", "bot.store.transactions", "bot.store.postgres",
                        "contextlib"})


def _first_words(sql: str, words: int = 8, limit: int = 80) -> str:
    text = " ".join(sql.split()[:words])
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _method_at_work() -> str:
    """The nearest caller outside the store's machinery: a repository's
    method (its qualified name), or whatever opened the transaction."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in _MACHINERY:
        frame = frame.f_back
    return "?" if frame is None else frame.f_code.co_qualname


def slow_work(kind: str, started: float, sql: str | None = None) -> None:
    """One WARNING for a statement or a transaction that took longer than
    SLOW_SECONDS: how long, the method at work and the statement's first
    words, never its parameters (they carry what people wrote)."""
    elapsed = perf_counter() - started
    if elapsed <= SLOW_SECONDS:
        return
    where = _method_at_work()
    if sql is None:
        log.warning("slow %s: %d ms in %s", kind, elapsed * 1000, where)
    else:
        log.warning("slow %s: %d ms in %s (%s)", kind, elapsed * 1000, where, _first_words(sql))
