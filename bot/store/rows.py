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


def build(record_type: type[T], row: Row) -> T:
    """Fill a record from a row whose column names match its fields.

    Fields typed datetime hold UTC timestamps; fields typed bool are stored as
    0/1; tuple fields are stored as comma-separated text.
    """
    # Looked up in a dict: sqlite3.Row finds a column by name with a scan of
    # every column's name, which for a wide table cost more than the query.
    values = dict(zip(row.keys(), row, strict=True))
    return record_type(**{name: convert(values[name]) for name, convert in _plan(record_type)})


def build_all(record_type: type[T], rows: Sequence[Row]) -> list[T]:
    return [build(record_type, row) for row in rows]
