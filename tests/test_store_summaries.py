"""The store's grouped reading of a week for summaries and digests."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.summary import digest, summarise
from bot.domain.summary_facts import CommentFacts, ThemeWeek, WeekParticipation
from bot.store import Store

from helpers.app import Clock

MONDAY = date(2026, 3, 9)
THEMES = {"q1": "listening", "q2": "listening", "q3": "outcomes", "old": "listening"}


async def test_group_facts_of_a_week(database_target):
    clock = Clock(datetime(2026, 2, 9, 9, 0, tzinfo=UTC))
    store = await Store.open(database_target, clock)
    chat = -100
    await store.chats.ensure(chat, kind="group", title="Riverside", timezone="Europe/Madrid",
                             language="en")
    await store.chats.update(chat, names_visible=True)
    for user, name in ((1, "Ana"), (2, "Bruno"), (3, "Carla"), (4, "Dev"), (5, "Eli")):
        await store.members.seen(chat, user, name)
    await store.members.set_quiet(chat, 5, True)
    enrolment = await store.enrolments.start(chat, "pack", cadence="weekly", days=["mon"],
                                             local_time="09:00", next_due_at=None)

    async def ask(slot: str, item: str, when: datetime, answers: dict[int, dict]):
        clock.now = when
        prompt, _ = await store.prompts.open(enrolment.id, slot, chat_id=chat, pack_id="pack",
                                             item_id=item)
        for user, parts in answers.items():
            await store.answers.record(prompt.id, user, **parts)
        return prompt

    # Four weeks ago: Bruno and Carla answer.
    await ask("old", "old", datetime(2026, 2, 9, 9, tzinfo=UTC),
              {2: {"scale": 2}, 3: {"scale": 3}})
    # This week: q1 rated by three, q2 by two (too few), q3 only in words.
    await ask("q1", "q1", datetime(2026, 3, 9, 8, tzinfo=UTC),
              {1: {"scale": 5}, 2: {"scale": 4, "text": "yes <b>really</b>", "quotable": True},
               3: {"scale": 3}})
    await ask("q2", "q2", datetime(2026, 3, 10, 8, tzinfo=UTC),
              {1: {"scale": 1}, 2: {"scale": 2}})
    await ask("q3", "q3", datetime(2026, 3, 11, 8, tzinfo=UTC),
              {4: {"text": "privately said", "visibility": "private"},
               1: {"voice_file_id": "AwVoice"}, 3: {"skipped": True}})

    facts = await store.summaries.group_facts(chat, MONDAY, lambda _p, item: THEMES[item],
                                              chat_member_count=7, theme_order=("outcomes",))
    for_summary = await store.summaries.group_facts(
        chat, MONDAY, lambda _p, item: THEMES[item], chat_member_count=7,
        theme_order=("outcomes",), members_heard=False)
    await store.close()

    # Read for a group summary alone: the same but for the members' history,
    # and the same summary made from it; no digest can be made from it.
    assert facts.members_heard and not for_summary.members_heard
    assert [(m.user_id, m.name, m.joined_at, m.quiet) for m in for_summary.members] == [
        (m.user_id, m.name, m.joined_at, m.quiet) for m in facts.members]
    assert all(m.last_answered_at is None for m in for_summary.members)
    assert dataclasses.replace(for_summary, members=facts.members, members_heard=True) == facts
    assert summarise(for_summary) == summarise(facts)
    with pytest.raises(ValueError):
        digest(for_summary, clock.now)

    assert (facts.title, facts.language, facts.names_visible, facts.week) == (
        "Riverside", "en", True, MONDAY)
    members = {m.name: m for m in facts.members}
    assert [m.name for m in facts.members] == ["Ana", "Bruno", "Carla", "Dev", "Eli"]
    assert (members["Ana"].answers, members["Bruno"].answers, members["Eli"].answers) == (3, 3, 0)
    assert members["Eli"].last_answered_at is None and members["Eli"].quiet
    assert members["Dev"].last_answered_at == datetime(2026, 3, 11, 8, tzinfo=UTC)

    q1, q2, q3 = facts.questions
    assert (q1.item_id, q1.theme, q1.distribution, sorted(q1.respondents)) == (
        "q1", "listening", (0, 0, 1, 1, 1), [1, 2, 3])
    assert q1.comments == (CommentFacts(user_id=2, text="yes <b>really</b>", has_voice=False,
                                        private=False, quotable=True),)
    assert q2.distribution == (1, 1, 0, 0, 0)
    assert sorted(q3.respondents) == [1, 4]  # the skip is not an answer
    assert {c.user_id: (c.private, c.has_voice) for c in q3.comments} == {
        4: (True, False), 1: (False, True)}

    # q2 (two ratings) is left out of its theme, so its ratings cannot be worked out.
    assert facts.themes == (ThemeWeek(week=MONDAY, theme="listening", ratings=3, total=12),)
    assert facts.participation[-1] == WeekParticipation(week=MONDAY, participants=4)
    assert facts.participation[-5] == WeekParticipation(week=MONDAY - timedelta(weeks=4),
                                                        participants=2)
    assert (facts.chat_member_count, facts.theme_order) == (7, ("outcomes",))
