"""Turning database rows into the records of bot/domain/records.py."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from bot.store.db import Row, from_db_time

T = TypeVar("T")


def _tuple(raw: Any) -> tuple[str, ...]:
    return tuple(part for part in (raw or "").split(",") if part)


def _same(raw: Any) -> Any:
    return raw


@functools.cache
def _plan(record_type: type) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """How to read each field of a record type, worked out once per type (a
    record is built for every row read, thousands a minute)."""
    plan = []
    for field in fields(record_type):
        kind = str(field.type)
        if "datetime" in kind:
            convert: Callable[[Any], Any] = from_db_time
        elif kind == "bool":
            convert = bool
        elif kind.startswith("tuple"):
            convert = _tuple
        else:
            convert = _same
        plan.append((field.name, convert))
    return tuple(plan)


@functools.cache
def _positions(record_type: type, columns: tuple[str, ...]
               ) -> tuple[tuple[int, Callable[[Any], Any] | None], ...]:
    """Where each field of a record sits in a row with these columns, and
    how to read it (None: as it is), worked out once per query shape."""
    where = {name: index for index, name in enumerate(columns)}
    return tuple((where[name], None if convert is _same else convert)
                 for name, convert in _plan(record_type))


def build(record_type: type[T], row: Row) -> T:
    """Fill a record from a row whose column names match its fields.

    Fields typed datetime hold UTC timestamps; fields typed bool are stored as
    0/1; tuple fields are stored as comma-separated text.
    """
    # Columns are read by position: sqlite3.Row finds a column by name with
    # a scan of every column's name, and records are built for every row
    # read, on the path of every update.
    return record_type(*[row[index] if convert is None else convert(row[index])
                         for index, convert in _positions(record_type, tuple(row.keys()))])


def build_all(record_type: type[T], rows: Sequence[Row]) -> list[T]:
    return [build(record_type, row) for row in rows]
