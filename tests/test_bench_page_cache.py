"""The round benchmark's page-cache probe (tests/bench/_page_cache.py): it
must see what the kernel dropped and read back exactly that, or the
benchmark's --hold-cache would compare bursts on different footing."""

import mmap
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "bench"))

from _page_cache import PageCache, read_back, resident_pages

PAGE = mmap.PAGESIZE


@pytest.fixture
def file_of_pages(tmp_path):
    path = tmp_path / "pages.bin"
    path.write_bytes(os.urandom(64 * PAGE))
    return path


def drop_from_cache(path: Path) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())  # only clean pages can be dropped
        os.posix_fadvise(file.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)


def test_a_file_just_written_is_all_in_the_cache(file_of_pages):
    vector, size = resident_pages(file_of_pages)
    assert (len(vector), size) == (64, 64 * PAGE)
    assert vector.count(0) == 0


def test_only_the_missing_runs_are_read_back(file_of_pages):
    missing = bytes([1, 0, 0, 1, 0] + [1] * 58 + [0])  # 4 pages in three runs
    assert read_back(file_of_pages, missing) == 4 * PAGE
    assert read_back(file_of_pages, bytes([1] * 64)) == 0


def test_dropped_pages_are_seen_and_held_back_in_the_cache(file_of_pages):
    drop_from_cache(file_of_pages)
    vector, _ = resident_pages(file_of_pages)
    if vector.count(0) < 64:
        pytest.skip("this file system keeps its pages (tmpfs): nothing can be dropped")
    cache = PageCache(file_of_pages, hold=True)
    cache.phase = "idle before"
    cache.before_burst()  # finds none of it, and reads it all back
    cache.before_burst()  # finds it whole
    drop_from_cache(file_of_pages)
    cache.phase = "during"
    cache.before_burst()
    assert resident_pages(file_of_pages)[0].count(0) == 0
    assert cache.report() == {
        "idle before": {"cached_median": 0.5, "cached_lowest": 0.0, "read_back_mb": 0.2},
        "during": {"cached_median": 0.0, "cached_lowest": 0.0, "read_back_mb": 0.2},
    }


def test_without_holding_nothing_is_read(file_of_pages):
    drop_from_cache(file_of_pages)
    if resident_pages(file_of_pages)[0].count(0) < 64:
        pytest.skip("this file system keeps its pages (tmpfs): nothing can be dropped")
    cache = PageCache(file_of_pages, hold=False)
    cache.phase = "during"
    cache.before_burst()
    assert cache.report() == {"during": {"cached_median": 0.0, "cached_lowest": 0.0}}
    assert resident_pages(file_of_pages)[0].count(0) == 64  # still all on the disk only
