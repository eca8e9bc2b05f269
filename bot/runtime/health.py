"""What /healthz and /metrics answer (served by bot.runtime.server)."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import timedelta

from aiohttp import web

from bot.runtime.context import BotApplication
from bot.runtime.metrics import CONTENT_TYPE

# /healthz fails when the scheduler's tick has not run for this long.
TICK_OVERDUE = timedelta(minutes=2)
_DATABASE_ANSWER_SECONDS = 5


class Health:
    def __init__(self, application: BotApplication):
        self.application = application
        self._started_at = application.bot_data.now()

    async def healthz(self, request: web.Request) -> web.Response:
        report = await self.health()
        status = 200 if report["status"] == "ok" else 503
        return web.json_response(report, status=status, dumps=lambda v: json.dumps(v) + "\n")

    async def health(self) -> dict:
        """Up, the database answers, and the tick ran within two minutes."""
        data = self.application.bot_data
        now = data.now()
        database = "starting"
        if data.store is not None:
            try:
                await asyncio.wait_for(data.store.check(), _DATABASE_ANSWER_SECONDS)
                database = "ok"
            except Exception as error:  # any failure to answer is the finding
                database = f"unreachable ({type(error).__name__})"
        ticking = data.settings.dispatch_interval_seconds > 0
        since = data.last_tick_at or self._started_at
        tick = "ok" if not ticking or now - since <= TICK_OVERDUE else "overdue"
        report = {
            "status": "ok" if database == "ok" and tick == "ok" else "failing",
            "database": database,
            "tick": tick,
            "last_tick": data.last_tick_at.isoformat() if data.last_tick_at else None,
            "leader": bool(data.leadership and data.leadership.leading),
            "mode": data.settings.mode,
        }
        return report

    async def metrics(self, request: web.Request) -> web.Response:
        data = self.application.bot_data
        pending = 0
        if data.store is not None:
            with contextlib.suppress(Exception):  # metrics never fail for the database
                pending = (await data.store.outbox.counts()).get("pending", 0)
        body = data.metrics.render(pending)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
