"""The promise register (docs/how/promises.md) holds every promise to a test.

Each row of its tables says a promise and names the tests that try to break
it; a row naming none, or naming a test that does not exist, fails here. So
does a promise in the bot's own words that the register lost: a few of the
strings people read most are looked up in it.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

from bot.content.locales import Catalog

ROOT = Path(__file__).resolve().parents[1]
REGISTER = ROOT / "docs" / "how" / "promises.md"
TEST_ID = re.compile(r"`(tests/[\w/]+\.py)::(test_\w+)`")


def promise_rows(register: Path = REGISTER) -> list[tuple[str, str]]:
    """(promise, tests) for each row of a table whose last column is "the
    test that tries to break it"."""
    rows, in_table = [], False
    for line in register.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if "the test that tries to break it" in cells[-1]:
            in_table = True
        elif in_table and not set(cells[0]) <= {"-"}:
            rows.append((cells[0], cells[-1]))
    return rows


@cache
def defined_in(path: str) -> set[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_promise_names_tests_that_exist():
    rows = promise_rows()
    assert len(rows) >= 30
    untested = [promise for promise, tests in rows if not TEST_ID.search(tests)]
    assert untested == [], "promises with no test that tries to break them"
    missing = [f"{path}::{name}" for _, tests in rows for path, name in TEST_ID.findall(tests)
               if not (ROOT / path).exists() or name not in defined_in(path)]
    assert missing == []


def test_the_register_can_fail(tmp_path):
    register = tmp_path / "promises.md"
    register.write_text("| the bot says | the test that tries to break it |\n|---|---|\n"
                        "| a promise | nothing yet |\n\n| other | table |\n|---|---|\n"
                        "| not | a promise |\n", encoding="utf-8")
    assert promise_rows(register) == [("a promise", "nothing yet")]
    assert not TEST_ID.search(promise_rows(register)[0][1])


# The bot's own words that promise something to the person reading them, by key.
PROMISES_IN_THE_BOTS_WORDS = ["private.stays_private", "answer.quote_on", "answer.quote_private",
                              "summary.footer", "digest.for_you", "digest.counts_only"]


def test_the_register_quotes_the_bots_promises_as_the_bot_says_them():
    register = REGISTER.read_text(encoding="utf-8")
    english = Catalog.load()
    for key in PROMISES_IN_THE_BOTS_WORDS:
        words = re.sub(r"<[^>]+>", "", english.raw("en", key)).split("{")[0].strip()
        assert words[:60] in register, key
