"""A fresh schema of its own on a PostgreSQL server, for a benchmark's run."""

from __future__ import annotations

import uuid

import asyncpg


async def new_schema(server: str, prefix: str = "bench") -> str:
    """Create a schema and return the server's URL with it as search_path
    (asyncpg sends query parameters it does not know as server settings)."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f"CREATE SCHEMA {schema}")
    finally:
        await connection.close()
    return f"{server}{'&' if '?' in server else '?'}search_path={schema}"
