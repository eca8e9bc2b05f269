"""Health that tells the truth: /livez, /readyz, /healthz and /metrics on the
real Application. A long round is alive while it makes progress and a stuck
one is not; every endpoint answers within its bound whatever the database
does (a read that never returns, even when cancelled); what cannot be read
is left out of /metrics, never shown as 0; a follower's last tick is shown;
the event loop's lag is measured; the driver's warnings are one line."""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import signal
import time
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.config import OneLineWarnings, Settings, configure_logging
from bot.runtime.metrics import LoopLag
from bot.runtime.server import WebServer
from bot.services.tick import dispatch_tick

from helpers.app import TEST_TOKEN, start_app, stop_app
from helpers.group import seed_due_groups
from helpers.postgres import NO_POSTGRES, ThrowawayPostgres, server_programs
from helpers.processes import until

# What a probe waits at most in these tests: a hang fails the test, it never blocks it.
PATIENCE = 60


@pytest.fixture
def settings(settings):
    return replace(settings, port=0, listen="127.0.0.1")


@pytest.fixture
async def server(harness):
    # Health judges the tick by a one-minute interval; the tests run the
    # tick by hand (the JobQueue's, in real time, would race them).
    data = harness.app.bot_data
    data.settings = replace(data.settings, dispatch_interval_seconds=60)
    running = WebServer(harness.app, webhook=False)
    await running.start()
    yield running
    await running.stop()


@pytest.fixture
async def http():
    async with aiohttp.ClientSession() as session:
        yield session


async def get(http, server, path: str) -> tuple[int, dict | str]:
    async def asking():
        async with http.get(f"http://127.0.0.1:{server.port}{path}") as answer:
            if path == "/metrics":
                return answer.status, await answer.text()
            return answer.status, await answer.json()

    return await asyncio.wait_for(asking(), PATIENCE)


def samples(text: str) -> dict[str, float]:
    return {line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
            for line in text.splitlines() if line and not line.startswith("#")}


async def test_a_long_round_is_alive_while_it_progresses_and_a_stuck_one_is_not(
    harness, server, http
):
    data = harness.app.bot_data
    data.last_tick_at = harness.clock.now  # a round starts, and runs for twenty minutes
    for _ in range(20):
        harness.clock.advance(minutes=1)
        data.tick_progress_at = harness.clock.now  # what the tick sets as it sends
        for path in ("/livez", "/healthz"):
            status, report = await get(http, server, path)
            assert (status, report["status"], report["tick"]) == (200, "ok", "ok"), path
    status, report = await get(http, server, "/livez")
    assert report["tick_progress"] == harness.clock.now.isoformat()
    # The round stops moving: stuck after two minutes (two dispatch intervals).
    harness.clock.advance(minutes=2)
    assert (await get(http, server, "/livez"))[0] == 200
    harness.clock.advance(seconds=1)
    status, report = await get(http, server, "/livez")
    assert (status, report["status"], report["tick"]) == (503, "failing", "stuck")
    status, report = await get(http, server, "/healthz")
    assert (status, report["tick"]) == (503, "overdue")
    # The next tick starts: alive again.
    data.last_tick_at = harness.clock.now
    assert (await get(http, server, "/livez"))[0] == 200


async def test_a_real_round_that_sends_for_fifteen_minutes_is_alive_throughout(
    harness, server
):
    groups = 15
    await seed_due_groups(harness.settings.database, groups, -100500, harness.clock.now)
    for number in range(groups):
        harness.telegram.set_chat(harness.updates.group_chat(-100500 - number, f"Group {number}"))
    seen: list[str] = []

    def a_minute_a_question(call) -> None:
        if call.method == "sendMessage":
            harness.clock.advance(minutes=1)  # Telegram is slow today
            seen.append(server.health.liveness()["tick"])

    harness.telegram.listeners.append(a_minute_a_question)
    harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
    assert await harness.run_jobs("tick-now") == 1
    data = harness.app.bot_data
    assert seen == ["ok"] * groups
    # Judged by its start alone, the round would have been "overdue" for
    # thirteen of its fifteen minutes; its progress says it was sending.
    assert harness.clock.now - data.last_tick_at == timedelta(minutes=groups)
    assert harness.clock.now - data.tick_progress_at <= timedelta(minutes=1)
    assert server.health.liveness()["status"] == "ok"


class Stubborn:
    """A database call that never returns, and does not stop when cancelled
    either (as a read on a connection to a frozen server may not), until
    released."""

    def __init__(self):
        self.released = asyncio.Event()
        self.calls = 0

    async def __call__(self, *args, **kwargs):
        self.calls += 1
        while not self.released.is_set():
            try:
                await self.released.wait()
            except asyncio.CancelledError:
                continue


async def test_every_endpoint_answers_within_its_bound_when_the_database_hangs(
    harness, server, http, monkeypatch
):
    server.health.database_seconds = 0.2
    hang = Stubborn()
    monkeypatch.setattr(harness.store, "check", hang)
    monkeypatch.setattr(harness.store.housekeeping, "pending_outbox", hang)
    try:
        status, report = await get(http, server, "/healthz")
        assert (status, report["status"], report["database"]) == (
            503, "failing", "no answer in 0.2 s")
        status, report = await get(http, server, "/readyz")
        assert (status, report["database"], report["role"]) == (
            503, "no answer in 0.2 s", "leader")
        # Not stuck: restarting would not bring the database back.
        assert (await get(http, server, "/livez"))[0] == 200
        status, text = await get(http, server, "/metrics")
        metrics = samples(text)
        assert status == 200 and "civic_reflect_outbox_pending" not in metrics
        assert metrics["civic_reflect_database_up"] == 0
        assert "# TYPE civic_reflect_outbox_pending gauge" in text  # described, no value
        # Probes keep coming while the reads hang: each answers, and reads
        # do not pile up (one check, one count, both still in hand).
        for _ in range(3):
            assert (await get(http, server, "/healthz"))[0] == 503
        assert hang.calls == 2
    finally:
        hang.released.set()
    # The database answers again (the count is read afresh after its few seconds).
    monkeypatch.undo()
    server.health.pending_fresh_seconds = 0
    status, report = await get(http, server, "/healthz")
    assert (status, report["database"]) == (200, "ok")
    metrics = samples((await get(http, server, "/metrics"))[1])
    assert (metrics["civic_reflect_outbox_pending"], metrics["civic_reflect_database_up"]) == (
        0, 1)


class Elsewhere:
    """A lease another replica holds: this one follows."""

    shared = True

    async def hold(self) -> bool:
        return False

    async def release(self) -> None:
        """Nothing held."""


async def test_metrics_leave_out_what_cannot_be_read_and_show_a_follower_s_tick(
    harness, server, http
):
    server.health.pending_fresh_seconds = 0
    metrics = samples((await get(http, server, "/metrics"))[1])
    # No tick yet: no time of one (a 0 would say 1970).
    assert "civic_reflect_last_tick_timestamp_seconds" not in metrics
    assert "civic_reflect_tick_progress_timestamp_seconds" not in metrics
    # A follower's tick starts, and returns at once: its time is shown all the same.
    leadership = harness.app.bot_data.leadership
    lease, leadership.lease = leadership.lease, Elsewhere()
    await leadership.check()
    harness.app.job_queue.run_once(dispatch_tick, 3600, name="tick-now")
    assert await harness.run_jobs("tick-now") == 1
    metrics = samples((await get(http, server, "/metrics"))[1])
    assert metrics["civic_reflect_last_tick_timestamp_seconds"] == harness.clock.now.timestamp()
    assert metrics["civic_reflect_leader"] == 0
    status, report = await get(http, server, "/readyz")
    assert (status, report["role"], report["receiving"]) == (200, "follower", "yes")
    leadership.lease = lease
    await leadership.check()
    # The database goes: its count is absent, not 0.
    await harness.store.db.close()
    metrics = samples((await get(http, server, "/metrics"))[1])
    assert "civic_reflect_outbox_pending" not in metrics
    assert metrics["civic_reflect_database_up"] == 0
    status, report = await get(http, server, "/readyz")
    assert (status, report["database"]) == (503, "unreachable (RuntimeError)")


async def test_ready_only_between_start_and_stop(settings, telegram, clock):
    app = await start_app(settings, telegram, clock)
    server = WebServer(app, webhook=False)
    try:
        assert (await server.health.readiness())["status"] == "ok"
        await app.stop()
        report = await server.health.readiness()
        assert (report["status"], report["receiving"], report["database"]) == (
            "failing", "stopped", "ok")
    finally:
        await app.post_stop(app)
        await app.post_shutdown(app)
        await app.shutdown()
    report = await server.health.readiness()
    assert (report["status"], report["database"]) == ("failing", "starting")


async def test_the_event_loop_s_lag_is_measured_and_shown(harness, server, http):
    lag = harness.app.bot_data.metrics.loop_lag
    await until(lambda: lag.seconds is not None, seconds=PATIENCE)
    time.sleep(0.3)  # something holds the loop (a long statement, a big render)
    await until(lambda: lag.seconds >= 0.3 - lag.every_seconds, seconds=PATIENCE)
    metrics = samples((await get(http, server, "/metrics"))[1])
    assert metrics["civic_reflect_event_loop_lag_seconds"] >= 0.3 - lag.every_seconds
    report = (await get(http, server, "/livez"))[1]
    assert report["loop_lag_seconds"] >= 0.3 - lag.every_seconds


def test_the_loop_lag_shows_the_largest_recent_sample_and_forgets_old_ones():
    lag = LoopLag(window=3)
    assert lag.seconds is None
    for late in (0.01, 2.5, -0.001, 0.02):
        lag.sample(late)
    assert lag.seconds == 2.5
    lag.sample(0.03)
    assert lag.seconds == 0.03  # the stall has left the window


def _reconnect_warning(logger: logging.Logger) -> None:
    """What asyncpg's pool logs at each try while PostgreSQL is away."""
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5432)")
    except ConnectionRefusedError:
        logger.warning("Failed to restore the pool connection floor; retrying", exc_info=True)


def test_driver_warnings_during_an_outage_are_one_line_at_most_once_a_minute():
    now = [1000.0]
    logger = logging.getLogger("test.health.driver")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger.addHandler(handler)
    logger.addFilter(OneLineWarnings(clock=lambda: now[0]))
    logger.propagate = False
    try:
        for _ in range(5):  # the pool's tries, seconds apart
            _reconnect_warning(logger)
            now[0] += 2
        now[0] += 60
        _reconnect_warning(logger)
    finally:
        logger.removeHandler(handler)
        logger.filters.clear()
        logger.propagate = True
    line = ("Failed to restore the pool connection floor; retrying (ConnectionRefusedError: "
            "[Errno 111] Connect call failed ('127.0.0.1', 5432))")
    assert stream.getvalue().splitlines() == [line, f"{line} (and 4 more since)"]


def test_configure_logging_makes_asyncpg_s_pool_warnings_one_line():
    root, pool = logging.getLogger(), logging.getLogger("asyncpg.pool")
    saved = root.handlers[:], root.level, pool.filters[:]
    stream = io.StringIO()
    root.handlers = [logging.StreamHandler(stream)]
    try:
        configure_logging(Settings(token=TEST_TOKEN))
        configure_logging(Settings(token=TEST_TOKEN))  # twice: one filter
        assert sum(isinstance(f, OneLineWarnings) for f in pool.filters) == 1
        _reconnect_warning(pool)
    finally:
        root.handlers, level, pool.filters = saved
        root.setLevel(level)
    assert stream.getvalue().count("\n") == 1
    assert "Traceback" not in stream.getvalue()
    assert "(ConnectionRefusedError: [Errno 111]" in stream.getvalue()


async def test_health_answers_starting_before_the_database_is_open(settings, telegram, clock):
    """A probe that comes while the bot starts: 503 saying so, at once."""
    app = await start_app(settings, telegram, clock)
    try:
        server = WebServer(app, webhook=False)
        store, app.bot_data.store = app.bot_data.store, None
        try:
            report = await server.health.health()
            assert (report["status"], report["database"]) == ("failing", "starting")
            pending = await server.health.pending()
            assert pending == (None, None)
        finally:
            app.bot_data.store = store
    finally:
        await stop_app(app)


async def test_a_longer_dispatch_interval_allows_two_of_them(harness, server):
    data = harness.app.bot_data
    data.settings = replace(data.settings, dispatch_interval_seconds=300)
    data.last_tick_at = harness.clock.now
    harness.clock.advance(minutes=10)
    assert server.health.liveness()["tick"] == "ok"
    harness.clock.advance(seconds=1)
    assert server.health.liveness()["tick"] == "stuck"
    data.settings = replace(data.settings, dispatch_interval_seconds=0)
    assert server.health.liveness() | {"loop_lag_seconds": None} == {
        "status": "ok", "tick": "off", "last_tick": data.last_tick_at.isoformat(),
        "tick_progress": None, "loop_lag_seconds": None}


def _server_processes(server: ThrowawayPostgres) -> list[int]:
    """The postmaster and every process it started (each connection's backend)."""
    postmaster = int((server.data / "postmaster.pid").read_text().split()[0])
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                children.append(int(stat.parent.name))
    return [postmaster, *children]


@pytest.fixture
def own_postgres():
    """A PostgreSQL server of this test's own, to freeze and stop."""
    if server_programs() is None:
        pytest.skip(NO_POSTGRES)
    server = ThrowawayPostgres()
    server.start()
    yield server
    with contextlib.suppress(ProcessLookupError):
        for pid in _server_processes(server):
            os.kill(pid, signal.SIGCONT)
    server.stop()


@pytest.mark.slow
async def test_a_frozen_then_stopped_postgresql_health_answers_in_time_logs_stay_short(
    own_postgres, tmp_path, telegram, clock, caplog
):
    settings = Settings(token=TEST_TOKEN, database_path=tmp_path / "unused.sqlite3",
                        database_url=own_postgres.url, port=0, listen="127.0.0.1",
                        dispatch_interval_seconds=0, chart_workers=0, group_max_rate=0,
                        overall_max_rate=0, count_refresh_seconds=3600)
    pool_log = logging.getLogger("asyncpg.pool")
    pool_log.addFilter(OneLineWarnings())
    app = await start_app(settings, telegram, clock)
    server = WebServer(app, webhook=False)
    await server.start()
    try:
        async with aiohttp.ClientSession() as http:
            assert (await get(http, server, "/healthz"))[0] == 200
            # A network cut, as an operator meets it: the server stops answering.
            frozen = _server_processes(own_postgres)
            for pid in frozen:
                os.kill(pid, signal.SIGSTOP)
            try:
                status, report = await get(http, server, "/healthz")
                assert (status, report["database"]) == (503, "no answer in 2.5 s")
                assert (await get(http, server, "/readyz"))[0] == 503
                assert (await get(http, server, "/livez"))[0] == 200
                metrics = samples((await get(http, server, "/metrics"))[1])
                assert "civic_reflect_outbox_pending" not in metrics
                assert metrics["civic_reflect_database_up"] == 0
            finally:
                for pid in frozen:
                    os.kill(pid, signal.SIGCONT)
            # Back: healthy again by itself.
            await until(lambda: _status(http, server, "/healthz", 200), seconds=PATIENCE)
            # Stopped: the pool tries to reconnect, and says so in one line a try.
            caplog.set_level(logging.WARNING, logger="asyncpg.pool")
            own_postgres.halt()
            status, report = await get(http, server, "/healthz")
            assert status == 503 and report["database"] != "ok"
            await until(lambda: [r for r in caplog.records if r.name == "asyncpg.pool"],
                        seconds=PATIENCE, what="the pool's warning that it cannot reconnect")
            own_postgres.resume()
            await until(lambda: _status(http, server, "/healthz", 200), seconds=PATIENCE)
    finally:
        await server.stop()
        await stop_app(app)
        for one in [f for f in pool_log.filters if isinstance(f, OneLineWarnings)]:
            pool_log.removeFilter(one)
    warned = [record for record in caplog.records if record.name.startswith("asyncpg")]
    assert warned and all(record.exc_info is None and "\n" not in record.getMessage()
                          for record in warned)


async def _status(http, server, path: str, wanted: int) -> bool:
    return (await get(http, server, path))[0] == wanted
