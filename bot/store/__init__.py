"""The store: the only place with SQL. One Database, one repository per aggregate."""

from __future__ import annotations

from pathlib import Path

from bot.domain.clock import Clock, utc_now
from bot.store.actions import ActionRepository, forget_owner
from bot.store.answers import AnswerRepository
from bot.store.chats import ChatRepository
from bot.store.commitments import CommitmentRepository
from bot.store.db import Database, backup_file
from bot.store.design_tests import DesignTestRepository, forget_ratings
from bot.store.drafts import SetupDraftRepository
from bot.store.enrolments import EnrolmentRepository
from bot.store.exports import ExportRepository
from bot.store.housekeeping import HousekeepingRepository
from bot.store.joint_actions import JointActionRepository
from bot.store.journal import JournalRepository
from bot.store.members import CoordinatorRepository, MemberRepository
from bot.store.nudges import NudgeRepository
from bot.store.outbox import OutboxRepository
from bot.store.partnerships import PartnershipRepository
from bot.store.programmes import ProgrammeRepository
from bot.store.prompts import PromptRepository
from bot.store.rate_offers import RateOffers
from bot.store.summaries import SummaryRepository
from bot.store.weekly import WeeklyRepository

__all__ = ["Store", "backup_file", "open_database"]


def open_database(target: Path | str, clock: Clock = utc_now, *,
                  read_only: bool = False) -> Database:
    """The backend a target names: a postgresql:// URL, or a SQLite file."""
    if isinstance(target, str) and target.startswith(("postgresql://", "postgres://")):
        from bot.store.postgres import PostgresDatabase

        return PostgresDatabase(target, clock, read_only=read_only)
    return Database(target, clock, read_only=read_only)


class Store:
    def __init__(self, path: Path | str, clock: Clock = utc_now, *, read_only: bool = False):
        self.db = open_database(path, clock, read_only=read_only)
        self.chats = ChatRepository(self.db)
        self.members = MemberRepository(self.db)
        self.coordinators = CoordinatorRepository(self.db)
        self.enrolments = EnrolmentRepository(self.db)
        self.prompts = PromptRepository(self.db)
        self.answers = AnswerRepository(self.db)
        self.nudges = NudgeRepository(self.db)
        self.outbox = OutboxRepository(self.db)
        self.weekly = WeeklyRepository(self.db)
        self.exports = ExportRepository(self.db)
        self.drafts = SetupDraftRepository(self.db)
        self.summaries = SummaryRepository(self.db)
        self.journal = JournalRepository(self.db)
        self.partnerships = PartnershipRepository(self.db)
        self.programmes = ProgrammeRepository(self.db)
        self.housekeeping = HousekeepingRepository(self.db)
        self.actions = ActionRepository(self.db)
        self.design_tests = DesignTestRepository(self.db)
        self.commitments = CommitmentRepository(self.db)
        self.joint_actions = JointActionRepository(self.db)
        self.rate_offers = RateOffers(self.db)

    @classmethod
    async def open(
        cls, path: Path | str, clock: Clock = utc_now, *, read_only: bool = False
    ) -> Store:
        """Open (and upgrade) the database; read-only opens never change it."""
        store = cls(path, clock, read_only=read_only)
        await store.db.open()
        return store

    async def close(self) -> None:
        await self.db.close()

    async def check(self) -> None:
        """Raise if the database does not answer (for /healthz)."""
        await self.db.fetch_value("SELECT 1")

    async def forget_member_in_chat(self, chat_id: int, user_id: int) -> int:
        """A member's /forget in one group: their answers (with history), nudges
        and membership there. Returns how many answers were deleted."""
        async with self.db.transaction() as tx:
            await tx.lock_chats(chat_id)
            deleted = await tx.execute(
                "DELETE FROM answers WHERE user_id = ? AND prompt_id IN"
                " (SELECT id FROM prompts WHERE chat_id = ?)",
                (user_id, chat_id),
            )
            for table in ("nudges", "members"):
                await tx.execute(
                    f"DELETE FROM {table} WHERE chat_id = ? AND user_id = ?", (chat_id, user_id)
                )
            # A reminder about this group still waiting to reach them.
            await tx.execute(
                "DELETE FROM outbox WHERE chat_id = ? AND subject_id = ? AND kind = 'reminder'"
                " AND state = 'pending'", (user_id, chat_id))
            # Their actions there stay, unassigned.
            await forget_owner(tx, user_id, chat_id)
            await forget_ratings(tx, user_id, chat_id)
            return deleted

    async def forget_person(self, user_id: int) -> None:
        """Delete everything stored about one person, in every chat, at once.

        Their private chat goes with its enrolments, prompts and answers (by
        cascade); in groups, their answers, nudges, membership and coordinator
        role go. Group questions and other people's answers stay.
        """
        async with self.db.transaction() as tx:
            await tx.lock_chats(user_id)  # their private chat, gone with its programme
            await forget_owner(tx, user_id)
            await forget_ratings(tx, user_id)
            for statement in (
                "DELETE FROM answers WHERE user_id = ?",
                "DELETE FROM nudges WHERE user_id = ?",
                "DELETE FROM setup_drafts WHERE user_id = ?",
                "DELETE FROM coordinators WHERE user_id = ?",
                # Who made whom a coordinator is about them too.
                "UPDATE coordinators SET added_by = NULL WHERE added_by = ?",
                "DELETE FROM members WHERE user_id = ?",
                # Everything owed to their private chat (digests, reminders).
                "DELETE FROM outbox WHERE chat_id = ?",
                "DELETE FROM chats WHERE id = ? AND kind = 'private'",
            ):
                await tx.execute(statement, (user_id,))
