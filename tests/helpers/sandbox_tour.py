"""The sandbox's tour, "A week in two minutes", read from its docs page: the table a person
follows is the one the browser test follows, so the two cannot drift apart.

Each row: who you are, what to do (clauses split by ";": open *chat*, send `text`,
tap *button*, *button*..., press *time control*, choose *person*, download the file), and
what you see (every “quoted” text, "…" standing for anything; "in *chat*": that chat is
open; "chart": a picture in it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

PAGE = Path(__file__).resolve().parents[2] / "docs" / "using" / "sandbox.md"
HEADING = "## A week in two minutes"
VERBS = ("open", "send", "tap", "press", "choose", "download")
_ITEM = re.compile(r"\*([^*]+)\*|`([^`]+)`")
_QUOTED = re.compile(r"“([^”]+)”")
_IN_CHAT = re.compile(r"\bin \*([^*]+)\*")


@dataclass(frozen=True)
class Action:
    verb: str
    target: str  # a chat, text, button, control or person; "" for a download


@dataclass(frozen=True)
class Step:
    number: int
    person: str
    actions: tuple[Action, ...]
    texts: tuple[str, ...]  # each must be on the page, "…" standing for anything
    chat: str | None  # the chat that must be open afterwards, if the row says
    picture: bool  # a picture (the chart) in the open chat
    said: str  # the row's own words, for a failure to quote

    def patterns(self) -> list[str]:
        """Each expected text as a regular expression (JavaScript's and Python's)."""
        return [".*?".join(re.escape(part) for part in text.split("…")) for text in self.texts]


def tour_steps(page: Path = PAGE) -> list[Step]:
    text = page.read_text("utf-8")
    section = text[text.index(HEADING):]
    section = section[:section.index("\n## ", len(HEADING))]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    steps = []
    for row in rows[1:]:  # the header; the |---| line does not start with "| "
        number, person, do, see = (cell.strip() for cell in row.strip("| ").split(" | "))
        chat = _IN_CHAT.search(see)
        steps.append(Step(
            number=int(number), person=person, actions=tuple(_actions(do)),
            texts=tuple(_QUOTED.findall(see)), chat=chat.group(1) if chat else None,
            picture="chart" in see, said=f"{do} → {see}"))
    return steps


def _actions(do: str) -> list[Action]:
    actions = []
    for clause in (part.strip() for part in do.split(";")):
        verb = clause.split(" ", 1)[0]
        if verb not in VERBS:
            raise ValueError(f"the tour says {clause!r}: no test knows how to {verb!r}")
        if verb == "download":
            actions.append(Action(verb, ""))
            continue
        items = [star or tick for star, tick in _ITEM.findall(clause)]
        if not items:
            raise ValueError(f"the tour says {clause!r}: {verb} what?")
        actions.extend(Action(verb, item) for item in items)
    return actions
