"""Which rows a writing statement may change, for the rows kept in memory
(bot/store/kept.py).

A statement that writes a table makes every kept row of it be forgotten,
and of the tables its changes cascade into, except an UPDATE of one row
found by its id that leaves the id as it is: then only that row's kept copy
goes. The weekly round moves every group's summary time, one statement per
group, and a tap's live count marks its own question; forgetting every
chat or question for each of those made the taps during the round read
their chat and question from SQLite again and again.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

# A statement that writes a table (its name is the group).
WRITES = re.compile(r"\s*(?:UPDATE|INSERT\s+INTO|DELETE\s+FROM|REPLACE\s+INTO)\s+(\w+)",
                    re.IGNORECASE)
# Writing a table can change rows of others too (ON DELETE / ON UPDATE CASCADE).
CHANGES_TOO = {"chats": ("prompts",), "enrolments": ("prompts",)}

# UPDATE t SET ... WHERE id = ? [AND ...]: the one row whose id is that parameter.
_ONE_ROW = re.compile(
    r"\s*UPDATE\s+(\w+)\s+SET\s+(.+?)\s+WHERE\s+id\s*=\s*\?((?:\s+AND\s+.*)?)\s*$",
    re.IGNORECASE | re.DOTALL)
_SETS_ID = re.compile(r"(?:^|,)\s*id\s*=", re.IGNORECASE)  # the id moves: cascades follow
# Anything that could widen the statement past one row, or make the
# parameters' positions uncertain: then the whole table is forgotten.
_NOT_PLAIN = re.compile(r"\bSELECT\b|\bOR\b|[():]|\bWHERE\b.*\bWHERE\b",
                        re.IGNORECASE | re.DOTALL)


class Written(NamedTuple):
    table: str
    row_parameter: int | None  # the index of the parameter naming the one row, or None: any row


@lru_cache(maxsize=1024)
def written_by(sql: str) -> Written | None:
    """What a statement writes; None for one that writes nothing."""
    writes = WRITES.match(sql)
    if writes is None:
        return None
    table = writes.group(1).lower()
    one = _ONE_ROW.match(sql)
    if one is None or _SETS_ID.search(one.group(2)) or _NOT_PLAIN.search(sql):
        return Written(table, None)
    return Written(table, one.group(2).count("?"))
