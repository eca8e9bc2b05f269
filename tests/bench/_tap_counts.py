"""What the round benchmark's taps met, counted per phase
(tests/bench/_digest_round.py): the chats and questions kept in memory
(bot/store/kept.py), the statements written (by table, or one row of it),
the log's restarts, and the time in Python's garbage collector."""

from __future__ import annotations

import gc
import time
from collections import Counter

from bot.store import Store


class TapCounts:
    """Counts from the moment it is made until `stop`; `now()` reads them all."""

    def __init__(self, store: Store):
        self.store = store
        self.writes: Counter = Counter()
        self.gc_seconds: Counter = Counter()
        self._gc_began = 0.0
        self._written = store.db.written
        store.db.written = self._count_write
        gc.callbacks.append(self._collected)

    def stop(self) -> None:
        gc.callbacks.remove(self._collected)
        self.store.db.written = self._written

    def _count_write(self, table: str, row: object = None) -> None:
        self.writes[table.lower() + ("" if row is None else " (one row)")] += 1
        self._written(table, row)

    def _collected(self, phase: str, info: dict) -> None:
        """A full collection walks every object the process holds."""
        if phase == "start":
            self._gc_began = time.perf_counter()
            return
        self.gc_seconds[f"gc{info['generation']}_s"] += time.perf_counter() - self._gc_began
        self.gc_seconds[f"gc{info['generation']}_runs"] += 1

    def now(self) -> Counter:
        db = self.store.db
        counts = Counter({"elsewhere": db._elsewhere})
        for name in ("chats", "prompts"):
            kept = getattr(self.store, name).kept
            counts.update({f"{name}_hits": kept.hits, f"{name}_misses": kept.misses,
                           f"{name}_forgotten": kept.forgotten})
        counts.update({f"wrote_{table}": n for table, n in self.writes.items()})
        counts.update(self.gc_seconds)
        if db.checkpoints is not None:  # a RESTART holds the bot's writes back meanwhile
            counts["checkpoint_restarts"] = db.checkpoints.restarts_tried
            counts["checkpoint_restarts_held"] = db.checkpoints.restarts_held
        return counts


def shares(seen: Counter) -> dict:
    """A phase's counts (the differences of `now()` around its bursts, and
    "taps") as the benchmark prints them."""
    result = {}
    for name in ("chats", "prompts"):
        finds = seen[f"{name}_hits"] + seen[f"{name}_misses"]
        result[f"{name}_hit_share"] = round(seen[f"{name}_hits"] / finds, 3) if finds else None
        result[f"{name}_forgotten"] = seen[f"{name}_forgotten"]
    result["commits_elsewhere"] = seen["elsewhere"]
    result["gc_ms_per_tap"] = {generation: round(seen[f"gc{generation}_s"] * 1000 / seen["taps"], 4)
                               for generation in range(3)} if seen["taps"] else None
    result["gc_runs"] = [seen[f"gc{generation}_runs"] for generation in range(3)]
    result["checkpoint_restarts"] = [seen["checkpoint_restarts"],
                                     seen["checkpoint_restarts_held"]]  # tried, put off
    result["writes"] = {key[6:]: n for key, n in sorted(seen.items()) if key.startswith("wrote_")}
    return result
