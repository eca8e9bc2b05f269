"""Where the machine's cores went during a benchmark's span, for the round
benchmarks (tests/bench/_digest_round.py, _round_replicas.py).

Linux keeps, for every thread, the time it ran on a core and the time it
was ready to run but waited for one (/proc/PID/task/TID/schedstat). Summed
per process between two snapshots and grouped by role (the bot, its chart
worker, PostgreSQL...), they say what took the cores and who waited: a tap
that is slow because its process waited for a core looks, from inside the
process, exactly like a tap that did more work. /proc/stat gives the
machine's share of busy time over the same span, and the share the
virtual machine's host took for others ("steal"). Linux only.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Seen:
    ppid: int
    command: str
    on_core_s: float
    waited_s: float


def _process(pid: int) -> Seen | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            command = cmdline.read().replace(b"\0", b" ").decode(errors="replace").strip()
        on_core = waited = 0
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as schedstat:
                ran, wait, _ = schedstat.read().split()
            on_core += int(ran)
            waited += int(wait)
    except (OSError, ValueError):
        return None  # gone meanwhile, or a kernel without schedstat
    return Seen(ppid, command, on_core / 1e9, waited / 1e9)


def _machine() -> tuple[int, int, int]:
    """(busy, all, stolen) clock ticks of every core since boot; stolen: time
    the hypervisor gave a virtual core to someone else."""
    with open("/proc/stat") as stat:
        values = [int(value) for value in stat.readline().split()[1:]]
    idle = values[3] + values[4]  # idle, iowait
    return sum(values[:8]) - idle, sum(values[:8]), values[7]


@dataclass(frozen=True)
class Snapshot:
    processes: dict[int, Seen]
    machine: tuple[int, int, int]


def snapshot() -> Snapshot:
    processes = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (seen := _process(int(entry))) is not None:
            processes[int(entry)] = seen
    return Snapshot(processes, _machine())


def where_cores_went(before: Snapshot, after: Snapshot,
                     role_of: Callable[[int, Seen], str | None]) -> dict:
    """Seconds on a core and seconds waiting for one, per role, between the
    snapshots (a process started meanwhile counts from zero; `role_of`
    None leaves a process out), and the share of the cores kept busy."""
    roles: dict[str, list[float]] = {}
    for pid, seen in after.processes.items():
        role = role_of(pid, seen)
        if role is None:
            continue
        earlier = before.processes.get(pid)
        if earlier is not None and earlier.command != seen.command:
            earlier = None  # the number was reused
        totals = roles.setdefault(role, [0.0, 0.0])
        totals[0] += seen.on_core_s - (earlier.on_core_s if earlier else 0.0)
        totals[1] += seen.waited_s - (earlier.waited_s if earlier else 0.0)
    busy, every, stolen = (now - then for now, then in zip(after.machine, before.machine,
                                                            strict=True))
    return {
        "cores": os.cpu_count(),
        "cores_busy": round(busy / every, 3) if every else None,
        # A virtual machine's cores are shared with other machines: time
        # taken from this one by the host, which no process here can see.
        "cores_stolen": round(stolen / every, 3) if every else None,
        "on_core_s": {role: round(totals[0], 1) for role, totals in sorted(roles.items())},
        "waited_for_core_s": {role: round(totals[1], 1)
                              for role, totals in sorted(roles.items())},
    }
