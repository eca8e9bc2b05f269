"""Where the event loop's time goes while the taps of a burst are fed, for
tests/bench/digest.py --loop-time.

Every callback the loop runs (a task's step, a done-callback) is timed while
a phase is named, and its time added up under what ran: a task's coroutine
and the coroutines it is awaiting, or the callback's name. So a burst during
the round can be set beside an idle one: the taps' own steps, their pop-ups
and count edits, and the round's sends each show under their own name.

Timing every callback costs the loop: the taps run slower with it, so the
run's rates are not comparable with a run without it. Only the shares are.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import contextlib
import time
from collections import Counter
from collections.abc import Iterator


class LoopTime:
    """Installed on asyncio's Handle for the life of the benchmark process."""

    def __init__(self) -> None:
        self.phase = ""
        self.seconds: Counter[str] = Counter()
        self.wall: Counter[str] = Counter()
        original = asyncio.events.Handle._run
        loop_time = self

        def timed(handle: asyncio.events.Handle) -> None:
            phase = loop_time.phase  # the step that ends a phase counts in it
            if not phase:
                return original(handle)
            began = time.perf_counter()
            try:
                return original(handle)
            finally:
                loop_time.seconds[f"{phase}: {_what_ran(handle)}"] += time.perf_counter() - began

        asyncio.events.Handle._run = timed

    @contextlib.contextmanager
    def timing(self, phase: str) -> Iterator[None]:
        self.phase = phase
        began = time.perf_counter()
        try:
            yield
        finally:
            self.wall[phase] += time.perf_counter() - began
            self.phase = ""

    def report(self, top: int = 40) -> dict:
        """Milliseconds per phase: the bursts' wall time, and each thing
        that ran, largest first."""
        return {"wall_ms": {phase: round(s * 1000, 1) for phase, s in self.wall.items()},
                "ran_ms": {name: round(s * 1000, 1)
                           for name, s in self.seconds.most_common(top)}}


def _what_ran(handle: asyncio.events.Handle) -> str:
    callback = handle._callback
    task = getattr(callback, "__self__", None)
    if not isinstance(task, asyncio.Task):
        return "callback " + getattr(callback, "__qualname__", type(callback).__name__)
    chain, awaited = [], task.get_coro()
    while awaited is not None and len(chain) < 4:
        chain.append(getattr(awaited, "__qualname__", type(awaited).__name__))
        awaited = getattr(awaited, "cr_await", None)
        if awaited is not None and not hasattr(awaited, "cr_await"):
            break  # a future, not a coroutine: the chain ends here
    return "task " + " > ".join(chain)
