"""Reading a group's week, grouped by SQL, for summaries and digests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date

from bot.domain.summary import MIN_RESPONDENTS, TREND_WEEKS
from bot.domain.summary_facts import (
    CommentFacts,
    GroupFacts,
    MemberFacts,
    QuestionFacts,
    ThemeWeek,
    WeekParticipation,
)
from bot.domain.weeks import recent_weeks, week_bounds, week_of
from bot.store.db import Database, from_db_time, to_db_time

_HAS_CONTENT = "(a.scale IS NOT NULL OR a.text IS NOT NULL OR a.voice_file_id IS NOT NULL)"

ThemeOf = Callable[[str, str], str | None]


class SummaryRepository:
    def __init__(self, db: Database):
        self.db = db

    async def group_facts(
        self, chat_id: int, week: date, theme_of: ThemeOf, *,
        chat_member_count: int | None = None, theme_order: tuple[str, ...] = (),
        members_heard: bool = True,
    ) -> GroupFacts | None:
        """Everything a summary of `week` needs; None for an unknown chat.

        `theme_of(pack_id, item_id)` comes from the content packs (themes are
        content, not data), so ratings are grouped per question here and per
        theme by the caller's mapping. With `members_heard` false the
        members' last answers are not read (the one query that goes through
        the group's whole history): enough for a group summary, not for a
        digest.
        """
        chat = await self.db.fetch_one("SELECT * FROM chats WHERE id = ?", (chat_id,))
        if chat is None:
            return None
        zone = chat["timezone"]
        weeks = recent_weeks(week, TREND_WEEKS)
        since, _ = week_bounds(weeks[0], zone)
        start, end = week_bounds(week, zone)
        return GroupFacts(
            chat_id=chat_id,
            title=chat["title"] or "",
            language=chat["language"],
            names_visible=bool(chat["names_visible"]),
            week=week,
            members=await (self._members(chat_id) if members_heard
                           else self._members_only(chat_id)),
            questions=await self._questions(chat_id, start, end, theme_of),
            **await self._trends(chat_id, since, end, zone, weeks, theme_of),
            chat_member_count=chat_member_count,
            theme_order=theme_order,
            members_heard=members_heard,
        )

    async def _members(self, chat_id: int) -> tuple[MemberFacts, ...]:
        rows = await self.db.fetch_all(
            "SELECT m.user_id, m.display_name, m.joined_at, m.quiet,"
            " heard.last_answered_at, COALESCE(heard.answers, 0) AS answers"
            " FROM members m LEFT JOIN ("
            "   SELECT a.user_id, MAX(a.created_at) AS last_answered_at, COUNT(*) AS answers"
            "   FROM answers a JOIN prompts p ON p.id = a.prompt_id"
            f"  WHERE p.chat_id = :chat AND {_HAS_CONTENT} GROUP BY a.user_id"
            " ) heard ON heard.user_id = m.user_id"
            " WHERE m.chat_id = :chat AND m.left_at IS NULL"
            " ORDER BY lower(m.display_name), m.user_id",
            {"chat": chat_id},
        )
        return tuple(
            MemberFacts(
                user_id=row["user_id"], name=row["display_name"],
                joined_at=from_db_time(row["joined_at"]),
                last_answered_at=from_db_time(row["last_answered_at"]),
                answers=row["answers"], quiet=bool(row["quiet"]),
            )
            for row in rows
        )

    async def _members_only(self, chat_id: int) -> tuple[MemberFacts, ...]:
        rows = await self.db.fetch_all(
            "SELECT user_id, display_name, joined_at, quiet FROM members"
            " WHERE chat_id = ? AND left_at IS NULL ORDER BY lower(display_name), user_id",
            (chat_id,),
        )
        return tuple(
            MemberFacts(user_id=row["user_id"], name=row["display_name"],
                        joined_at=from_db_time(row["joined_at"]), last_answered_at=None,
                        answers=0, quiet=bool(row["quiet"]))
            for row in rows
        )

    async def _questions(self, chat_id, start, end, theme_of: ThemeOf):
        rows = await self.db.fetch_all(
            "SELECT p.id, p.pack_id, p.item_id, p.opened_at, a.user_id, a.scale, a.text,"
            " a.voice_file_id, a.visibility, a.quotable"
            " FROM prompts p LEFT JOIN answers a ON a.prompt_id = p.id"
            f" AND {_HAS_CONTENT}"
            " WHERE p.chat_id = ? AND p.opened_at >= ? AND p.opened_at < ?"
            " ORDER BY p.opened_at, p.id, a.created_at, a.id",
            (chat_id, to_db_time(start), to_db_time(end)),
        )
        grouped: dict[int, list] = defaultdict(list)
        for row in rows:
            grouped[row["id"]].append(row)
        questions = []
        for prompt_rows in grouped.values():
            first = prompt_rows[0]
            answered = [row for row in prompt_rows if row["user_id"] is not None]
            counts = [0, 0, 0, 0, 0]
            for row in answered:
                if row["scale"] is not None:
                    counts[row["scale"] - 1] += 1
            questions.append(QuestionFacts(
                prompt_id=first["id"], pack_id=first["pack_id"], item_id=first["item_id"],
                theme=theme_of(first["pack_id"], first["item_id"]),
                opened_at=from_db_time(first["opened_at"]),
                distribution=tuple(counts),
                respondents=tuple(row["user_id"] for row in answered),
                private_answers=sum(1 for row in answered if row["visibility"] == "private"),
                comments=tuple(
                    CommentFacts(user_id=row["user_id"], text=row["text"],
                                 has_voice=row["voice_file_id"] is not None,
                                 private=row["visibility"] == "private",
                                 quotable=bool(row["quotable"]))
                    for row in answered if row["text"] or row["voice_file_id"]
                ),
            ))
        return tuple(questions)

    async def _trends(self, chat_id, since, end, zone, weeks, theme_of: ThemeOf) -> dict:
        rows = await self.db.fetch_all(
            "SELECT p.id, p.pack_id, p.item_id, p.opened_at, a.user_id, a.scale"
            " FROM prompts p JOIN answers a ON a.prompt_id = p.id"
            f" WHERE p.chat_id = ? AND p.opened_at >= ? AND p.opened_at < ? AND {_HAS_CONTENT}",
            (chat_id, to_db_time(since), to_db_time(end)),
        )
        # Grouped by question first: a question's week and theme are worked
        # out once, not once for each of its answers.
        answered: dict[int, tuple[str, str, str, set[int], list[int]]] = {}
        for row in rows:
            entry = answered.get(row["id"])
            if entry is None:
                entry = answered[row["id"]] = (row["opened_at"], row["pack_id"],
                                               row["item_id"], set(), [])
            entry[3].add(row["user_id"])
            if row["scale"] is not None:
                entry[4].append(row["scale"])
        people: dict[date, set[int]] = defaultdict(set)
        per_question: list[tuple[date, str | None, list[int]]] = []
        for opened_at, pack_id, item_id, users, scales in answered.values():
            week = week_of(from_db_time(opened_at), zone)
            people[week].update(users)
            if scales:
                per_question.append((week, theme_of(pack_id, item_id), scales))
        ratings: dict[tuple[date, str], list[int]] = defaultdict(lambda: [0, 0])
        for week, theme, scales in per_question:
            # A question rated by too few people stays out of its theme's score
            # too: otherwise subtracting a shown question from the theme would
            # reveal the hidden ratings.
            if theme is not None and len(scales) >= MIN_RESPONDENTS:
                tally = ratings[(week, theme)]
                tally[0] += len(scales)
                tally[1] += sum(scales)
        first = await self.db.fetch_one(
            "SELECT MIN(opened_at) AS first FROM prompts WHERE chat_id = ?", (chat_id,))
        first_at = from_db_time(first["first"]) if first else None
        return {
            "first_week": week_of(first_at, zone) if first_at else None,
            "participation": tuple(
                WeekParticipation(week=week, participants=len(people.get(week, ())))
                for week in weeks
            ),
            "themes": tuple(
                ThemeWeek(week=week, theme=theme, ratings=count, total=total)
                for (week, theme), (count, total) in sorted(ratings.items())
            ),
        }
