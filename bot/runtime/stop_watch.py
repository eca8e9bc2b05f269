"""A stop that takes too long says where it is stuck.

A stop should take seconds (bot.runtime.lifecycle). If it has not ended
STOP_REPORT_SECONDS after the signal, every task still running is logged
with where it waits (file, line and function, innermost last: code places,
never anything a person wrote), so an operator, or a test, can see what
held it up before a container manager's SIGKILL ends it.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

log = logging.getLogger(__name__)

STOP_REPORT_SECONDS = 10.0
_FRAMES = 6


def watch_the_stop(after: float = STOP_REPORT_SECONDS) -> asyncio.TimerHandle:
    """Report the tasks still running `after` seconds from now, unless
    cancelled first (the stop ended)."""
    return asyncio.get_running_loop().call_later(after, report_stuck_tasks, after)


def report_stuck_tasks(after: float) -> None:
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    log.warning("still stopping %g s after the signal: %d tasks running", after, len(tasks))
    for task in sorted(tasks, key=lambda task: task.get_name()):
        log.warning("  task %s waits at %s", task.get_name(), where(task))


def where(task: asyncio.Task) -> str:
    """The task's await chain, outermost first, innermost (what it waits
    for) last: Task.get_stack gives only the outermost coroutine's frame."""
    places, awaited = [], task.get_coro()
    while awaited is not None and len(places) < 4 * _FRAMES:
        frame = getattr(awaited, "cr_frame", None) or getattr(awaited, "gi_frame", None)
        if frame is None:
            break
        places.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} "
                      f"{frame.f_code.co_name}")
        awaited = getattr(awaited, "cr_await", None) or getattr(awaited, "gi_yieldfrom", None)
    if not places:
        return "(not started)"
    return " > ".join(places[-_FRAMES:])
