"""A network between the bot and PostgreSQL, for the benchmarks: a TCP proxy
in a process of its own that holds every chunk for half the round trip it is
given, each way, before passing it on.

Threads, not asyncio: asyncio's timers wake to the millisecond (epoll's
timeout is rounded up), which would turn 0.75 ms each way into a whole one;
a thread's `time.sleep` wakes within a few tens of microseconds. Each chunk
is held from the moment it was read, so chunks following each other keep
their spacing (a stream, not one chunk at a time).
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import queue
import socket
import statistics
import sys
import threading
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import asyncpg

CHUNK = 65_536


def upstream_of(url: str) -> tuple[int, str | tuple[str, int]]:
    """(address family, address) of the server a postgresql:// URL names:
    a Unix socket (`?host=/folder`, as the throwaway server's) or host:port."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    port = int(query.get("port") or parts.port or 5432)
    host = query.get("host") or parts.hostname or "localhost"
    if host.startswith("/"):
        return socket.AF_UNIX, f"{host}/.s.PGSQL.{port}"
    return socket.AF_INET, (host, port)


def through(url: str, port: int) -> str:
    """The same URL (user, database, settings) reaching the server through
    the proxy on 127.0.0.1:`port`."""
    parts = urlsplit(url)
    user = parts.netloc.rpartition("@")[0]
    query = [(key, value) for key, value in parse_qsl(parts.query)
             if key not in ("host", "port")]
    netloc = f"{user}@127.0.0.1:{port}" if user else f"127.0.0.1:{port}"
    return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query), ""))


def _carry(source: socket.socket, target: socket.socket, hold: float) -> None:
    """Read from `source`, and write each chunk to `target` `hold` seconds
    after it was read (a thread reads, another writes)."""
    held: queue.SimpleQueue = queue.SimpleQueue()

    def write() -> None:
        while True:
            due, chunk = held.get()
            if chunk is None:
                break
            wait = due - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            try:
                target.sendall(chunk)
            except OSError:
                break
        with contextlib.suppress(OSError):
            target.shutdown(socket.SHUT_WR)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        while chunk := source.recv(CHUNK):
            held.put((time.perf_counter() + hold, chunk))
    except OSError:
        pass
    held.put((0.0, None))
    writer.join()


def _connect(client: socket.socket, upstream, hold: float) -> None:
    family, address = upstream
    server = socket.socket(family, socket.SOCK_STREAM)
    server.connect(address)
    for end in (client, server):
        if end.family == socket.AF_INET:
            end.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    back = threading.Thread(target=_carry, args=(server, client, hold), daemon=True)
    back.start()
    _carry(client, server, hold)
    back.join()
    client.close()
    server.close()


def _tight_timers() -> None:
    """Linux lets a sleep run 50 microseconds late by default (timer slack,
    inherited by the threads made after): ask for 1 ns instead."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(29, 1, 0, 0, 0)  # PR_SET_TIMERSLACK
    except (OSError, AttributeError):
        pass


def serve(upstream, hold: float, port: int, ready) -> None:
    """The proxy's process: accept on 127.0.0.1:`port` until terminated."""
    # A thread woken from its sleep should not wait long for the others.
    sys.setswitchinterval(0.0002)
    _tight_timers()
    listener = socket.create_server(("127.0.0.1", port), backlog=128)
    ready.set()
    while True:
        client, _ = listener.accept()
        threading.Thread(target=_connect, args=(client, upstream, hold), daemon=True).start()


class LatencyProxy:
    """A proxy process adding `round_trip_ms` to every round trip to the
    server of `url`; `.url` reaches the same database through it."""

    def __init__(self, url: str, round_trip_ms: float, port: int):
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        self.process = context.Process(
            target=serve, args=(upstream_of(url), round_trip_ms / 2000, port, ready),
            daemon=True)
        self.process.start()
        if not ready.wait(60):
            raise SystemExit("the latency proxy did not start")
        self.url = through(url, port)

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(timeout=10)


async def round_trip_ms(url: str, times: int = 50) -> float:
    """The median time of `SELECT 1` on one connection to `url`."""
    connection = await asyncpg.connect(url)
    try:
        await connection.fetchval("SELECT 1")
        took = []
        for _ in range(times):
            began = time.perf_counter()
            await connection.fetchval("SELECT 1")
            took.append(time.perf_counter() - began)
    finally:
        await connection.close()
    return round(statistics.median(took) * 1000, 3)


def measured(url: str) -> float:
    return asyncio.run(round_trip_ms(url))
