"""What an operator puts around the bot's replicas, and Telegram's side of a
webhook: a reverse proxy that sends each request to a healthy replica (as
Caddy or nginx do with a health check), a deliverer that posts each update
until a replica answers 200 (as Telegram does), and a watch that writes
down what every replica's /healthz said, and when."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
import time
from dataclasses import dataclass, field

import httpx
from aiohttp import ClientError, ClientSession, ClientTimeout, web

from helpers.processes import BotProcess, free_port, wait_until

SECRET = "operator-test-secret-0123456789"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
HEALTH_EVERY = 0.5  # seconds between two looks at a replica's /healthz


class Replica:
    """`python -m bot run` in webhook mode on a port of its own."""

    def __init__(self, api_url: str, database_url: str, folder, name: str,
                 port: int | None = None):
        self.name = name
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = BotProcess(
            api_url, folder / f"{name}.unused.sqlite3", DATABASE_URL=database_url,
            WEBHOOK_URL=f"{self.base}/telegram", WEBHOOK_SECRET=SECRET,
            PORT=str(self.port), LISTEN="127.0.0.1", REPLICAS="2")

    def health(self) -> tuple[int, dict] | None:
        try:
            answer = httpx.get(f"{self.base}/healthz", timeout=10)
            return answer.status_code, answer.json()
        except (httpx.HTTPError, ValueError):
            return None

    def wait_until_healthy(self, timeout: float = 90) -> dict:
        def healthy() -> dict | None:
            seen = self.health()
            return seen[1] if seen is not None and seen[0] == 200 else None

        return wait_until(healthy, timeout,
                          lambda: f"{self.name} healthy: {self.process.lines[-20:]}")


class Proxy:
    """Round robin over the replicas whose last /healthz answered 200; 502
    when none did (Telegram then tries again later)."""

    def __init__(self, upstreams: list[str]):
        self.upstreams = upstreams
        self.healthy: dict[str, bool] = {upstream: False for upstream in upstreams}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/telegram"
        self._turn = itertools.count()
        self._loop = asyncio.new_event_loop()
        self._stopping: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> Proxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(30)
        return self

    def __exit__(self, *exc_info: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    async def _start(self) -> None:
        self._session = ClientSession(timeout=ClientTimeout(total=60))
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._stopping = asyncio.Event()
        self._checks = asyncio.ensure_future(self._check_health())

    async def _stop(self) -> None:
        self._stopping.set()
        await self._checks
        await self._runner.cleanup()
        await self._session.close()

    async def _check_health(self) -> None:
        while not self._stopping.is_set():
            for upstream in self.upstreams:
                try:
                    async with self._session.get(f"{upstream}/healthz",
                                                 timeout=ClientTimeout(total=5)) as answer:
                        self.healthy[upstream] = answer.status == 200
                except (ClientError, TimeoutError):
                    self.healthy[upstream] = False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), 1.0)

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
                   "Content-Type": "application/json"}
        start = next(self._turn)
        for step in range(len(self.upstreams)):
            upstream = self.upstreams[(start + step) % len(self.upstreams)]
            if not self.healthy[upstream]:
                continue
            try:
                async with self._session.post(f"{upstream}/telegram", data=body,
                                              headers=headers) as answer:
                    return web.Response(status=answer.status)
            except (ClientError, TimeoutError):
                self.healthy[upstream] = False
        return web.Response(status=502)


@dataclass
class Delivery:
    update: dict
    statuses: list[int] = field(default_factory=list)

    @property
    def delivered(self) -> bool:
        return bool(self.statuses) and self.statuses[-1] == 200


class Deliverer:
    """Telegram's side of the webhook: each update posted, a few at once,
    again and again until it is answered 200."""

    def __init__(self, url: str, workers: int = 4, retry_every: float = 0.25):
        self.url = url
        self.retry_every = retry_every
        self.deliveries: list[Delivery] = []
        self._queue: queue.Queue[Delivery | None] = queue.Queue()
        self._workers = [threading.Thread(target=self._work, daemon=True)
                         for _ in range(workers)]

    def __enter__(self) -> Deliverer:
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        for _ in self._workers:
            self._queue.put(None)
        for worker in self._workers:
            worker.join(30)

    def send(self, update: dict) -> None:
        delivery = Delivery(update)
        self.deliveries.append(delivery)
        self._queue.put(delivery)

    def all_delivered(self) -> bool:
        return all(delivery.delivered for delivery in list(self.deliveries))

    def _work(self) -> None:
        with httpx.Client(timeout=60) as client:
            while (delivery := self._queue.get()) is not None:
                while True:
                    try:
                        status = client.post(self.url, json=delivery.update,
                                             headers={SECRET_HEADER: SECRET}).status_code
                    except httpx.HTTPError:
                        status = 0
                    delivery.statuses.append(status)
                    if status == 200:
                        break
                    time.sleep(self.retry_every)


class HealthWatch:
    """Every replica's /healthz, looked at every HEALTH_EVERY seconds:
    (monotonic time, replica name, status code or None) rows."""

    def __init__(self, replicas: dict[str, Replica]):
        self.replicas = replicas  # name -> replica; a restarted one replaces its entry
        self.seen: list[tuple[float, str, int | None]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> HealthWatch:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join(30)

    def _watch(self) -> None:
        while not self._stop.is_set():
            for name, replica in list(self.replicas.items()):
                answer = replica.health()
                self.seen.append((time.monotonic(), name, answer[0] if answer else None))
            self._stop.wait(HEALTH_EVERY)

