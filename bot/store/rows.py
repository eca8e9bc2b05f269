"""Turning sqlite3.Row objects into the records of models.py."""

from __future__ import annotations

import sqlite3
from dataclasses import fields
from typing import Any, TypeVar

from bot.store.db import from_db_time

T = TypeVar("T")


def build(record_type: type[T], row: sqlite3.Row) -> T:
    """Fill a record from a row whose column names match its fields.

    Fields typed datetime hold UTC timestamps; fields typed bool are stored as
    0/1; tuple fields are stored as comma-separated text.
    """
    values: dict[str, Any] = {}
    for field in fields(record_type):  # type: ignore[arg-type]
        raw = row[field.name]
        kind = str(field.type)
        if "datetime" in kind:
            values[field.name] = from_db_time(raw)
        elif kind == "bool":
            values[field.name] = bool(raw)
        elif kind.startswith("tuple"):
            values[field.name] = tuple(part for part in (raw or "").split(",") if part)
        else:
            values[field.name] = raw
    return record_type(**values)


def build_all(record_type: type[T], rows: list[sqlite3.Row]) -> list[T]:
    return [build(record_type, row) for row in rows]
