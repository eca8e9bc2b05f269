"""Where the source text lives, for the tests that compare content with it.

It sits outside the repository (shared/seed/ beside the clone). In a clone
without it those tests skip; where CI says it must be there
(CIVIC_REFLECT_SOURCE_REQUIRED=1, set by .ci/run when ../shared/seed exists),
not finding it is a failure, so a wrong path can never pass as a skip.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[3] / "shared" / "seed" / "000_b3af5c3a8521161c.txt"


def source_text() -> str:
    if not SOURCE.is_file():
        message = f"source text not found at {SOURCE}"
        if os.environ.get("CIVIC_REFLECT_SOURCE_REQUIRED") == "1":
            pytest.fail(message + " although CI says shared/seed/ is beside the clone")
        pytest.skip(message + "; content is checked against it only with shared/seed/ "
                    "beside the repository clone")
    return SOURCE.read_text(encoding="utf-8")
