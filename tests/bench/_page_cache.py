"""How much of the database file the kernel keeps in its page cache, for
tests/bench/digest.py --design end-to-end.

The project's virtual machine drops file pages from its cache as time
passes, with most of its memory free (docs/benchmarks/digest.md, "What the
machine drops"). A long benchmark on the disk then compares an early phase
that finds the file whole with a late one that reads part of it from the
device, and calls the difference the round's. So before every burst of
taps, in every phase alike, this records the share of the file in the
cache, and with --hold-cache reads back what was dropped, so that every
burst starts with the file whole, as it would on a server that keeps its
free memory as cache.

Residency comes from mincore(2) on a read-only mapping of the file; the
mapping reads nothing itself.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import statistics
from collections import defaultdict
from pathlib import Path

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte)]
_MAP_FAILED = ctypes.c_void_p(-1).value
PAGE = mmap.PAGESIZE
READ_BACK_CHUNK = 1 << 20


def resident_pages(path: Path) -> tuple[bytes, int]:
    """One byte per page of the file, its lowest bit set if the page is in
    the cache; and the file's size."""
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        if size == 0:
            return b"", 0
        address = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, file.fileno(), 0)
        if address in (None, _MAP_FAILED):
            raise OSError(ctypes.get_errno(), "mmap failed")
        try:
            pages = (size + PAGE - 1) // PAGE
            vector = (ctypes.c_ubyte * pages)()
            if _libc.mincore(address, size, vector) != 0:
                raise OSError(ctypes.get_errno(), "mincore failed")
            return bytes(vector), size
        finally:
            _libc.munmap(address, size)


def read_back(path: Path, vector: bytes) -> int:
    """Read the pages the vector says are missing, a run at a time; the
    bytes read. (The kernel sets only the lowest bit of each byte.)"""
    read = 0
    with open(path, "rb", buffering=0) as file:
        page = vector.find(0)
        while page != -1:
            end = vector.find(1, page)
            end = len(vector) if end == -1 else end
            end = min(end, page + READ_BACK_CHUNK // PAGE)
            read += len(os.pread(file.fileno(), (end - page) * PAGE, page * PAGE))
            page = vector.find(0, end)
    return read


class PageCache:
    """Called before every burst (in a thread: mincore and the reads block).
    `phase` names the bursts it is counting for."""

    def __init__(self, database: Path, hold: bool) -> None:
        self.database, self.hold = database, hold
        self.phase = ""
        self.shares: defaultdict[str, list[float]] = defaultdict(list)
        self.read_back_bytes: defaultdict[str, int] = defaultdict(int)

    def before_burst(self) -> None:
        vector, _size = resident_pages(self.database)
        if not vector:
            return
        self.shares[self.phase].append(1 - vector.count(0) / len(vector))
        if self.hold:
            self.read_back_bytes[self.phase] += read_back(self.database, vector)

    def report(self) -> dict:
        """Per phase: the median share of the file found in the cache as a
        burst began, its lowest, and the megabytes read back (with --hold-cache)."""
        return {phase: {"cached_median": round(statistics.median(shares), 3),
                        "cached_lowest": round(min(shares), 3),
                        **({"read_back_mb": round(self.read_back_bytes[phase] / 2**20, 1)}
                           if self.hold else {})}
                for phase, shares in self.shares.items()}
