"""Moments the tests start from."""

from __future__ import annotations

from datetime import UTC, datetime

MONDAY_0900_MADRID = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
