"""What /livez, /readyz, /healthz and /metrics answer (served by
bot.runtime.server); docs/running/health.md says which probe asks which.

- /livez, liveness: this process is not stuck. It answered (so its event
  loop turns) and the scheduler is not stuck: a tick started lately, or a
  running tick made progress lately (bot_data.tick_progress_at, moved while
  a long weekly round sends). The database is not asked: restarting the bot
  mends nothing while the database is away.
- /readyz, readiness: this process can take updates now. It has started and
  is not stopping, knows whether it leads or follows, and its database
  answers.
- /healthz: both, the whole truth in one answer (the Docker HEALTHCHECK,
  `civic-reflect healthcheck`, a proxy's health check).

Every answer comes within a bound whatever the database does: each read is
given DATABASE_SECONDS and abandoned after that (not waited for while it is
being cancelled: a connection to a frozen server may take minutes to give
up). /metrics reads the count of pending sends at most every
PENDING_FRESH_SECONDS, through an index; a count it could not read is left
out, never shown as 0.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web

from bot.runtime.context import BotApplication, BotData
from bot.runtime.metrics import CONTENT_TYPE, Readings

# The tick is stuck when neither its start nor its progress moved for this
# long (or two dispatch intervals, if longer).
TICK_STUCK = timedelta(minutes=2)
# Well under the 5 s that `civic-reflect healthcheck` and most probes wait.
DATABASE_SECONDS = 2.5
PENDING_FRESH_SECONDS = 5.0


class NoAnswer(Exception):
    """The database did not answer within the bound."""


class BoundedRead:
    """One read of the database at a time, shared by every request that
    wants it meanwhile, and waited for at most `seconds`. A read that does
    not come back is cancelled, not awaited; until it has really ended, the
    next request waits on it again rather than piling up another."""

    def __init__(self, read: Callable[[], Awaitable[Any]], seconds: float):
        self.read = read
        self.seconds = seconds
        self._running: asyncio.Task | None = None

    async def __call__(self) -> Any:
        if self._running is None or self._running.done():
            self._running = asyncio.ensure_future(self.read())
            self._running.add_done_callback(_retrieve)
        running = self._running
        done, _ = await asyncio.wait({running}, timeout=self.seconds)
        if not done:
            running.cancel()
            raise NoAnswer()
        if running.cancelled():  # given up on by an earlier request
            raise NoAnswer()
        return running.result()


def _retrieve(task: asyncio.Task) -> None:
    """A read nobody waits for any more must not log "never retrieved"."""
    if not task.cancelled():
        task.exception()


class Health:
    def __init__(self, application: BotApplication):
        self.application = application
        self._started_at = application.bot_data.now()
        self.database_seconds = DATABASE_SECONDS
        self.pending_fresh_seconds = PENDING_FRESH_SECONDS
        self._check = BoundedRead(self._check_database, self.database_seconds)
        self._count = BoundedRead(self._count_pending, self.database_seconds)
        self._pending: tuple[float, int | None, bool] | None = None  # (monotonic, count, up)

    def add_routes(self, router: web.UrlDispatcher) -> None:
        router.add_get("/livez", self.livez)
        router.add_get("/readyz", self.readyz)
        router.add_get("/healthz", self.healthz)
        router.add_get("/metrics", self.metrics)

    # -- the answers -------------------------------------------------------------------
    async def livez(self, request: web.Request) -> web.Response:
        report = self.liveness()
        return _answer(report, report["status"] == "ok")

    async def readyz(self, request: web.Request) -> web.Response:
        report = await self.readiness()
        return _answer(report, report["status"] == "ok")

    async def healthz(self, request: web.Request) -> web.Response:
        report = await self.health()
        return _answer(report, report["status"] == "ok")

    async def metrics(self, request: web.Request) -> web.Response:
        data = self.application.bot_data
        pending, up = await self.pending()
        body = data.metrics.render(Readings(
            outbox_pending=pending, database_up=up,
            last_tick_unix=_unix(data.last_tick_at),
            tick_progress_unix=_unix(data.tick_progress_at)))
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})

    # -- what they say -------------------------------------------------------------------
    def liveness(self) -> dict:
        """The loop turns (this answers at all) and the tick is not stuck."""
        data = self.application.bot_data
        tick = self.tick(data)
        lag = data.metrics.loop_lag.seconds
        return {
            "status": "ok" if tick != "stuck" else "failing",
            "tick": tick,
            "last_tick": _iso(data.last_tick_at),
            "tick_progress": _iso(data.tick_progress_at),
            "loop_lag_seconds": None if lag is None else round(lag, 3),
        }

    async def readiness(self) -> dict:
        """Started and not stopping, leader or follower, the database answers."""
        data = self.application.bot_data
        role = None
        if data.leadership is not None:
            role = "leader" if data.leadership.leading else "follower"
        database = await self.database()
        ready = self.application.running and role is not None and database == "ok"
        return {
            "status": "ok" if ready else "failing",
            "receiving": _receiving(self.application, data),
            "role": role,
            "database": database,
            "mode": data.settings.mode,
        }

    async def health(self) -> dict:
        """Liveness and the database: what /healthz has always meant, with a
        long weekly round counted as healthy while it makes progress."""
        data = self.application.bot_data
        database = await self.database()
        tick = self.tick(data)
        healthy = database == "ok" and tick != "stuck"
        return {
            "status": "ok" if healthy else "failing",
            "database": database,
            # "overdue" as before, for checks that read it.
            "tick": "overdue" if tick == "stuck" else "ok",
            "last_tick": _iso(data.last_tick_at),
            "leader": bool(data.leadership and data.leadership.leading),
            "mode": data.settings.mode,
        }

    def tick(self, data: BotData) -> str:
        """"ok", "stuck" (nothing started or moved for too long) or "off"."""
        interval = data.settings.dispatch_interval_seconds
        if interval <= 0:
            return "off"
        moved = max(moment for moment in (self._started_at, data.last_tick_at,
                                          data.tick_progress_at) if moment is not None)
        allowed = max(TICK_STUCK, timedelta(seconds=2 * interval))
        return "ok" if data.now() - moved <= allowed else "stuck"

    async def database(self) -> str:
        """"ok", "starting", "no answer in N s" or "unreachable (Error)"."""
        if self.application.bot_data.store is None:
            return "starting"
        self._check.seconds = self.database_seconds
        try:
            await self._check()
        except NoAnswer:
            return f"no answer in {self.database_seconds:g} s"
        except Exception as error:  # any failure to answer is the finding
            return f"unreachable ({type(error).__name__})"
        return "ok"

    async def pending(self) -> tuple[int | None, bool | None]:
        """(sends waiting in the outbox or None, whether the database
        answered), read again once the last reading is older than
        pending_fresh_seconds."""
        if self.application.bot_data.store is None:
            return None, None
        if self._pending is not None and (
                time.monotonic() - self._pending[0] < self.pending_fresh_seconds):
            return self._pending[1], self._pending[2]
        self._count.seconds = self.database_seconds
        count: int | None = None
        with contextlib.suppress(Exception):  # metrics never fail for the database
            count = await self._count()
        self._pending = (time.monotonic(), count, count is not None)
        return count, count is not None

    async def _check_database(self) -> None:
        await self.application.bot_data.store.check()

    async def _count_pending(self) -> int:
        return await self.application.bot_data.store.housekeeping.pending_outbox()


def _receiving(application: BotApplication, data: BotData) -> str:
    if data.store is None:
        return "starting"
    return "yes" if application.running else "stopped"


def _answer(report: dict, healthy: bool) -> web.Response:
    return web.json_response(report, status=200 if healthy else 503,
                             dumps=lambda value: json.dumps(value) + "\n")


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _unix(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()
