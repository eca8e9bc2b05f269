"""What each replica offers to keep to of Telegram's rate (bot.domain.rate_share).

Times are the database's own clock, read inside the statement, so replicas
on machines whose clocks differ still agree on when an offer ends.
"""

from __future__ import annotations

from bot.domain.rate_share import Offer
from bot.store.db import Database

# Offers of processes long gone are dropped when a new one is made.
_KEPT_SECONDS = 3600


class RateOffers:
    def __init__(self, db: Database):
        self.db = db
        self._now = ("EXTRACT(EPOCH FROM clock_timestamp())::float8" if db.dialect == "postgresql"
                     else "((julianday('now') - 2440587.5) * 86400.0)")

    async def offer(self, session: str, rate: float, seconds: float) -> None:
        """This process sends at most `rate` a second for `seconds` from now."""
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO rate_offers (session, rate, ends_at)"
                f" VALUES (?, ?, {self._now} + ?)"
                " ON CONFLICT (session) DO UPDATE SET rate = excluded.rate,"
                " ends_at = excluded.ends_at",
                (session, rate, seconds))
            await tx.execute(f"DELETE FROM rate_offers WHERE ends_at < {self._now} - ?",
                             (_KEPT_SECONDS,))

    async def of_others(self, session: str) -> list[Offer]:
        """The offers of other processes still in force, and how long each has left."""
        async with self.db.read() as tx:
            rows = await tx.fetch_all(
                f"SELECT rate, ends_at - {self._now} FROM rate_offers"
                f" WHERE session <> ? AND ends_at > {self._now}",
                (session,))
        return [Offer(float(rate), float(left)) for rate, left in rows]
