"""Saving an answer follows its rules for any sequence of taps, comments,
skips and consents: checked against the rules written out plainly, on both
databases, over a few hundred random sequences."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime

from helpers.rows import make_group, make_prompt

CONTENT = ("scale", "text", "voice_file_id")


@dataclass
class Rules:
    """One member's answer to one question, as the rules say it should be."""

    answer: dict | None = None
    history: list[tuple] = field(default_factory=list)

    def record(self, now: datetime, *, visibility: str, given: dict, skipped: bool,
               quotable: bool | None, message_id: int | None) -> None:
        if self.answer is None:  # a first answer: as given
            self.answer = {**{name: given.get(name) for name in CONTENT}, "skipped": skipped,
                           "visibility": visibility, "quotable": bool(quotable),
                           "message_id": message_id, "edited_at": None}
            return
        answer = self.answer
        changed = {name: value for name, value in given.items() if answer[name] != value}
        # What a change replaces is kept, unless it replaces nothing.
        if any(answer[name] is not None for name in changed):
            self.history.append(tuple(answer[name] for name in CONTENT))
        answer.update(changed)
        answer["skipped"] = skipped
        if visibility == "private":  # and never back to the group
            answer["visibility"] = "private"
        if quotable is not None:
            answer["quotable"] = quotable
        if message_id is not None:
            answer["message_id"] = message_id
        if changed:
            answer["edited_at"] = now


def random_call(rng: random.Random) -> dict:
    given = {}
    if rng.random() < 0.6:
        given["scale"] = rng.choice([None, 1, 2, 3, 4, 5])
    if rng.random() < 0.4:
        given["text"] = rng.choice([None, "We listen", "We listen, mostly", "<b>loud</b>"])
    if rng.random() < 0.15:
        given["voice_file_id"] = rng.choice([None, "AwACAgIAAxk"])
    return {"visibility": rng.choice(["group", "group", "private"]), "given": given,
            "skipped": rng.random() < 0.2, "quotable": rng.choice([None, None, True, False]),
            "message_id": rng.choice([None, None, 55, 56])}


async def test_every_sequence_of_calls_saves_what_the_rules_say(store, clock):
    await make_group(store)
    prompt = await make_prompt(store)
    rng = random.Random(2026)
    for user_id in range(1, 301):
        rules = Rules()
        for _ in range(rng.randint(1, 6)):
            clock.advance(minutes=1)
            call = random_call(rng)
            rules.record(clock.now, **call)
            saved = await store.answers.record(
                prompt.id, user_id, visibility=call["visibility"], skipped=call["skipped"],
                quotable=call["quotable"], message_id=call["message_id"], **call["given"])
            shown = {name: getattr(saved, name) for name in rules.answer}
            assert shown == rules.answer, (user_id, call)
            assert saved == await store.answers.get(prompt.id, user_id)
        history = await store.answers.history(saved.id)
        assert [tuple(getattr(edit, name) for name in CONTENT) for edit in history] == \
            rules.history, user_id
